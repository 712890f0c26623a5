#!/usr/bin/env node
/* global process */
// Entry point of the `palisade` command: sizes libuv's thread pool, then loads palisade.js (which
// runs the TypeScript sources through tsx's loader).
//
// libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise) runs DuckDB's queries and
// commits, and also password hashing, gzip and file I/O. Four long hunting queries would hold all four
// threads, and token checks and sensor batches would wait behind them. The pool reads its size once,
// when it first starts, which an ES module entry is too late for (loading modules starts it): this
// file is CommonJS so the size is set before anything runs. Hunting runs at most 4 queries at once
// (services/hunting.ts), so 16 threads leave room for everything else.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '16';
import('./palisade.js');

// Entry of an ingest worker thread: TypeScript sources run through tsx's loader (as bin/palisade.js
// does for the main thread), then the worker module takes the messages.
import { register } from 'tsx/esm/api';

register();
await import('./line-worker.ts');

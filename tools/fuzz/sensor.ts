/**
 * Sensor event batches: NDJSON bodies of well-formed event lines mixed with broken ones — wrong
 * types, unknown tables and columns, deep nesting, huge values, invalid JSON and UTF-8 — plain or
 * gzip (sometimes a corrupt gzip stream), with valid and invalid batch ids.
 */
import { gzipSync } from 'node:zlib';
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import type { Rng } from './rng.ts';

const TABLES = ['DeviceProcessEvents', 'DeviceNetworkEvents', 'DeviceFileEvents', 'DeviceInfo', 'DeviceLogonEvents', 'AlertInfo', 'NoSuchTable', 'constructor', '__proto__'];
const COLUMNS = ['FileName', 'ProcessId', 'ProcessCommandLine', 'AdditionalFields', 'RemotePort', 'RemoteIP', 'SHA1', 'FileSize', 'ActionType', 'InitiatingProcessId', 'Timestamp', 'ReportId', 'constructor', '__proto__', 'toString', 'Bogus'];

function hostileValue(rng: Rng, now: number): unknown {
  switch (rng.int(8)) {
    case 0: return rng.pick(HOSTILE_STRINGS);
    case 1: return Number(rng.pick(HOSTILE_NUMBERS));
    case 2: return rng.pick(HOSTILE_NUMBERS);
    case 3: { let v: unknown = 1; for (let i = rng.int(3000); i > 0; i--) v = [v]; return v; }
    case 4: return { a: { b: [1, 'x', null, { c: rng.pick(HOSTILE_STRINGS) }] } };
    case 5: return rng.chance(0.5) ? true : null;
    case 6: return 'x'.repeat(rng.int(200_000));
    default: return new Date(now - rng.int(40) * 86_400_000 + rng.int(3) * 86_400_000).toISOString();
  }
}

function line(rng: Rng, now: number): string {
  const r = rng.int(10);
  const ts = new Date(now - rng.int(3_600_000)).toISOString();
  if (r < 4) return JSON.stringify({ table: 'DeviceProcessEvents', row: { Timestamp: ts, ActionType: 'ProcessCreated', FileName: 'fuzz.exe', ProcessId: rng.int(65536) } });
  if (r === 4) return rng.pick(['{', '[]', 'null', '"x"', '{"table":1}', '{"table":"DeviceInfo","row":[]}', '\u00ff\u00fe', '{"table":"DeviceInfo","row":{},"extra":1}']);
  if (r === 5) {
    const n = rng.int(20000);
    return `{"table":"DeviceProcessEvents","row":{"Timestamp":"${ts}","AdditionalFields":${'['.repeat(n)}${']'.repeat(n)}}}`;
  }
  const row: Record<string, unknown> = { Timestamp: rng.chance(0.8) ? ts : hostileValue(rng, now) };
  for (let i = rng.int(4); i >= 0; i--) row[rng.pick(COLUMNS)] = hostileValue(rng, now);
  return JSON.stringify({ table: rng.pick(TABLES), row });
}

/** A batch: its id, body and whether it is sent gzip-compressed. */
export interface FuzzBatch { batchId: string; body: Buffer; gzip: boolean }

/** One event batch; event times are drawn around `now` (ms), so a seed and a clock give the same batch. */
export function sensorBatch(rng: Rng, n: number, now: number): FuzzBatch {
  const lines = Array.from({ length: 1 + rng.int(30) }, () => line(rng, now));
  let body = Buffer.from(lines.join(rng.chance(0.1) ? '\r\n' : '\n'));
  if (rng.chance(0.05)) body = Buffer.concat([body, Buffer.from([0xc3, 0x28, 0xff])]);
  const gzip = rng.chance(0.4);
  if (gzip) {
    body = gzipSync(body);
    if (rng.chance(0.1)) body = body.subarray(0, rng.int(body.length));
  }
  const batchId = rng.chance(0.95) ? `fuzz-batch-${n}` : rng.pick(['', 'x', 'a'.repeat(200), 'bad id!', 'constructor']);
  return { batchId, body, gzip };
}

/**
 * Turns the valid lines of a batch into EncodedTables (domain/ports.ts): per table, rows in Timestamp
 * order, each column as a string dictionary with codes or as raw little-endian values with a validity
 * bitmask. Done in ingest worker threads, so that the event loop receives typed arrays (moved, not
 * copied) and a few distinct strings instead of one object per event.
 */
import type { EncodedColumn, EncodedTable } from '../domain/ports.ts';
import { canonicalUtcMicros, canonicalUtcTick, microsAndTick, parseDatetimeMicros, storedToTheTick, writeNanos } from '../schema/datetime.ts';
import { parseTimespanTicks } from '../schema/timespan.ts';
import type { ColumnDecl, TableDecl } from '../schema/types.ts';
import type { ValidLine } from './validate-line.ts';

const TWO_32 = 4294967296;

type Width = 'int64' | 'int32' | 'float64' | 'bool';

function widthOf(type: ColumnDecl['type']): Width | 'string' {
  switch (type) {
    case 'string':
    case 'guid':
    case 'dynamic':
      return 'string';
    case 'long':
    case 'timespan':
    case 'datetime':
      return 'int64';
    case 'int':
      return 'int32';
    case 'real':
    case 'decimal':
      return 'float64';
    case 'bool':
      return 'bool';
  }
}

const BYTES: Record<Width, number> = { int64: 8, int32: 4, float64: 8, bool: 1 };

function encodeStrings(values: readonly unknown[], dynamic: boolean): EncodedColumn | null {
  const n = values.length;
  const codes = new Int32Array(n);
  const dict: string[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      codes[i] = -1;
      continue;
    }
    const s = dynamic ? JSON.stringify(v) : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    let c = index.get(s);
    if (c === undefined) {
      c = dict.length;
      dict.push(s);
      index.set(s, c);
    }
    codes[i] = c;
  }
  return dict.length === 0 ? null : { kind: 'string', dict, codes };
}

function int64Of(col: ColumnDecl, v: unknown): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'string') {
    if (col.type === 'datetime') {
      const fast = canonicalUtcMicros(v);
      if (!Number.isNaN(fast)) return fast;
      const us = parseDatetimeMicros(v);
      if (us !== null) return Number(us);
    } else if (col.type === 'timespan' && v.includes(':')) {
      const ticks = parseTimespanTicks(v);
      if (ticks !== null) return ticks;
    } else if (/^-?\d+$/.test(v)) {
      return BigInt(v);
    }
  }
  throw new TypeError(`${col.name}: not a ${col.type}: ${String(v)}`);
}

/**
 * Writes a value of a tick-precise datetime column (storedToTheTick) as nanoseconds since the epoch:
 * text to the tick, numbers and bigints as microseconds.
 */
function writeTickColumn(col: ColumnDecl, v: unknown, i32: Int32Array, i: number): void {
  if (typeof v === 'string') {
    const t = microsAndTick(v);
    if (t) return writeNanos(i32, i, t.micros, t.tick);
  } else if (typeof v === 'number' || typeof v === 'bigint') {
    return writeNanos(i32, i, Number(v), 0);
  }
  throw new TypeError(`${col.name}: not a ${col.type}: ${String(v)}`);
}

function encodeFixed(col: ColumnDecl, width: Width, values: readonly unknown[]): EncodedColumn | null {
  const ticks = col.type === 'datetime' && storedToTheTick(col.name);
  const n = values.length;
  const data = new ArrayBuffer(n * BYTES[width]);
  const valid = new Uint8Array((n + 7) >> 3).fill(0xff);
  let nulls = 0;
  const i32 = width === 'int64' || width === 'int32' ? new Int32Array(data) : null;
  const i64 = width === 'int64' ? new BigInt64Array(data) : null;
  const f64 = width === 'float64' ? new Float64Array(data) : null;
  const u8 = width === 'bool' ? new Uint8Array(data) : null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      valid[i >> 3] &= ~(1 << (i & 7));
      nulls += 1;
      continue;
    }
    switch (width) {
      case 'int64': {
        if (ticks) {
          writeTickColumn(col, v, i32!, i);
          break;
        }
        const x = int64Of(col, v);
        if (typeof x === 'bigint') {
          i64![i] = BigInt.asIntN(64, x);
        } else {
          const hi = Math.floor(x / TWO_32);
          i32![2 * i] = x - hi * TWO_32;
          i32![2 * i + 1] = hi;
        }
        break;
      }
      case 'int32':
        i32![i] = v as number;
        break;
      case 'float64':
        f64![i] = v as number;
        break;
      case 'bool':
        u8![i] = v ? 1 : 0;
        break;
    }
  }
  if (nulls === n) return null;
  // Bits past the last row are left clear, so that equal columns encode to equal bytes.
  if (n % 8 !== 0) valid[valid.length - 1] &= (1 << (n % 8)) - 1;
  return { kind: 'fixed', data, valid: nulls === 0 ? null : valid };
}

/**
 * Encodes the valid lines of one table (all `lines` must belong to `table`), sorted by Timestamp
 * (stable). Values must be the canonical forms the validate step produces.
 */
export function encodeTable(table: TableDecl, lines: readonly ValidLine[]): EncodedTable {
  const sorted = [...lines].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const n = sorted.length;
  const indexOf = new Map(table.columns.map((c, i) => [c.name, i]));
  const columns: unknown[][] = table.columns.map(() => new Array<unknown>(n));
  for (let r = 0; r < n; r++) {
    const row = sorted[r].row;
    for (const k in row) {
      const c = indexOf.get(k);
      if (c !== undefined) columns[c][r] = row[k];
    }
  }
  const tsIndex = indexOf.get('Timestamp');
  if (tsIndex !== undefined && table.columns[tsIndex].type === 'datetime') {
    // the microseconds validation computed, unless the (canonical) text has a seventh digit to keep
    for (let r = 0; r < n; r++) {
      const text = columns[tsIndex][r];
      if (!(typeof text === 'string' && canonicalUtcTick(text) !== 0)) columns[tsIndex][r] = Number(sorted[r].ts);
    }
  }
  return {
    table: table.name,
    rows: n,
    columns: table.columns.map((c, i) => {
      const w = widthOf(c.type);
      return w === 'string' ? encodeStrings(columns[i], c.type === 'dynamic') : encodeFixed(c, w, columns[i]);
    }),
  };
}

/** Encodes every valid line of a batch, one EncodedTable per table present. */
export function encodeLines(lines: readonly ValidLine[]): EncodedTable[] {
  const byTable = new Map<TableDecl, ValidLine[]>();
  for (const l of lines) {
    let list = byTable.get(l.table);
    if (!list) byTable.set(l.table, (list = []));
    list.push(l);
  }
  return [...byTable].map(([t, ls]) => encodeTable(t, ls));
}

/** The ArrayBuffers of encoded tables, to move them to another thread without copying. */
export function transferables(tables: readonly EncodedTable[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const t of tables) {
    for (const c of t.columns) {
      if (!c) continue;
      if (c.kind === 'string') out.push(c.codes.buffer as ArrayBuffer);
      else {
        out.push(c.data);
        if (c.valid) out.push(c.valid.buffer as ArrayBuffer);
      }
    }
  }
  return out;
}

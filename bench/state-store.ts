/**
 * Store-level benchmark of the Machines list query: ms per `devices.list` call on a state store
 * seeded with N devices in the same health mix as `bench api` (10 % silent for 9 days, 10 %
 * ImpairedCommunication, the rest Active). Run:
 *   node --import tsx bench/state-store.ts [--devices 10000] [--iterations 2000] [--state URL]
 * Without --state it uses a SQLite file in a temp folder; with a postgres:// URL the database
 * must be empty (it is migrated and seeded).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListQuery } from '../src/domain/list-query.ts';
import type { StateStore } from '../src/domain/ports.ts';
import { openStateStore } from '../src/store/state/open.ts';
import { deviceRecord } from '../test/support/harness.ts';

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Seeds `n` devices into a fresh tenant; returns the tenant id. */
async function seed(state: StateStore, n: number): Promise<string> {
  const tenantId = 'b0000000-0000-4000-8000-000000000001';
  await state.tenants.create({ id: tenantId, name: 'Bench', createdAt: new Date().toISOString() });
  const now = Date.now();
  await state.tx(async (r) => {
    for (let i = 0; i < n; i++) {
      const silent = i % 10 === 9;
      const d = deviceRecord(tenantId, {
        computerDnsName: `host-${String(i).padStart(5, '0')}`,
        osPlatform: i % 5 === 0 ? 'Linux' : 'Windows11',
        sensorHealth: i % 10 === 8 ? 'ImpairedCommunication' : 'Active',
        lastSeen: new Date(now - (silent ? 9 * 86400_000 : (i % 3600) * 1000)).toISOString(),
        machineTags: i % 4 === 0 ? ['prod'] : [],
      });
      d.id = (i.toString(16).padStart(8, '0') + 'b'.repeat(32)).slice(0, 40);
      await r.devices.insert(d);
    }
  });
  return tenantId;
}

/** Mean ms per call of `fn` over `iterations` calls, after a warm-up of a tenth as many. */
async function msPerOp(iterations: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.max(10, iterations / 10); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return (performance.now() - t0) / iterations;
}

const args = process.argv.slice(2);
const n = Number(arg(args, 'devices') ?? 10_000);
const iterations = Number(arg(args, 'iterations') ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-state-'));
const url = arg(args, 'state') ?? join(dir, 'state.db');
const state = await openStateStore(url, { secretsKey: join(dir, 'state-secrets.key') });
try {
  const t0 = performance.now();
  const tenantId = await seed(state, n);
  console.log(`${state.kind}: seeded ${n} devices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const base: ListQuery = { top: 100, skip: 0, count: false, orderBy: [] };
  const cases: [string, ListQuery][] = [
    ["$filter=healthStatus eq 'Active'&$top=100", { ...base, filter: { kind: 'cmp', op: 'eq', field: 'healthStatus', value: 'Active' } }],
    ['$top=100 (no filter)', base],
    ['$top=100&$skip=5000', { ...base, skip: 5000 }],
    ["$filter=osPlatform eq 'Linux'&$top=100&$count=true", { ...base, count: true, filter: { kind: 'cmp', op: 'eq', field: 'osPlatform', value: 'Linux' } }],
    ["$filter=machineTags/any(t: t eq 'prod')&$top=100", { ...base, filter: { kind: 'any', field: 'machineTags', predicate: { kind: 'cmp', op: 'eq', field: '$it', value: 'prod' } } }],
  ];
  for (const [name, q] of cases) {
    const ms = await msPerOp(iterations, () => state.devices.list(tenantId, q, 'all', new Date()));
    console.log(`${name.padEnd(56)} ${ms.toFixed(3)} ms/op`);
  }
  const getMs = await msPerOp(iterations, () => state.devices.get(tenantId, '00000042' + 'b'.repeat(32), 'all'));
  console.log(`${'devices.get(id)'.padEnd(56)} ${getMs.toFixed(3)} ms/op`);
} finally {
  await state.close();
  rmSync(dir, { recursive: true, force: true });
}

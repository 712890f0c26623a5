/**
 * Crash test: a sensor sends event batches while the server is killed with SIGKILL mid-stream;
 * after a restart every acknowledged batch is queryable, exactly once, and no batch is partly
 * stored. Repeated CRASH_ITERATIONS times (10 in CI). The server checkpoints after every commit
 * (--checkpoint-mib 0), so the kills also hit checkpoints in progress.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SensorClient } from '../../src/sensor/transport/client.ts';
import { httpsPost, startServerProcess, type ServerProcess } from '../support/server-process.ts';

const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? (process.env.CI === 'true' ? 10 : 3));
const ROWS_PER_BATCH = 50;
const CONCURRENCY = 6;

let srv: ServerProcess;
let creds: { tenantId: string; clientId: string; clientSecret: string };
let device: { deviceId: string; deviceCredential: string };

async function countsByBatch(): Promise<Map<string, number>> {
  const tok = await httpsPost(`${srv.url}/${creds.tenantId}/oauth2/v2.0/token`, srv.ca, new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://api.securitycenter.microsoft.com/.default' }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  const token = JSON.parse(tok.body).access_token;
  const res = await httpsPost(`${srv.url}/api/advancedqueries/run`, srv.ca, JSON.stringify({ Query: 'DeviceProcessEvents | where ActionType == "CrashTest" | summarize n = count() by ProcessCommandLine' }), { 'content-type': 'application/json', authorization: `Bearer ${token}` });
  expect(res.status, res.body).toBe(200);
  return new Map((JSON.parse(res.body).Results as { ProcessCommandLine: string; n: number }[]).map((r) => [r.ProcessCommandLine, r.n]));
}

/** A checkpoint after every commit (threshold 0), so that kills also land during and between checkpoints. */
const SERVE_ARGS = ['--checkpoint-mib', '0'];

function batch(id: string) {
  const ts = new Date().toISOString();
  return Array.from({ length: ROWS_PER_BATCH }, (_, i) => ({
    table: 'DeviceProcessEvents',
    row: { Timestamp: ts, ActionType: 'CrashTest', FileName: 'crash.exe', ProcessCommandLine: id, ProcessId: i, ReportId: i },
  }));
}

beforeAll(async () => {
  srv = await startServerProcess({ args: SERVE_ARGS });
  creds = JSON.parse(await srv.cli(['admin', 'app', 'create', '--name', 'crash', '--permissions', 'AdvancedQuery.Read.All', '--json']));
  device = await srv.enrollDevice('crash-host');
}, 120_000);
afterAll(async () => {
  await srv?.stop();
  srv?.cleanup();
});

describe('kill -9 during ingestion', () => {
  it(`keeps every acknowledged batch exactly once (${ITERATIONS} crashes)`, async () => {
    const acked = new Set<string>();
    const attempted = new Set<string>();
    for (let it = 0; it < ITERATIONS; it++) {
      const client = new SensorClient({ serverUrl: srv.url, caCertificate: srv.ca, credentials: device, retry: { attempts: 1 }, timeoutMs: 10_000 });
      let n = 0;
      let stop = false;
      const killAfter = 20 + Math.floor(Math.random() * 20);
      const worker = async () => {
        while (!stop) {
          const id = `crash-${it}-${n++}`;
          attempted.add(id);
          try {
            const r = await client.sendEvents(id, batch(id));
            if (r.accepted === ROWS_PER_BATCH) acked.add(id);
            if (acked.size >= killAfter * (it + 1) && !stop) {
              stop = true;
              srv.child.kill('SIGKILL');
            }
          } catch {
            stop = true;
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      client.close();
      await srv.stop('SIGKILL');
      srv = await startServerProcess({ dataDir: srv.dataDir, args: SERVE_ARGS });
    }
    const counts = await countsByBatch();
    const missing = [...acked].filter((id) => counts.get(id) !== ROWS_PER_BATCH);
    const partial = [...counts].filter(([, c]) => c !== ROWS_PER_BATCH);
    const unknown = [...counts.keys()].filter((id) => !attempted.has(id));
    expect(acked.size).toBeGreaterThanOrEqual(20 * ITERATIONS);
    expect(missing, 'acknowledged batches not stored exactly once').toEqual([]);
    expect(partial, 'batches stored partly or twice').toEqual([]);
    expect(unknown).toEqual([]);
  }, 600_000);
});

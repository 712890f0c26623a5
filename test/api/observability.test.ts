/**
 * What operators and MDE clients see around the API: `/metrics` (per app registry, route patterns
 * not URLs, ingest and hunting counts), `/healthz` and `/readyz`, one access-log line per request,
 * and the `Stats` of hunting responses shaped as MDE's real responses.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
    done();
  },
});

let h: Harness;
let other: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness({ logger: pino({ level: 'info' }, sink) });
  other = await startHarness({ readiness: [{ name: 'events', check: async () => { throw new Error('disk gone'); } }] });
  token = await h.token(['Machine.Read.All', 'AdvancedQuery.Read.All']);
});
afterAll(async () => {
  await h?.close();
  await other?.close();
});

const metricsOf = async (x: Harness) => {
  const res = await x.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
};
const sample = (text: string, name: string, labels: string) =>
  Number(new RegExp(`^${name}\\{${labels.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('/metrics', () => {
  it('counts requests by method, route pattern and status; never by raw URL', async () => {
    for (const id of ['a'.repeat(40), 'b'.repeat(40), 'host-x']) {
      await h.app.inject({ method: 'GET', url: `/api/machines/${id}`, headers: { authorization: `Bearer ${token}` } });
    }
    await h.app.inject({ method: 'GET', url: '/no/such/path?secret=1' });
    const text = await metricsOf(h);
    expect(sample(text, 'palisade_http_requests_total', 'method="GET",route="/api/machines/:id",status="404"')).toBe(3);
    expect(sample(text, 'palisade_http_requests_total', 'method="GET",route="(unmatched)",status="404"')).toBe(1);
    expect(sample(text, 'palisade_http_request_duration_seconds_count', 'method="GET",route="/api/machines/:id"')).toBe(3);
    expect(text).not.toContain('host-x');
    expect(text).not.toContain('/no/such/path');
    // the token endpoint's tenant constraint stays out of the label
    expect(text).toMatch(/route="\/:tenant\/oauth2\/v2\.0\/token",status="200"/);
  });

  it('keeps a registry per app: another app in the same process counts apart', async () => {
    const text = await metricsOf(other);
    expect(text).not.toContain('route="/api/machines/:id"');
    expect(text).toContain('palisade_http_requests_total');
  });

  it('counts hunting queries by outcome, with their time and CPU', async () => {
    const q = (Query: string) => h.app.inject({ method: 'POST', url: '/api/advancedqueries/run', headers: { authorization: `Bearer ${token}` }, payload: { Query } });
    expect((await q('print x = 1')).statusCode).toBe(200);
    expect((await q('print x = ')).statusCode).toBe(400);
    const text = await metricsOf(h);
    expect(sample(text, 'palisade_hunting_queries_total', 'outcome="ok"')).toBe(1);
    expect(sample(text, 'palisade_hunting_queries_total', 'outcome="BadRequest"')).toBe(1);
    expect(text).toMatch(/^palisade_hunting_query_duration_seconds_count 2$/m);
    expect(Number(/^palisade_hunting_cpu_seconds_total (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
  });

  it('counts sensor batches and their lines', async () => {
    const enroll = await h.app.services.gateway.createEnrollmentToken(h.operator(h.tenantId), 3600_000);
    const enrolled = await h.app.inject({
      method: 'POST', url: '/sensor/v1/enroll',
      payload: { enrollmentToken: enroll.token, computerDnsName: 'metrics-host', osPlatform: 'Linux', version: 'Ubuntu 22.04', osVersion: '5.15.0', osArchitecture: '64-bit', agentVersion: '1.0.0' },
    });
    expect(enrolled.statusCode, enrolled.body).toBe(201);
    const e = enrolled.json();
    const send = (batchId: string) => h.app.inject({
      method: 'POST', url: '/sensor/v1/events',
      headers: { authorization: `Device ${e.deviceId}:${e.deviceCredential}`, 'content-type': 'application/x-ndjson', 'x-batch-id': batchId },
      payload: `{"table":"DeviceEvents","row":{"Timestamp":"${new Date().toISOString()}","ActionType":"Example"}}\n{"table":"NoSuchTable","row":{}}\n`,
    });
    expect((await send('metrics-batch-1')).statusCode).toBe(200);
    expect((await send('metrics-batch-1')).statusCode).toBe(200);
    const text = await metricsOf(h);
    expect(sample(text, 'palisade_ingest_batches_total', 'outcome="stored"')).toBe(1);
    expect(sample(text, 'palisade_ingest_batches_total', 'outcome="duplicate"')).toBe(1);
    expect(sample(text, 'palisade_ingest_rows_total', 'outcome="accepted"')).toBe(1);
    expect(sample(text, 'palisade_ingest_rows_total', 'outcome="rejected"')).toBe(1);
  });
});

describe('/healthz and /readyz', () => {
  it('healthz answers while the process runs; readyz checks the state and event stores', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { state: 'ok', events: 'ok' } });
  });

  it('readyz answers 503 naming the unreachable store, and reveals no cause', async () => {
    const res = await other.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', checks: { state: 'ok', events: 'unreachable' } });
    expect(res.body).not.toContain('disk gone');
  });
});

describe('access log', () => {
  it('writes one info line per request: method, route, status, ms, tenant; no token, query or body', async () => {
    lines.length = 0;
    const res = await h.app.inject({
      method: 'POST', url: '/api/advancedqueries/run?probe=hidden-query-text', headers: { authorization: `Bearer ${token}` },
      payload: { Query: 'print secret_marker = "do-not-log"' },
    });
    expect(res.statusCode).toBe(200);
    const requestLines = lines.filter((l) => l.msg === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({ level: 30, method: 'POST', route: '/api/advancedqueries/run', status: 200, tenant: h.tenantId });
    expect(requestLines[0].ms).toBeTypeOf('number');
    expect(lines.filter((l) => l.msg !== 'request')).toEqual([]);
    const text = JSON.stringify(lines);
    for (const secret of [token, 'do-not-log', 'hidden-query-text']) expect(text).not.toContain(secret);
  });

  it('logs a request no credential proved without a tenant', async () => {
    lines.length = 0;
    await h.app.inject({ method: 'GET', url: '/api/machines' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: 'GET', route: '/api/machines', status: 401 });
    expect(lines[0]).not.toHaveProperty('tenant');
  });
});

describe('hunting Stats', () => {
  type Shape = string | Shape[] | { [k: string]: Shape };
  const shape = (v: unknown): Shape => v === null ? 'null' : Array.isArray(v) ? v.map(shape) : typeof v === 'object' ? Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, shape(x)])) : typeof v;
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/api-samples/advanced-hunting-stats.json', import.meta.url), 'utf8')) as { samples: { Stats: Record<string, unknown> }[] };
  const TIMESPAN = /^(\d+\.)?\d\d:\d\d:\d\d(\.\d{7})?$/;

  it('both hunting paths answer Stats, Schema, Results, with Stats shaped as real MDE responses', async () => {
    for (const path of ['/api/advancedqueries/run', '/api/advancedhunting/run']) {
      const res = await h.app.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${token}` }, payload: { Query: 'range i from 1 to 3 step 1' } });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(Object.keys(body)).toEqual(['Stats', 'Schema', 'Results']);
      // same keys, order and value types as the capture whose cache is null; same keys as the other
      expect(shape(body.Stats)).toEqual(shape(fixture.samples[1].Stats));
      const keys = (v: unknown, at = ''): string[] => v && typeof v === 'object' && !Array.isArray(v)
        ? Object.entries(v).flatMap(([k, x]) => [`${at}${k}`, ...(at.startsWith('resource_usage.cache') || k === 'cache' && at === 'resource_usage.' ? [] : keys(x, `${at}${k}.`))])
        : Array.isArray(v) ? v.flatMap((x) => keys(x, at)) : [];
      expect(keys(body.Stats)).toEqual(keys(fixture.samples[0].Stats));
      for (const t of Object.values(body.Stats.resource_usage.cpu)) expect(t).toMatch(TIMESPAN);
      expect(body.Stats.dataset_statistics).toEqual([{ table_row_count: 3, table_size: Buffer.byteLength(JSON.stringify(body.Results)) }]);
    }
    for (const s of fixture.samples) for (const t of Object.values((s.Stats.resource_usage as { cpu: object }).cpu)) expect(t).toMatch(TIMESPAN);
  });
});

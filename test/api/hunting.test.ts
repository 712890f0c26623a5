/** The hunting API through HTTP: result shape, errors with line/column, quotas, tenant isolation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness({ throttle: true });
  token = await h.token(['AdvancedQuery.Read.All']);
});
afterAll(async () => h?.close());

const run = (q: unknown, path = '/api/advancedqueries/run', t = token) =>
  h.app.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${t}` }, payload: { Query: q } });

describe('advanced hunting API', () => {
  it('returns Schema with .NET type names and Results; advancedhunting adds Stats', async () => {
    const q = 'print s = "a", n = 1, d = datetime(2024-01-02 03:04:05), b = true, r = 1.5, j = dynamic({"k": [1, 2]})';
    const res = await run(q);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json().Schema).toEqual([
      { Name: 's', Type: 'String' }, { Name: 'n', Type: 'Int64' }, { Name: 'd', Type: 'DateTime' },
      { Name: 'b', Type: 'Boolean' }, { Name: 'r', Type: 'Double' }, { Name: 'j', Type: 'Object' },
    ]);
    expect(res.json().Results).toEqual([{ s: 'a', n: 1, d: '2024-01-02T03:04:05.0000000Z', b: true, r: 1.5, j: { k: [1, 2] } }]);
    const xdr = await run(q, '/api/advancedhunting/run');
    expect(xdr.json().Stats.ExecutionTime).toBeTypeOf('number');
    expect(xdr.json().Results).toHaveLength(1);
  });
  it('returns longs exactly, as JSON number text (beyond 2^53 too)', async () => {
    const res = await run('print a = 9007199254740993, b = tolong("9223372036854775807"), c = tolong("9223372036854775808")');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('"Results":[{"a":9007199254740993,"b":9223372036854775807,"c":null}]');
  });
  it('unpacks property bags into columns read from the data (bag_unpack)', async () => {
    const q = 'datatable(Device: string, F: dynamic) ["a", dynamic({"User": "u1", "Port": 22}), "b", dynamic({"User": "u2"})]\n| evaluate bag_unpack(F)\n| order by Device asc';
    const res = await run(q);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().Schema).toEqual([{ Name: 'Device', Type: 'String' }, { Name: 'Port', Type: 'Object' }, { Name: 'User', Type: 'Object' }]);
    expect(res.json().Results).toEqual([{ Device: 'a', Port: 22, User: 'u1' }, { Device: 'b', Port: null, User: 'u2' }]);
  });
  it('answers syntax errors with 400, the parser message, line and column', async () => {
    const res = await run('DeviceProcessEvents\n| where FileName ==');
    expect(res.statusCode).toBe(400);
    const e = res.json().error;
    expect(e.code).toBe('BadRequest');
    expect(e.line).toBe(2);
    expect(e.column).toBeGreaterThan(1);
    expect(e.message.length).toBeGreaterThan(5);
  });
  it('refuses unsupported operators and functions by name, and externaldata', async () => {
    const ext = await run('externaldata (x:string) [@"https://example.com/x.csv"]');
    expect(ext.statusCode).toBe(400);
    expect(ext.json().error.message).toMatch(/externaldata/);
    const unknownTable = await run('NoSuchTable | take 1');
    expect(unknownTable.statusCode).toBe(400);
    expect(unknownTable.json().error.message).toMatch(/NoSuchTable/);
  });
  it('rejects a missing or empty Query', async () => {
    expect((await h.app.inject({ method: 'POST', url: '/api/advancedqueries/run', headers: { authorization: `Bearer ${token}` }, payload: {} })).statusCode).toBe(400);
    expect((await run('   ')).statusCode).toBe(400);
  });
  it('applies the 45 calls per minute quota per tenant with 429 and Retry-After', async () => {
    const t = await h.token(['AdvancedQuery.Read.All'], (await h.newTenant('Quota')).id);
    let limited: Awaited<ReturnType<typeof run>> | null = null;
    for (let i = 0; i < 46 && !limited; i++) {
      const res = await run('print 1', '/api/advancedqueries/run', t);
      if (res.statusCode === 429) limited = res;
    }
    expect(limited).not.toBeNull();
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited!.json().error.code).toBe('TooManyRequests');
    expect(limited!.json().error.message).toMatch(/45 calls per minute/);
    // Another tenant is not affected.
    expect((await run('print 1')).statusCode).toBe(200);
  });
});

/**
 * externaldata through the hunting API: refused unless the server allows outbound fetches; when it
 * does, CSV (with a header to skip), text lines, JSON and gzip bodies are read from a local HTTP
 * server on 127.0.0.1 and joined with other data; a missing URL, a non-http URL and a bad format
 * are 400s that say so.
 */
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

const FILES: Record<string, { body: Buffer; type: string }> = {
  '/iocs.csv': { body: Buffer.from('Ip,Score,Note\n203.0.113.7,9,"botnet, c2"\n198.51.100.2,3,scanner\n192.0.2.44,7,"said ""hi"""\n'), type: 'text/csv' },
  '/domains.txt': { body: Buffer.from('evil.example\nbad.example\n'), type: 'text/plain' },
  '/hashes.json': { body: Buffer.from('{"sha256":"aa11","family":"Foo"}\n{"sha256":"bb22","family":"Bar","extra":1}\n'), type: 'application/json' },
  '/iocs.csv.gz': { body: gzipSync(Buffer.from('203.0.113.7,9\n')), type: 'application/octet-stream' },
};

let server: Server;
let base: string;
let allowed: Harness;
let refused: Harness;
let tokenAllowed: string;
let tokenRefused: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const f = FILES[req.url ?? ''];
    if (!f) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': f.type }).end(f.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  allowed = await startHarness({}, { hunting: { allowExternalData: true } });
  refused = await startHarness();
  tokenAllowed = await allowed.token(['AdvancedQuery.Read.All']);
  tokenRefused = await refused.token(['AdvancedQuery.Read.All']);
});
afterAll(async () => {
  await allowed?.close();
  await refused?.close();
  await new Promise((r) => server?.close(r));
});

const run = (h: Harness, token: string, q: string) =>
  h.app.inject({ method: 'POST', url: '/api/advancedqueries/run', headers: { authorization: `Bearer ${token}` }, payload: { Query: q } });

describe('externaldata', () => {
  it('is refused by name unless the server allows outbound fetches', async () => {
    const res = await run(refused, tokenRefused, `externaldata (x: string) [@"${base}/domains.txt"] with (format="txt")`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/externaldata.*allow-external-data/);
  });

  it('reads CSV with quoting and a skipped header, typed by the schema, and joins it', async () => {
    const q = `let Iocs = externaldata (Ip: string, Score: long, Note: string) [@"${base}/iocs.csv"] with (format="csv", ignoreFirstRecord=true);
datatable(RemoteIP: string, DeviceName: string) ["203.0.113.7", "ws-01", "192.0.2.44", "ws-02", "10.0.0.1", "ws-03"]
| join kind=inner (Iocs | where Score > 5) on $left.RemoteIP == $right.Ip
| project DeviceName, Ip, Score, Note
| order by DeviceName asc`;
    const res = await run(allowed, tokenAllowed, q);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().Schema).toEqual([{ Name: 'DeviceName', Type: 'String' }, { Name: 'Ip', Type: 'String' }, { Name: 'Score', Type: 'Int64' }, { Name: 'Note', Type: 'String' }]);
    expect(res.json().Results).toEqual([
      { DeviceName: 'ws-01', Ip: '203.0.113.7', Score: 9, Note: 'botnet, c2' },
      { DeviceName: 'ws-02', Ip: '192.0.2.44', Score: 7, Note: 'said "hi"' },
    ]);
  });

  it('reads text lines, JSON records by field name, and gzip bodies', async () => {
    const txt = await run(allowed, tokenAllowed, `externaldata (Domain: string) [@"${base}/domains.txt"] with (format="txt") | order by Domain asc`);
    expect(txt.json().Results).toEqual([{ Domain: 'bad.example' }, { Domain: 'evil.example' }]);
    const json = await run(allowed, tokenAllowed, `externaldata (family: string, sha256: string) [@"${base}/hashes.json"] with (format="multijson") | order by family asc`);
    expect(json.json().Results).toEqual([{ family: 'Bar', sha256: 'bb22' }, { family: 'Foo', sha256: 'aa11' }]);
    const gz = await run(allowed, tokenAllowed, `externaldata (Ip: string, Score: int) [@"${base}/iocs.csv.gz"]`);
    expect(gz.json().Results).toEqual([{ Ip: '203.0.113.7', Score: 9 }]);
  });

  it('answers a missing URL, a non-http URL and an unknown format with 400s that name them', async () => {
    const missing = await run(allowed, tokenAllowed, `externaldata (x: string) [@"${base}/nope.csv"]`);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain(`${base}/nope.csv`);
    expect(missing.json().error.message).toContain('404');
    const file = await run(allowed, tokenAllowed, 'externaldata (x: string) [@"file:///etc/passwd"]');
    expect(file.statusCode).toBe(400);
    expect(file.json().error.message).toMatch(/only http and https/);
    const format = await run(allowed, tokenAllowed, `externaldata (x: string) [@"${base}/domains.txt"] with (format="parquet")`);
    expect(format.statusCode).toBe(400);
    expect(format.json().error.message).toMatch(/format 'parquet'/);
  });
});

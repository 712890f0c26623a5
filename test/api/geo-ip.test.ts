/**
 * geo_info_from_ip_address through the hunting API: refused by name on a server without a GeoIP
 * database; with one (a MaxMind DB written by the test), addresses are placed with country, state,
 * city and coordinates, an address the database does not hold gives an empty bag, and text that is
 * no address gives null — in a query over stored events too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { writeMmdb } from '../support/mmdb-writer.ts';

let dir: string;
let withDb: Harness;
let without: Harness;
let tokenWith: string;
let tokenWithout: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-geoip-'));
  const db = join(dir, 'test-city.mmdb');
  writeFileSync(db, writeMmdb([
    {
      cidr: '20.53.203.0/24',
      record: {
        city: { names: { en: 'Sydney' } },
        country: { iso_code: 'AU', names: { en: 'Australia' } },
        subdivisions: [{ names: { en: 'New South Wales' } }],
        location: { latitude: -33.8715, longitude: 151.2006 },
      },
    },
    { cidr: '198.51.100.0/24', record: { registered_country: { names: { en: 'Netherlands' } } } },
  ]));
  withDb = await startHarness({}, { geoIpDb: db });
  without = await startHarness();
  tokenWith = await withDb.token(['AdvancedQuery.Read.All']);
  tokenWithout = await without.token(['AdvancedQuery.Read.All']);
});
afterAll(async () => {
  await withDb?.close();
  await without?.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (h: Harness, token: string, q: string) =>
  h.app.inject({ method: 'POST', url: '/api/advancedqueries/run', headers: { authorization: `Bearer ${token}` }, payload: { Query: q } });

describe('geo_info_from_ip_address', () => {
  it('is refused by name on a server without a GeoIP database', async () => {
    const res = await run(without, tokenWithout, `print geo_info_from_ip_address('20.53.203.50')`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/geo_info_from_ip_address.*--geoip-db/);
  });

  it('places addresses the database holds, and answers an empty bag or null otherwise', async () => {
    const res = await run(withDb, tokenWith, `datatable(ip: string) ['20.53.203.50', '198.51.100.7', '10.0.0.1', 'not an address']
      | extend geo = geo_info_from_ip_address(ip)
      | extend country = tostring(geo.country), city = tostring(geo.city)`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().Results).toEqual([
      { ip: '20.53.203.50', geo: { country: 'Australia', state: 'New South Wales', city: 'Sydney', latitude: -33.8715, longitude: 151.2006 }, country: 'Australia', city: 'Sydney' },
      { ip: '198.51.100.7', geo: { country: 'Netherlands' }, country: 'Netherlands', city: '' },
      { ip: '10.0.0.1', geo: {}, country: '', city: '' },
      { ip: 'not an address', geo: null, country: '', city: '' },
    ]);
  });
});

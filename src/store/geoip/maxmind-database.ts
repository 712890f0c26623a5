/**
 * The operator's GeoIP database for geo_info_from_ip_address (serve --geoip-db): a file in the
 * MaxMind DB format (GeoLite2-City or GeoIP2-City, DB-IP's "IP to City Lite", …), read whole into
 * memory by the maxmind reader, IPv4 and IPv6 alike. Palisade ships no database: their licences ask
 * each operator to fetch and refresh their own copy.
 */
import { readFile } from 'node:fs/promises';
import { Reader, type CityResponse } from 'maxmind';
import type { GeoIpLookup } from '../../kql/runtime/geo-ip.ts';

/** Opens the database at `path`; throws when the file is missing or not a MaxMind DB. */
export async function openGeoIpDatabase(path: string): Promise<GeoIpLookup> {
  const reader = new Reader<CityResponse>(await readFile(path));
  return (ip) => reader.get(ip);
}

/**
 * geo_info_from_ip_address(ip): where an IP address is, from a GeoIP database in the MaxMind DB
 * format that the operator supplies (serve --geoip-db; GeoLite2-City, DB-IP's city lite database,
 * or a commercial one). The answer is Kusto's bag {country, state, city, latitude, longitude} in
 * English names; an address the database does not place (private ranges among them) gives an
 * empty bag, and text that is not an IP address gives null.
 */

/** What a MaxMind DB city record holds that the answer uses. */
export interface GeoIpRecord {
  country?: { names?: { readonly en?: string } };
  registered_country?: { names?: { readonly en?: string } };
  subdivisions?: { names?: { readonly en?: string } }[];
  city?: { names?: { readonly en?: string } };
  location?: { latitude?: number; longitude?: number };
}

/** Looks an address up: the record, null when the database has none, or throws for a malformed address. */
export type GeoIpLookup = (ip: string) => GeoIpRecord | null;

const english = (n?: { names?: { readonly en?: string } }) => n?.names?.en;

/** The answer for `ip` (JSON text of the bag), using `lookup`. */
export function geoInfoFromIpAddress(lookup: GeoIpLookup, ip: string): string | null {
  const text = ip.trim();
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let record: GeoIpRecord | null;
  try {
    record = lookup(text);
  } catch {
    return null;
  }
  if (!record) return '{}';
  const bag: Record<string, string | number> = {};
  const country = english(record.country) ?? english(record.registered_country);
  if (country) bag.country = country;
  const state = english(record.subdivisions?.[0]);
  if (state) bag.state = state;
  const city = english(record.city);
  if (city) bag.city = city;
  if (typeof record.location?.latitude === 'number') bag.latitude = record.location.latitude;
  if (typeof record.location?.longitude === 'number') bag.longitude = record.location.longitude;
  return JSON.stringify(bag);
}

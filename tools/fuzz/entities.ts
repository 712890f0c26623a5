/**
 * Requests for the investigation entity routes, the SIEM pull and Graph's alert and incident lists:
 * good and bad file hashes, IP addresses, domains and account names (hostile text, huge and
 * malformed `lookBackHours`), findbyip arguments, SIEM windows, and Graph `$filter`s. Each is a URL
 * and the API it is for (the MDE or the Graph audience).
 */
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import type { Rng } from './rng.ts';

const HASHES = ['aa'.repeat(20), 'bb'.repeat(32), 'cc'.repeat(16), 'AA'.repeat(20), 'zz'.repeat(20), `${'a'.repeat(39)}`, `${'a'.repeat(41)}`, `${'a'.repeat(64)}0`, '', ' '];
const IPS = ['10.0.0.5', '203.0.113.9', '::1', '2001:db8::9', '2001:0db8:0000:0000:0000:0000:0000:0009', '::ffff:10.0.0.1', '256.1.1.1', '1.2.3', '1.2.3.4/24', 'fe80::1%eth0', '1::2::3', '0.0.0.0', '255.255.255.255', 'localhost'];
const DOMAINS = ['example.com', 'cdn.example.com', 'EXAMPLE.COM.', 'a', 'a..b', '-bad.com', 'x'.repeat(300), 'under_score.example', 'exa mple.com', 'xn--bcher-kva.example'];
const DATES = ['2024-05-19T01:00:05Z', 'NOW', '2024-13-45T99:99:99Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '', 'yesterday', '1716080405'];
const GRAPH_FILTERS = [
  'lastUpdateDateTime ge 2024-01-01T00:00:00Z', "status eq 'new'", "severity in ('high','low')", "status eq 'inProgress' and severity ne 'low'",
  "detectionSource eq 'customTi'", "classification eq 'truePositive'", "incidentId eq '1'", "incidentId eq 'x'", "determination eq 'malware'",
  'createdDateTime lt 9999-12-31T23:59:59Z', "id eq 'da1_1'", "startswith(title,'a')", 'lastUpdateDateTime ge 2024-02-30T00:00:00Z',
];

/** One request: the URL, and whether it needs a Graph token rather than an MDE one. */
export interface EntityRequest {
  url: string;
  graph: boolean;
}

/** Percent-encoded (a lone surrogate, which no URL can carry, becomes U+FFFD). */
const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
};

function text(rng: Rng, pool: readonly string[]): string {
  return rng.chance(0.7) ? rng.pick(pool) : rng.pick(HOSTILE_STRINGS);
}

function hours(rng: Rng): string {
  return rng.chance(0.5) ? String(1 + rng.int(720)) : rng.pick([...HOSTILE_NUMBERS, '0', '721', '1.5', 'abc', '', '720 ']);
}

/** A random entity, SIEM or Graph request; findbyip times are dated around `now`. */
export function entityRequest(rng: Rng, now: number): EntityRequest {
  switch (rng.int(12)) {
    case 0: return { url: `/api/files/${enc(text(rng, HASHES))}`, graph: false };
    case 1: return { url: `/api/files/${enc(text(rng, HASHES))}/stats?lookBackHours=${enc(hours(rng))}`, graph: false };
    case 2: return { url: `/api/files/${enc(text(rng, HASHES))}/${rng.pick(['machines', 'alerts'])}`, graph: false };
    case 3: return { url: `/api/ips/${enc(text(rng, IPS))}/${rng.pick(['stats', 'machines', 'alerts'])}${rng.chance(0.5) ? `?lookBackHours=${enc(hours(rng))}` : ''}`, graph: false };
    case 4: return { url: `/api/domains/${enc(text(rng, DOMAINS))}/${rng.pick(['stats', 'machines', 'alerts'])}${rng.chance(0.5) ? `?lookBackHours=${enc(hours(rng))}` : ''}`, graph: false };
    case 5: return { url: `/api/users/${enc(text(rng, ['chris', 'corp\\chris', 'chris phillips', 'a"b', "o'neil"]))}/${rng.pick(['machines', 'alerts'])}`, graph: false };
    case 6: return { url: `/api/machines/${enc(text(rng, ['fuzz-host-1.corp', '0'.repeat(40), 'f'.repeat(40)]))}/logonusers`, graph: false };
    case 7: {
      const ip = text(rng, IPS).replace(/'/g, "''");
      const ts = rng.chance(0.5) ? new Date(now - rng.int(40) * 86_400_000).toISOString() : text(rng, DATES);
      return { url: rng.chance(0.5) ? `/api/machines/findbyip(ip='${enc(ip)}',timestamp=${enc(ts)})` : `/api/machines/find(timestamp=${enc(ts)},key='${enc(ip)}')`, graph: false };
    }
    case 8: {
      const params = [
        ['sinceTimeUtc', text(rng, DATES)], ['untilTimeUtc', text(rng, DATES)], ['ago', rng.pick(['PT10M', 'P1D', 'PT', 'P', '10m', 'P99999D', 'PT1.5S', text(rng, [])])],
        ['limit', rng.pick(HOSTILE_NUMBERS)], ['machinegroups', text(rng, ['Servers', ''])], ['CloudCreatedMachineTags', text(rng, ['dmz'])],
      ].filter(() => rng.chance(0.4));
      return { url: `/api/siem/alerts${params.length ? `?${params.map(([k, v]) => `${k}=${enc(v)}`).join('&')}` : ''}`, graph: false };
    }
    default: {
      const set = rng.chance(0.7) ? 'alerts_v2' : 'incidents';
      const opts = [
        ['$filter', rng.chance(0.6) ? rng.pick(GRAPH_FILTERS) : `${rng.pick(['status', 'severity', 'lastUpdateDateTime', 'nope'])} ${rng.pick(['eq', 'ge', 'xx'])} ${rng.pick(["'new'", '1', 'null', `'${rng.pick(HOSTILE_STRINGS).replace(/'/g, "''")}'`])}`],
        ['$orderby', rng.pick(['lastUpdateDateTime asc', 'createdDateTime desc', 'severity', 'evidence', 'nope desc'])],
        ['$top', rng.pick([...HOSTILE_NUMBERS, '50', '2000', '2001'])], ['$skip', rng.pick(HOSTILE_NUMBERS)], ['$count', rng.pick(['true', 'false', 'x'])],
        ['$expand', rng.pick(['alerts', 'evidence', ''])],
      ].filter(() => rng.chance(0.4));
      return { url: `/v1.0/security/${set}${opts.length ? `?${opts.map(([k, v]) => `${k}=${enc(v)}`).join('&')}` : ''}`, graph: true };
    }
  }
}

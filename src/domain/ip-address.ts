/**
 * IP address text as the MDE API takes it in a path (`/api/ips/{ip}/stats`, `findbyip(ip='…')`):
 * an IPv4 dotted quad or an IPv6 address, no CIDR, no zone, no port. Pure text work, no I/O.
 */

/** A parsed address: its family and the spellings an event row may carry it in. */
export interface IpAddress {
  family: 4 | 6;
  /** As the caller wrote it, lower-cased. */
  text: string;
  /** Every spelling that denotes this address (IPv6: as written, compressed and fully expanded). */
  forms: string[];
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;

function v6Groups(s: string): number[] | null {
  let text = s;
  const tail4 = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  const extra: number[] = [];
  if (tail4) {
    if (!V4.test(tail4[1])) return null;
    const [a, b, c, d] = tail4[1].split('.').map(Number);
    extra.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, text.length - tail4[1].length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const part = (h: string) => (h === '' ? [] : h.split(':'));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  if (![...head, ...tail].every((g) => HEX_GROUP.test(g))) return null;
  const given = head.length + tail.length + extra.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const zeros = Array<number>(8 - given).fill(0);
  return [...head.map((g) => parseInt(g, 16)), ...(halves.length === 2 ? zeros : []), ...tail.map((g) => parseInt(g, 16)), ...extra];
}

/** RFC 5952 text of eight groups: lower case, the longest run of two or more zero groups as `::`. */
function compressed(groups: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The address `text` denotes, or null when it is not a plain IPv4 or IPv6 address. */
export function parseIpAddress(raw: string): IpAddress | null {
  const text = raw.trim().toLowerCase();
  if (text.length === 0 || text.length > 45) return null;
  if (V4.test(text)) return { family: 4, text, forms: [text] };
  if (!text.includes(':')) return null;
  const groups = v6Groups(text);
  if (!groups) return null;
  const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
  return { family: 6, text, forms: [...new Set([text, compressed(groups), full])] };
}

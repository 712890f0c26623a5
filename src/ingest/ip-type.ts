/**
 * Classification of an IP address into MDE's LocalIPType/RemoteIPType values: Public, Private,
 * Reserved, Loopback, Teredo, FourToSixMapping or Broadcast.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The MDE IP type names. */
export type IpType = 'Public' | 'Private' | 'Reserved' | 'Loopback' | 'Teredo' | 'FourToSixMapping' | 'Broadcast';

function v4Type(ip: string): IpType {
  const [a, b] = ip.split('.').map(Number);
  if (ip === '255.255.255.255') return 'Broadcast';
  if (a === 127) return 'Loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'Private';
  // this network, shared address space (CGN), link-local, documentation/benchmark, multicast, future use
  if (a === 0 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 198 && (b === 18 || b === 19)) || a >= 224) return 'Reserved';
  return 'Public';
}

/** Expands an IPv6 address (already validated) to its eight 16-bit groups. */
function v6Groups(ip: string): number[] {
  let s = ip.toLowerCase().split('%')[0];
  const m = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (m) {
    const [a, b, c, d] = m.slice(1).map(Number);
    s = `${s.slice(0, m.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parts = s.split('::');
  const head = parts[0] ? parts[0].split(':') : [];
  const tail = parts.length > 1 && parts[1] ? parts[1].split(':') : [];
  const zeros = parts.length > 1 ? 8 - head.length - tail.length : 0;
  return [...head, ...Array<string>(zeros).fill('0'), ...tail].map((x) => parseInt(x, 16));
}

function v6Type(ip: string): IpType {
  const g = v6Groups(ip);
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'Loopback';
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return 'FourToSixMapping';
  if (g[0] === 0x2001 && g[1] === 0) return 'Teredo';
  if ((g[0] & 0xfe00) === 0xfc00) return 'Private';
  if ((g[0] & 0xffc0) === 0xfe80 || (g[0] & 0xff00) === 0xff00 || g.every((x) => x === 0) || (g[0] === 0x2001 && g[1] === 0xdb8)) return 'Reserved';
  return 'Public';
}

/** The MDE IP type of an address, or null when the text is not an IP address. */
export function ipType(ip: string): IpType | null {
  if (isIPv4(ip)) return v4Type(ip);
  if (isIPv6(ip)) return v6Type(ip);
  return null;
}

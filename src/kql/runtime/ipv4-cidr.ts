/**
 * ipv4_range_to_cidr_list(start, end): the shortest list of CIDR blocks that covers exactly the
 * addresses from start to end, in address order. Each block is the largest one that starts at the
 * next uncovered address, is aligned on its size, and does not pass the end.
 */

/** A dotted IPv4 address as a number (0 … 2^32 - 1), or null. */
function ipv4Number(text: string): number | null {
  const m = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\s*$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((x) => x > 255)) return null;
  return ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
}

function dotted(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The CIDR blocks as a JSON array; null when an address is not IPv4; [] when start is after end. */
export function ipv4RangeToCidrList(start: string, end: string): string | null {
  const a = ipv4Number(start);
  const b = ipv4Number(end);
  if (a === null || b === null) return null;
  const blocks: string[] = [];
  let at = a;
  while (at <= b) {
    // the largest aligned block starting at `at` that fits before `b`
    let size = 1;
    let bits = 32;
    while (bits > 0 && at % (size * 2) === 0 && at + size * 2 - 1 <= b) {
      size *= 2;
      bits -= 1;
    }
    blocks.push(`${dotted(at)}/${bits}`);
    at += size;
  }
  return JSON.stringify(blocks);
}

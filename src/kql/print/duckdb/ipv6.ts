/**
 * IPv6 (and IPv4-as-IPv6) comparison for DuckDB: an address text is turned into its 128-bit string
 * of '0'/'1' characters, so prefix matching and ordering are substring comparisons.
 */
import type { Expr } from '../../ir/ir.ts';
import type { ExprPrinter, FnHandler } from '../dialect.ts';
import { textList, toText } from './sql-helpers.ts';

const V4 = `'^\\s*(?:::(?:ffff:)?)?(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\s*(?:/\\s*(\\d{1,3}))?\\s*$'`;
/** The bits of hex digits `h` (SQL text), four per digit. */
const hexBits = (h: string) => `list_transform(string_split(${h}, ''), c -> CASE c WHEN '0' THEN '0000' WHEN '1' THEN '0001' WHEN '2' THEN '0010' WHEN '3' THEN '0011' WHEN '4' THEN '0100' WHEN '5' THEN '0101' WHEN '6' THEN '0110' WHEN '7' THEN '0111' WHEN '8' THEN '1000' WHEN '9' THEN '1001' WHEN 'a' THEN '1010' WHEN 'b' THEN '1011' WHEN 'c' THEN '1100' WHEN 'd' THEN '1101' WHEN 'e' THEN '1110' ELSE '1111' END)`;

/** The 32 hex digits of an address text (IPv4, IPv4-mapped/compatible, or IPv6 with ::), or NULL. */
function hex32(s: string): string {
  const o = (i: number) => `lpad(lower(hex(CAST(regexp_extract(${s}, ${V4}, ${i}) AS INTEGER))), 2, '0')`;
  const v4 = `'00000000000000000000ffff' || ${o(1)} || ${o(2)} || ${o(3)} || ${o(4)}`;
  const addr = `lower(trim(split_part(${s}, '/', 1)))`;
  const head = `split_part(${addr}, '::', 1)`;
  const tail = `split_part(${addr}, '::', 2)`;
  const hh = `CASE WHEN ${head} = '' THEN [] ELSE string_split(${head}, ':') END`;
  const tt = `CASE WHEN ${tail} = '' THEN [] ELSE string_split(${tail}, ':') END`;
  const groups = `CASE WHEN strpos(${addr}, '::') > 0 THEN list_concat(${hh}, list_transform(range(8 - len(${hh}) - len(${tt})), z -> '0'), ${tt}) ELSE string_split(${addr}, ':') END`;
  const v6 = `array_to_string(list_transform(${groups}, g -> lpad(g, 4, '0')), '')`;
  return `(CASE WHEN regexp_full_match(${s}, ${V4}) THEN ${v4} WHEN regexp_full_match(${addr}, '[0-9a-f:]+') THEN ${v6} END)`;
}

/** The 128-character bit string of an address text. */
function bits(s: string): string {
  // no scalar subquery: the bits also serve as a join condition (ipv6_lookup), where DuckDB allows none
  return `array_to_string(${hexBits(hex32(s))}, '')`;
}

/** The prefix length written in an address text (IPv4 prefixes count from bit 96), or 128. */
function prefixOf(s: string): string {
  const v4p = `TRY_CAST(NULLIF(regexp_extract(${s}, ${V4}, 5), '') AS BIGINT)`;
  const v6p = `TRY_CAST(NULLIF(trim(split_part(${s}, '/', 2)), '') AS BIGINT)`;
  return `(CASE WHEN regexp_full_match(${s}, ${V4}) THEN COALESCE(96 + ${v4p}, 128) ELSE COALESCE(${v6p}, 128) END)`;
}

function compareParts(p: ExprPrinter, a: Expr, b: Expr, prefix: Expr | undefined, v4Prefix: boolean): { x: string; y: string } {
  const sa = toText(p, a);
  const sb = toText(p, b);
  const extra = prefix ? `, ${v4Prefix ? '96 + ' : ''}CAST(${p.expr(prefix)} AS BIGINT)` : '';
  const n = `least(${prefixOf(sa)}, ${prefixOf(sb)}${extra})`;
  return { x: `substr(${bits(sa)}, 1, ${n})`, y: `substr(${bits(sb)}, 1, ${n})` };
}

/** ipv6_compare, ipv6_is_match, ipv6_is_in_range, ipv6_is_in_any_range, parse_ipv6 and parse_ipv6_mask; the internal range bounds of ipv6_lookup. */
export const IPV6_FUNCTIONS: Record<string, FnHandler> = {
  // ipv6_lookup: an address as 128 bits, and the first and last address of a network as 128 bits
  // (the bits of its prefix followed by zeros or ones), so that a range test is a text comparison
  __ipv6_bits: (p, [a]) => bits(toText(p, a)),
  __ipv6_first: (p, [a]) => {
    const s = toText(p, a);
    return `(substr(${bits(s)}, 1, ${prefixOf(s)}) || repeat('0', 128 - ${prefixOf(s)}))`;
  },
  __ipv6_last: (p, [a]) => {
    const s = toText(p, a);
    return `(substr(${bits(s)}, 1, ${prefixOf(s)}) || repeat('1', 128 - ${prefixOf(s)}))`;
  },
  ipv6_compare: (p, [a, b, prefix]) => {
    const { x, y } = compareParts(p, a, b, prefix, false);
    return `(CASE WHEN ${x} IS NULL OR ${y} IS NULL THEN NULL WHEN ${x} < ${y} THEN -1 WHEN ${x} > ${y} THEN 1 ELSE 0 END)`;
  },
  ipv6_is_match: (p, [a, b, prefix]) => {
    const { x, y } = compareParts(p, a, b, prefix, false);
    return `(${x} = ${y})`;
  },
  parse_ipv6: (p, [ip]) => {
    const s = toText(p, ip);
    return canonical(bits(s), prefixOf(s));
  },
  parse_ipv6_mask: (p, [ip, prefix]) => {
    const s = toText(p, ip);
    return canonical(bits(s), `least(${prefixOf(s)}, greatest(0, CAST(${p.expr(prefix)} AS BIGINT)))`);
  },
  ipv6_is_in_range: (p, [ip, range]) => inRange(toText(p, ip), toText(p, range)),
  ipv6_is_in_any_range: (p, [ip, ...ranges]) => {
    const a = toText(p, ip);
    const parts = ranges.map((r) => (r.type === 'dynamic'
      ? `COALESCE(list_bool_or(list_transform(${textList(p.expr(r))}, rr -> ${inRange(a, 'rr')})), FALSE)`
      : inRange(a, toText(p, r))));
    return `(${parts.join(' OR ')})`;
  },
};

/**
 * The canonical text of an address's 128 bits `b` masked to their first `n` (eight groups of four
 * lower-case hex digits); '' for text that is no address.
 */
function canonical(b: string, n: string): string {
  const masked = `(substr(${b}, 1, ${n}) || repeat('0', 128 - ${n}))`;
  const group = (g: string) => `lpad(lower(hex(CAST(CAST(substr(${masked}, ${g} * 16 + 1, 16) AS BIT) AS INTEGER))), 4, '0')`;
  return `COALESCE(array_to_string(list_transform(range(8), g -> ${group('g')}), ':'), '')`;
}

/** Whether address text `a` lies in the network `range` (address/prefix text): their first prefix bits agree. */
function inRange(a: string, range: string): string {
  const n = prefixOf(range);
  return `(substr(${bits(a)}, 1, ${n}) = substr(${bits(range)}, 1, ${n}))`;
}

/**
 * Mutated KQL: each input is a public hunting query changed by one to three mutations — spans cut,
 * doubled or spliced from another query, literals replaced by extreme or hostile values, operators
 * appended, names turned into wildcards, parentheses nested deeply, or the text cut short.
 */
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import type { Rng } from './rng.ts';

const TAILS = [
  '| take 0', '| take 9223372036854775807', '| project-away *', '| project-keep __*', '| summarize arg_max(Timestamp, *)',
  '| summarize count() by bin(Timestamp, 0s)', '| extend x = datetime_diff(\'constructor\', now(), ago(1d))', '| extend x = ago(1000000000d)',
  '| extend x = 1e19', '| mv-expand x = pack_array(1, 2)', '| top 1000000000000 by Timestamp', '| serialize | extend p = prev(Timestamp, 1000000)',
  '| parse * with * \' \' rest', '| project-away D*************************Q', '| evaluate bag_unpack(AdditionalFields)',
  '| extend z = gzip_decompress_from_base64_string(\'H4sIAAAAAAAA\')', '| extend s = strrep(\'ab\', 100000)', '| join kind=constructor (DeviceInfo) on DeviceId',
  '| sample 1000000000', '| summarize make_list(pack_all())', '| extend j = parse_json(\'[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]\')',
];

function randomSpan(rng: Rng, s: string): [number, number] {
  const a = rng.int(s.length + 1);
  const b = Math.min(s.length, a + 1 + rng.int(40));
  return [a, b];
}

/** One mutation of `q`; `other` is another query to splice from. */
function mutateOnce(rng: Rng, q: string, other: string): string {
  switch (rng.int(10)) {
    case 0: { const [a, b] = randomSpan(rng, q); return q.slice(0, a) + q.slice(b); }
    case 1: { const [a, b] = randomSpan(rng, q); return q.slice(0, b) + q.slice(a, b) + q.slice(b); }
    case 2: { const [a] = randomSpan(rng, q); const [c, d] = randomSpan(rng, other); return q.slice(0, a) + other.slice(c, d) + q.slice(a); }
    case 3: {
      const nums = [...q.matchAll(/\b\d+(\.\d+)?[a-z]*\b/g)];
      if (!nums.length) return `${q} | extend n = ${rng.pick(HOSTILE_NUMBERS)}`;
      const m = rng.pick(nums);
      const unit = /[a-z]+$/.exec(m[0])?.[0] ?? '';
      return q.slice(0, m.index) + rng.pick(HOSTILE_NUMBERS) + unit + q.slice(m.index! + m[0].length);
    }
    case 4: {
      const strs = [...q.matchAll(/"[^"\n]*"|'[^'\n]*'/g)];
      const v = JSON.stringify(rng.pick(HOSTILE_STRINGS));
      if (!strs.length) return `${q} | where tostring(1) == ${v}`;
      const m = rng.pick(strs);
      return q.slice(0, m.index) + v + q.slice(m.index! + m[0].length);
    }
    case 5: return `${q}\n${rng.pick(TAILS)}`;
    case 6: {
      const names = [...q.matchAll(/\b[A-Z][A-Za-z]{3,}\b/g)];
      if (!names.length) return q;
      const m = rng.pick(names);
      const cut = 1 + rng.int(m[0].length - 1);
      return q.slice(0, m.index) + m[0].slice(0, cut) + '*'.repeat(1 + rng.int(30)) + q.slice(m.index! + m[0].length);
    }
    case 7: { const n = 1 + rng.int(300); const [a, b] = randomSpan(rng, q); return q.slice(0, a) + '('.repeat(n) + q.slice(a, b) + ')'.repeat(n) + q.slice(b); }
    case 8: return q.slice(0, rng.int(q.length + 1));
    default: {
      const ids = [...q.matchAll(/\b[a-z_][a-z_0-9]{2,}\b/g)];
      if (!ids.length) return q;
      const m = rng.pick(ids);
      return q.slice(0, m.index) + rng.pick(['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty']) + q.slice(m.index! + m[0].length);
    }
  }
}

/** A mutated query built from `queries` (one to three mutations of one of them). */
export function mutateKql(rng: Rng, queries: readonly string[]): string {
  let q = rng.pick(queries);
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) q = mutateOnce(rng, q, rng.pick(queries));
  return q.length > 90_000 ? q.slice(0, 90_000) : q;
}

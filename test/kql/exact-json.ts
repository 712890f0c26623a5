/**
 * JSON.parse that keeps integers beyond 2^53 exact: such a number token (outside strings) becomes a
 * bigint, so a long printed by the engine as JSON number text can be compared digit for digit.
 */
const MARK = '\u0000bigint:';

/** Parses JSON text; integer tokens that a number cannot hold exactly become bigints. */
export function parseJsonExact(text: string): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && (c === '-' || (c >= '0' && c <= '9'))) {
      const tok = m[0];
      out += /^-?\d+$/.test(tok) && !Number.isSafeInteger(Number(tok)) ? JSON.stringify(MARK + tok) : tok;
      i += tok.length;
      continue;
    }
    out += c;
    i++;
  }
  return JSON.parse(out, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(MARK) ? BigInt(v.slice(MARK.length)) : v));
}

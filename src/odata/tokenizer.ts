/**
 * Tokenizer for OData `$filter` text. It knows literals (strings, numbers, datetimes, GUIDs),
 * identifiers (keywords are identifiers; the parser decides) and punctuation. Whitespace — and a
 * stray `+`, which is how a space arrives when a query string was not form-decoded — separates
 * tokens.
 */
import { PalisadeError } from '../domain/errors.ts';
import { canonicalDateTime, dateTimeSource } from './datetime-literal.ts';

/** Kinds of token the filter language has. */
export type TokenKind = 'ident' | 'string' | 'number' | 'datetime' | 'guid' | 'punct' | 'eof';

/** One token. `pos` is the 0-based offset of its first character in the filter text. */
export interface Token {
  kind: TokenKind;
  /** The token as written (for messages). */
  text: string;
  /** Decoded value: string contents, number, canonical UTC datetime, lower-case GUID, or punctuation. */
  value: string | number;
  pos: number;
}

const DATETIME = new RegExp(dateTimeSource(), 'y');
/** A datetime whose `+hh:mm` offset lost its plus sign to form decoding: `…T10:00:00 02:00`. */
const SPACE_OFFSET = /[ \t]+(\d{2}:\d{2})(?![\d:.])/y;
const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/y;
const IDENT = /[A-Za-z_$][A-Za-z0-9_]*/y;
const PUNCT = new Set(['(', ')', ',', ':', '/', '[', ']']);

/** Builds the ODataError for a syntax problem at a position (reported 1-based). */
export function syntaxError(pos: number, what: string): PalisadeError {
  return new PalisadeError('ODataError', `Syntax error in $filter at position ${pos + 1}: ${what}`);
}

/**
 * Reads the OData string literal whose opening quote is at `start` (`''` inside stands for one
 * quote): its value and the offset just past its closing quote, or null when it never closes.
 */
export function readStringLiteral(text: string, start: number): { value: string; end: number } | null {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) return null;
    const ch = text[i]!;
    if (ch === "'") {
      if (text[i + 1] !== "'") return { value, end: i + 1 };
      value += "'";
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
}

/** Splits filter text into tokens, ending with one `eof` token. Throws ODataError on bad input. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '+') {
      i++;
      continue;
    }
    if (c === "'") {
      const start = i;
      const lit = readStringLiteral(text, start);
      if (!lit) throw syntaxError(start, `unterminated string literal starting with ${JSON.stringify(text.slice(start, start + 20))}`);
      i = lit.end;
      out.push({ kind: 'string', text: text.slice(start, i), value: lit.value, pos: start });
      continue;
    }
    if (c === '"') throw syntaxError(i, `unexpected '"'; string literals are written in single quotes ('like this')`);
    if (c === '=' || c === '!' || c === '<' || c === '>' || c === '&' || c === '|') {
      throw syntaxError(i, `unexpected '${c}'; OData uses the words eq, ne, gt, ge, lt, le, and, or, not`);
    }
    if (PUNCT.has(c)) {
      out.push({ kind: 'punct', text: c, value: c, pos: i });
      i++;
      continue;
    }
    const guid = matchAt(GUID, text, i);
    if (guid) {
      out.push({ kind: 'guid', text: guid[0], value: guid[0].toLowerCase(), pos: i });
      i += guid[0].length;
      continue;
    }
    if (c >= '0' && c <= '9') {
      const dt = matchAt(DATETIME, text, i);
      if (dt) {
        let raw = dt[0];
        const groups = dt.slice(1);
        if (groups[3] !== undefined && groups[7] === undefined) {
          const lost = matchAt(SPACE_OFFSET, text, i + raw.length);
          if (lost) {
            groups[7] = '+' + lost[1]!;
            raw += lost[0];
          }
        }
        const iso = canonicalDateTime(groups);
        if (iso === null) throw syntaxError(i, `'${raw}' is not a valid datetime`);
        out.push({ kind: 'datetime', text: raw, value: iso, pos: i });
        i += raw.length;
        continue;
      }
    }
    if ((c >= '0' && c <= '9') || (c === '-' && /\d/.test(text[i + 1] ?? ''))) {
      const num = matchAt(NUMBER, text, i);
      if (!num) throw syntaxError(i, `malformed number starting with '${text.slice(i, i + 20).split(/[\s)(,]/)[0]}'`);
      const value = Number(num[0]);
      if (!Number.isFinite(value) || (/^-?\d+$/.test(num[0]) && !Number.isSafeInteger(value))) {
        throw syntaxError(i, `number '${num[0]}' is out of range`);
      }
      out.push({ kind: 'number', text: num[0], value, pos: i });
      i += num[0].length;
      continue;
    }
    const id = matchAt(IDENT, text, i);
    if (id) {
      out.push({ kind: 'ident', text: id[0], value: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw syntaxError(i, `unexpected character '${c}'`);
  }
  out.push({ kind: 'eof', text: 'end of input', value: '', pos: n });
  return out;
}

function matchAt(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

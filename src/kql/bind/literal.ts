/**
 * Literal and dynamic-literal decoding from syntax nodes into IR literals.
 */
import { ir, type Lit } from '../ir/ir.ts';
import {
  decodeBool, decodeDatetime, decodeGuid, decodeLong, decodeReal, decodeTimespan,
} from '../parse/literals.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode, childToken } from '../parse/syntax.ts';

/** Literal expression kinds and their KQL types. */
const LITERAL_KINDS: Record<string, string> = {
  LongLiteralExpression: 'long', IntLiteralExpression: 'int', RealLiteralExpression: 'real',
  DecimalLiteralExpression: 'decimal', BooleanLiteralExpression: 'bool', DateTimeLiteralExpression: 'datetime',
  TimespanLiteralExpression: 'timespan', GuidLiteralExpression: 'guid', StringLiteralExpression: 'string',
  CompoundStringLiteralExpression: 'string', NullLiteralExpression: 'dynamic',
};

/** True when the node is a literal expression. */
export function isLiteralNode(n: SynNode): boolean {
  return n.kind in LITERAL_KINDS;
}

/** The IR literal of a literal expression node (throws Error with a reason when malformed). */
export function literalOf(n: SynNode): Lit {
  const tok = childToken(n, 'Token')?.text ?? '';
  switch (n.kind) {
    case 'LongLiteralExpression': return ir.lit(decodeLong(tok), 'long');
    case 'IntLiteralExpression': {
      const v = decodeLong(tok);
      if (v !== null && (v < -2147483648 || v > 2147483647)) throw new Error(`The int literal ${tok} is out of range (an int holds -2147483648 to 2147483647)`);
      return ir.lit(typeof v === 'bigint' ? Number(v) : v, 'int');
    }
    case 'RealLiteralExpression': return ir.lit(decodeReal(tok), 'real');
    case 'DecimalLiteralExpression': {
      const v = decodeReal(tok);
      return ir.lit(v, 'decimal');
    }
    case 'BooleanLiteralExpression': return ir.lit(decodeBool(tok), 'bool');
    case 'DateTimeLiteralExpression': return ir.lit(decodeDatetime(tok), 'datetime');
    case 'TimespanLiteralExpression': return ir.lit(decodeTimespan(tok), 'timespan');
    case 'GuidLiteralExpression': return ir.lit(decodeGuid(tok), 'guid');
    case 'StringLiteralExpression': case 'CompoundStringLiteralExpression':
      return ir.lit(n.value ?? decodeStringToken(tok), 'string');
    case 'NullLiteralExpression': return ir.lit(null, 'dynamic');
    default: throw new Error(`not a literal: ${n.kind}`);
  }
}

/** Decodes a KQL string token ('…', "…", @'…', ```…```) when the parser gave no value. */
export function decodeStringToken(tok: string): string {
  let t = tok.trim();
  if (t === 'string(null)') return '';
  let verbatim = false;
  if (t.startsWith('h') || t.startsWith('H')) t = t.slice(1);
  if (t.startsWith('@')) { verbatim = true; t = t.slice(1); }
  if (t.startsWith('```') || t.startsWith('~~~')) return t.slice(3, -3);
  const q = t[0];
  const body = t.slice(1, -1);
  if (verbatim) return body.split(q + q).join(q);
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, c: string) => {
    if (c[0] === 'u' && c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    if (c[0] === 'x' && c.length === 3) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', v: '\v', a: '\x07' } as Record<string, string>)[c] ?? c;
  });
}

/** JS value of a JSON syntax node inside `dynamic(...)`. */
export function jsonValueOf(s: Syn | null): unknown {
  if (!s) return null;
  if (s.type === 'token') {
    if (s.kind === 'StringLiteralToken') return decodeStringToken(s.text);
    return s.text;
  }
  if (s.type === 'list') return s.items.map(jsonValueOf);
  switch (s.kind) {
    case 'JsonObjectExpression': {
      const o: Record<string, unknown> = {};
      for (const p of childList(s, 'Pairs')) {
        if (p.type !== 'node') continue;
        const nameTok = p.c.Name;
        const key = nameTok && nameTok.type === 'token' ? decodeStringToken(nameTok.text) : String(jsonValueOf(nameTok));
        o[key] = jsonValueOf(p.c.Value);
      }
      return o;
    }
    case 'JsonArrayExpression': return childList(s, 'Values').map(jsonValueOf);
    case 'UnaryMinusExpression': {
      const v = jsonValueOf(s.c.Expression);
      return typeof v === 'number' ? -v : v;
    }
    case 'ParenthesizedExpression': return jsonValueOf(s.c.Expression);
    case 'DynamicExpression': return jsonValueOf(s.c.Expression);
    default: {
      if (!isLiteralNode(s)) throw new Error(`unsupported element in dynamic literal: ${s.kind}`);
      const lit = literalOf(s);
      if (lit.value === null) return null;
      if (lit.type === 'timespan') return formatTimespanTicks(Number(lit.value));
      if (typeof lit.value === 'bigint') return Number(lit.value);
      return lit.value;
    }
  }
}

/** KQL's text form of a timespan: `[-][d.]hh:mm:ss[.fffffff]`. */
export function formatTimespanTicks(ticks: number): string {
  const neg = ticks < 0;
  let t = Math.abs(Math.round(ticks));
  const days = Math.floor(t / 864_000_000_000); t -= days * 864_000_000_000;
  const h = Math.floor(t / 36_000_000_000); t -= h * 36_000_000_000;
  const m = Math.floor(t / 600_000_000); t -= m * 600_000_000;
  const s = Math.floor(t / 10_000_000); t -= s * 10_000_000;
  const p2 = (x: number) => String(x).padStart(2, '0');
  return `${neg ? '-' : ''}${days ? `${days}.` : ''}${p2(h)}:${p2(m)}:${p2(s)}${t ? `.${String(t).padStart(7, '0')}` : ''}`;
}

/** The IR literal for `dynamic(...)`: JSON text, or a dynamic null. */
export function dynamicLiteralOf(n: SynNode): Lit {
  const inner = childNode(n, 'Expression');
  const v = inner ? jsonValueOf(inner) : null;
  return ir.lit(v === null ? null : JSON.stringify(v), 'dynamic');
}

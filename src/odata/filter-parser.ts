/**
 * Recursive-descent parser for the OData `$filter` subset MDE list endpoints accept, producing a
 * checked domain {@link FilterExpr}. Grammar (keywords case-insensitive, precedence not > and > or):
 *
 *   or      := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | primary
 *   primary := '(' or ')'
 *            | fn '(' prop ',' string ')' [('eq'|'ne') bool]      fn: startswith | endswith | contains
 *            | prop '/' 'any' '(' [var ':' or] ')'                  prop: a stringCollection
 *            | prop op literal | literal op prop                     op: eq ne gt ge lt le
 *            | prop 'in' '(' literal (',' literal)* ')'
 *            | prop                                                  a boolean property alone
 */
import { PalisadeError } from '../domain/errors.ts';
import type { EntitySetSpec, FieldSpec, FilterExpr, FilterLiteral, FilterOperator } from '../domain/list-query.ts';
import { parseIsoDateTime } from './datetime-literal.ts';
import { syntaxError, tokenize, type Token } from './tokenizer.ts';

type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const CMP_OPS: readonly CmpOp[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const FLIPPED: Record<CmpOp, CmpOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };
const STRING_FUNCTIONS = ['startswith', 'endswith', 'contains'] as const;
type StringFn = (typeof STRING_FUNCTIONS)[number];
const LITERAL_WORDS = ['true', 'false', 'null'];
/** Words that cannot be property names; used to give better messages. */
const RESERVED = new Set(['and', 'or', 'not', 'in', ...CMP_OPS]);

/** Deepest nesting of parentheses / `not` accepted (guards the recursion). */
const MAX_DEPTH = 100;

/** The element of a collection inside `any(t: …)`; the domain calls it `$it`. */
const IT_FIELD: FieldSpec = { name: '$it', type: 'string' };

interface Lambda {
  variable: string;
  collection: FieldSpec;
}

/** A resolved operand: a property (possibly the lambda variable) or a literal. */
type Operand = { kind: 'prop'; field: FieldSpec; token: Token } | { kind: 'lit'; value: FilterLiteral; token: Token };

/**
 * Parses `$filter` text against an entity set's field table. Property names are matched
 * case-insensitively and returned in their canonical spelling; literals are type-checked against
 * the property (enums case-sensitively, with the allowed values in the message). Throws
 * PalisadeError('ODataError') naming the position and token of a syntax error, or the offending
 * property or value of a semantic one.
 */
export function parseFilter(text: string, set: EntitySetSpec): FilterExpr {
  return new FilterParser(text, set).parseAll();
}

class FilterParser {
  private readonly tokens: Token[];
  private i = 0;
  private readonly fields: Map<string, FieldSpec>;
  private lambda: Lambda | null = null;
  private depth = 0;

  constructor(
    text: string,
    private readonly set: EntitySetSpec,
  ) {
    this.tokens = tokenize(text);
    this.fields = new Map(set.fields.map((f) => [f.name.toLowerCase(), f]));
  }

  parseAll(): FilterExpr {
    if (this.peek().kind === 'eof') throw syntaxError(0, 'the filter is empty');
    const expr = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') {
      throw syntaxError(t.pos, `unexpected '${t.text}' after a complete expression; expected 'and', 'or' or the end of the filter`);
    }
    return expr;
  }

  // ── token helpers ─────────────────────────────────────────────────────────────────────────────

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isWord(t: Token, ...words: string[]): boolean {
    return t.kind === 'ident' && words.includes(t.text.toLowerCase());
  }

  private isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.value === p;
  }

  private expectPunct(p: string, context: string): Token {
    const t = this.next();
    if (!this.isPunct(t, p)) throw syntaxError(t.pos, `expected '${p}' ${context} but found ${describe(t)}`);
    return t;
  }

  // ── boolean structure ─────────────────────────────────────────────────────────────────────────

  private parseOr(): FilterExpr {
    let left = this.parseAnd();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpr {
    let left = this.parseUnary();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterExpr {
    if (++this.depth > MAX_DEPTH) throw syntaxError(this.peek().pos, `the filter nests deeper than ${MAX_DEPTH} levels`);
    try {
      if (this.isWord(this.peek(), 'not')) {
        this.next();
        return { kind: 'not', expr: this.parseUnary() };
      }
      return this.parsePrimary();
    } finally {
      this.depth--;
    }
  }

  private parsePrimary(): FilterExpr {
    const t = this.peek();
    if (this.isPunct(t, '(')) {
      this.next();
      const inner = this.parseOr();
      this.expectPunct(')', 'to close the parenthesis');
      return inner;
    }
    if (t.kind === 'eof') throw syntaxError(t.pos, 'the filter ends where a condition was expected');
    if (t.kind === 'punct') throw syntaxError(t.pos, `expected a condition but found '${t.text}'`);
    if (t.kind === 'ident' && this.isPunct(this.peek(1), '(') && !LITERAL_WORDS.includes(t.text.toLowerCase())) {
      return this.parseFunctionCall();
    }
    if (t.kind === 'ident' && this.isPunct(this.peek(1), '/')) return this.parseAny();
    if (t.kind === 'ident' && RESERVED.has(t.text.toLowerCase())) {
      throw syntaxError(t.pos, `expected a condition but found the keyword '${t.text}'`);
    }
    const left = this.parseOperand();
    const opTok = this.peek();
    if (this.isWord(opTok, 'in')) {
      this.next();
      if (left.kind !== 'prop') throw syntaxError(opTok.pos, `'in' needs a property on its left, not the literal ${left.token.text}`);
      return this.parseIn(left);
    }
    if (!this.isWord(opTok, ...CMP_OPS)) {
      if (left.kind === 'prop' && left.field.type === 'boolean') {
        checkOperator(left.field, 'eq', left.token);
        return { kind: 'cmp', op: 'eq', field: left.field.name, value: true };
      }
      const after = left.token.text;
      throw syntaxError(
        opTok.pos,
        `expected a comparison operator (eq, ne, gt, ge, lt, le or in) after '${after}' but found ${describe(opTok)}`,
      );
    }
    this.next();
    const op = opTok.text.toLowerCase() as CmpOp;
    const right = this.parseOperand();
    if (left.kind === 'prop' && right.kind === 'lit') return this.comparison(op, left, right);
    if (left.kind === 'lit' && right.kind === 'prop') return this.comparison(FLIPPED[op], right, left);
    if (left.kind === 'prop') {
      throw syntaxError(right.token.pos, `comparing two properties ('${left.token.text}' ${op} '${right.token.text}') is not supported; compare a property with a literal`);
    }
    throw syntaxError(left.token.pos, `comparing two literals (${left.token.text} ${op} ${right.token.text}) is not supported; compare a property with a literal`);
  }

  // ── operands ──────────────────────────────────────────────────────────────────────────────────

  private parseOperand(): Operand {
    const t = this.next();
    switch (t.kind) {
      case 'string':
      case 'guid':
        return { kind: 'lit', value: t.value as string, token: t };
      case 'number':
        return { kind: 'lit', value: t.value as number, token: t };
      case 'datetime':
        return { kind: 'lit', value: { datetime: t.value as string }, token: t };
      case 'ident': {
        const word = t.text.toLowerCase();
        if (word === 'true' || word === 'false') return { kind: 'lit', value: word === 'true', token: t };
        if (word === 'null') return { kind: 'lit', value: null, token: t };
        if (RESERVED.has(word)) throw syntaxError(t.pos, `expected a property or a literal but found the keyword '${t.text}'`);
        return { kind: 'prop', field: this.resolveField(t), token: t };
      }
      default:
        throw syntaxError(t.pos, `expected a property or a literal but found ${describe(t)}`);
    }
  }

  /** Resolves a property name (or the lambda variable) case-insensitively. */
  private resolveField(t: Token): FieldSpec {
    const name = t.text;
    if (this.lambda) {
      if (name === this.lambda.variable) return IT_FIELD;
      throw new PalisadeError(
        'ODataError',
        `Inside ${this.lambda.collection.name}/any(${this.lambda.variable}: …) only the lambda variable '${this.lambda.variable}' may be used; found '${name}' at position ${t.pos + 1}`,
      );
    }
    const f = this.fields.get(name.toLowerCase());
    if (f) return f;
    const names = this.set.fields.map((x) => x.name);
    const guess = closest(name, names);
    throw new PalisadeError(
      'ODataError',
      `Could not find a property named '${name}' on ${this.set.name} (position ${t.pos + 1}).` +
        (guess ? ` Did you mean '${guess}'?` : '') +
        ` Filterable properties: ${names.join(', ')}`,
    );
  }

  // ── comparison and in ────────────────────────────────────────────────────────────────────────

  private comparison(op: CmpOp, prop: Extract<Operand, { kind: 'prop' }>, lit: Extract<Operand, { kind: 'lit' }>): FilterExpr {
    const field = prop.field;
    if (field.type === 'stringCollection') throw collectionMisuse(field, prop.token);
    checkOperator(field, op, prop.token);
    if (lit.value === null) {
      if (op !== 'eq' && op !== 'ne') {
        throw new PalisadeError('ODataError', `null can only be compared with eq or ne; found '${field.name} ${op} null' at position ${lit.token.pos + 1}`);
      }
      return { kind: 'cmp', op, field: field.name, value: null };
    }
    if (field.type === 'boolean' && op !== 'eq' && op !== 'ne') {
      throw new PalisadeError('ODataError', `Property '${field.name}' is boolean; only eq and ne apply, not '${op}'`);
    }
    return { kind: 'cmp', op, field: field.name, value: this.checkLiteral(field, lit) };
  }

  private parseIn(prop: Extract<Operand, { kind: 'prop' }>): FilterExpr {
    const field = prop.field;
    if (field.type === 'stringCollection') throw collectionMisuse(field, prop.token);
    checkOperator(field, 'in', prop.token);
    const open = this.next();
    if (!this.isPunct(open, '(') && !this.isPunct(open, '[')) {
      throw syntaxError(open.pos, `expected '(' to start the list after '${prop.token.text} in' but found ${describe(open)}`);
    }
    const close = open.value === '(' ? ')' : ']';
    const values: FilterLiteral[] = [];
    if (this.isPunct(this.peek(), close)) throw syntaxError(this.peek().pos, `the list of '${prop.token.text} in (…)' is empty`);
    for (;;) {
      const lit = this.parseOperand();
      if (lit.kind !== 'lit') throw syntaxError(lit.token.pos, `the list of 'in' holds literals only; found the property '${lit.token.text}'`);
      values.push(lit.value === null ? null : this.checkLiteral(field, lit));
      const sep = this.next();
      if (this.isPunct(sep, close)) break;
      if (!this.isPunct(sep, ',')) throw syntaxError(sep.pos, `expected ',' or '${close}' in the list of 'in' but found ${describe(sep)}`);
    }
    return { kind: 'in', field: field.name, values };
  }

  /** Checks (and where needed converts) a non-null literal for a field; throws a precise ODataError. */
  private checkLiteral(field: FieldSpec, lit: Extract<Operand, { kind: 'lit' }>): FilterLiteral {
    const v = lit.value;
    const at = `at position ${lit.token.pos + 1}`;
    const got = `got ${literalKind(v)} ${lit.token.text}`;
    switch (field.type) {
      case 'string': {
        if (typeof v !== 'string') {
          throw new PalisadeError('ODataError', `Property '${field.name}' is a string; ${got} ${at}. Write string values in single quotes, e.g. ${field.name} eq '${lit.token.text}'`);
        }
        checkEnum(field, v, lit.token);
        return v;
      }
      case 'number':
        if (typeof v !== 'number') throw new PalisadeError('ODataError', `Property '${field.name}' is a number; ${got} ${at}. Write numbers without quotes, e.g. ${field.name} eq 5`);
        return v;
      case 'boolean':
        if (typeof v !== 'boolean') throw new PalisadeError('ODataError', `Property '${field.name}' is boolean; ${got} ${at}. Use true or false without quotes`);
        return v;
      case 'datetime': {
        if (typeof v === 'object' && v !== null) return v;
        if (typeof v === 'string') {
          const iso = parseIsoDateTime(v);
          if (iso) return { datetime: iso };
          throw new PalisadeError('ODataError', `'${v}' is not a valid datetime for property '${field.name}' ${at}. Use ISO-8601, e.g. ${field.name} gt 2024-01-01T00:00:00Z`);
        }
        throw new PalisadeError('ODataError', `Property '${field.name}' is a datetime; ${got} ${at}. Use ISO-8601, e.g. ${field.name} gt 2024-01-01T00:00:00Z`);
      }
      case 'stringCollection':
        throw collectionMisuse(field, lit.token);
    }
  }

  // ── functions and lambdas ────────────────────────────────────────────────────────────────────

  private parseFunctionCall(): FilterExpr {
    const nameTok = this.next();
    const name = nameTok.text.toLowerCase();
    if (name === 'any' || name === 'all') {
      throw syntaxError(nameTok.pos, `'${nameTok.text}' must follow a collection property, e.g. machineTags/${name}(t: t eq 'x')`);
    }
    if (!(STRING_FUNCTIONS as readonly string[]).includes(name)) {
      throw new PalisadeError(
        'ODataError',
        `Function '${nameTok.text}' at position ${nameTok.pos + 1} is not supported in $filter; supported functions: ${STRING_FUNCTIONS.join(', ')}, and any() on collections`,
      );
    }
    this.expectPunct('(', `after '${nameTok.text}'`);
    const propTok = this.peek();
    const arg = this.parseOperand();
    if (arg.kind !== 'prop') throw syntaxError(propTok.pos, `the first argument of ${name}() must be a property, found ${describe(propTok)}`);
    if (arg.field.type !== 'string') {
      const hint = arg.field.type === 'stringCollection' ? `; use ${arg.field.name}/any(t: ${name}(t, '…'))` : '';
      throw new PalisadeError('ODataError', `${name}() needs a string property; '${arg.field.name}' is ${arg.field.type}${hint}`);
    }
    checkOperator(arg.field, name as StringFn, propTok);
    this.expectPunct(',', `between the arguments of ${name}()`);
    const litTok = this.next();
    if (litTok.kind !== 'string' && litTok.kind !== 'guid') {
      throw syntaxError(litTok.pos, `the second argument of ${name}() must be a string literal in single quotes, found ${describe(litTok)}`);
    }
    this.expectPunct(')', `to close ${name}()`);
    let expr: FilterExpr = { kind: 'fn', name: name as StringFn, field: arg.field.name, value: litTok.value as string };
    // `startswith(x,'a') eq true` is legal OData; fold it.
    const op = this.peek();
    if (this.isWord(op, 'eq', 'ne')) {
      this.next();
      const b = this.next();
      if (!this.isWord(b, 'true', 'false')) throw syntaxError(b.pos, `${name}() can only be compared with true or false, found ${describe(b)}`);
      const negate = (op.text.toLowerCase() === 'ne') !== (b.text.toLowerCase() === 'false');
      if (negate) expr = { kind: 'not', expr };
    }
    return expr;
  }

  private parseAny(): FilterExpr {
    const propTok = this.next();
    if (this.lambda) throw syntaxError(propTok.pos, 'nested any() is not supported');
    const field = this.resolveField(propTok);
    const slash = this.next();
    const op = this.next();
    if (!this.isWord(op, 'any')) {
      if (this.isWord(op, 'all')) throw new PalisadeError('ODataError', `The lambda operator 'all' is not supported (position ${op.pos + 1}); use 'any' or 'not …/any(…)'`);
      throw syntaxError(slash.pos, `'/' after '${propTok.text}' must be followed by any(…), found ${describe(op)}`);
    }
    if (field.type !== 'stringCollection') {
      throw new PalisadeError('ODataError', `any() applies to collection properties only; '${field.name}' is ${field.type}`);
    }
    checkOperator(field, 'any', propTok);
    this.expectPunct('(', "after 'any'");
    if (this.isPunct(this.peek(), ')')) {
      this.next();
      return { kind: 'any', field: field.name, predicate: null };
    }
    const varTok = this.next();
    if (varTok.kind !== 'ident' || RESERVED.has(varTok.text.toLowerCase()) || LITERAL_WORDS.includes(varTok.text.toLowerCase())) {
      throw syntaxError(varTok.pos, `expected a lambda variable name in any(…), e.g. any(t: t eq 'x'), but found ${describe(varTok)}`);
    }
    this.expectPunct(':', `after the lambda variable '${varTok.text}'`);
    this.lambda = { variable: varTok.text, collection: field };
    const predicate = this.parseOr();
    this.lambda = null;
    this.expectPunct(')', 'to close any(…)');
    return { kind: 'any', field: field.name, predicate };
  }
}

/** Throws when the field's declaration restricts its operators and `op` is not among them. */
function checkOperator(field: FieldSpec, op: FilterOperator, tok: Token): void {
  if (!field.operators || field.operators.includes(op)) return;
  throw new PalisadeError(
    'ODataError',
    `The operator '${op}' cannot be used on property '${field.name}' (position ${tok.pos + 1}). Operators it supports: ${field.operators.join(', ')}`,
  );
}

function checkEnum(field: FieldSpec, v: string, tok: Token): void {
  if (!field.enumValues || field.enumValues.includes(v)) return;
  const sameButCase = field.enumValues.find((e) => e.toLowerCase() === v.toLowerCase());
  throw new PalisadeError(
    'ODataError',
    `Invalid value '${v}' for property '${field.name}' at position ${tok.pos + 1}. Allowed values (case-sensitive): ${field.enumValues.join(', ')}` +
      (sameButCase ? `. Did you mean '${sameButCase}'?` : ''),
  );
}

function collectionMisuse(field: FieldSpec, tok: Token): PalisadeError {
  return new PalisadeError(
    'ODataError',
    `Property '${field.name}' is a collection (position ${tok.pos + 1}); filter it with any(), e.g. ${field.name}/any(t: t eq 'value')`,
  );
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the filter';
  return `'${t.text}'`;
}

function literalKind(v: FilterLiteral): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return 'datetime';
  return typeof v;
}

/** The candidate within edit distance 2 of the name (ignoring case), if there is one. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

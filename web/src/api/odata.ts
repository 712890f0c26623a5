/**
 * Building OData `$filter` text from the console's filter controls: values are quoted and escaped
 * here, once, so no page splices user text into a filter.
 */

/** `s` as an OData string literal ('' doubles a quote). */
export function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `field eq 'value'`, or `(field eq 'a' or field eq 'b')` for several values; null for none. */
export function anyOf(field: string, values: readonly string[]): string | null {
  const vs = values.filter((v) => v !== '');
  if (vs.length === 0) return null;
  const parts = vs.map((v) => `${field} eq ${quote(v)}`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' or ')})`;
}

/** A collection field holding `value`: `field/any(x: x eq 'value')`; null for an empty value. */
export function contains(field: string, value: string): string | null {
  return value === '' ? null : `${field}/any(x: x eq ${quote(value)})`;
}

/** A text field starting with `value`: `startswith(field, 'value')`; null for an empty value. */
export function startsWith(field: string, value: string): string | null {
  return value.trim() === '' ? null : `startswith(${field},${quote(value.trim())})`;
}

/** The non-null clauses joined with `and`; undefined when none. */
export function and(...clauses: (string | null | undefined)[]): string | undefined {
  const cs = clauses.filter((c): c is string => !!c);
  return cs.length ? cs.join(' and ') : undefined;
}

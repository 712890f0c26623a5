/**
 * MDE's datetime rendering: ISO-8601 UTC with `Z`, fractional seconds trimmed of trailing zeros
 * (`2019-09-01T13:31:08.57Z`; whole seconds print no fraction).
 */
export function mdeDateTime(iso: string | null): string | null {
  if (iso === null) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return s.replace(/\.(\d*?)0*Z$/, (_m, f: string) => (f ? `.${f}Z` : 'Z'));
}

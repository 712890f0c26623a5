/**
 * MDE's datetime rendering: ISO-8601 UTC with `Z`, fractional seconds trimmed of trailing zeros
 * (`2019-09-01T13:31:08.57Z`; whole seconds print no fraction).
 */
const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** An instant in MDE's rendering; null stays null, text that is no datetime is returned as is. */
export function mdeDateTime(iso: string | null): string | null {
  if (iso === null) return null;
  let s = iso;
  if (!CANONICAL.test(s)) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    s = d.toISOString();
  }
  const dot = s.indexOf('.', 19);
  if (dot < 0) return s;
  let end = s.length - 1;
  while (end > dot + 1 && s[end - 1] === '0') end--;
  return end === dot + 1 ? s.slice(0, dot) + 'Z' : s.slice(0, end) + 'Z';
}

/** Parses durations such as `7d`, `12h`, `30m`, `45s`, `500ms` into milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(s.trim());
  if (!m) throw new Error(`'${s}' is not a duration (examples: 7d, 12h, 30m, 45s)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

/**
 * Resources (token audiences) Palisade accepts. Real MDE clients ask for any of the identifier URIs
 * of the WindowsDefenderATP resource; Palisade also has an audience of its own.
 */
export const PALISADE_AUDIENCE = 'api://palisade';

export const ACCEPTED_AUDIENCES: readonly string[] = [
  'https://api.securitycenter.microsoft.com',
  'https://api.security.microsoft.com',
  'https://api.securitycenter.windows.com',
  'https://securitycenter.onmicrosoft.com/windowsatpservice',
  'fc780465-2017-40d4-a0c5-307022471b92',
  PALISADE_AUDIENCE,
];

/**
 * Maps a v2 `scope` (`<resource>/.default`, space-separated list allowed) or a v1 `resource` to
 * the audience to stamp, or null when no accepted resource is named.
 */
export function audienceFor(opts: { scope?: string; resource?: string }): string | null {
  const norm = (s: string) => s.trim().replace(/\/+$/, '');
  if (opts.resource !== undefined) {
    const r = norm(opts.resource);
    return ACCEPTED_AUDIENCES.find((a) => a.toLowerCase() === r.toLowerCase()) ?? null;
  }
  for (const s of (opts.scope ?? '').split(/\s+/).filter(Boolean)) {
    if (!s.endsWith('/.default')) continue;
    const r = norm(s.slice(0, -'/.default'.length));
    const hit = ACCEPTED_AUDIENCES.find((a) => a.toLowerCase() === r.toLowerCase());
    if (hit) return hit;
  }
  return null;
}

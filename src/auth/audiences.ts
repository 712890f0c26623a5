/**
 * Resources (token audiences) Palisade accepts. Real MDE clients ask for any of the identifier URIs
 * of the WindowsDefenderATP resource; Palisade also has an audience of its own.
 */
export const PALISADE_AUDIENCE = 'api://palisade';

/** The audiences of the MDE API (the `api` surface). */
export const MDE_AUDIENCES: readonly string[] = [
  'https://api.securitycenter.microsoft.com',
  'https://api.security.microsoft.com',
  'https://api.securitycenter.windows.com',
  'https://securitycenter.onmicrosoft.com/windowsatpservice',
  'fc780465-2017-40d4-a0c5-307022471b92',
  PALISADE_AUDIENCE,
];

/**
 * The audiences of Microsoft Graph (the `graph` surface: /v1.0/security/…): its URI and its app id.
 * A Graph token is accepted only on the Graph routes, an MDE token only on the MDE routes.
 */
export const GRAPH_AUDIENCES: readonly string[] = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'];

/** Which API a token is for. */
export type Resource = 'mde' | 'graph';

/** Every audience Palisade issues tokens for. */
export const ACCEPTED_AUDIENCES: readonly string[] = [...MDE_AUDIENCES, ...GRAPH_AUDIENCES];

/** The API an (accepted) audience belongs to. */
export function resourceOf(audience: string): Resource {
  return GRAPH_AUDIENCES.some((a) => a.toLowerCase() === audience.toLowerCase()) ? 'graph' : 'mde';
}

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

/**
 * The clients users sign in to: the console (built into every tenant, never stored; its one
 * redirect URI is `<origin>/console/` at whatever origin the server was reached at) and the
 * tenant's public apps with their registered redirect URIs.
 */
import type { AppRepo } from '../domain/ports.ts';
import { redirectUriMatches } from '../domain/redirect-uri.ts';
import { CONSOLE_CLIENT_ID, CONSOLE_REDIRECT_PATH } from './console-client.ts';

/** A client a user may sign in to. */
export interface SignInClient {
  clientId: string;
  name: string;
  /** The registered redirect URIs; the console's is derived from the origin it is reached at. */
  redirectUris: readonly string[];
}

/** The public client `clientId` of the tenant as reached at `baseUrl`, or null (unknown, or a confidential app). */
export async function signInClient(apps: AppRepo, tenantId: string, clientId: string, baseUrl: string): Promise<SignInClient | null> {
  const id = clientId.trim().toLowerCase();
  if (id === CONSOLE_CLIENT_ID) return { clientId: CONSOLE_CLIENT_ID, name: 'Palisade console', redirectUris: [`${baseUrl}${CONSOLE_REDIRECT_PATH}`] };
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  const app = await apps.get(tenantId, id);
  return app?.publicClient ? { clientId: app.clientId, name: app.name, redirectUris: app.redirectUris } : null;
}

/** True when `redirectUri` is one of the client's (a loopback one on any port). */
export function redirectAllowed(client: SignInClient, redirectUri: string): boolean {
  return client.redirectUris.some((r) => redirectUriMatches(r, redirectUri));
}

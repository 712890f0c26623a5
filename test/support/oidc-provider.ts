/**
 * A real OpenID provider for tests: panva's oidc-provider in the test process on 127.0.0.1 (http,
 * a free port), one confidential client, and the accounts the test names with their claims. Its own
 * development sign-in pages take any password for a known account name, then ask for consent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A started provider: its issuer URL, and stop. */
export interface TestOidcProvider {
  issuer: string;
  stop(): Promise<void>;
}

/** What the provider knows: its client and its accounts (account id → claims, `sub` added). */
export interface TestOidcProviderOptions {
  client: { clientId: string; clientSecret: string; redirectUris: string[] };
  accounts: Record<string, Record<string, unknown>>;
}

/** Starts the provider; the caller stops it. */
export async function startOidcProvider(o: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: o.client.clientId, client_secret: o.client.clientSecret, redirect_uris: o.client.redirectUris,
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post',
    }],
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'], groups: ['groups'] },
    pkce: { required: () => true },
    cookies: { keys: ['test-only-cookie-key'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    async findAccount(_ctx, id) {
      const claims = o.accounts[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

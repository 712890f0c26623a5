/**
 * The Palisade console's OAuth2 client.
 *
 * The console is a built-in public client of every tenant: it exists without being stored, has no
 * secret, signs in with authorization code + PKCE (S256), and its only redirect URI is
 * `<the origin the server is reached at>/console/`.
 */

/** The console's fixed client id, the same in every tenant. */
export const CONSOLE_CLIENT_ID = 'a1d0c6e8-3b7f-4c5e-9f10-5a1ade000001';

/** The path (under the server's origin) of the console's one redirect URI. */
export const CONSOLE_REDIRECT_PATH = '/console/';

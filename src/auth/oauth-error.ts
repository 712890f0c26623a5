/**
 * An OAuth2 error (RFC 6749 §5.2): HTTP status, error code and description, and the numeric codes
 * Entra ID adds in `error_codes` (e.g. 50076, multi-factor authentication required) where a client
 * may act on them; the identity surface renders it in OAuth2's shape.
 */
export class OAuthError extends Error {
  constructor(readonly status: number, readonly error: string, description: string, readonly errorCodes: readonly number[] = []) {
    super(description);
    this.name = 'OAuthError';
  }
}

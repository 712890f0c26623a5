/** An OAuth2 error (RFC 6749 §5.2): HTTP status, error code and description; the identity surface renders it in OAuth2's shape. */
export class OAuthError extends Error {
  constructor(readonly status: number, readonly error: string, description: string) {
    super(description);
    this.name = 'OAuthError';
  }
}

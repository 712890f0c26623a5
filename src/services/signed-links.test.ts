import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LINK_TTL_MS, LinkSigner } from './signed-links.ts';

const key = randomBytes(32);
const parse = (link: string) => {
  const u = new URL(link, 'https://x');
  return { path: u.pathname, expires: u.searchParams.get('expires') ?? undefined, signature: u.searchParams.get('signature') ?? undefined };
};

describe('signed download links', () => {
  const t0 = new Date('2026-12-05T03:00:00Z');
  let now = t0;
  const signer = new LinkSigner(key, () => now);

  it('verifies a link it signed until it expires 30 minutes later', () => {
    now = t0;
    const { path, expires, signature } = parse(signer.sign('/downloads/actions/t/a/0'));
    expect(path).toBe('/downloads/actions/t/a/0');
    expect(Number(expires) * 1000).toBe(t0.getTime() + LINK_TTL_MS);
    expect(() => signer.verify(path, expires, signature)).not.toThrow();
    now = new Date(t0.getTime() + LINK_TTL_MS - 1000);
    expect(() => signer.verify(path, expires, signature)).not.toThrow();
    now = new Date(t0.getTime() + LINK_TTL_MS);
    expect(() => signer.verify(path, expires, signature)).toThrow(expect.objectContaining({ code: 'Forbidden', message: expect.stringMatching(/expired/) }));
  });

  it('refuses a changed path, expiry or signature, another key, and missing parts', () => {
    now = t0;
    const { path, expires, signature } = parse(signer.sign('/downloads/actions/t/a/0'));
    const refused = (p: string, e: unknown, s: unknown, s2 = signer) => expect(() => s2.verify(p, e, s)).toThrow(expect.objectContaining({ code: 'Forbidden' }));
    refused('/downloads/actions/t/a/1', expires, signature);
    refused(path, String(Number(expires) + 3600), signature);
    // every other last character, including those that decode to the same bytes
    for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') {
      if (c !== signature!.at(-1)) refused(path, expires, `${signature!.slice(0, -1)}${c}`);
    }
    refused(path, expires, signature, new LinkSigner(randomBytes(32), () => now));
    refused(path, undefined, signature);
    refused(path, expires, undefined);
    refused(path, ['1', '2'], signature);
    refused(path, expires, 'x'.repeat(500));
  });

  it('needs a key of 32 bytes at least', () => {
    expect(() => new LinkSigner(randomBytes(16))).toThrow(/32 bytes/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  gzipCompressToBase64, gzipDecompressFromBase64, punycodeDomainFromString, punycodeDomainToString, punycodeFromString,
  punycodeToString, zlibCompressToBase64, zlibDecompressFromBase64,
} from './text.ts';

describe('punycode', () => {
  it('encodes and decodes strings as KQL documents', () => {
    expect(punycodeFromString('académie-française')).toBe('acadmie-franaise-npb1a');
    expect(punycodeFromString('艺术')).toBe('cqv902d');
    expect(punycodeToString('acadmie-franaise-npb1a')).toBe('académie-française');
    expect(punycodeToString('ünicode')).toBeNull();
  });

  it('encodes only the non-ASCII labels of a domain, keeping case and reading 。 and ｡ as dots', () => {
    expect(punycodeDomainToString('Lê Lợi。Thuận Thiên。com')).toBe('xn--L Li-gpa4517b.xn--Thun Thin-s4a7194f.com');
    expect(punycodeDomainToString("Kaledvoulc'h.Artorījos.edu")).toBe("Kaledvoulc'h.xn--Artorjos-ejb.edu");
    expect(punycodeDomainFromString('xn--Ry-lja8c.xn--Jng-uta63a.xn--Bng-9ka.com')).toBe('Rúyì.Jīngū.Bàng.com');
    expect(punycodeDomainFromString('example.com')).toBe('example.com');
  });
});

describe('gzip and zlib with base64', () => {
  it('compresses to the bytes KQL documents (stored deflate blocks)', () => {
    expect(zlibCompressToBase64('1234567890qwertyuiop')).toBe('eAEBFADr/zEyMzQ1Njc4OTBxd2VydHl1aW9wOAkGdw==');
    expect(gzipCompressToBase64('1234567890qwertyuiop')).toBe('H4sIAAAAAAAA/wEUAOv/MTIzNDU2Nzg5MHF3ZXJ0eXVpb3A6m7f2FAAAAA==');
  });

  it('round-trips text, including non-ASCII and the empty string', () => {
    for (const s of ['', 'héllo wörld ✓', 'x'.repeat(100_000)]) {
      expect(gzipDecompressFromBase64(gzipCompressToBase64(s))).toBe(s);
      expect(zlibDecompressFromBase64(zlibCompressToBase64(s))).toBe(s);
    }
  });

  it('decompresses streams of any compression level', () => {
    expect(zlibDecompressFromBase64('eJwzNDI2MTUzt7A0KCxPLSqpLM3MLwAAOAkGdw==')).toBe('1234567890qwertyuiop');
  });

  it('gives null for bad base64, wrong headers, a non-zero FLG byte or corrupt data', () => {
    expect(gzipDecompressFromBase64('x0x0x0')).toBeNull();
    expect(gzipDecompressFromBase64('')).toBeNull();
    const gz = Buffer.from(gzipCompressToBase64('abc'), 'base64');
    gz[3] = 8; // FNAME flag set
    expect(gzipDecompressFromBase64(gz.toString('base64'))).toBeNull();
    const corrupt = Buffer.from(gzipCompressToBase64('abcdef'), 'base64');
    corrupt[corrupt.length - 5] ^= 0xff;
    expect(gzipDecompressFromBase64(corrupt.toString('base64'))).toBeNull();
    expect(zlibDecompressFromBase64(gzipCompressToBase64('abc'))).toBeNull();
  });
});

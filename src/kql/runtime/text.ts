/**
 * KQL text codecs computed in JavaScript: punycode (RFC 3492) of strings and of domain names, and
 * gzip / zlib compression to and from base64. Each returns null when its input cannot be encoded or
 * decoded (KQL prints that as an empty string); decompression stops at a bound (limits.ts).
 */
import { gunzipSync, gzipSync, inflateSync, deflateSync } from 'node:zlib';
import punycode from 'punycode/punycode.js';
import { EngineLimitError, MAX_DECOMPRESSED_BYTES } from './limits.ts';

/** Whether every character of `s` is ASCII. */
const isAscii = (s: string) => [...s].every((c) => c.charCodeAt(0) < 128);

/** Separators of domain labels: full stop and its ideographic and full-width forms. */
const LABEL_SEPARATORS = /[.\u3002\uFF0E\uFF61]/;

/** punycode_from_string(): the punycode form of a string (ASCII only, no "xn--" prefix). */
export function punycodeFromString(s: string): string | null {
  try {
    return punycode.encode(s);
  } catch {
    return null;
  }
}

/** punycode_to_string(): the string a punycode form (without "xn--") stands for. */
export function punycodeToString(s: string): string | null {
  if (!isAscii(s)) return null;
  try {
    return punycode.decode(s);
  } catch {
    return null;
  }
}

/**
 * punycode_domain_to_string(): a domain name with every label that is not plain ASCII replaced by
 * "xn--" and its punycode; labels keep their case, and 。．｡ separate labels as '.' does.
 */
export function punycodeDomainToString(domain: string): string | null {
  try {
    return domain.split(LABEL_SEPARATORS).map((l) => (isAscii(l) ? l : `xn--${punycode.encode(l)}`)).join('.');
  } catch {
    return null;
  }
}

/** punycode_domain_from_string(): a domain name with every "xn--" label decoded from punycode. */
export function punycodeDomainFromString(domain: string): string | null {
  try {
    return domain.split(LABEL_SEPARATORS).map((l) => (/^xn--/i.test(l) ? punycode.decode(l.slice(4)) : l)).join('.');
  } catch {
    return null;
  }
}

/** Bytes of strict base64 text, or null when the text is not base64. */
function fromBase64(s: string): Buffer | null {
  const t = s.trim();
  if (t.length === 0 || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return null;
  return Buffer.from(t, 'base64');
}

/** Bytes as UTF-8 text, or null when they are not valid UTF-8. */
function utf8Text(b: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return null;
  }
}

/**
 * Inflates with `inflate`, stopping at MAX_DECOMPRESSED_BYTES (a bomb fails the query with
 * EngineLimitError rather than exhausting memory); null when the data is not valid or not UTF-8.
 */
function decompressed(fn: string, inflate: (o: { maxOutputLength: number }) => Buffer): string | null {
  let out: Buffer;
  try {
    out = inflate({ maxOutputLength: MAX_DECOMPRESSED_BYTES });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new EngineLimitError(`${fn}(): the decompressed text exceeds ${MAX_DECOMPRESSED_BYTES / 1024 / 1024} MiB`);
    }
    return null;
  }
  return utf8Text(out);
}

/**
 * gzip_compress_to_base64_string(): the UTF-8 text in a gzip member, base64-encoded. As KQL's
 * documented output shows, the data is written in stored (level 0) deflate blocks, with a header of
 * modification time 0, no extra flags and operating system 255 (unknown).
 */
export function gzipCompressToBase64(s: string): string {
  const gz = gzipSync(Buffer.from(s, 'utf8'), { level: 0 });
  gz[8] = 0;
  gz[9] = 255;
  return gz.toString('base64');
}

/**
 * gzip_decompress_from_base64_string(): the UTF-8 text of a base64-encoded gzip member; null when
 * the header's ID1, ID2 or CM bytes are wrong, FLG is not zero (KQL reads no optional header fields),
 * or the data is not valid gzip or UTF-8.
 */
export function gzipDecompressFromBase64(s: string): string | null {
  const b = fromBase64(s);
  if (b === null || b.length < 18 || b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8 || b[3] !== 0) return null;
  return decompressed('gzip_decompress_from_base64_string', (o) => gunzipSync(b, o));
}

/**
 * zlib_compress_to_base64_string(): the UTF-8 text as a zlib stream (window size 15), base64-encoded;
 * stored (level 0) deflate blocks, which is the output KQL documents.
 */
export function zlibCompressToBase64(s: string): string {
  return deflateSync(Buffer.from(s, 'utf8'), { level: 0, windowBits: 15 }).toString('base64');
}

/** zlib_decompress_from_base64_string(): the UTF-8 text of a base64-encoded zlib stream with window size 15, or null. */
export function zlibDecompressFromBase64(s: string): string | null {
  const b = fromBase64(s);
  if (b === null || b.length < 6 || b[0] !== 0x78) return null;
  return decompressed('zlib_decompress_from_base64_string', (o) => inflateSync(b, { ...o, windowBits: 15 }));
}

/** The 16 bytes of a GUID as .NET lays them out (Guid.ToByteArray: the first three groups little-endian). */
function guidBytes(guid: string): Buffer | null {
  const m = /^\s*\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?\s*$/i.exec(guid);
  if (!m) return null;
  const le = (hex: string) => Buffer.from(hex, 'hex').reverse();
  return Buffer.concat([le(m[1]), le(m[2]), le(m[3]), Buffer.from(m[4] + m[5], 'hex')]);
}

/** base64_encode_fromguid(guid): the base64 text of the GUID's .NET byte layout; null for a malformed GUID. */
export function base64EncodeFromGuid(guid: string): string | null {
  return guidBytes(guid)?.toString('base64') ?? null;
}

/** base64_decode_toguid(text): the GUID whose .NET byte layout the base64 text holds; null unless it decodes to 16 bytes. */
export function base64DecodeToGuid(text: string): string | null {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) return null;
  const b = Buffer.from(t, 'base64');
  if (b.length !== 16) return null;
  const le = (from: number, to: number) => Buffer.from(b.subarray(from, to)).reverse().toString('hex');
  const rest = b.subarray(8).toString('hex');
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${rest.slice(0, 4)}-${rest.slice(4)}`;
}

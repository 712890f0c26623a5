import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PalisadeError } from '../domain/errors.ts';
import { decodeBody, splitLines } from './decode-body.ts';

const limits = { maxBytes: 1 << 20, maxLines: 100 };

describe('decode body and split lines', () => {
  it('numbers non-blank lines as they appear, handling CRLF, a BOM and UTF-8', async () => {
    const text = '\uFEFF{"a":1}\r\n\r\n   \n{"b":"Microsoft® ✓ 😀"}\n\t{"c":3}\n';
    for (const body of [Buffer.from(text), gzipSync(Buffer.from(text))]) {
      const raw = await decodeBody(body, body[0] === 0x1f, limits);
      expect(splitLines(raw, 100)).toEqual([
        { line: 1, text: '{"a":1}' },
        { line: 4, text: '{"b":"Microsoft® ✓ 😀"}' },
        { line: 5, text: '\t{"c":3}' },
      ]);
    }
  });

  it('keeps a last line without a newline and replaces invalid UTF-8', () => {
    expect(splitLines(Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff]), Buffer.from('"}')]), 10)).toEqual([{ line: 1, text: '{"x":"\uFFFD"}' }]);
  });

  it('refuses more lines than allowed and bodies over the limit', async () => {
    expect(() => splitLines(Buffer.from('{}\n{}\n{}\n'), 2)).toThrow(PalisadeError);
    await expect(decodeBody(gzipSync(Buffer.alloc(4096, 0x20)), true, { maxBytes: 1024, maxLines: 10 })).rejects.toMatchObject({ code: 'PayloadTooLarge' });
  });
});

import { describe, expect, it } from 'vitest';
import { csvField, resultsToCsv } from './results-csv.ts';

describe('resultsToCsv', () => {
  it('writes a header and one CRLF line per row, quoting where RFC 4180 needs it', () => {
    const csv = resultsToCsv(
      [{ Name: 'FileName', Type: 'String' }, { Name: 'n', Type: 'Int64' }, { Name: 'Extra', Type: 'Object' }],
      [{ FileName: 'a,b', n: 1, Extra: { k: 'v' } }, { FileName: 'say "hi"\nthere', n: null, Extra: null }],
    );
    expect(csv).toBe('FileName,n,Extra\r\n"a,b",1,"{""k"":""v""}"\r\n"say ""hi""\nthere",,\r\n');
  });

  it('keeps a spreadsheet from reading event text as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('-enc AAAA')).toBe("'-enc AAAA");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(' padded ')).toBe('" padded "');
  });
});

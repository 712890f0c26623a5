import { describe, expect, it } from 'vitest';
import { cefExtensionValue, cefHeaderValue } from './cef.ts';
import { formatRfc5424, octetCounted } from './rfc5424.ts';
import { parseSyslogTarget } from './transport.ts';

describe('CEF escaping', () => {
  it('escapes backslash and pipe in the header, backslash, equals and line breaks in extensions', () => {
    expect(cefHeaderValue('a|b\\c\r\nd')).toBe('a\\|b\\\\c d');
    expect(cefExtensionValue('k=v\\x\ny\rz|')).toBe('k\\=v\\\\x\\ny\\rz|');
  });
});

describe('syslog framing', () => {
  it('writes RFC 5424 with PRI, version, millisecond timestamp and nil structured data', () => {
    const m = formatRfc5424({ severity: 3, time: new Date('2026-01-02T03:04:05.678Z'), hostname: 'host name', appName: 'palisade', procId: '42', msgId: 'alert-new', msg: 'CEF:0|x' });
    expect(m).toBe('<131>1 2026-01-02T03:04:05.678Z hostname palisade 42 alert-new - CEF:0|x');
  });
  it('counts octets in bytes, not characters', () => {
    expect(octetCounted('é=1').toString('utf8')).toBe('4 é=1');
  });
  it('reads syslog URLs with default ports and refuses others', () => {
    expect(parseSyslogTarget('udp://10.0.0.1')).toEqual({ protocol: 'udp', host: '10.0.0.1', port: 514, ca: undefined });
    expect(parseSyslogTarget('tls://[::1]:7000', 'PEM').port).toBe(7000);
    expect(parseSyslogTarget('tcp://siem.example').port).toBe(601);
    expect(() => parseSyslogTarget('http://x')).toThrow(/udp, tcp or tls/);
    expect(() => parseSyslogTarget('udp://x', 'PEM')).toThrow(/tls/);
    expect(() => parseSyslogTarget('nonsense')).toThrow(/not a syslog URL/);
  });
});

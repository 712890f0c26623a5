import { describe, expect, it } from 'vitest';
import { parseIpAddress } from './ip-address.ts';

describe('parseIpAddress', () => {
  it('reads IPv4 dotted quads and refuses anything else', () => {
    expect(parseIpAddress('192.168.1.1')).toEqual({ family: 4, text: '192.168.1.1', forms: ['192.168.1.1'] });
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4/24', '01.2.3.4', '1.2.3.4:80', '', 'example.com', '1.2.3.4.5']) {
      expect(parseIpAddress(bad), bad).toBeNull();
    }
  });
  it('reads IPv6 in any spelling and gives its compressed and expanded forms', () => {
    const a = parseIpAddress('2001:DB8:0:0:0:0:0:1');
    expect(a?.family).toBe(6);
    expect(a?.forms).toEqual(['2001:db8:0:0:0:0:0:1', '2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:0001']);
    expect(parseIpAddress('::1')?.forms).toContain('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(parseIpAddress('::ffff:10.0.0.1')?.forms).toContain('::ffff:a00:1');
    for (const bad of ['1::2::3', '12345::1', 'fe80::1%eth0', '2001:db8::/32', '1:2:3:4:5:6:7:8:9', 'g::1']) {
      expect(parseIpAddress(bad), bad).toBeNull();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { decodeAddress, parseProcNet } from './network.ts';

describe('/proc/net parsing', () => {
  it('decodes IPv4 and IPv6 addresses as the kernel writes them', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('0B01A8C0')).toBe('192.168.1.11');
    expect(decodeAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('127.0.0.1');
    expect(decodeAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
  });

  it('reads sockets with state, uid and inode', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 201 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:A063 0100007F:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    expect(parseProcNet(text, 'Tcp')).toEqual([
      { protocol: 'Tcp', localIp: '0.0.0.0', localPort: 2024, remoteIp: '0.0.0.0', remotePort: 0, state: 10, uid: 0, inode: 201 },
      { protocol: 'Tcp', localIp: '127.0.0.1', localPort: 41059, remoteIp: '127.0.0.1', remotePort: 443, state: 1, uid: 1000, inode: 4242 },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseAuthMessage, parseSyslogLine } from './logon.ts';

describe('logon messages', () => {
  it('reads sshd accepted and failed authentications', () => {
    expect(parseAuthMessage('sshd', 'Accepted publickey for alice from 192.0.2.7 port 50122 ssh2: ED25519 SHA256:abc')).toEqual({
      action: 'LogonSuccess', account: 'alice', logonType: 'Network', service: 'sshd', remoteIp: '192.0.2.7', remotePort: 50122, detail: { AuthenticationMethod: 'publickey' },
    });
    expect(parseAuthMessage('sshd-session', 'Failed password for invalid user admin from 198.51.100.3 port 4242 ssh2')).toMatchObject({
      action: 'LogonFailed', account: 'admin', failureReason: 'InvalidUserNameOrPassword', remoteIp: '198.51.100.3', remotePort: 4242,
    });
    expect(parseAuthMessage('sshd', 'Failed password for bob from 198.51.100.3 port 4242 ssh2')).toMatchObject({ account: 'bob', failureReason: 'WrongPassword' });
    expect(parseAuthMessage('sshd', 'Connection closed by 198.51.100.3 port 4242')).toBeNull();
  });

  it('reads login, su and sudo sessions and failures', () => {
    expect(parseAuthMessage('su', 'pam_unix(su-l:session): session opened for user root(uid=0) by alice(uid=1000)')).toEqual({
      action: 'LogonSuccess', account: 'root', logonType: 'Interactive', service: 'su', detail: { By: 'alice' },
    });
    expect(parseAuthMessage('sudo', 'pam_unix(sudo:session): session opened for user root(uid=0) by (uid=0)')).toMatchObject({ account: 'root', service: 'sudo' });
    expect(parseAuthMessage('login', 'pam_unix(login:session): session opened for user carol(uid=1001) by LOGIN(uid=0)')).toMatchObject({ action: 'LogonSuccess', account: 'carol', service: 'login' });
    expect(parseAuthMessage('sudo', 'pam_unix(sudo:auth): authentication failure; logname=dave uid=1002 euid=0 tty=/dev/pts/1 ruser=dave rhost=  user=dave')).toMatchObject({ action: 'LogonFailed', account: 'dave', service: 'sudo' });
    expect(parseAuthMessage('login', "FAILED LOGIN (1) on '/dev/tty1' FOR 'UNKNOWN', User not known to the underlying authentication module")).toMatchObject({ action: 'LogonFailed', account: 'UNKNOWN', failureReason: 'InvalidUserNameOrPassword' });
    expect(parseAuthMessage('sudo', '   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id')).toBeNull();
  });

  it('splits syslog lines in both time formats', () => {
    const now = new Date('2026-12-05T12:00:00Z');
    expect(parseSyslogLine('Dec  5 02:40:01 host sshd[123]: Accepted password for a from 192.0.2.1 port 1 ssh2', now)).toMatchObject({ service: 'sshd', pid: 123, message: 'Accepted password for a from 192.0.2.1 port 1 ssh2' });
    const l = parseSyslogLine('2026-12-05T02:40:01.123456+00:00 host su[9]: pam_unix(su:session): session opened for user root(uid=0) by a(uid=1)', now)!;
    expect(l.time.toISOString()).toBe('2026-12-05T02:40:01.123Z');
    expect(l.service).toBe('su');
    // a December line read in January belongs to the year before
    expect(parseSyslogLine('Dec 31 23:59:59 host sshd[1]: x', new Date('2027-01-01T00:10:00'))!.time.getFullYear()).toBe(2026);
    expect(parseSyslogLine('not a syslog line')).toBeNull();
  });
});

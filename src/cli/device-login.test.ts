/** The CLI's refresh-token cache: where it lives, that only its owner can read it, and one token per server, tenant and client. */
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedRefreshToken, storeRefreshToken, tokenCachePath } from './device-login.ts';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-login-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the refresh-token cache', () => {
  it('lives under XDG_CONFIG_HOME when it is absolute, else ~/.config', () => {
    expect(tokenCachePath({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/palisade/tokens.json');
    expect(tokenCachePath({ XDG_CONFIG_HOME: 'relative' })).toBe(join(homedir(), '.config', 'palisade', 'tokens.json'));
    expect(tokenCachePath({})).toBe(join(homedir(), '.config', 'palisade', 'tokens.json'));
  });

  it('keeps one token per server, tenant and client in a file only its owner can read, and forgets one on request', () => {
    const path = join(dir, 'cfg', 'palisade', 'tokens.json');
    const a = { url: 'https://palisade.example', tenant: 'T1', clientId: 'C1' };
    const b = { ...a, tenant: 't2' };
    expect(cachedRefreshToken(path, a)).toBeNull();
    storeRefreshToken(path, a, 'rt-a');
    storeRefreshToken(path, b, 'rt-b');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'cfg', 'palisade')).mode & 0o777).toBe(0o700);
    expect(cachedRefreshToken(path, { ...a, tenant: 't1', clientId: 'c1' })).toBe('rt-a');
    expect(cachedRefreshToken(path, b)).toBe('rt-b');
    storeRefreshToken(path, a, 'rt-a2');
    storeRefreshToken(path, b, null);
    expect(cachedRefreshToken(path, a)).toBe('rt-a2');
    expect(cachedRefreshToken(path, b)).toBeNull();
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')))).toHaveLength(1);
  });
});

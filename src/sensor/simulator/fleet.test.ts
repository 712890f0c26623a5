import { describe, expect, it } from 'vitest';
import { OS_PLATFORMS } from '../../domain/device.ts';
import { makeFleet } from './fleet.ts';
import { createRng } from './prng.ts';

const PRIVATE = /^(10\.\d+|172\.(1[6-9]|2\d|3[01])|192\.168)\.\d+\.\d+$/;

describe('createRng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa);
    expect(sa.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('spreads values evenly and respects bounds', () => {
    const r = createRng(123);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) buckets[r.int(0, 9)]++;
    expect(buckets).toHaveLength(10);
    for (const b of buckets) expect(b).toBeGreaterThan(1700);
    expect(r.guid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('forks stable, independent streams', () => {
    const x = createRng(5).fork('a').next();
    expect(createRng(5).fork('a').next()).toBe(x);
    expect(createRng(5).fork('b').next()).not.toBe(x);
  });
});

describe('makeFleet', () => {
  const fleet = makeFleet(1000, 42);

  it('is deterministic for a seed', () => {
    expect(makeFleet(50, 9)).toEqual(makeFleet(50, 9));
    expect(makeFleet(50, 9)).not.toEqual(makeFleet(50, 10));
    expect(makeFleet(0, 1)).toEqual([]);
    expect(() => makeFleet(-1, 1)).toThrow(RangeError);
  });

  it('mixes Windows, Linux and macOS roughly 70/20/10', () => {
    const by = (f: string) => fleet.filter((d) => d.osFamily === f).length;
    expect(by('Windows')).toBe(700);
    expect(by('Linux')).toBe(200);
    expect(by('macOS')).toBe(100);
    const small = makeFleet(10, 3);
    expect(small.filter((d) => d.osFamily === 'macOS')).toHaveLength(1);
    expect(small.filter((d) => d.osFamily === 'Linux')).toHaveLength(2);
    const platforms = new Set(fleet.map((d) => d.osPlatform));
    for (const p of platforms) expect(OS_PLATFORMS as readonly string[]).toContain(p);
    for (const p of ['Windows10', 'Windows11', 'WindowsServer2019', 'WindowsServer2022', 'Linux', 'macOS']) expect(platforms).toContain(p);
    expect(new Set(fleet.filter((d) => d.osFamily === 'Linux').map((d) => d.osDistribution))).toEqual(new Set(['Ubuntu', 'Debian', 'RedHatEnterpriseLinux']));
  });

  it('gives each OS release the right build and version strings', () => {
    for (const d of fleet) {
      if (d.osPlatform === 'Windows10') expect([19044, 19045]).toContain(d.osBuild);
      if (d.osPlatform === 'Windows10' && d.version === '22H2') expect(d.osBuild).toBe(19045);
      if (d.osPlatform === 'Windows11' && d.version === '23H2') expect(d.osBuild).toBe(22631);
      if (d.osPlatform === 'WindowsServer2022') expect(d.osBuild).toBe(20348);
      if (d.osFamily === 'Windows') {
        expect(d.osVersion).toMatch(new RegExp(`^10\\.0\\.${d.osBuild}\\.\\d+$`));
        expect(d.agentVersion).toMatch(new RegExp(`^10\\.\\d{4}\\.${d.osBuild}\\.\\d+$`));
      } else {
        expect(d.osBuild).toBeNull();
      }
      if (d.osFamily === 'Linux') expect(d.osVersion).toMatch(/^\d+\.\d+\.\d+-/);
      if (d.osFamily === 'macOS') expect(d.version).toMatch(/^1[34]\.\d+/);
      expect(d.osArchitecture).toBe('64-bit');
      expect(['x64', 'ARM64']).toContain(d.osProcessor);
      expect(d.isServer).toBe(d.osPlatform.startsWith('WindowsServer') || d.osFamily === 'Linux');
    }
  });

  it('names devices plausibly and uniquely', () => {
    const names = fleet.map((d) => d.computerDnsName);
    expect(new Set(names).size).toBe(names.length);
    for (const d of fleet) {
      expect(d.computerDnsName).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      if (d.osFamily === 'macOS') expect(d.computerDnsName).toMatch(/^(macbook|mbp|macbook-pro|macbook-air)-[a-z0-9]+/);
      if (d.osPlatform === 'Windows10' || d.osPlatform === 'Windows11') expect(d.computerDnsName).toMatch(/^(desktop-[a-z0-9]{7}|laptop-[a-z0-9]{7}|wks-[a-z]+-\d{3})(-\d+)?$/);
    }
    expect(names.some((n) => /^(web|api|db)-(prod|stg|dev|qa)-\d\d$/.test(n))).toBe(true);
    const ids = fleet.map((d) => d.deviceId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{40}$/);
  });

  it('gives 1–3 interfaces with unique private IPs and MDE-style MACs', () => {
    const ips = new Set<string>();
    const macs = new Set<string>();
    for (const d of fleet) {
      expect(d.nics.length).toBeGreaterThanOrEqual(1);
      expect(d.nics.length).toBeLessThanOrEqual(3);
      expect(d.nics[0]!.operationalStatus).toBe('Up');
      for (const n of d.nics) {
        expect(n.ipAddress).toMatch(PRIVATE);
        expect(n.macAddress).toMatch(/^[0-9A-F]{12}$/);
        expect(n.defaultGateway.split('.').slice(0, 3)).toEqual(n.ipAddress.split('.').slice(0, 3));
        expect(ips.has(n.ipAddress)).toBe(false);
        expect(macs.has(n.macAddress)).toBe(false);
        ips.add(n.ipAddress);
        macs.add(n.macAddress);
      }
      expect(d.lastExternalIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(d.lastExternalIpAddress).not.toMatch(PRIVATE);
    }
    expect(fleet.some((d) => d.nics.length === 3)).toBe(true);
    expect(fleet.some((d) => d.nics.some((n) => n.type === 'Wireless80211'))).toBe(true);
  });

  it('tags some devices and leaves others untagged; has users and AAD ids where plausible', () => {
    const untagged = fleet.filter((d) => d.machineTags.length === 0).length;
    expect(untagged).toBeGreaterThan(200);
    expect(untagged).toBeLessThan(500);
    for (const d of fleet) expect(new Set(d.machineTags).size).toBe(d.machineTags.length);
    const desktops = fleet.filter((d) => d.osPlatform === 'Windows10' || d.osPlatform === 'Windows11');
    expect(desktops.every((d) => d.loggedOnUsers.length === 1)).toBe(true);
    for (const u of desktops.flatMap((d) => d.loggedOnUsers)) {
      expect(u.accountSid).toMatch(/^S-1-5-21-\d+-\d+-\d+-\d+$/);
      expect(u.upn).toMatch(/^[a-z.0-9]+@[a-z]+\.(com|io)$/);
    }
    expect(desktops.filter((d) => d.aadDeviceId).length).toBeGreaterThan(desktops.length * 0.5);
    expect(fleet.filter((d) => d.osFamily === 'Linux').every((d) => d.aadDeviceId === null)).toBe(true);
  });
});

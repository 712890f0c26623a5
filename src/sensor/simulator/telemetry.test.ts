import { describe, expect, it } from 'vitest';
import { getTable } from '../../schema/registry.ts';
import type { KqlColumnType } from '../../schema/types.ts';
import { makeFleet, type SimDevice } from './fleet.ts';
import { makeEventGenerator, type SimEvent } from './telemetry.ts';

const PRIVATE = /^(10\.\d+|172\.(1[6-9]|2\d|3[01])|192\.168)\.\d+\.\d+$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;
const START = Date.parse('2025-03-01T08:00:00.000Z');

const fleet = makeFleet(30, 2024);
const win = fleet.find((d) => d.osFamily === 'Windows' && !d.isServer)!;
const winServer = fleet.find((d) => d.osPlatform.startsWith('WindowsServer'))!;
const linux = fleet.find((d) => d.osFamily === 'Linux')!;
const mac = fleet.find((d) => d.osFamily === 'macOS')!;

/** Runs a generator for `minutes` one-minute ticks of `perTick` events. */
function run(device: SimDevice, seed: number, minutes: number, perTick: number, suspiciousRate?: number): SimEvent[] {
  const g = makeEventGenerator(device, seed, suspiciousRate === undefined ? {} : { suspiciousRate });
  const out: SimEvent[] = [];
  for (let i = 1; i <= minutes; i++) out.push(...g.next(new Date(START + i * 60_000), perTick));
  return out;
}

const samples = new Map<SimDevice, SimEvent[]>([
  [win, run(win, 1, 20, 150)],
  [winServer, run(winServer, 2, 20, 150)],
  [linux, run(linux, 3, 20, 150)],
  [mac, run(mac, 4, 20, 150)],
]);
const all = [...samples.values()].flat();
const rows = (events: SimEvent[], table: string) => events.filter((e) => e.table === table).map((e) => e.row);

function typeOk(type: KqlColumnType, v: unknown): boolean {
  switch (type) {
    case 'string':
    case 'guid':
      return typeof v === 'string';
    case 'long':
      return Number.isSafeInteger(v);
    case 'int':
      return Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31;
    case 'real':
    case 'decimal':
      return typeof v === 'number' && Number.isFinite(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'datetime':
      return typeof v === 'string' && ISO_UTC.test(v) && !Number.isNaN(Date.parse(v));
    case 'dynamic':
      return typeof v === 'object' && v !== null;
    case 'timespan':
      return typeof v === 'number';
  }
}

describe('makeEventGenerator: schema conformance', () => {
  it('produces every Device* table across the fleet', () => {
    const tables = new Set(all.map((e) => e.table));
    expect([...tables].sort()).toEqual([
      'DeviceEvents', 'DeviceFileCertificateInfo', 'DeviceFileEvents', 'DeviceImageLoadEvents', 'DeviceInfo',
      'DeviceLogonEvents', 'DeviceNetworkEvents', 'DeviceNetworkInfo', 'DeviceProcessEvents', 'DeviceRegistryEvents',
    ]);
  });

  it('uses only declared columns, with the declared JS types', () => {
    const snapshots = [...samples.keys()].flatMap((d) => makeEventGenerator(d, 1).snapshot(new Date(START)));
    const problems = new Set<string>();
    let checked = 0;
    for (const e of [...all, ...snapshots]) {
      const table = getTable(e.table);
      if (!table) {
        problems.add(`unknown table ${e.table}`);
        continue;
      }
      const cols = new Map(table.columns.map((c) => [c.name, c.type]));
      for (const [k, v] of Object.entries(e.row)) {
        checked++;
        const type = cols.get(k);
        if (!type) problems.add(`${e.table}.${k} is not a declared column`);
        else if (!typeOk(type, v)) problems.add(`${e.table}.${k} = ${JSON.stringify(v)} is not ${type}`);
      }
      for (const k of ['Timestamp', 'DeviceId', 'DeviceName']) if (e.row[k] === undefined) problems.add(`${e.table} lacks ${k}`);
    }
    expect([...problems]).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
  });

  it('keeps JSON-in-string columns parseable', () => {
    for (const e of all) {
      for (const k of ['LoggedOnUsers', 'DeviceManualTags', 'ConnectedNetworks', 'DnsAddresses', 'DefaultGateways', 'IPAddresses', 'CrlDistributionPointUrls']) {
        if (typeof e.row[k] === 'string') expect(() => JSON.parse(e.row[k] as string), `${e.table}.${k}`).not.toThrow();
      }
    }
  });
});

describe('makeEventGenerator: behaviour', () => {
  it('returns exactly count events, in time order, inside (previous now, now]', () => {
    const g = makeEventGenerator(win, 11);
    const first = g.next(new Date(START), 200);
    expect(first).toHaveLength(200);
    const ts = first.map((e) => Date.parse(e.row.Timestamp as string));
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(Math.min(...ts)).toBeGreaterThan(START - 60_000);
    expect(Math.max(...ts)).toBeLessThanOrEqual(START);
    const second = g.next(new Date(START + 5_000), 50).map((e) => Date.parse(e.row.Timestamp as string));
    expect(Math.min(...second)).toBeGreaterThan(START);
    expect(Math.max(...second)).toBeLessThanOrEqual(START + 5_000);
    expect(g.next(new Date(START + 6_000), 0)).toEqual([]);
  });

  it('is deterministic for a device and seed, and varies with the seed', () => {
    expect(run(linux, 99, 3, 40)).toEqual(run(linux, 99, 3, 40));
    expect(run(linux, 99, 3, 40)).not.toEqual(run(linux, 100, 3, 40));
  });

  it('uses the device id current at the time of each call', () => {
    const d = structuredClone(mac);
    const g = makeEventGenerator(d, 5);
    expect(g.next(new Date(START), 5).every((e) => e.row.DeviceId === mac.deviceId)).toBe(true);
    d.deviceId = 'f'.repeat(40);
    expect(g.next(new Date(START + 1000), 5).every((e) => e.row.DeviceId === 'f'.repeat(40) && e.row.DeviceName === mac.computerDnsName)).toBe(true);
  });

  it('links process trees: a child carries its parent as InitiatingProcess* and its grandparent as InitiatingProcessParent*', () => {
    let links = 0;
    for (const events of samples.values()) {
      const procs = rows(events, 'DeviceProcessEvents');
      const byKey = new Map(procs.map((r) => [`${r.ProcessId}|${r.ProcessCreationTime}`, r]));
      for (const child of procs) {
        expect(child.ActionType).toBe('ProcessCreated');
        expect(child.ProcessCreationTime).toBe(child.Timestamp);
        const parent = byKey.get(`${child.InitiatingProcessId}|${child.InitiatingProcessCreationTime}`);
        if (!parent) continue;
        links++;
        expect(child.InitiatingProcessFileName).toBe(parent.FileName);
        expect(child.InitiatingProcessFolderPath).toBe(parent.FolderPath);
        expect(child.InitiatingProcessCommandLine).toBe(parent.ProcessCommandLine);
        expect(child.InitiatingProcessSHA1).toBe(parent.SHA1);
        expect(child.InitiatingProcessSHA256).toBe(parent.SHA256);
        expect(child.InitiatingProcessMD5).toBe(parent.MD5);
        expect(child.InitiatingProcessAccountName).toBe(parent.AccountName);
        expect(child.InitiatingProcessIntegrityLevel).toBe(parent.ProcessIntegrityLevel);
        expect(child.InitiatingProcessParentId).toBe(parent.InitiatingProcessId);
        expect(child.InitiatingProcessParentFileName).toBe(parent.InitiatingProcessFileName);
        expect(child.InitiatingProcessParentCreationTime).toBe(parent.InitiatingProcessCreationTime);
      }
    }
    expect(links).toBeGreaterThan(50);
  });

  it('emits the LOLBins and encoded PowerShell detections look for', () => {
    const events = fleet.filter((d) => d.osFamily === 'Windows').slice(0, 6).flatMap((d, i) => run(d, 50 + i, 15, 200, 20));
    const cmds = rows(events, 'DeviceProcessEvents').map((r) => r.ProcessCommandLine as string);
    expect(cmds.some((c) => /^certutil\.exe -urlcache -split -f http/.test(c))).toBe(true);
    expect(cmds.some((c) => /^rundll32\.exe \S+\.dll,/.test(c))).toBe(true);
    expect(cmds.some((c) => /^regsvr32\.exe \/s \/n \/u \/i:http\S+ scrobj\.dll$/.test(c))).toBe(true);
    expect(cmds.some((c) => /^mshta\.exe http/.test(c))).toBe(true);
    const encoded = cmds.map((c) => /-enc ([A-Za-z0-9+/=]+)/.exec(c)?.[1]).filter((x): x is string => !!x);
    expect(encoded.length).toBeGreaterThan(0);
    for (const b64 of encoded) {
      const script = Buffer.from(b64, 'base64').toString('utf16le');
      expect(script).toMatch(/^[\x20-\x7e]+$/);
      expect(Buffer.from(script, 'utf16le').toString('base64')).toBe(b64);
    }
  });

  it('keeps suspicious activity out when suspiciousRate is 0', () => {
    const events = run(win, 77, 10, 200, 0);
    const cmds = rows(events, 'DeviceProcessEvents').map((r) => r.ProcessCommandLine as string);
    expect(cmds.some((c) => /-enc |-urlcache|mshta|regsvr32|scrobj/.test(c))).toBe(false);
    expect(rows(events, 'DeviceEvents').some((r) => r.ActionType === 'AntivirusDetection')).toBe(false);
  });

  it('makes network events with consistent IP types, protocols and URLs', () => {
    const net = rows(all, 'DeviceNetworkEvents');
    expect(new Set(net.map((r) => r.ActionType))).toEqual(new Set(['ConnectionSuccess', 'ConnectionFailed', 'InboundConnectionAccepted']));
    expect(new Set(net.map((r) => r.Protocol))).toEqual(new Set(['Tcp', 'Udp']));
    for (const r of net) {
      expect(r.RemoteIPType).toBe(PRIVATE.test(r.RemoteIP as string) ? 'Private' : 'Public');
      expect(r.LocalIP).toMatch(PRIVATE);
      expect(r.LocalIPType).toBe('Private');
      if (r.Protocol === 'Udp') expect(r.RemotePort).toBe(53);
      if (r.RemoteUrl) expect(r.RemoteIPType).toBe('Public');
    }
    expect(net.some((r) => r.RemoteUrl === 'login.microsoftonline.com' || r.RemoteUrl === 'github.com')).toBe(true);
    expect(rows(samples.get(winServer)!, 'DeviceNetworkEvents').some((r) => r.ActionType === 'InboundConnectionAccepted' && r.LocalPort === 3389)).toBe(true);
  });

  it('makes file events with real-looking hashes and rename/origin details', () => {
    const files = rows(all, 'DeviceFileEvents');
    expect(new Set(files.map((r) => r.ActionType))).toEqual(new Set(['FileCreated', 'FileModified', 'FileDeleted', 'FileRenamed']));
    for (const r of files) {
      if (r.ActionType !== 'FileDeleted') {
        expect(r.SHA1).toMatch(/^[0-9a-f]{40}$/);
        expect(r.SHA256).toMatch(/^[0-9a-f]{64}$/);
        expect(r.MD5).toMatch(/^[0-9a-f]{32}$/);
      }
      expect((r.FolderPath as string).endsWith(r.FileName as string)).toBe(true);
      if (r.ActionType === 'FileRenamed') expect(r.PreviousFileName).toBeTruthy();
    }
    expect(files.some((r) => typeof r.FileOriginUrl === 'string')).toBe(true);
  });

  it('writes registry events on Windows only, including Run keys', () => {
    expect(rows(samples.get(linux)!, 'DeviceRegistryEvents')).toEqual([]);
    expect(rows(samples.get(mac)!, 'DeviceRegistryEvents')).toEqual([]);
    const reg = rows(samples.get(win)!, 'DeviceRegistryEvents');
    expect(reg.some((r) => r.ActionType === 'RegistryValueSet' && /\\Microsoft\\Windows\\CurrentVersion\\Run$/.test(r.RegistryKey as string))).toBe(true);
    for (const r of reg) expect(r.RegistryKey).toMatch(/^HKEY_(LOCAL_MACHINE|CURRENT_USER)\\/);
  });

  it('makes logon events with failure reasons only on failures', () => {
    const logons = rows(all, 'DeviceLogonEvents');
    expect(new Set(logons.map((r) => r.ActionType))).toEqual(new Set(['LogonSuccess', 'LogonFailed']));
    for (const t of ['Interactive', 'Network', 'RemoteInteractive']) expect(logons.some((r) => r.LogonType === t)).toBe(true);
    for (const r of logons) {
      if (r.ActionType === 'LogonFailed') expect(r.FailureReason).toBeTruthy();
      else expect(r.FailureReason).toBeUndefined();
      if (r.LogonType === 'Network' || r.LogonType === 'RemoteInteractive') expect(r.RemoteIP).toBeTruthy();
    }
  });

  it('makes DeviceEvents with structured AdditionalFields', () => {
    const ev = fleet.filter((d) => d.osFamily === 'Windows').slice(0, 4).flatMap((d, i) => rows(run(d, 300 + i, 10, 200), 'DeviceEvents'));
    const av = ev.find((r) => r.ActionType === 'AntivirusDetection');
    expect(av?.AdditionalFields).toMatchObject({ ThreatName: expect.stringMatching(/[:/]/), WasRemediated: expect.any(Boolean) });
    const ps = ev.find((r) => r.ActionType === 'PowerShellCommand');
    expect(ps?.AdditionalFields).toEqual({ Command: expect.any(String) });
    expect(ps?.InitiatingProcessFileName).toBe('powershell.exe');
  });

  it('snapshots DeviceInfo and one DeviceNetworkInfo per interface', () => {
    const snap = makeEventGenerator(win, 1).snapshot(new Date(START));
    expect(snap.map((e) => e.table)).toEqual(['DeviceInfo', ...win.nics.map(() => 'DeviceNetworkInfo')]);
    const info = snap[0]!.row;
    expect(info).toMatchObject({ DeviceId: win.deviceId, DeviceName: win.computerDnsName, OSPlatform: win.osPlatform, OSBuild: win.osBuild, ClientVersion: win.agentVersion, PublicIP: win.lastExternalIpAddress });
    expect(JSON.parse(info.DeviceManualTags as string)).toEqual(win.machineTags);
    expect(JSON.parse(info.LoggedOnUsers as string)[0]).toMatchObject({ UserName: win.loggedOnUsers[0]!.accountName });
    expect(snap.slice(1).map((e) => e.row.MacAddress)).toEqual(win.nics.map((n) => n.macAddress));
  });
});

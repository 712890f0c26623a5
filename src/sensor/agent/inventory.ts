/**
 * What the sensor says about its host: the OS (from /etc/os-release), the kernel (uname), network
 * interfaces with their addresses and MACs, and the users logged on (utmp). Enrollment, heartbeats
 * and the DeviceInfo / DeviceNetworkInfo rows are built from one snapshot.
 */
import { readFileSync } from 'node:fs';
import { arch, hostname, networkInterfaces, release, version as kernelVersion } from 'node:os';
import type { EnrollInfo, Heartbeat, WireIpAddress, WireLoggedOnUser } from '../transport/protocol.ts';
import { LIMITS } from '../transport/protocol.ts';

/** The sensor's version, reported as the agent version. */
export const SENSOR_VERSION = '0.1.0';

/** One network interface of the host. */
export interface HostInterface {
  name: string;
  /** 12 upper-case hex digits, or null (loopback, tunnels). */
  mac: string | null;
  /** Up | Down | … from /sys/class/net/NAME/operstate. */
  status: string;
  /** Ethernet | Loopback | Other, from /sys/class/net/NAME/type. */
  type: string;
  addresses: { address: string; family: 'IPv4' | 'IPv6'; prefix: number }[];
}

/** A snapshot of the host. */
export interface HostInventory {
  hostName: string;
  /** PRETTY_NAME of /etc/os-release, e.g. "Debian GNU/Linux 12 (bookworm)". */
  osPrettyName: string | null;
  /** ID of /etc/os-release, e.g. "debian". */
  osDistribution: string | null;
  /** VERSION_ID of /etc/os-release, e.g. "12". */
  osVersionId: string | null;
  /** uname -r. */
  kernelRelease: string;
  /** uname -v. */
  kernelVersion: string;
  /** 64-bit | 32-bit. */
  architecture: string;
  /** x64 | arm64 | … */
  processor: string;
  interfaces: HostInterface[];
  loggedOnUsers: string[];
}

/** Parses os-release text (KEY=value lines, values optionally quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2];
    if (/^(["']).*\1$/.test(v)) v = v.slice(1, -1).replace(/\\(["'\\$`])/g, '$1');
    out[m[1]] = v;
  }
  return out;
}

/**
 * The user names of the USER_PROCESS records of a utmp file (glibc's 384-byte records on 64-bit
 * Linux: ut_type at 0, ut_user[32] at 44), distinct, in order of appearance.
 */
export function parseUtmpUsers(buf: Buffer): string[] {
  const RECORD = 384;
  const USER_PROCESS = 7;
  const users: string[] = [];
  for (let off = 0; off + RECORD <= buf.length; off += RECORD) {
    if (buf.readInt16LE(off) !== USER_PROCESS) continue;
    const raw = buf.subarray(off + 44, off + 76);
    const end = raw.indexOf(0);
    const name = raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
    if (name && !users.includes(name)) users.push(name);
  }
  return users;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function interfaceKind(name: string): string {
  const t = readText(`/sys/class/net/${name}/type`)?.trim();
  return t === '1' ? 'Ethernet' : t === '772' ? 'Loopback' : 'Other';
}

function operState(name: string): string {
  const s = readText(`/sys/class/net/${name}/operstate`)?.trim();
  // "unknown" is what loopback and many virtual links say while they carry traffic
  return s === 'up' || s === 'unknown' ? 'Up' : s === 'down' || s === 'lowerlayerdown' ? 'Down' : s ? s[0].toUpperCase() + s.slice(1) : 'Unknown';
}

/** Takes a snapshot of the host now. */
export function takeInventory(): HostInventory {
  const os = parseOsRelease(readText('/etc/os-release') ?? readText('/usr/lib/os-release') ?? '');
  const ifs: HostInterface[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (!addrs) continue;
    const mac = addrs.find((a) => a.mac && a.mac !== '00:00:00:00:00:00')?.mac ?? null;
    ifs.push({
      name,
      mac: mac ? mac.replace(/:/g, '').toUpperCase() : null,
      status: operState(name),
      type: interfaceKind(name),
      addresses: addrs.map((a) => ({ address: a.address, family: a.family === 'IPv6' ? 'IPv6' as const : 'IPv4' as const, prefix: Number(a.cidr?.split('/')[1] ?? 0) })),
    });
  }
  let users: string[] = [];
  for (const p of ['/run/utmp', '/var/run/utmp']) {
    try {
      users = parseUtmpUsers(readFileSync(p));
      break;
    } catch {
      // no utmp here: nobody logged on through login(1), sshd or a terminal emulator
    }
  }
  const a = arch();
  return {
    hostName: hostname(),
    osPrettyName: os.PRETTY_NAME ?? os.NAME ?? null,
    osDistribution: os.ID ?? null,
    osVersionId: os.VERSION_ID ?? null,
    kernelRelease: release(),
    kernelVersion: kernelVersion(),
    architecture: ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'].includes(a) ? '64-bit' : '32-bit',
    processor: a,
    interfaces: ifs,
    loggedOnUsers: users,
  };
}

/** A host name as the enroll schema accepts it (letters, digits, '.', '_', '-'; at most 255). */
export function protocolHostName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, LIMITS.hostName);
  return cleaned || 'linux-host';
}

/** The interfaces' addresses as the protocol lists them (loopback left out), at most the protocol's bound. */
export function wireAddresses(inv: HostInventory): WireIpAddress[] {
  return inv.interfaces
    .filter((i) => i.type !== 'Loopback')
    .flatMap((i) => i.addresses.map((a) => ({ ipAddress: a.address.slice(0, LIMITS.shortText), macAddress: i.mac, type: i.type, operationalStatus: i.status })))
    .slice(0, LIMITS.interfaces);
}

function loggedOn(inv: HostInventory): WireLoggedOnUser[] {
  return inv.loggedOnUsers.slice(0, LIMITS.users).map((u) => ({ UserName: u.slice(0, LIMITS.text), DomainName: protocolHostName(inv.hostName).slice(0, LIMITS.text) }));
}

/** What the sensor sends when enrolling. */
export function enrollInfo(inv: HostInventory, tags: string[] = []): EnrollInfo {
  return {
    computerDnsName: protocolHostName(inv.hostName),
    osPlatform: 'Linux',
    osVersion: inv.osPrettyName?.slice(0, LIMITS.text) ?? null,
    version: inv.osVersionId?.slice(0, LIMITS.text) ?? null,
    osArchitecture: inv.architecture,
    osProcessor: inv.processor.slice(0, 32),
    agentVersion: SENSOR_VERSION,
    ipAddresses: wireAddresses(inv),
    machineTags: tags,
  };
}

/** A heartbeat with the host's current state and the collectors that run. */
export function heartbeatOf(inv: HostInventory, collectors: readonly string[] = []): Heartbeat {
  return {
    sensorHealth: 'Active',
    computerDnsName: protocolHostName(inv.hostName),
    osPlatform: 'Linux',
    osVersion: inv.osPrettyName?.slice(0, LIMITS.text) ?? null,
    version: inv.osVersionId?.slice(0, LIMITS.text) ?? null,
    agentVersion: SENSOR_VERSION,
    ipAddresses: wireAddresses(inv),
    loggedOnUsers: loggedOn(inv),
    collectors: [...collectors],
  };
}

/**
 * The DeviceInfo row and one DeviceNetworkInfo row per interface, at `now`. DeviceInfo's
 * AdditionalFields names the kernel and the collectors that run (`Collectors`), so hunting can tell
 * which telemetry a device sends.
 */
export function inventoryRows(inv: HostInventory, now: Date, collectors: readonly string[]): { table: string; row: Record<string, unknown> }[] {
  const ts = now.toISOString();
  const rows: { table: string; row: Record<string, unknown> }[] = [{
    table: 'DeviceInfo',
    row: {
      Timestamp: ts,
      ClientVersion: SENSOR_VERSION,
      OSArchitecture: inv.architecture,
      OSPlatform: 'Linux',
      OSDistribution: inv.osDistribution ?? undefined,
      OSVersion: inv.osVersionId ?? undefined,
      OSVersionInfo: inv.osPrettyName ?? undefined,
      LoggedOnUsers: JSON.stringify(inv.loggedOnUsers.map((u) => ({ UserName: u, DomainName: inv.hostName }))),
      OnboardingStatus: 'Onboarded',
      SensorHealthState: 'Active',
      DeviceCategory: 'Endpoint',
      AdditionalFields: JSON.stringify({ KernelRelease: inv.kernelRelease, KernelVersion: inv.kernelVersion, Collectors: collectors }),
    },
  }];
  for (const i of inv.interfaces) {
    rows.push({
      table: 'DeviceNetworkInfo',
      row: {
        Timestamp: ts,
        NetworkAdapterName: i.name,
        MacAddress: i.mac ?? undefined,
        NetworkAdapterType: i.type,
        NetworkAdapterStatus: i.status,
        IPAddresses: JSON.stringify(i.addresses.map((a) => ({ IPAddress: a.address, SubnetPrefix: a.prefix, AddressType: a.family }))),
      },
    });
  }
  return rows;
}

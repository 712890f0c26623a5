/**
 * Simulated devices for `palisade simulate`: a realistic, deterministic fleet (for one seed the
 * same devices every time) with the OS mix, names, versions, interfaces, tags and users a real
 * MDE tenant shows.
 */
import { createRng, type Rng } from './prng.ts';

/** The operating system family of a simulated device. */
export type SimOsFamily = 'Windows' | 'Linux' | 'macOS';

/** One network interface of a simulated device. */
export interface SimNic {
  /** Adapter name as the OS shows it (`Ethernet`, `Wi-Fi`, `eth0`, `en0`…). */
  name: string;
  /** MAC address: 12 upper-case hex digits, no separators, as MDE prints it. */
  macAddress: string;
  /** Private IPv4 address. */
  ipAddress: string;
  /** Prefix length of the interface's subnet. */
  subnetPrefix: number;
  defaultGateway: string;
  dnsServers: string[];
  /** .NET NetworkInterfaceType name, as MDE reports it. */
  type: 'Ethernet' | 'Wireless80211';
  /** .NET OperationalStatus name. */
  operationalStatus: 'Up' | 'Down';
  vendor: string;
}

/** An account that uses the device. */
export interface SimUser {
  accountName: string;
  /** NetBIOS domain, or the host name for local accounts. */
  accountDomain: string;
  accountSid: string;
  /** user@domain for directory accounts, empty for local ones. */
  upn: string;
  isLocalAdmin: boolean;
}

/** A simulated device: everything enrollment, heartbeats and telemetry need. */
export interface SimDevice {
  /** Position in the fleet (0-based). */
  index: number;
  /**
   * 40-hex device id used in generated rows. Deterministic placeholder until the device enrolls;
   * the simulator replaces it with the id the server returns.
   */
  deviceId: string;
  /** Host name, unique within the fleet, lower case (e.g. `desktop-7h2k9qa`, `web-prod-03`). */
  computerDnsName: string;
  osFamily: SimOsFamily;
  /** MDE osPlatform: Windows10, Windows11, WindowsServer2016/2019/2022, Linux, macOS. */
  osPlatform: string;
  /** Linux distribution (Ubuntu, Debian, RedHatEnterpriseLinux), macOS, or Windows. */
  osDistribution: string;
  /** MDE `version`: Windows release (22H2, 23H2, 1809…), distribution or macOS version. */
  version: string;
  /** Full OS version: Windows `10.0.<build>.<ubr>`, Linux kernel, macOS version. */
  osVersion: string;
  /** Windows build number (19045, 22631, 20348…); null elsewhere. */
  osBuild: number | null;
  /** `64-bit` (or `32-bit`). */
  osArchitecture: string;
  /** `x64` or `ARM64`. */
  osProcessor: string;
  /** Sensor version in the OS's MDE style. */
  agentVersion: string;
  isServer: boolean;
  /** 1–3 interfaces; the first is the primary one. */
  nics: SimNic[];
  /** The public address the device egresses from (shared by devices of one site). */
  lastExternalIpAddress: string;
  machineTags: string[];
  /** Accounts signed in now; may be empty on servers. */
  loggedOnUsers: SimUser[];
  aadDeviceId: string | null;
  /** NetBIOS name of the directory domain (e.g. CONTOSO); the host name when not domain-joined. */
  domain: string;
  /** When the device last booted (ISO-8601 UTC), relative to the fleet's reference time. */
  bootTime: string;
  /** Hardware vendor and model (`Dell Inc.` / `Latitude 7440`, `VMware, Inc.` / `VMware7,1`…). */
  vendor: string;
  model: string;
}

/** The instant fleet boot times are relative to; telemetry keeps each device's uptime relative to its first `now`. */
export const FLEET_REFERENCE_TIME = Date.UTC(2024, 5, 1);

const FIRST = ['james', 'maria', 'wei', 'aisha', 'john', 'olga', 'li', 'sven', 'priya', 'carlos', 'emma', 'noah', 'fatima', 'lucas', 'yuki', 'anna', 'omar', 'grace', 'ivan', 'sara', 'kofi', 'mia', 'raj', 'julia', 'tom', 'nina', 'ahmed', 'chloe', 'diego', 'hana'];
const LAST = ['lee', 'smith', 'chen', 'khan', 'garcia', 'novak', 'mueller', 'patel', 'silva', 'jones', 'kim', 'brown', 'rossi', 'tanaka', 'ivanova', 'nguyen', 'haddad', 'wilson', 'kowalski', 'lopez', 'mensah', 'dubois', 'sato', 'berg', 'costa', 'walker', 'fischer', 'moreau', 'ali', 'park'];
const DOMAINS = [
  { netbios: 'CONTOSO', dns: 'contoso.com' },
  { netbios: 'FABRIKAM', dns: 'fabrikam.com' },
  { netbios: 'NORTHWIND', dns: 'northwind.io' },
];
const TAGS = ['Finance', 'HR', 'Engineering', 'Sales', 'Marketing', 'VIP', 'PCI', 'Kiosk', 'Prod', 'Staging', 'Dev', 'EU', 'US', 'APAC', 'Remote', 'Pilot'];
const SERVER_ROLES = ['web', 'app', 'sql', 'db', 'file', 'api', 'cache', 'build', 'mail', 'print', 'rds', 'ca'];
const LINUX_ROLES = ['web', 'api', 'db', 'k8s-node', 'build-agent', 'jump', 'cache', 'log', 'mq', 'proxy'];
const ENVS = ['prod', 'stg', 'dev', 'qa'];
const HOST_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Organisationally unique identifiers of common NIC vendors. */
const OUIS: readonly [string, string][] = [
  ['000C29', 'VMware, Inc.'],
  ['005056', 'VMware, Inc.'],
  ['00155D', 'Microsoft Corporation'],
  ['3C7C3F', 'ASUSTek COMPUTER INC.'],
  ['A4BB6D', 'Dell Inc.'],
  ['D89EF3', 'Dell Inc.'],
  ['F8B46A', 'Hewlett Packard'],
  ['8C8D28', 'Intel Corporate'],
  ['DC2148', 'Intel Corporate'],
  ['F0189A', 'Apple, Inc.'],
  ['A45E60', 'Apple, Inc.'],
  ['0242AC', 'Docker'],
];

interface Site {
  external: string;
  /** Private prefix of the site's LAN: the first two octets (`10.12`, `172.20`, `192.168`). */
  lan: string;
  dns: string[];
}

interface WindowsRelease {
  platform: string;
  release: string;
  build: number;
  ubr: readonly number[];
  server: boolean;
  weight: number;
}

const WINDOWS: readonly WindowsRelease[] = [
  { platform: 'Windows10', release: '22H2', build: 19045, ubr: [3930, 4046, 4170, 4291, 4412, 4529], server: false, weight: 36 },
  { platform: 'Windows10', release: '21H2', build: 19044, ubr: [3930, 4046, 4291], server: false, weight: 6 },
  { platform: 'Windows11', release: '23H2', build: 22631, ubr: [3155, 3296, 3447, 3593, 3737], server: false, weight: 24 },
  { platform: 'Windows11', release: '22H2', build: 22621, ubr: [3155, 3296, 3447], server: false, weight: 8 },
  { platform: 'WindowsServer2022', release: '21H2', build: 20348, ubr: [2227, 2322, 2402, 2461, 2527], server: true, weight: 14 },
  { platform: 'WindowsServer2019', release: '1809', build: 17763, ubr: [5329, 5458, 5576, 5696], server: true, weight: 9 },
  { platform: 'WindowsServer2016', release: '1607', build: 14393, ubr: [6709, 6796, 6897], server: true, weight: 3 },
];

const LINUX = [
  { distro: 'Ubuntu', versions: ['20.04', '22.04', '24.04'], kernels: ['5.4.0-177-generic', '5.15.0-105-generic', '5.15.0-112-generic', '6.8.0-31-generic'], weight: 50 },
  { distro: 'Debian', versions: ['11', '12'], kernels: ['5.10.0-28-amd64', '6.1.0-18-amd64', '6.1.0-21-amd64'], weight: 25 },
  { distro: 'RedHatEnterpriseLinux', versions: ['8.9', '9.3', '9.4'], kernels: ['4.18.0-513.24.1.el8_9.x86_64', '5.14.0-362.24.1.el9_3.x86_64', '5.14.0-427.16.1.el9_4.x86_64'], weight: 25 },
] as const;

const DESKTOP_HW: readonly [string, string][] = [
  ['Dell Inc.', 'Latitude 7440'],
  ['Dell Inc.', 'Latitude 5540'],
  ['Dell Inc.', 'OptiPlex 7010'],
  ['HP', 'HP EliteBook 840 G10'],
  ['HP', 'HP ProDesk 400 G9'],
  ['LENOVO', '21HD0041GE'],
  ['Microsoft Corporation', 'Surface Laptop 5'],
];
const SERVER_HW: readonly [string, string][] = [
  ['VMware, Inc.', 'VMware7,1'],
  ['VMware, Inc.', 'VMware Virtual Platform'],
  ['Microsoft Corporation', 'Virtual Machine'],
  ['Dell Inc.', 'PowerEdge R650'],
  ['HPE', 'ProLiant DL380 Gen10'],
  ['Amazon EC2', 'm5.large'],
];
const MAC_HW = ['MacBookPro18,3', 'MacBookPro18,1', 'Mac14,2', 'Mac14,7', 'Mac15,3', 'MacBookPro16,1'];

const MACOS_VERSIONS = ['13.6.6', '14.3.1', '14.4.1', '14.5', '14.6.1'];

/**
 * Makes `n` devices, deterministic for a seed: about 70% Windows (10, 11, Server 2016–2022), 20%
 * Linux (Ubuntu, Debian, RHEL) and 10% macOS, in a shuffled order. Host names, MAC addresses and
 * private IPs are unique within the fleet.
 */
export function makeFleet(n: number, seed: number): SimDevice[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`fleet size must be a non-negative integer, got ${n}`);
  const rng = createRng(seed);
  const nLinux = Math.round(n * 0.2);
  const nMac = Math.round(n * 0.1);
  const families = rng.shuffle<SimOsFamily>([
    ...Array<SimOsFamily>(n - nLinux - nMac).fill('Windows'),
    ...Array<SimOsFamily>(nLinux).fill('Linux'),
    ...Array<SimOsFamily>(nMac).fill('macOS'),
  ]);
  const org = rng.pick(DOMAINS);
  const domainSid = `S-1-5-21-${rng.int(1_000_000_000, 4_000_000_000)}-${rng.int(1_000_000_000, 4_000_000_000)}-${rng.int(100_000_000, 4_000_000_000)}`;
  const sites = makeSites(rng.fork('sites'));
  const used = { names: new Set<string>(), macs: new Set<string>(), ips: new Set<string>(), ids: new Set<string>() };
  const users = makeDirectory(rng.fork('users'), org.netbios, org.dns, domainSid, Math.max(8, Math.ceil(n * 0.8)));
  return families.map((family, index) => makeDevice(rng.fork(index), index, family, { org, sites, used, users }));
}

interface FleetContext {
  org: { netbios: string; dns: string };
  sites: Site[];
  used: { names: Set<string>; macs: Set<string>; ips: Set<string>; ids: Set<string> };
  users: SimUser[];
}

function makeSites(rng: Rng): Site[] {
  const sites: Site[] = [];
  const count = rng.int(2, 4);
  for (let i = 0; i < count; i++) {
    const kind = rng.int(0, 2);
    const lan = kind === 0 ? `10.${rng.int(0, 250)}` : kind === 1 ? `172.${rng.int(16, 31)}` : `192.168`;
    sites.push({ external: publicIp(rng), lan, dns: [] });
  }
  for (const s of sites) s.dns = [`${s.lan}.0.10`, `${s.lan}.0.11`];
  return sites;
}

/** A public unicast IPv4 outside private, loopback, link-local, CGNAT, documentation and multicast ranges. */
export function publicIp(rng: Rng): string {
  for (;;) {
    const a = rng.int(1, 223);
    const b = rng.int(0, 255);
    if (a === 10 || a === 127 || a === 0) continue;
    if (a === 172 && b >= 16 && b <= 31) continue;
    if (a === 192 && (b === 168 || b === 0)) continue;
    if (a === 169 && b === 254) continue;
    if (a === 100 && b >= 64 && b <= 127) continue;
    if ((a === 198 && (b === 18 || b === 19 || b === 51)) || (a === 203 && b === 0)) continue;
    return `${a}.${b}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  }
}

function makeDirectory(rng: Rng, netbios: string, dns: string, domainSid: string, count: number): SimUser[] {
  const out: SimUser[] = [];
  const seen = new Set<string>();
  let rid = 1104;
  while (out.length < count) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    let name = `${first[0]}${last}`;
    if (seen.has(name)) name = `${first}.${last}`;
    if (seen.has(name)) name = `${first}.${last}${rng.int(2, 99)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    rid += rng.int(1, 40);
    out.push({ accountName: name, accountDomain: netbios, accountSid: `${domainSid}-${rid}`, upn: `${name}@${dns}`, isLocalAdmin: rng.chance(0.15) });
  }
  return out;
}

function uniqueName(used: Set<string>, make: () => string): string {
  for (let attempt = 0; attempt < 50; attempt++) {
    const name = make();
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
  const base = make();
  for (let i = 2; ; i++) {
    const name = `${base}-${i}`;
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function makeDevice(rng: Rng, index: number, family: SimOsFamily, ctx: FleetContext): SimDevice {
  const site = rng.pick(ctx.sites);
  let deviceId = rng.hex(40);
  while (ctx.used.ids.has(deviceId)) deviceId = rng.hex(40);
  ctx.used.ids.add(deviceId);
  const common = { index, deviceId, lastExternalIpAddress: site.external };
  const bootTime = new Date(FLEET_REFERENCE_TIME - rng.int(600, 30 * 86400) * 1000).toISOString();
  if (family === 'Windows') {
    const rel = rng.weighted(WINDOWS, WINDOWS.map((w) => w.weight));
    const ubr = rng.pick(rel.ubr);
    const name = uniqueName(ctx.used.names, () =>
      rel.server
        ? `${rng.pick(SERVER_ROLES)}-${rng.pick(ENVS)}-${pad2(rng.int(1, 24))}`
        : rng.weighted(
            [() => `desktop-${rng.chars(7, HOST_ALPHABET)}`, () => `laptop-${rng.chars(7, HOST_ALPHABET)}`, () => `wks-${rng.pick(['fin', 'hr', 'eng', 'ops', 'sales', 'mkt'])}-${String(rng.int(1, 999)).padStart(3, '0')}`],
            [5, 3, 2],
          )(),
    );
    const domainJoined = rel.server || rng.chance(0.75);
    const domain = domainJoined ? ctx.org.netbios : name.toUpperCase().slice(0, 15);
    const arm = !rel.server && rel.platform === 'Windows11' && rng.chance(0.05);
    return {
      ...common,
      computerDnsName: name,
      osFamily: 'Windows',
      osPlatform: rel.platform,
      osDistribution: 'Windows',
      version: rel.release,
      osVersion: `10.0.${rel.build}.${ubr}`,
      osBuild: rel.build,
      osArchitecture: '64-bit',
      osProcessor: arm ? 'ARM64' : 'x64',
      agentVersion: `10.${rng.pick([8672, 8735, 8760, 8790])}.${rel.build}.${ubr}`,
      isServer: rel.server,
      nics: makeNics(rng, site, ctx, rel.server ? rng.int(1, 2) : rng.int(1, 3), 'Windows', rel.server),
      machineTags: makeTags(rng, rel.server),
      loggedOnUsers: pickUsers(rng, ctx.users, rel.server ? rng.int(0, 2) : 1),
      aadDeviceId: !rel.server && rng.chance(0.7) ? rng.guid() : null,
      domain,
      bootTime,
      ...hardware(rng.pick(rel.server ? SERVER_HW : DESKTOP_HW)),
    };
  }
  if (family === 'Linux') {
    const distro = rng.weighted(LINUX, LINUX.map((l) => l.weight));
    const name = uniqueName(ctx.used.names, () => `${rng.pick(LINUX_ROLES)}-${rng.pick(ENVS)}-${pad2(rng.int(1, 30))}`);
    const arm = rng.chance(0.1);
    return {
      ...common,
      computerDnsName: name,
      osFamily: 'Linux',
      osPlatform: 'Linux',
      osDistribution: distro.distro,
      version: rng.pick(distro.versions),
      osVersion: rng.pick(distro.kernels).replace('x86_64', arm ? 'aarch64' : 'x86_64'),
      osBuild: null,
      osArchitecture: '64-bit',
      osProcessor: arm ? 'ARM64' : 'x64',
      agentVersion: `101.${rng.pick([24022, 24032, 24042, 24052])}.${String(rng.int(1, 9)).padStart(4, '0')}`,
      isServer: true,
      nics: makeNics(rng, site, ctx, rng.int(1, 2), 'Linux', true),
      machineTags: makeTags(rng, true),
      loggedOnUsers: rng.chance(0.4) ? [localUser(rng, name, rng.pick(['ubuntu', 'admin', 'deploy', 'ec2-user']), 1000)] : [],
      aadDeviceId: null,
      domain: name,
      bootTime,
      ...hardware(rng.pick(SERVER_HW)),
    };
  }
  const owner = rng.pick(ctx.users);
  const name = uniqueName(ctx.used.names, () => `${rng.pick(['macbook', 'mbp', 'macbook-pro', 'macbook-air'])}-${owner.accountName.replace(/[^a-z0-9]/g, '')}`);
  const appleSilicon = rng.chance(0.8);
  const macVersion = rng.pick(MACOS_VERSIONS);
  return {
    ...common,
    computerDnsName: name,
    osFamily: 'macOS',
    osPlatform: 'macOS',
    osDistribution: 'macOS',
    version: macVersion,
    osVersion: macVersion,
    osBuild: null,
    osArchitecture: '64-bit',
    osProcessor: appleSilicon ? 'ARM64' : 'x64',
    agentVersion: `101.${rng.pick([24022, 24032, 24042, 24052])}.${String(rng.int(1, 9)).padStart(4, '0')}`,
    isServer: false,
    nics: makeNics(rng, site, ctx, rng.int(1, 2), 'macOS', false),
    machineTags: makeTags(rng, false),
    loggedOnUsers: [localUser(rng, name, owner.accountName, 501)],
    aadDeviceId: rng.chance(0.3) ? rng.guid() : null,
    domain: name,
    bootTime,
    vendor: 'Apple Inc.',
    model: rng.pick(MAC_HW),
  };
}

function hardware([vendor, model]: readonly [string, string]): { vendor: string; model: string } {
  return { vendor, model };
}

function localUser(rng: Rng, host: string, account: string, uid: number): SimUser {
  return { accountName: account, accountDomain: host, accountSid: `S-1-5-21-${rng.int(1_000_000_000, 4_000_000_000)}-${uid}`, upn: '', isLocalAdmin: true };
}

function pickUsers(rng: Rng, users: readonly SimUser[], count: number): SimUser[] {
  return rng.shuffle(users).slice(0, count);
}

function makeTags(rng: Rng, server: boolean): string[] {
  if (rng.chance(0.35)) return [];
  const pool = server ? TAGS.filter((t) => !['Kiosk', 'Remote', 'VIP'].includes(t)) : TAGS;
  return rng.shuffle(pool).slice(0, rng.int(1, 3));
}

function makeNics(rng: Rng, site: Site, ctx: FleetContext, count: number, family: SimOsFamily, server: boolean): SimNic[] {
  const nics: SimNic[] = [];
  const vendorPool = family === 'macOS' ? OUIS.filter(([, v]) => v.startsWith('Apple')) : server ? OUIS.filter(([, v]) => /VMware|Microsoft|Dell|Hewlett/.test(v)) : OUIS.filter(([, v]) => !v.startsWith('Apple') && v !== 'Docker');
  for (let i = 0; i < count; i++) {
    const wifi = !server && i === (family === 'macOS' ? 0 : 1);
    const name =
      family === 'Windows' ? (wifi ? 'Wi-Fi' : i === 0 ? 'Ethernet' : `Ethernet ${i + 1}`)
      : family === 'Linux' ? rng.pick(i === 0 ? ['eth0', 'ens160', 'ens192', 'enp0s3'] : ['eth1', 'ens224', 'enp0s8'])
      : `en${i}`;
    const [oui, vendor] = rng.pick(vendorPool);
    let mac = oui + rng.hex(6).toUpperCase();
    while (ctx.used.macs.has(mac)) mac = oui + rng.hex(6).toUpperCase();
    ctx.used.macs.add(mac);
    let subnet = '';
    let ip = '';
    do {
      subnet = `${site.lan}.${i === 0 ? rng.int(1, 120) : rng.int(121, 250)}`;
      ip = `${subnet}.${rng.int(20, 250)}`;
    } while (ctx.used.ips.has(ip));
    ctx.used.ips.add(ip);
    nics.push({
      name,
      macAddress: mac,
      ipAddress: ip,
      subnetPrefix: 24,
      defaultGateway: `${subnet}.1`,
      dnsServers: site.dns,
      type: wifi ? 'Wireless80211' : 'Ethernet',
      operationalStatus: i === 0 || rng.chance(0.7) ? 'Up' : 'Down',
      vendor,
    });
  }
  return nics;
}

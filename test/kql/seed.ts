/**
 * A fixed, seeded event store for KQL golden tests: a few rows in several tables for tenant T1
 * (device groups 1, 2 and 3), rows older than the 30-day look-back, and rows of another tenant —
 * so that every golden result also proves tenant, device-group and look-back scoping.
 */
import type { EventBatch } from '../../src/domain/ports.ts';
import { openDuckDbEventStore, type DuckDbEventStore } from '../../src/store/events/duckdb/event-store.ts';

/** The moment golden queries are compiled at. */
export const NOW = new Date('2024-05-01T12:00:00Z');
/** The tenant golden queries run as, with device groups 1 and 2 in scope. */
export const T1 = '11111111-1111-1111-1111-111111111111';
/** Another tenant whose rows must never show up. */
export const T2 = '22222222-2222-2222-2222-222222222222';
/** Device groups of the caller in golden tests (group 3 exists but is out of scope). */
export const SCOPE = [1, 2] as const;

const D1 = '1'.repeat(40);
const D2 = '2'.repeat(40);
const D3 = '3'.repeat(40);
const D9 = '9'.repeat(40);

type Row = EventBatch['rows'][number];
const r = (table: string, row: Record<string, unknown>): Row => ({ table, row });

const proc = (ts: string, dev: string, name: string, file: string, cmd: string, account: string, pid: number, extra: Record<string, unknown> = {}) =>
  r('DeviceProcessEvents', {
    Timestamp: ts, DeviceId: dev, DeviceName: name, ActionType: 'ProcessCreated', FileName: file,
    FolderPath: `C:\\Windows\\System32\\${file}`, ProcessCommandLine: cmd, AccountName: account, AccountDomain: 'contoso',
    ProcessId: pid, InitiatingProcessFileName: 'explorer.exe', SHA256: `${file.length}`.padStart(64, 'a'), ...extra,
  });

const net = (ts: string, dev: string, name: string, ip: string, port: number, url: string, file: string) =>
  r('DeviceNetworkEvents', {
    Timestamp: ts, DeviceId: dev, DeviceName: name, ActionType: 'ConnectionSuccess', RemoteIP: ip, RemotePort: port,
    RemoteUrl: url, LocalIP: '10.0.0.10', LocalPort: 50000 + port, Protocol: 'Tcp', InitiatingProcessFileName: file,
  });

/** Batches per (tenant, device, group). */
const BATCHES: EventBatch[] = [
  {
    tenantId: T1, deviceId: D1, batchId: 'g-d1', rbacGroupId: 1, rows: [
      proc('2024-04-30T10:00:00Z', D1, 'host-a.contoso.com', 'powershell.exe', 'powershell.exe -enc SQBFAFgA -nop', 'alice', 100,
        { AdditionalFields: '{"Flags":["x","y"],"Level":3}', ProcessCreationTime: '2024-04-30T09:59:58Z' }),
      proc('2024-04-30T11:00:00Z', D1, 'host-a.contoso.com', 'cmd.exe', 'cmd.exe /c whoami', 'alice', 101),
      proc('2024-03-01T10:00:00Z', D1, 'host-a.contoso.com', 'old.exe', 'old.exe', 'alice', 99),
      net('2024-04-30T10:00:05Z', D1, 'host-a.contoso.com', '203.0.113.5', 443, 'evil.example.com', 'powershell.exe'),
      net('2024-04-30T10:05:00Z', D1, 'host-a.contoso.com', '10.0.0.5', 445, 'fileserver.contoso.local', 'svchost.exe'),
      r('DeviceInfo', { Timestamp: '2024-04-29T00:00:00Z', DeviceId: D1, DeviceName: 'host-a.contoso.com', OSPlatform: 'Windows10', OSBuild: 19044, IsAzureADJoined: false, PublicIP: '198.51.100.7' }),
      r('DeviceInfo', { Timestamp: '2024-04-30T00:00:00Z', DeviceId: D1, DeviceName: 'host-a.contoso.com', OSPlatform: 'Windows10', OSBuild: 19045, IsAzureADJoined: true, PublicIP: '198.51.100.7' }),
      r('DeviceLogonEvents', { Timestamp: '2024-04-30T08:00:00Z', DeviceId: D1, DeviceName: 'host-a.contoso.com', ActionType: 'LogonSuccess', LogonType: 'Interactive', AccountName: 'alice', IsLocalAdmin: true, RemoteIP: '' }),
      r('DeviceLogonEvents', { Timestamp: '2024-04-30T08:30:00Z', DeviceId: D1, DeviceName: 'host-a.contoso.com', ActionType: 'LogonFailed', LogonType: 'Network', AccountName: 'bob', IsLocalAdmin: false, RemoteIP: '203.0.113.5', FailureReason: 'WrongPassword' }),
      r('DeviceFileEvents', { Timestamp: '2024-04-30T10:01:00Z', DeviceId: D1, DeviceName: 'host-a.contoso.com', ActionType: 'FileCreated', FileName: 'payload.dll', FolderPath: 'C:\\Users\\alice\\AppData\\Local\\Temp\\payload.dll', SHA256: 'b'.repeat(64), FileSize: 4096, FileOriginUrl: 'http://evil.example.com/p?x=1&y=two', InitiatingProcessFileName: 'powershell.exe' }),
      r('DeviceRegistryEvents', { Timestamp: '2024-04-30T10:02:00Z', DeviceId: D1, DeviceName: 'host-a.contoso.com', ActionType: 'RegistryValueSet', RegistryKey: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run', RegistryValueName: 'Updater', RegistryValueData: 'C:\\Temp\\u.exe' }),
      r('DeviceEvents', { Timestamp: '2024-04-30T10:03:00Z', DeviceId: D1, DeviceName: 'host-a.contoso.com', ActionType: 'PowerShellCommand', AdditionalFields: { Command: 'Invoke-WebRequest' } }),
    ],
  },
  {
    tenantId: T1, deviceId: D2, batchId: 'g-d2', rbacGroupId: 2, rows: [
      proc('2024-04-29T09:30:00Z', D2, 'host-b.contoso.com', 'rundll32.exe', 'rundll32.exe javascript:"\\..\\mshtml,RunHTMLApplication"', 'bob', 200),
      proc('2024-04-28T08:00:00Z', D2, 'host-b.contoso.com', 'notepad.exe', 'notepad.exe C:\\temp\\notes.txt', 'bob', 201),
      proc('2024-04-28T08:05:00Z', D2, 'host-b.contoso.com', 'cmd.exe', 'cmd.exe /c dir', 'bob', 202),
      net('2024-04-29T09:31:00Z', D2, 'host-b.contoso.com', '192.168.1.20', 3389, '', 'mstsc.exe'),
      net('2024-04-29T09:32:00Z', D2, 'host-b.contoso.com', '8.8.8.8', 53, 'dns.google', 'svchost.exe'),
      r('DeviceInfo', { Timestamp: '2024-04-30T00:00:00Z', DeviceId: D2, DeviceName: 'host-b.contoso.com', OSPlatform: 'Windows11', OSBuild: 22631, IsAzureADJoined: false, PublicIP: '198.51.100.8' }),
      r('DeviceLogonEvents', { Timestamp: '2024-04-29T09:00:00Z', DeviceId: D2, DeviceName: 'host-b.contoso.com', ActionType: 'LogonSuccess', LogonType: 'RemoteInteractive', AccountName: 'bob', IsLocalAdmin: false, RemoteIP: '192.168.1.20' }),
      r('DeviceFileEvents', { Timestamp: '2024-04-29T09:40:00Z', DeviceId: D2, DeviceName: 'host-b.contoso.com', ActionType: 'FileCreated', FileName: 'report.docx', FolderPath: 'C:\\Users\\bob\\Documents\\report.docx', SHA256: 'c'.repeat(64), FileSize: 10240, InitiatingProcessFileName: 'winword.exe' }),
      r('DeviceEvents', { Timestamp: '2024-04-29T09:41:00Z', DeviceId: D2, DeviceName: 'host-b.contoso.com', ActionType: 'AntivirusDetection', FileName: 'report.docx', AdditionalFields: { ThreatName: 'Trojan:Win32/Foo', WasRemediated: true } }),
      r('AlertInfo', { Timestamp: '2024-04-30T10:10:00Z', AlertId: 'da1', Title: 'Suspicious PowerShell command line', Category: 'Execution', Severity: 'High', ServiceSource: 'Microsoft Defender for Endpoint', DetectionSource: 'EDR' }),
      r('AlertInfo', { Timestamp: '2024-04-29T09:50:00Z', AlertId: 'da2', Title: 'Malware detected', Category: 'Malware', Severity: 'Medium', ServiceSource: 'Microsoft Defender for Endpoint', DetectionSource: 'Antivirus' }),
      r('AlertEvidence', { Timestamp: '2024-04-30T10:10:00Z', AlertId: 'da1', EntityType: 'Machine', EvidenceRole: 'Impacted', DeviceId: D1, DeviceName: 'host-a.contoso.com' }),
      r('AlertEvidence', { Timestamp: '2024-04-30T10:10:00Z', AlertId: 'da1', EntityType: 'Process', EvidenceRole: 'Related', FileName: 'powershell.exe', ProcessCommandLine: 'powershell.exe -enc SQBFAFgA -nop' }),
      r('AlertEvidence', { Timestamp: '2024-04-29T09:50:00Z', AlertId: 'da2', EntityType: 'File', EvidenceRole: 'Impacted', FileName: 'report.docx', DeviceId: D2, DeviceName: 'host-b.contoso.com' }),
    ],
  },
  {
    tenantId: T1, deviceId: D3, batchId: 'g-d3', rbacGroupId: 3, rows: [
      proc('2024-04-30T10:00:00Z', D3, 'host-c.contoso.com', 'secret.exe', 'secret.exe', 'carol', 300),
      r('DeviceInfo', { Timestamp: '2024-04-30T00:00:00Z', DeviceId: D3, DeviceName: 'host-c.contoso.com', OSPlatform: 'Linux', OSBuild: 6, IsAzureADJoined: false }),
    ],
  },
  {
    tenantId: T2, deviceId: D9, batchId: 'g-d9', rbacGroupId: 1, rows: [
      proc('2024-04-30T10:00:00Z', D9, 'other-tenant.fabrikam.com', 'powershell.exe', 'powershell.exe -enc other', 'mallory', 900),
      r('DeviceInfo', { Timestamp: '2024-04-30T00:00:00Z', DeviceId: D9, DeviceName: 'other-tenant.fabrikam.com', OSPlatform: 'Windows10', OSBuild: 1 }),
    ],
  },
];

/** Opens an in-memory event store holding the seed rows. Close it when done. */
export async function openSeededStore(): Promise<DuckDbEventStore> {
  const store = await openDuckDbEventStore({ path: ':memory:', threads: 1, readConnections: 1, now: () => NOW });
  for (const b of BATCHES) await store.appendBatch(b);
  return store;
}

/**
 * Columns shared by more than one advanced-hunting table, each declared once (name, KQL type,
 * description), and the runs of columns that several tables list in the same order. Table files in
 * ./tables/ compose their column lists from these; a column found in one table only stays inline there.
 */
import type { ColumnDecl } from './types.ts';

/** Indexes column declarations by name; throws at load time if a name is declared twice. */
function defineColumns<const T extends readonly ColumnDecl[]>(columns: T): { readonly [K in T[number]['name']]: ColumnDecl } {
  const byName: Record<string, ColumnDecl> = {};
  for (const c of columns) {
    if (c.name in byName) throw new Error(`column ${c.name} declared twice in src/schema/columns.ts`);
    byName[c.name] = Object.freeze({ ...c });
  }
  return Object.freeze(byName) as { readonly [K in T[number]['name']]: ColumnDecl };
}

/** Every column used by two or more tables, by name. Entries are frozen; tables share them as they are. */
export const COLUMNS = defineColumns([
  // The device header every device table starts with.
  { name: 'Timestamp', type: 'datetime', description: 'When the event was recorded on the device (UTC)' },
  { name: 'DeviceId', type: 'string', description: 'Unique identifier of the device in the service' },
  { name: 'DeviceName', type: 'string', description: 'Fully qualified domain name of the device' },
  { name: 'ActionType', type: 'string', description: 'Kind of activity that produced the event' },
  // The file an action was applied to.
  { name: 'FileName', type: 'string', description: 'Name of the file the action was applied to' },
  { name: 'FolderPath', type: 'string', description: 'Folder holding the file the action was applied to' },
  { name: 'SHA1', type: 'string', description: 'SHA-1 hash of the file the action was applied to' },
  { name: 'SHA256', type: 'string', description: 'SHA-256 hash of the file the action was applied to (often empty; prefer SHA1)' },
  { name: 'MD5', type: 'string', description: 'MD5 hash of the file the action was applied to' },
  { name: 'FileSize', type: 'long', description: 'Size of the file in bytes' },
  { name: 'FileOriginUrl', type: 'string', description: 'URL the file was downloaded from' },
  { name: 'FileOriginIP', type: 'string', description: 'IP address the file was downloaded from' },
  // The process an action created or acted on.
  { name: 'ProcessId', type: 'long', description: 'Process id (PID) of the created process' },
  { name: 'ProcessCommandLine', type: 'string', description: 'Command line that created the process' },
  { name: 'ProcessTokenElevation', type: 'string', description: 'Token elevation of the created process: TokenElevationTypeLimited, TokenElevationTypeDefault or TokenElevationTypeFull' },
  { name: 'ProcessCreationTime', type: 'datetime', description: 'When the created process started' },
  // The account an action was about.
  { name: 'AccountDomain', type: 'string', description: 'Domain of the account' },
  { name: 'AccountName', type: 'string', description: 'User name of the account' },
  { name: 'AccountSid', type: 'string', description: 'Security identifier (SID) of the account' },
  { name: 'AccountUpn', type: 'string', description: 'User principal name (UPN) of the account' },
  { name: 'AccountObjectId', type: 'string', description: 'Directory object id of the account' },
  { name: 'LogonId', type: 'long', description: 'Logon session id; unique on one device between restarts only' },
  // The initiating process: the process that performed the action.
  { name: 'InitiatingProcessAccountDomain', type: 'string', description: 'Domain of the account that ran the initiating process' },
  { name: 'InitiatingProcessAccountName', type: 'string', description: 'User name of the account that ran the initiating process' },
  { name: 'InitiatingProcessAccountSid', type: 'string', description: 'SID of the account that ran the initiating process' },
  { name: 'InitiatingProcessAccountUpn', type: 'string', description: 'UPN of the account that ran the initiating process' },
  { name: 'InitiatingProcessAccountObjectId', type: 'string', description: 'Directory object id of the account that ran the initiating process' },
  { name: 'InitiatingProcessLogonId', type: 'long', description: 'Logon session id of the initiating process; unique on one device between restarts only' },
  { name: 'InitiatingProcessIntegrityLevel', type: 'string', description: 'Integrity level of the initiating process' },
  { name: 'InitiatingProcessTokenElevation', type: 'string', description: 'Token elevation of the initiating process' },
  { name: 'InitiatingProcessSHA1', type: 'string', description: 'SHA-1 hash of the initiating process image' },
  { name: 'InitiatingProcessSHA256', type: 'string', description: 'SHA-256 hash of the initiating process image (often empty; prefer SHA1)' },
  { name: 'InitiatingProcessMD5', type: 'string', description: 'MD5 hash of the initiating process image' },
  { name: 'InitiatingProcessFileName', type: 'string', description: 'File name of the initiating process image' },
  { name: 'InitiatingProcessFileSize', type: 'long', description: 'Size in bytes of the initiating process image' },
  { name: 'InitiatingProcessVersionInfoCompanyName', type: 'string', description: 'Company name from the version resource of the initiating process image' },
  { name: 'InitiatingProcessVersionInfoProductName', type: 'string', description: 'Product name from the version resource of the initiating process image' },
  { name: 'InitiatingProcessVersionInfoProductVersion', type: 'string', description: 'Product version from the version resource of the initiating process image' },
  { name: 'InitiatingProcessVersionInfoInternalFileName', type: 'string', description: 'Internal file name from the version resource of the initiating process image' },
  { name: 'InitiatingProcessVersionInfoOriginalFileName', type: 'string', description: 'Original file name from the version resource of the initiating process image' },
  { name: 'InitiatingProcessVersionInfoFileDescription', type: 'string', description: 'File description from the version resource of the initiating process image' },
  { name: 'InitiatingProcessId', type: 'long', description: 'Process id (PID) of the initiating process' },
  { name: 'InitiatingProcessCommandLine', type: 'string', description: 'Command line of the initiating process' },
  { name: 'InitiatingProcessCreationTime', type: 'datetime', description: 'When the initiating process started' },
  { name: 'InitiatingProcessFolderPath', type: 'string', description: 'Folder holding the initiating process image' },
  { name: 'InitiatingProcessParentId', type: 'long', description: 'Process id (PID) of the parent of the initiating process' },
  { name: 'InitiatingProcessParentFileName', type: 'string', description: 'File name (or path) of the parent of the initiating process' },
  { name: 'InitiatingProcessParentCreationTime', type: 'datetime', description: 'When the parent of the initiating process started' },
  // Remote desktop (RDP) sessions of the initiating and the created process.
  { name: 'InitiatingProcessSessionId', type: 'long', description: 'Windows session id of the initiating process' },
  { name: 'IsInitiatingProcessRemoteSession', type: 'bool', description: 'Whether the initiating process ran in a remote desktop (RDP) session' },
  { name: 'InitiatingProcessRemoteSessionDeviceName', type: 'string', description: "Name of the remote device the initiating process's RDP session came from" },
  { name: 'InitiatingProcessRemoteSessionIP', type: 'string', description: "IP address of the remote device the initiating process's RDP session came from" },
  { name: 'CreatedProcessSessionId', type: 'long', description: 'Windows session id of the created process' },
  { name: 'IsProcessRemoteSession', type: 'bool', description: 'Whether the created process ran in a remote desktop (RDP) session' },
  { name: 'ProcessRemoteSessionDeviceName', type: 'string', description: "Name of the remote device the created process's RDP session came from" },
  { name: 'ProcessRemoteSessionIP', type: 'string', description: "IP address of the remote device the created process's RDP session came from" },
  // Network endpoints.
  { name: 'RemoteIP', type: 'string', description: 'IP address of the remote end' },
  { name: 'RemotePort', type: 'int', description: 'Port on the remote end' },
  { name: 'RemoteUrl', type: 'string', description: 'URL or host name of the remote end' },
  { name: 'RemoteIPType', type: 'string', description: 'Class of the remote IP: Public, Private, Reserved, Loopback, Teredo, FourToSixMapping or Broadcast' },
  { name: 'RemoteDeviceName', type: 'string', description: 'Name of the remote device involved in the action' },
  { name: 'LocalIP', type: 'string', description: 'IP address of the local end' },
  { name: 'LocalPort', type: 'int', description: 'Port on the local end' },
  { name: 'Protocol', type: 'string', description: 'Network or authentication protocol used' },
  // Registry.
  { name: 'RegistryKey', type: 'string', description: 'Registry key the action was applied to' },
  { name: 'RegistryValueName', type: 'string', description: 'Name of the registry value the action was applied to' },
  { name: 'RegistryValueData', type: 'string', description: 'Data of the registry value the action was applied to' },
  // Event bookkeeping.
  { name: 'ReportId', type: 'long', description: 'Per-device event counter; unique only together with DeviceName and Timestamp' },
  { name: 'AppGuardContainerId', type: 'string', description: 'Id of the Application Guard container that isolated the activity, if any' },
  { name: 'AdditionalFields', type: 'string', description: 'Extra event properties as JSON text' },
  // Alerts.
  { name: 'AlertId', type: 'string', description: 'Unique identifier of the alert' },
  { name: 'Title', type: 'string', description: 'Title of the alert' },
  { name: 'Severity', type: 'string', description: 'Severity of the alert: Informational, Low, Medium or High' },
  { name: 'ServiceSource', type: 'string', description: 'Product that raised the alert' },
  { name: 'DetectionSource', type: 'string', description: 'Detection technology that found the threat' },
  { name: 'AttackTechniques', type: 'string', description: 'MITRE ATT&CK techniques tied to the alert, as JSON array text' },
]);

const C = COLUMNS;

/** A frozen run of columns, in the order given. */
function run(...columns: ColumnDecl[]): readonly ColumnDecl[] {
  return Object.freeze(columns);
}

/**
 * A copy of a shared column with a table-specific type and/or description; the name never changes.
 * Use it where one table documents a shared column differently from the others.
 */
export function override(column: ColumnDecl, changes: Partial<Omit<ColumnDecl, 'name'>>): ColumnDecl {
  return { name: column.name, type: changes.type ?? column.type, description: changes.description ?? column.description };
}

/** Timestamp, DeviceId, DeviceName: how every device table starts. */
export const DEVICE_KEY = run(C.Timestamp, C.DeviceId, C.DeviceName);

/** DEVICE_KEY then ActionType: how every Device*Events table starts. */
export const EVENT_KEY = run(...DEVICE_KEY, C.ActionType);

/** FileName, FolderPath, SHA1, SHA256, MD5: the file an action was applied to. */
export const FILE = run(C.FileName, C.FolderPath, C.SHA1, C.SHA256, C.MD5);

/** AccountDomain, AccountName, AccountSid: the account an action was about. */
export const ACCOUNT = run(C.AccountDomain, C.AccountName, C.AccountSid);

/** MDE's IPACCT: the account that ran the initiating process (domain, name, SID, UPN, object id). */
export const IPACCT = run(
  C.InitiatingProcessAccountDomain,
  C.InitiatingProcessAccountName,
  C.InitiatingProcessAccountSid,
  C.InitiatingProcessAccountUpn,
  C.InitiatingProcessAccountObjectId,
);

/** InitiatingProcessIntegrityLevel, InitiatingProcessTokenElevation: the initiating process token. */
export const IPTOKEN = run(C.InitiatingProcessIntegrityLevel, C.InitiatingProcessTokenElevation);

/** InitiatingProcessSHA1, …SHA256, …MD5, …FileName, …FileSize: the initiating process image. */
export const IPIMAGE = run(
  C.InitiatingProcessSHA1,
  C.InitiatingProcessSHA256,
  C.InitiatingProcessMD5,
  C.InitiatingProcessFileName,
  C.InitiatingProcessFileSize,
);

/** MDE's IPVER: the six InitiatingProcessVersionInfo* columns from the initiating image's version resource. */
export const IPVER = run(
  C.InitiatingProcessVersionInfoCompanyName,
  C.InitiatingProcessVersionInfoProductName,
  C.InitiatingProcessVersionInfoProductVersion,
  C.InitiatingProcessVersionInfoInternalFileName,
  C.InitiatingProcessVersionInfoOriginalFileName,
  C.InitiatingProcessVersionInfoFileDescription,
);

/** InitiatingProcessId, …CommandLine, …CreationTime: the initiating process itself. */
export const IPPROC = run(C.InitiatingProcessId, C.InitiatingProcessCommandLine, C.InitiatingProcessCreationTime);

/** InitiatingProcessParentId, …ParentFileName, …ParentCreationTime: the parent of the initiating process. */
export const IPPARENT = run(C.InitiatingProcessParentId, C.InitiatingProcessParentFileName, C.InitiatingProcessParentCreationTime);

/**
 * IPIMAGE, IPVER, IPPROC, InitiatingProcessFolderPath, IPPARENT: the initiating-process block in the
 * order most Device*Events tables list it.
 */
export const INITIATING_PROCESS = run(...IPIMAGE, ...IPVER, ...IPPROC, C.InitiatingProcessFolderPath, ...IPPARENT);

/** MDE's IPRDP: the Windows session of the initiating process and the RDP session it came from, if any. */
export const IPRDP = run(
  C.InitiatingProcessSessionId,
  C.IsInitiatingProcessRemoteSession,
  C.InitiatingProcessRemoteSessionDeviceName,
  C.InitiatingProcessRemoteSessionIP,
);

/** MDE's PRDP: the Windows session of the created process and the RDP session it came from, if any. */
export const PRDP = run(C.CreatedProcessSessionId, C.IsProcessRemoteSession, C.ProcessRemoteSessionDeviceName, C.ProcessRemoteSessionIP);

/** RegistryKey, RegistryValueName, RegistryValueData: the registry value an action was applied to. */
export const REGVALUE = run(C.RegistryKey, C.RegistryValueName, C.RegistryValueData);

/** Timestamp, AlertId, Title: how both alert tables start. */
export const ALERT_KEY = run(C.Timestamp, C.AlertId, C.Title);

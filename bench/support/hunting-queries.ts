/**
 * The hunting benchmark's fixed query set: typical advanced-hunting queries (process, network, file,
 * logon and registry hunts) as KQL for the API, each with the same question hand-written as DuckDB SQL
 * over the stored tables. Both must return the same number of rows. Every SQL query takes the tenant
 * as $1 and the 30-day look-back cutoff as $2, the predicates the KQL compiler adds to every scan.
 */

/** One benchmark query. */
export interface HuntingQuery {
  name: string;
  /** What it exercises. */
  about: string;
  kql: string;
  sql: string;
}

const BAD_HOSTS = ['cdn-update-check.net', 'files-share.top', 'office365-login.cc', 'paste.bin-store.xyz', 'static-img-cdn.ru'];

/** Tenant and look-back predicates of table alias `a` (or the bare table). */
function scope(a = ''): string {
  const p = a ? `${a}.` : '';
  return `${p}"__TenantId" = $1 AND ${p}"Timestamp" >= $2::TIMESTAMP`;
}

/** The query set, in the order it is run and printed. */
export const HUNTING_QUERIES: readonly HuntingQuery[] = [
  {
    name: 'process-lolbin-has',
    about: 'where + in~ + has, project, order by, take',
    kql: `DeviceProcessEvents
| where FileName in~ ("powershell.exe", "pwsh.exe", "cmd.exe") and ProcessCommandLine has "Bypass"
| project Timestamp, DeviceName, AccountName, FileName, ProcessCommandLine
| order by Timestamp desc
| take 1000`,
    sql: `SELECT "Timestamp", "DeviceName", "AccountName", "FileName", "ProcessCommandLine" FROM "DeviceProcessEvents"
WHERE ${scope()} AND lower("FileName") IN ('powershell.exe', 'pwsh.exe', 'cmd.exe')
  AND regexp_matches("ProcessCommandLine", '(^|[^0-9A-Za-z])bypass([^0-9A-Za-z]|$)', 'i')
ORDER BY "Timestamp" DESC LIMIT 1000`,
  },
  {
    name: 'network-admin-ports',
    about: 'where in (...) and ==, summarize count() + dcount by two keys',
    kql: `DeviceNetworkEvents
| where RemotePort in (22, 3389, 445, 5985) and ActionType == "ConnectionSuccess"
| summarize Connections = count(), Targets = dcount(RemoteIP) by DeviceName, RemotePort`,
    sql: `SELECT "DeviceName", "RemotePort", count(*) AS "Connections", count(DISTINCT "RemoteIP") AS "Targets" FROM "DeviceNetworkEvents"
WHERE ${scope()} AND "RemotePort" IN (22, 3389, 445, 5985) AND "ActionType" = 'ConnectionSuccess'
GROUP BY 1, 2`,
  },
  {
    name: 'process-hourly',
    about: 'summarize count() by bin(Timestamp, 1h)',
    kql: `DeviceProcessEvents | summarize count() by bin(Timestamp, 1h)`,
    sql: `SELECT time_bucket(INTERVAL 1 HOUR, "Timestamp") AS "Timestamp", count(*) AS "count_" FROM "DeviceProcessEvents"
WHERE ${scope()} GROUP BY 1`,
  },
  {
    name: 'network-public-dcount',
    about: 'dcount by device',
    kql: `DeviceNetworkEvents | where RemoteIPType == "Public" | summarize Destinations = dcount(RemoteIP) by DeviceName`,
    sql: `SELECT "DeviceName", count(DISTINCT "RemoteIP") AS "Destinations" FROM "DeviceNetworkEvents"
WHERE ${scope()} AND "RemoteIPType" = 'Public' GROUP BY 1`,
  },
  {
    name: 'device-latest-argmax',
    about: 'arg_max(Timestamp, ...) by DeviceId',
    kql: `DeviceInfo | summarize arg_max(Timestamp, OSPlatform, OSVersion, PublicIP) by DeviceId`,
    sql: `SELECT "DeviceId", max("Timestamp") AS "Timestamp", arg_max("OSPlatform", "Timestamp") AS "OSPlatform",
  arg_max("OSVersion", "Timestamp") AS "OSVersion", arg_max("PublicIP", "Timestamp") AS "PublicIP" FROM "DeviceInfo"
WHERE ${scope()} GROUP BY 1`,
  },
  {
    name: 'process-top-binaries',
    about: 'summarize by two string keys, top 20',
    kql: `DeviceProcessEvents | summarize Executions = count() by FileName, FolderPath | top 20 by Executions`,
    sql: `SELECT "FileName", "FolderPath", count(*) AS "Executions" FROM "DeviceProcessEvents"
WHERE ${scope()} GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 20`,
  },
  {
    name: 'process-network-join',
    about: 'join DeviceProcessEvents × DeviceNetworkEvents on DeviceId and process id, summarize',
    kql: `DeviceProcessEvents
| where FileName in~ ("powershell.exe", "cmd.exe", "python3.10", "curl")
| project DeviceId, ProcessId, FileName
| join kind=inner (DeviceNetworkEvents | where RemotePort in (443, 80) | project DeviceId, InitiatingProcessId, RemoteUrl)
    on DeviceId, $left.ProcessId == $right.InitiatingProcessId
| summarize Connections = count(), Urls = dcount(RemoteUrl) by FileName`,
    sql: `SELECT p."FileName", count(*) AS "Connections", count(DISTINCT n."RemoteUrl") AS "Urls"
FROM "DeviceProcessEvents" p JOIN "DeviceNetworkEvents" n ON p."DeviceId" = n."DeviceId" AND p."ProcessId" = n."InitiatingProcessId"
WHERE ${scope('p')} AND ${scope('n')} AND lower(p."FileName") IN ('powershell.exe', 'cmd.exe', 'python3.10', 'curl')
  AND n."RemotePort" IN (443, 80)
GROUP BY 1`,
  },
  {
    name: 'deletions-union',
    about: 'union of two tables, endswith, summarize by bin(Timestamp, 1d)',
    kql: `union DeviceFileEvents, DeviceRegistryEvents
| where ActionType endswith "Deleted"
| summarize count() by ActionType, bin(Timestamp, 1d)`,
    sql: `SELECT "ActionType", time_bucket(INTERVAL 1 DAY, "Timestamp") AS "Timestamp", count(*) AS "count_" FROM (
  SELECT "ActionType", "Timestamp" FROM "DeviceFileEvents" WHERE ${scope()}
  UNION ALL
  SELECT "ActionType", "Timestamp" FROM "DeviceRegistryEvents" WHERE ${scope()}
) WHERE ends_with(lower("ActionType"), 'deleted') GROUP BY 1, 2`,
  },
  {
    name: 'powershell-commands-json',
    about: 'parse_json(AdditionalFields).Command, summarize',
    kql: `DeviceEvents
| where ActionType == "PowerShellCommand"
| extend Command = tostring(parse_json(AdditionalFields).Command)
| summarize count() by Command`,
    sql: `SELECT json_extract_string("AdditionalFields", '$.Command') AS "Command", count(*) AS "count_" FROM "DeviceEvents"
WHERE ${scope()} AND "ActionType" = 'PowerShellCommand' GROUP BY 1`,
  },
  {
    name: 'logged-on-users-mv-expand',
    about: 'parse_json + mv-expand of a JSON array, dcount by a field of its elements',
    kql: `DeviceInfo
| extend U = parse_json(LoggedOnUsers)
| mv-expand U
| summarize Devices = dcount(DeviceId) by UserName = tostring(U.UserName)`,
    sql: `SELECT json_extract_string(u, '$.UserName') AS "UserName", count(DISTINCT "DeviceId") AS "Devices" FROM (
  SELECT "DeviceId", unnest(CAST("LoggedOnUsers" AS JSON[])) AS u FROM "DeviceInfo" WHERE ${scope()}
) GROUP BY 1`,
  },
  {
    name: 'bad-hosts-let-list',
    about: 'let with a scalar list, in~, up to 10,000 rows back',
    kql: `let suspicious = dynamic(${JSON.stringify(BAD_HOSTS)});
DeviceNetworkEvents
| where RemoteUrl in~ (suspicious)
| project Timestamp, DeviceName, RemoteUrl, RemoteIP, InitiatingProcessFileName
| take 10000`,
    sql: `SELECT "Timestamp", "DeviceName", "RemoteUrl", "RemoteIP", "InitiatingProcessFileName" FROM "DeviceNetworkEvents"
WHERE ${scope()} AND lower("RemoteUrl") IN (${BAD_HOSTS.map((h) => `'${h}'`).join(', ')})
LIMIT 10000`,
  },
  {
    name: 'logon-failures-hourly',
    about: 'summarize count() + dcount by device and bin(1h), filter on the aggregate',
    kql: `DeviceLogonEvents
| where ActionType == "LogonFailed"
| summarize Failures = count(), Accounts = dcount(AccountName) by DeviceName, bin(Timestamp, 1h)
| where Failures >= 3`,
    sql: `SELECT "DeviceName", time_bucket(INTERVAL 1 HOUR, "Timestamp") AS "Timestamp", count(*) AS "Failures", count(DISTINCT "AccountName") AS "Accounts"
FROM "DeviceLogonEvents" WHERE ${scope()} AND "ActionType" = 'LogonFailed'
GROUP BY 1, 2 HAVING count(*) >= 3`,
  },
  {
    name: 'registry-run-keys',
    about: 'endswith on a registry path, dcount, top 25',
    kql: `DeviceRegistryEvents
| where ActionType == "RegistryValueSet" and RegistryKey endswith @"\\CurrentVersion\\Run"
| summarize Devices = dcount(DeviceId) by RegistryValueName, RegistryValueData
| top 25 by Devices`,
    sql: `SELECT "RegistryValueName", "RegistryValueData", count(DISTINCT "DeviceId") AS "Devices" FROM "DeviceRegistryEvents"
WHERE ${scope()} AND "ActionType" = 'RegistryValueSet' AND ends_with(lower("RegistryKey"), '\\currentversion\\run')
GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 25`,
  },
  {
    name: 'temp-folder-files',
    about: 'contains (case-insensitive) or contains, summarize',
    kql: `DeviceFileEvents
| where FolderPath contains @"\\Temp\\" or FolderPath contains "/tmp/"
| summarize Files = count() by InitiatingProcessFileName`,
    sql: `SELECT "InitiatingProcessFileName", count(*) AS "Files" FROM "DeviceFileEvents"
WHERE ${scope()} AND (contains(lower("FolderPath"), '\\temp\\') OR contains(lower("FolderPath"), '/tmp/'))
GROUP BY 1`,
  },
];

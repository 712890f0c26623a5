import type { TableDecl } from '../types.ts';
import { COLUMNS as C, ACCOUNT, EVENT_KEY, INITIATING_PROCESS, IPACCT, IPRDP, IPTOKEN, override } from '../columns.ts';

/** The DeviceLogonEvents advanced-hunting table: columns, KQL types and order exactly as MDE publishes them. */
export const deviceLogonEvents: TableDecl = {
  name: 'DeviceLogonEvents',
  description: 'User logons and other authentication events on devices',
  columns: [
    ...EVENT_KEY,
    { name: 'LogonType', type: 'string', description: 'Kind of logon session: Interactive, RemoteInteractive, Network, Batch, Service, ...' },
    ...ACCOUNT,
    C.Protocol,
    { name: 'FailureReason', type: 'string', description: 'Why the recorded action failed, when it did' },
    { name: 'IsLocalAdmin', type: 'bool', description: 'Whether the account is a local administrator on the device' },
    C.LogonId,
    C.RemoteDeviceName,
    C.RemoteIP,
    C.RemoteIPType,
    C.RemotePort,
    ...IPACCT,
    ...IPTOKEN,
    ...INITIATING_PROCESS,
    C.ReportId,
    C.AppGuardContainerId,
    override(C.AdditionalFields, { type: 'dynamic', description: 'Extra event properties as a JSON object' }),
    ...IPRDP,
  ],
};

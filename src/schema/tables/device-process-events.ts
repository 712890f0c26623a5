import type { TableDecl } from '../types.ts';
import { COLUMNS as C, ACCOUNT, EVENT_KEY, FILE, INITIATING_PROCESS, IPACCT, IPRDP, IPTOKEN, PRDP } from '../columns.ts';

/** The DeviceProcessEvents advanced-hunting table: columns, KQL types and order exactly as MDE publishes them. */
export const deviceProcessEvents: TableDecl = {
  name: 'DeviceProcessEvents',
  description: 'Process creation and related events on devices',
  columns: [
    ...EVENT_KEY,
    ...FILE,
    C.FileSize,
    { name: 'ProcessVersionInfoCompanyName', type: 'string', description: 'Company name from the version resource of the new process image' },
    { name: 'ProcessVersionInfoProductName', type: 'string', description: 'Product name from the version resource of the new process image' },
    { name: 'ProcessVersionInfoProductVersion', type: 'string', description: 'Product version from the version resource of the new process image' },
    { name: 'ProcessVersionInfoInternalFileName', type: 'string', description: 'Internal file name from the version resource of the new process image' },
    { name: 'ProcessVersionInfoOriginalFileName', type: 'string', description: 'Original file name from the version resource of the new process image' },
    { name: 'ProcessVersionInfoFileDescription', type: 'string', description: 'File description from the version resource of the new process image' },
    C.ProcessId,
    C.ProcessCommandLine,
    { name: 'ProcessIntegrityLevel', type: 'string', description: 'Integrity level of the created process (Low, Medium, High, System)' },
    C.ProcessTokenElevation,
    C.ProcessCreationTime,
    ...ACCOUNT,
    C.AccountUpn,
    C.AccountObjectId,
    C.LogonId,
    ...IPACCT,
    C.InitiatingProcessLogonId,
    ...IPTOKEN,
    ...INITIATING_PROCESS,
    { name: 'InitiatingProcessSignerType', type: 'string', description: 'Kind of signer of the initiating process image' },
    { name: 'InitiatingProcessSignatureStatus', type: 'string', description: 'Signature verification status of the initiating process image' },
    C.ReportId,
    C.AppGuardContainerId,
    C.AdditionalFields,
    ...IPRDP,
    ...PRDP,
  ],
};

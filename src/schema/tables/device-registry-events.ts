import type { TableDecl } from '../types.ts';
import { COLUMNS as C, EVENT_KEY, INITIATING_PROCESS, IPACCT, IPRDP, IPTOKEN } from '../columns.ts';

/** The DeviceRegistryEvents advanced-hunting table: columns, KQL types and order exactly as MDE publishes them. */
export const deviceRegistryEvents: TableDecl = {
  name: 'DeviceRegistryEvents',
  description: 'Creation and modification of registry entries',
  columns: [
    ...EVENT_KEY,
    C.RegistryKey,
    { name: 'RegistryValueType', type: 'string', description: 'Data type of the registry value (e.g. REG_SZ, REG_DWORD)' },
    C.RegistryValueName,
    C.RegistryValueData,
    { name: 'PreviousRegistryKey', type: 'string', description: 'Registry key before the change' },
    { name: 'PreviousRegistryValueName', type: 'string', description: 'Registry value name before the change' },
    { name: 'PreviousRegistryValueData', type: 'string', description: 'Registry value data before the change' },
    ...IPACCT,
    ...INITIATING_PROCESS,
    ...IPTOKEN,
    C.ReportId,
    C.AppGuardContainerId,
    ...IPRDP,
  ],
};

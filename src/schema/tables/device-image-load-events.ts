import type { TableDecl } from '../types.ts';
import { COLUMNS as C, EVENT_KEY, FILE, INITIATING_PROCESS, IPACCT, IPRDP, IPTOKEN } from '../columns.ts';

/** The DeviceImageLoadEvents advanced-hunting table: columns, KQL types and order exactly as MDE publishes them. */
export const deviceImageLoadEvents: TableDecl = {
  name: 'DeviceImageLoadEvents',
  description: 'DLL and other image load events',
  columns: [
    ...EVENT_KEY,
    ...FILE,
    C.FileSize,
    ...IPACCT,
    ...IPTOKEN,
    ...INITIATING_PROCESS,
    C.ReportId,
    C.AppGuardContainerId,
    ...IPRDP,
  ],
};

import type { TableDecl } from '../types.ts';
import { COLUMNS as C, EVENT_KEY, IPACCT, IPIMAGE, IPPROC, IPRDP, IPTOKEN, IPVER, override } from '../columns.ts';

/** The DeviceNetworkEvents advanced-hunting table: columns, KQL types and order exactly as MDE publishes them. */
export const deviceNetworkEvents: TableDecl = {
  name: 'DeviceNetworkEvents',
  description: 'Network connections and related events on devices',
  columns: [
    ...EVENT_KEY,
    C.RemoteIP,
    C.RemotePort,
    C.RemoteUrl,
    C.LocalIP,
    C.LocalPort,
    C.Protocol,
    { name: 'LocalIPType', type: 'string', description: 'Class of the local IP: Public, Private, Reserved, Loopback, Teredo, FourToSixMapping or Broadcast' },
    C.RemoteIPType,
    ...IPIMAGE,
    ...IPVER,
    ...IPPROC,
    C.InitiatingProcessFolderPath,
    C.InitiatingProcessParentFileName,
    C.InitiatingProcessParentId,
    C.InitiatingProcessParentCreationTime,
    ...IPACCT,
    ...IPTOKEN,
    C.ReportId,
    C.AppGuardContainerId,
    override(C.AdditionalFields, { type: 'dynamic', description: 'Extra event properties as a JSON object' }),
    ...IPRDP,
  ],
};

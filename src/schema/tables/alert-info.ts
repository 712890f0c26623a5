import type { TableDecl } from '../types.ts';
import { COLUMNS as C, ALERT_KEY } from '../columns.ts';

/** The AlertInfo advanced-hunting table: columns, KQL types and order exactly as MDE publishes them. */
export const alertInfo: TableDecl = {
  name: 'AlertInfo',
  description: 'Alerts raised by detections',
  writtenBy: 'service',
  columns: [
    ...ALERT_KEY,
    { name: 'Category', type: 'string', description: 'Category of the alert (e.g. Malware, CredentialAccess)' },
    C.Severity,
    C.ServiceSource,
    C.DetectionSource,
    C.AttackTechniques,
  ],
};

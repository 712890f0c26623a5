import type { TableDecl } from '../types.ts';

/** The AlertInfo advanced-hunting table: columns, KQL types and order exactly as MDE publishes them. */
export const alertInfo: TableDecl = {
  name: 'AlertInfo',
  description: 'Alerts raised by detections',
  writtenBy: 'service',
  columns: [
    { name: 'Timestamp', type: 'datetime', description: 'When the event was recorded on the device (UTC)' },
    { name: 'AlertId', type: 'string', description: 'Unique identifier of the alert' },
    { name: 'Title', type: 'string', description: 'Title of the alert' },
    { name: 'Category', type: 'string', description: 'Category of the alert (e.g. Malware, CredentialAccess)' },
    { name: 'Severity', type: 'string', description: 'Severity of the alert: Informational, Low, Medium or High' },
    { name: 'ServiceSource', type: 'string', description: 'Product that raised the alert' },
    { name: 'DetectionSource', type: 'string', description: 'Detection technology that found the threat' },
    { name: 'AttackTechniques', type: 'string', description: 'MITRE ATT&CK techniques tied to the alert, as JSON array text' },
  ],
};

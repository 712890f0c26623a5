/**
 * An alert as one CEF line (ArcSight Common Event Format, version 0), with the field mapping MDE's
 * SIEM connector documents (reference §8): AlertTitle → name, Severity → the header severity,
 * Category → cat, MachineName → shost, Sha1 → fileHash, AlertId → externalId, AlertTime → rt,
 * ThreatName → cs1, Sha256 → cs6 (Md5 → cs5 when evidence has one: Palisade's has none); device product "Microsoft Defender ATP", version
 * "2.0", so SIEM content written for MDE's connector reads it unchanged. Palisade adds the alert's
 * status (cs2), its machine (deviceExternalId),  its user (suser, sntdom), the file's name (fname), its description (msg) and
 * the time of the change (end). Empty values are left out.
 */
import type { Alert, AlertSeverity } from '../../domain/alert.ts';

/** The CEF header's device vendor, product and version. */
export const CEF_DEVICE = { vendor: 'Microsoft', product: 'Microsoft Defender ATP', version: '2.0' } as const;

/** CEF header severity (0–10) of each MDE severity. */
const CEF_SEVERITY: Record<AlertSeverity, number> = { UnSpecified: 0, Informational: 3, Low: 4, Medium: 6, High: 8 };

/** Longest description carried in `msg`. */
const MAX_MSG = 2000;

/** A header field: backslash and pipe escaped, line breaks as spaces. */
export function cefHeaderValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** An extension value: backslash and equals escaped, line breaks as \n and \r. */
export function cefExtensionValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

const millis = (iso: string | null) => (iso ? String(new Date(iso).getTime()) : null);

/** The CEF line of an alert (its current state: new or updated). */
export function alertToCef(a: Alert): string {
  const file = a.evidence.find((e) => e.sha1 || e.sha256);
  const ext: [string, string | null | undefined][] = [
    ['externalId', a.id],
    ['rt', millis(a.alertCreationTime)],
    ['end', millis(a.lastUpdateTime)],
    ['cat', a.category],
    ['shost', a.computerDnsName],
    ['deviceExternalId', a.machineId],
    ['suser', a.relatedUser?.userName],
    ['sntdom', a.relatedUser?.domainName],
    ['fileHash', file?.sha1],
    ['cs1Label', a.threatName ? 'ThreatName' : null], ['cs1', a.threatName],
    ['cs2Label', 'Status'], ['cs2', a.status],
    ['fname', file?.fileName],
    ['cs6Label', file?.sha256 ? 'Sha256' : null], ['cs6', file?.sha256],
    ['msg', a.description ? a.description.slice(0, MAX_MSG) : null],
  ];
  const header = [
    'CEF:0', CEF_DEVICE.vendor, CEF_DEVICE.product, CEF_DEVICE.version,
    a.detectorId ?? a.detectionSource, a.title, String(CEF_SEVERITY[a.severity] ?? 0),
  ].map((v, i) => (i === 0 ? v : cefHeaderValue(v)));
  const extension = ext.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => `${k}=${cefExtensionValue(v as string)}`);
  return `${header.join('|')}|${extension.join(' ')}`;
}

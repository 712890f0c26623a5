/**
 * A detection of MDE's legacy SIEM API (`GET /api/siem/alerts`, reference §8): one flat object per
 * alert, every field present, `""` where there is no value (booleans and numbers null), in the order
 * the reference lists them. Links point into this server's API (Palisade has no portal).
 */
import type { Detection } from '../domain/siem.ts';

/** The flat detection of an alert and its machine. */
export function detectionJson({ alert: a, device }: Detection, baseUrl: string): Record<string, unknown> {
  const e = (pred: (x: (typeof a.evidence)[number]) => unknown) => a.evidence.find(pred);
  const file = e((x) => x.sha1 || x.sha256);
  const proc = e((x) => x.entityType === 'Process');
  const ip = e((x) => x.ipAddress);
  const url = e((x) => x.url);
  const user = a.relatedUser;
  const s = (v: string | null | undefined) => v ?? '';
  const ips = device?.ipAddresses.map((i) => i.ipAddress) ?? [];
  const alertLink = `${baseUrl}/api/alerts/${a.id}`;
  const incidentLink = a.incidentId === null ? '' : `${baseUrl}/api/incidents/${a.incidentId}`;
  const iocUniqueId = `${a.id}-0`;
  return {
    AlertTime: a.alertCreationTime,
    ComputerDnsName: s(a.computerDnsName),
    AlertTitle: a.title,
    Category: a.category,
    Severity: a.severity,
    AlertId: a.id,
    Actor: '',
    LinkToWDATP: alertLink,
    IocName: '',
    IocValue: '',
    CreatorIocName: '',
    CreatorIocValue: s(a.indicatorId),
    Sha1: s(file?.sha1),
    FileName: s(file?.fileName),
    FilePath: s(file?.filePath),
    IpAddress: s(ip?.ipAddress),
    Url: s(url?.url),
    IoaDefinitionId: s(a.detectorId),
    UserName: s(user?.userName),
    AlertPart: 0,
    FullId: `${a.id}:${iocUniqueId}`,
    LastProcessedTimeUtc: a.lastUpdateTime,
    ThreatCategory: '',
    ThreatFamily: s(a.threatFamilyName),
    ThreatName: s(a.threatName),
    RemediationAction: '',
    RemediationIsSuccess: null,
    Source: a.detectionSource,
    Md5: '',
    Sha256: s(file?.sha256),
    WasExecutingWhileDetected: null,
    UserDomain: s(user?.domainName),
    LogOnUsers: a.loggedOnUsers.map((u) => (u.domainName ? `${u.domainName}\\${u.accountName}` : u.accountName)).join('; '),
    MachineDomain: '',
    MachineName: s(a.computerDnsName),
    InternalIPv4List: ips.filter((i) => !i.includes(':')).join(','),
    InternalIPv6List: ips.filter((i) => i.includes(':')).join(','),
    FileHash: s(file?.sha1 ?? file?.sha256),
    DeviceID: s(a.machineId),
    MachineGroup: s(a.rbacGroupName),
    Description: a.description,
    DeviceCreatedMachineTags: '',
    CloudCreatedMachineTags: (device?.machineTags ?? []).join(', '),
    CommandLine: s(proc?.processCommandLine),
    IncidentLinkToWDATP: incidentLink,
    ReportID: null,
    LinkToMTP: alertLink,
    IncidentLinkToMTP: incidentLink,
    ExternalId: '',
    IocUniqueId: iocUniqueId,
  };
}

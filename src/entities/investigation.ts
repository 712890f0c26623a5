/**
 * How the investigation entities (src/domain/investigation.ts) are shown, key for key as MDE shows
 * them (the Swimlane captures of get_file_information, get_*_statistics and get_machine_logon_users).
 * They are computed from events on request, not stored, so unlike machine.ts they have no storage
 * half: each is a response schema and a JSON mapping. Values Palisade has no source for (a file's
 * global prevalence, which only Microsoft's cloud knows; its determination) are present and null.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { DomainStats, FileProfile, FileStats, IpStats, LogonUser, OrgPrevalence } from '../domain/investigation.ts';
import { mdeDateTime } from './mde-datetime.ts';

const S = (description: string) => Type.Union([Type.String(), Type.Null()], { description });
const I = (description: string) => Type.Union([Type.Integer(), Type.Null()], { description });
const B = (description: string) => Type.Union([Type.Boolean(), Type.Null()], { description });
const context = Type.String({ description: 'OData context URL' });

/** One investigation view: its `@odata.context` fragment, schema and JSON mapping. */
export interface View<T> {
  context: string;
  schema: TSchema;
  json(value: T): Record<string, unknown>;
}

const prevalenceText = (p: OrgPrevalence) => String(p.prevalence);

/** `GET /api/files/{id}` (#Files/$entity). */
export const FILE_VIEW: View<FileProfile> = {
  context: 'Files/$entity',
  schema: Type.Object({
    '@odata.context': context,
    sha1: S('SHA1'), sha256: S('SHA256'), md5: S('MD5'),
    globalPrevalence: I('Devices worldwide (Palisade has no global view: null)'),
    globalFirstObserved: S('null: no global view'), globalLastObserved: S('null: no global view'),
    size: I('Size in bytes'), fileType: S('File type (null: not classified)'), isPeFile: B('Whether it is a PE file, by the names it was seen under'),
    filePublisher: S('Company of its version information'), fileProductName: S('Product of its version information'),
    signer: S('Certificate signer'), issuer: S('Certificate issuer'), signerHash: S('Hash of the signer certificate'),
    isValidCertificate: B('Whether its certificate was trusted'),
    determinationType: S('Verdict type (Unknown: Palisade gives no verdict)'), determinationValue: S('Verdict (null)'),
  }),
  json: (f) => ({
    sha1: f.sha1, sha256: f.sha256, md5: f.md5,
    globalPrevalence: null, globalFirstObserved: null, globalLastObserved: null,
    size: f.size, fileType: null, isPeFile: f.isPeFile, filePublisher: f.filePublisher, fileProductName: f.fileProductName,
    signer: f.signer, issuer: f.issuer, signerHash: f.signerHash, isValidCertificate: f.isValidCertificate,
    determinationType: 'Unknown', determinationValue: null,
  }),
};

const orgPrevalence = {
  orgPrevalence: Type.String({ description: 'Distinct devices, as text (MDE sends both spellings)' }),
  organizationPrevalence: Type.Integer({ description: 'Distinct devices in the look-back' }),
  orgFirstSeen: S('First seen in the look-back'),
  orgLastSeen: S('Last seen in the look-back'),
};

/** `GET /api/files/{id}/stats` (InOrgFileStats). */
export const FILE_STATS_VIEW: View<FileStats> = {
  context: 'microsoft.windowsDefenderATP.api.InOrgFileStats',
  schema: Type.Object({
    '@odata.context': context,
    sha1: S('SHA1'),
    ...orgPrevalence,
    globalPrevalence: S('null: no global view'), globallyPrevalence: I('null: no global view'),
    globalFirstObserved: S('null'), globalLastObserved: S('null'),
    topFileNames: Type.Array(Type.String(), { description: 'Names it was seen under, most frequent first' }),
  }),
  json: (s) => ({
    sha1: s.sha1, orgPrevalence: prevalenceText(s), organizationPrevalence: s.prevalence,
    orgFirstSeen: mdeDateTime(s.firstSeen), orgLastSeen: mdeDateTime(s.lastSeen),
    globalPrevalence: null, globallyPrevalence: null, globalFirstObserved: null, globalLastObserved: null,
    topFileNames: s.topFileNames,
  }),
};

/** `GET /api/ips/{ip}/stats` (InOrgIPStats). */
export const IP_STATS_VIEW: View<IpStats> = {
  context: 'microsoft.windowsDefenderATP.api.InOrgIPStats',
  schema: Type.Object({ '@odata.context': context, ipAddress: Type.String(), ...orgPrevalence }),
  json: (s) => ({
    ipAddress: s.ipAddress, orgPrevalence: prevalenceText(s), organizationPrevalence: s.prevalence,
    orgFirstSeen: mdeDateTime(s.firstSeen), orgLastSeen: mdeDateTime(s.lastSeen),
  }),
};

/** `GET /api/domains/{domain}/stats` (InOrgDomainStats; MDE writes organizationPrevalence last here). */
export const DOMAIN_STATS_VIEW: View<DomainStats> = {
  context: 'microsoft.windowsDefenderATP.api.InOrgDomainStats',
  schema: Type.Object({
    '@odata.context': context, host: Type.String(),
    orgPrevalence: orgPrevalence.orgPrevalence, orgFirstSeen: orgPrevalence.orgFirstSeen, orgLastSeen: orgPrevalence.orgLastSeen,
    organizationPrevalence: orgPrevalence.organizationPrevalence,
  }),
  json: (s) => ({
    host: s.host, orgPrevalence: prevalenceText(s),
    orgFirstSeen: mdeDateTime(s.firstSeen), orgLastSeen: mdeDateTime(s.lastSeen), organizationPrevalence: s.prevalence,
  }),
};

const userItem = Type.Object({
  id: Type.String({ description: '`domain\\name`' }),
  accountName: Type.String(), accountDomain: S('Account domain'), accountSid: S('Account SID'),
  firstSeen: S('First logon on the device'), lastSeen: S('Last logon on the device'),
  mostPrevalentMachineId: S('The device the account logs on to most'), leastPrevalentMachineId: S('The device it logs on to least'),
  logonTypes: S('Logon types on the device, comma-separated'), logOnMachinesCount: I('Devices it logged on to'),
  isDomainAdmin: B('null: Palisade does not know directory roles'), isOnlyNetworkUser: B('Whether every logon was a network logon'),
});

/** `GET /api/machines/{id}/logonusers` (#Users). */
export const LOGON_USERS_VIEW: View<LogonUser> = {
  context: 'Users',
  schema: Type.Object({ '@odata.context': context, value: Type.Array(userItem) }),
  json: (u) => ({
    id: `${u.accountDomain ?? ''}\\${u.accountName}`,
    accountName: u.accountName, accountDomain: u.accountDomain, accountSid: u.accountSid,
    firstSeen: mdeDateTime(u.firstSeen), lastSeen: mdeDateTime(u.lastSeen),
    mostPrevalentMachineId: u.mostPrevalentMachineId, leastPrevalentMachineId: u.leastPrevalentMachineId,
    logonTypes: u.logonTypes, logOnMachinesCount: u.logOnMachinesCount, isDomainAdmin: u.isDomainAdmin, isOnlyNetworkUser: u.isOnlyNetworkUser,
  }),
};

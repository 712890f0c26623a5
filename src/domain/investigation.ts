/**
 * Investigation entities (MDE reference §2.6, §3.6–3.8): what the organization's own events say
 * about a file, an IP address, a domain or a user. They are computed from the event store on
 * request, never stored; how they are shown is declared in src/entities/investigation.ts.
 */

/** MDE's look-back for the stats routes: 30 days by default, at most 720 hours. */
export const MAX_LOOKBACK_HOURS = 720;

/** How widely something was seen in the caller's view of the organization. */
export interface OrgPrevalence {
  /** Distinct devices. */
  prevalence: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

/** A file as the organization's events describe it (`GET /api/files/{id}`). */
export interface FileProfile {
  sha1: string | null;
  sha256: string | null;
  md5: string | null;
  size: number | null;
  /** From the names it ran or was written under (a PE extension: exe, dll, sys, …). */
  isPeFile: boolean | null;
  filePublisher: string | null;
  fileProductName: string | null;
  signer: string | null;
  issuer: string | null;
  signerHash: string | null;
  isValidCertificate: boolean | null;
}

/** `GET /api/files/{id}/stats` (InOrgFileStats). */
export interface FileStats extends OrgPrevalence {
  sha1: string | null;
  /** The names it was seen under, most frequent first. */
  topFileNames: string[];
}

/** `GET /api/ips/{ip}/stats` (InOrgIPStats): devices that communicated with the address. */
export interface IpStats extends OrgPrevalence {
  ipAddress: string;
}

/** `GET /api/domains/{domain}/stats` (InOrgDomainStats): devices that reached the domain or a subdomain. */
export interface DomainStats extends OrgPrevalence {
  host: string;
}

/** A user seen logging on to a device (`GET /api/machines/{id}/logonusers`). */
export interface LogonUser {
  accountName: string;
  accountDomain: string | null;
  accountSid: string | null;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Across the caller's devices: where the user logged on most and least often. */
  mostPrevalentMachineId: string | null;
  leastPrevalentMachineId: string | null;
  /** The logon types seen on this device, comma-separated (e.g. `Interactive, Network`). */
  logonTypes: string | null;
  logOnMachinesCount: number | null;
  isDomainAdmin: boolean | null;
  isOnlyNetworkUser: boolean | null;
}

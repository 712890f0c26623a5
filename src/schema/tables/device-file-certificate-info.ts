import type { TableDecl } from '../types.ts';

/** The DeviceFileCertificateInfo advanced-hunting table: columns, KQL types and order exactly as MDE publishes them. */
export const deviceFileCertificateInfo: TableDecl = {
  name: 'DeviceFileCertificateInfo',
  description: 'Certificate information of signed files seen on devices',
  columns: [
    { name: 'Timestamp', type: 'datetime', description: 'When the event was recorded on the device (UTC)' },
    { name: 'DeviceId', type: 'string', description: 'Unique identifier of the device in the service' },
    { name: 'DeviceName', type: 'string', description: 'Fully qualified domain name of the device' },
    { name: 'SHA1', type: 'string', description: 'SHA-1 hash of the file the action was applied to' },
    { name: 'IsSigned', type: 'bool', description: 'Whether the file is signed' },
    { name: 'SignatureType', type: 'string', description: 'Where the signature is: Embedded or Catalog' },
    { name: 'Signer', type: 'string', description: 'Subject of the signing certificate' },
    { name: 'SignerHash', type: 'string', description: 'Hash of the signing certificate' },
    { name: 'Issuer', type: 'string', description: 'Issuer of the signing certificate' },
    { name: 'IssuerHash', type: 'string', description: 'Hash of the issuing certificate' },
    { name: 'CertificateSerialNumber', type: 'string', description: 'Serial number of the signing certificate' },
    { name: 'CrlDistributionPointUrls', type: 'string', description: 'CRL distribution point URLs as JSON array text' },
    { name: 'CertificateCreationTime', type: 'datetime', description: 'When the signing certificate was issued' },
    { name: 'CertificateExpirationTime', type: 'datetime', description: 'When the signing certificate expires' },
    { name: 'CertificateCountersignatureTime', type: 'datetime', description: 'When the signature was countersigned (timestamped)' },
    { name: 'IsTrusted', type: 'bool', description: 'Whether the signature chain is trusted' },
    { name: 'IsRootSignerMicrosoft', type: 'bool', description: 'Whether the root of the chain is a Microsoft certificate' },
    { name: 'ReportId', type: 'long', description: 'Per-device event counter; unique only together with DeviceName and Timestamp' },
  ],
};

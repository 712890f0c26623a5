import type { TableDecl } from '../types.ts';
import { COLUMNS as C, DEVICE_KEY } from '../columns.ts';

/** The DeviceFileCertificateInfo advanced-hunting table: columns, KQL types and order exactly as MDE publishes them. */
export const deviceFileCertificateInfo: TableDecl = {
  name: 'DeviceFileCertificateInfo',
  description: 'Certificate information of signed files seen on devices',
  columns: [
    ...DEVICE_KEY,
    C.SHA1,
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
    C.ReportId,
  ],
};

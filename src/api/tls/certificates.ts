/**
 * The server's TLS material. On first start Palisade makes a private CA and a server certificate
 * signed by it under `<data>/tls/`; `ca.pem` is what clients and sensors trust. Later starts reuse
 * them (the server certificate is renewed when it is near expiry or lacks a needed name).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;

/** PEM strings a TLS server needs, plus the CA certificate clients should trust. */
export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string;
  /** Where the CA certificate lives on disk (for messages and onboarding packages). */
  caPath: string;
}

function pemKey(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trim();
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

async function importKeyPair(pem: string, certPem: string): Promise<CryptoKeyPair> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
  const cert = new x509.X509Certificate(certPem);
  const publicKey = await cert.publicKey.export(ALG, ['verify'], webcrypto as unknown as Crypto);
  return { privateKey, publicKey } as CryptoKeyPair;
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

/** The DNS names and IPs the server certificate covers. */
export function serverNames(extraHosts: readonly string[] = []): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const h of extraHosts) {
    if (!h || h === '0.0.0.0' || h === '::') continue;
    if (/^[\d.]+$/.test(h) || h.includes(':')) ips.add(h);
    else dns.add(h);
  }
  return { dns: [...dns], ips: [...ips] };
}

async function makeCa(): Promise<{ cert: string; key: string }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Palisade private CA ${randomBytes(4).toString('hex')}, O=Palisade`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    keys: keys as CryptoKeyPair,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as CryptoKey),
    ],
  }, webcrypto as unknown as Crypto);
  const pk = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as CryptoKey);
  return { cert: cert.toString('pem'), key: pemKey(pk) };
}

async function makeServerCert(ca: { cert: string; key: string }, names: { dns: string[]; ips: string[] }): Promise<{ cert: string; key: string }> {
  const caKeys = await importKeyPair(ca.key, ca.cert);
  const caCert = new x509.X509Certificate(ca.cert);
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names.dns[0]}`,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 397 * DAY),
    signingKey: caKeys.privateKey,
    publicKey: keys.publicKey as CryptoKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false, webcrypto as unknown as Crypto),
    ],
  }, webcrypto as unknown as Crypto);
  const pk = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as CryptoKey);
  return { cert: cert.toString('pem'), key: pemKey(pk) };
}

function covers(certPem: string, names: { dns: string[]; ips: string[] }): boolean {
  const c = new X509Certificate(certPem);
  if (Date.parse(c.validTo) - Date.now() < 30 * DAY) return false;
  return names.dns.every((n) => c.checkHost(n) !== undefined) && names.ips.every((ip) => c.checkIP(ip) !== undefined);
}

/**
 * Loads or creates `<dataDir>/tls/{ca.pem,ca-key.pem,server.pem,server-key.pem}`. Private keys are
 * written with mode 0600. Idempotent: a second call returns the same CA.
 */
export async function ensureTlsMaterial(dataDir: string, extraHosts: readonly string[] = []): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caPath = join(dir, 'ca.pem');
  const caKeyPath = join(dir, 'ca-key.pem');
  const certPath = join(dir, 'server.pem');
  const keyPath = join(dir, 'server-key.pem');
  let ca: { cert: string; key: string };
  if (existsSync(caPath) && existsSync(caKeyPath)) {
    ca = { cert: readFileSync(caPath, 'utf8'), key: readFileSync(caKeyPath, 'utf8') };
  } else {
    ca = await makeCa();
    writeFileSync(caKeyPath, ca.key, { mode: 0o600 });
    chmodSync(caKeyPath, 0o600);
    writeFileSync(caPath, ca.cert);
  }
  const names = serverNames(extraHosts);
  if (!(existsSync(certPath) && existsSync(keyPath) && covers(readFileSync(certPath, 'utf8'), names))) {
    const s = await makeServerCert(ca, names);
    writeFileSync(keyPath, s.key, { mode: 0o600 });
    writeFileSync(certPath, s.cert);
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), ca: ca.cert, caPath };
}

/** Loads operator-supplied certificate files (`--tls-cert/--tls-key`); the cert file doubles as the trust anchor. */
export function loadTlsFiles(certPath: string, keyPath: string): TlsMaterial {
  const cert = readFileSync(certPath, 'utf8');
  return { cert, key: readFileSync(keyPath, 'utf8'), ca: cert, caPath: certPath };
}

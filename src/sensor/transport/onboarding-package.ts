/**
 * The onboarding package: a JSON file an administrator downloads for a tenant and gives to sensors.
 * `{ "version": 1, "serverUrl", "tenantId", "caCertificate" (PEM), "enrollmentToken", "expiresAt" }`.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** A validated onboarding package, version 1. */
export interface OnboardingPackage {
  version: 1;
  /** Base URL of the server, http(s), without a trailing slash. */
  serverUrl: string;
  tenantId: string;
  /** PEM certificate(s) of the CA the sensor must trust for `serverUrl`. */
  caCertificate: string;
  enrollmentToken: string;
  /** ISO-8601 UTC: after this the enrollment token is refused. */
  expiresAt: string;
}

/** Thrown when a package is missing, unreadable or malformed; the message names the problem. */
export class OnboardingPackageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OnboardingPackageError';
  }
}

/**
 * Validates a parsed package object and returns it normalised (serverUrl without trailing slash).
 * Checks every field: version 1, an http(s) URL, a non-empty tenant id and token, a parseable PEM
 * certificate, and an ISO-8601 expiry. Throws OnboardingPackageError naming the first bad field.
 */
export function parseOnboardingPackage(value: unknown, source = 'onboarding package'): OnboardingPackage {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new OnboardingPackageError(`${source}: expected a JSON object`);
  const o = value as Record<string, unknown>;
  if (o.version !== 1) throw new OnboardingPackageError(`${source}: unsupported version ${JSON.stringify(o.version)} (expected 1)`);
  const str = (k: string): string => {
    const v = o[k];
    if (typeof v !== 'string' || v.trim() === '') throw new OnboardingPackageError(`${source}: '${k}' must be a non-empty string`);
    return v.trim();
  };
  const serverUrl = str('serverUrl').replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch (e) {
    throw new OnboardingPackageError(`${source}: 'serverUrl' is not a URL: ${serverUrl}`, { cause: e });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OnboardingPackageError(`${source}: 'serverUrl' must be an https URL, got ${url.protocol}`);
  const tenantId = str('tenantId');
  const enrollmentToken = str('enrollmentToken');
  const caCertificate = str('caCertificate');
  if (!caCertificate.includes('-----BEGIN CERTIFICATE-----')) throw new OnboardingPackageError(`${source}: 'caCertificate' must be a PEM certificate`);
  try {
    new X509Certificate(caCertificate);
  } catch (e) {
    throw new OnboardingPackageError(`${source}: 'caCertificate' is not a valid certificate: ${(e as Error).message}`, { cause: e });
  }
  const expiresAt = str('expiresAt');
  if (!/^\d{4}-\d{2}-\d{2}T/.test(expiresAt) || Number.isNaN(Date.parse(expiresAt))) {
    throw new OnboardingPackageError(`${source}: 'expiresAt' must be an ISO-8601 datetime, got ${JSON.stringify(expiresAt)}`);
  }
  return { version: 1, serverUrl, tenantId, caCertificate: caCertificate + '\n', enrollmentToken, expiresAt: new Date(expiresAt).toISOString() };
}

/** Reads and validates an onboarding package file. Throws OnboardingPackageError. */
export async function readOnboardingPackage(path: string): Promise<OnboardingPackage> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new OnboardingPackageError(`cannot read onboarding package ${path}: ${(e as Error).message}`, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new OnboardingPackageError(`onboarding package ${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseOnboardingPackage(value, `onboarding package ${path}`);
}

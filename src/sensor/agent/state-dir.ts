/**
 * The sensor's state directory (root-only, mode 0700): the device credential after enrollment
 * (`credential.json`, 0600), the record of an offboarding (`offboarded.json`: the sensor does not
 * enroll again while it is there), the indicator list it enforces (`indicators.json`), the event
 * spool (`spool/`) and whatever action handlers keep below it.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What enrollment gave this device, kept so the sensor enrolls once. */
export interface StoredCredential {
  deviceId: string;
  deviceCredential: string;
  tenantId: string;
  /** The server the credential belongs to, and the CA its certificate chains to (from the onboarding package). */
  serverUrl: string;
  caCertificate: string;
  enrolledAt: string;
}

/** Paths of a state directory and the reads and writes of its files. */
export class StateDir {
  readonly root: string;
  readonly spool: string;
  readonly credentialFile: string;
  readonly indicatorsFile: string;
  readonly offboardedFile: string;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.spool = join(this.root, 'spool');
    this.credentialFile = join(this.root, 'credential.json');
    this.indicatorsFile = join(this.root, 'indicators.json');
    this.offboardedFile = join(this.root, 'offboarded.json');
  }

  /** Creates the directory and its spool (0700) when missing and tightens the mode when present. */
  ensure(): this {
    mkdirSync(this.spool, { recursive: true, mode: 0o700 });
    chmodSync(this.root, 0o700);
    return this;
  }

  /** The stored credential, or null before enrollment (or when the file is unreadable). */
  readCredential(): StoredCredential | null {
    const v = this.readJson(this.credentialFile) as Partial<StoredCredential> | null;
    if (!v || typeof v.deviceId !== 'string' || typeof v.deviceCredential !== 'string' || typeof v.serverUrl !== 'string') return null;
    return v as StoredCredential;
  }

  /** Stores the credential (0600, written whole then renamed into place). */
  writeCredential(c: StoredCredential): void {
    this.writeJson(this.credentialFile, c);
  }

  /** Offboarding: deletes the credential and records when and which device was offboarded. */
  offboard(deviceId: string): void {
    this.writeJson(this.offboardedFile, { deviceId, offboardedAt: new Date().toISOString() });
    rmSync(this.credentialFile, { force: true });
  }

  /** The record of an offboarding, or null when the device was not offboarded (or enrolled again since). */
  readOffboarded(): { deviceId: string; offboardedAt: string } | null {
    return this.readJson(this.offboardedFile) as { deviceId: string; offboardedAt: string } | null;
  }

  /** Reads a JSON file of the directory; null when missing or not JSON. */
  readJson(path: string): unknown {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return null;
    }
  }

  /** Writes a JSON file atomically with mode 0600. */
  writeJson(path: string, value: unknown): void {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value) + '\n', { mode: 0o600 });
    renameSync(tmp, path);
  }
}

/**
 * The data directory: where the embedded stores, TLS material and `server.json` (how admin commands
 * find the state store and the server's URL) live.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What `palisade serve` records for the admin commands. */
export interface ServerRecord {
  stateUrl: string;
  url: string;
  pid: number;
  /** The key file sealing the state store's secrets, when the server was given one (`--secrets-key`). */
  secretsKey?: string;
}

/** Resolved paths of a data directory. */
export function dataPaths(dir: string) {
  const root = resolve(dir);
  return {
    root,
    sqlite: join(root, 'palisade.db'),
    events: join(root, 'events.duckdb'),
    /** Cursors of the committed-batch feed's consumer groups. */
    feed: join(root, 'feed'),
    /** Files kept outside the databases: the live response library, investigation packages, live response results. */
    files: join(root, 'files'),
    record: join(root, 'server.json'),
    tls: join(root, 'tls'),
    caPem: join(root, 'tls', 'ca.pem'),
  };
}

/** Creates the directory (mode 0700) when missing. */
export function ensureDataDir(dir: string): ReturnType<typeof dataPaths> {
  const p = dataPaths(dir);
  mkdirSync(p.root, { recursive: true, mode: 0o700 });
  return p;
}

/** The state store URL: the explicit one, else the one the server recorded, else the SQLite file. */
export function stateUrlFor(dir: string, explicit?: string): string {
  if (explicit) return explicit;
  const rec = readServerRecord(dir);
  return rec?.stateUrl ?? dataPaths(dir).sqlite;
}

/** The key file sealing the state store's secrets: the explicit one, else the one the server recorded, else the data directory's. */
export function secretsKeyFor(dir: string, explicit?: string): string {
  if (explicit) return resolve(explicit);
  return readServerRecord(dir)?.secretsKey ?? join(dataPaths(dir).files, 'keys', 'state-secrets.key');
}

export function readServerRecord(dir: string): ServerRecord | null {
  const p = dataPaths(dir).record;
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as ServerRecord;
  } catch {
    return null;
  }
}

export function writeServerRecord(dir: string, rec: ServerRecord): void {
  writeFileSync(dataPaths(dir).record, JSON.stringify(rec, null, 2) + '\n', { mode: 0o600 });
}

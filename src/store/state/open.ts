/** Opens the state store named by a URL: PostgreSQL or a SQLite file, with the key ring sealing its secrets. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StateStore } from '../../domain/ports.ts';
import { loadOrCreateKeyRing } from '../files/secret-key.ts';
import { openPostgresStateStore } from './postgres/open-postgres.ts';
import { fileKeyRing, memoryKeyRing, SecretCipher } from './secret-cipher.ts';
import { openSqliteStateStore } from './sqlite/open-sqlite.ts';

/** Where a state-store URL points. */
export type StateStoreTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

/**
 * Parses a state-store URL: `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite://PATH`,
 * `sqlite:PATH` or a plain path is a SQLite file (`:memory:` for an in-memory store).
 */
export function parseStateStoreUrl(url: string): StateStoreTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  if (!path) throw new Error(`state store URL names no SQLite file: ${JSON.stringify(url)}`);
  return { kind: 'sqlite', path };
}

/** The key ring file of a data directory's files folder: `<files>/keys/state-secrets.key`. */
export function stateSecretsKeyPath(filesDir: string): string {
  return join(filesDir, 'keys', 'state-secrets.key');
}

/** How to open the state store. */
export interface OpenStateOptions {
  /**
   * The key ring file sealing the store's secret fields. Default: for a SQLite file, the data
   * directory's (`files/keys/state-secrets.key` beside the database); for `:memory:`, a key held in
   * memory. PostgreSQL has no default: name the file.
   */
  secretsKey?: string;
  /**
   * When the key file is missing although sealed values exist, make a new key anyway (those values
   * then never open again; `admin secrets forget-unreadable --key-lost`). Without it that is an Error.
   */
  keyLost?: boolean;
}

/** The key ring file sealing the secrets of the store at `url` (see OpenStateOptions), or null for a store that lives in memory. */
export function secretsKeyPathFor(url: string, o: OpenStateOptions = {}): string | null {
  const target = parseStateStoreUrl(url);
  if (o.secretsKey) return o.secretsKey;
  if (target.kind === 'sqlite') return target.path === ':memory:' ? null : stateSecretsKeyPath(join(dirname(target.path), 'files'));
  throw new Error('A PostgreSQL state store needs the key file sealing its secrets: pass --secrets-key FILE (the same file to every process)');
}

/**
 * Opens the state store at `url` (see parseStateStoreUrl), applies pending migrations, loads the
 * key ring (creating it at the first start) and seals any secret still in the clear (a database
 * of an earlier version). A missing key file while the store holds sealed values is an Error
 * naming the file: a new key would orphan them.
 */
export async function openStateStore(url: string, o: OpenStateOptions = {}): Promise<StateStore> {
  const target = parseStateStoreUrl(url);
  const keyPath = secretsKeyPathFor(url, o);
  const secrets = new SecretCipher(keyPath === null ? memoryKeyRing() : fileKeyRing(keyPath));
  const store = target.kind === 'postgres' ? openPostgresStateStore(target.url, { secrets }) : openSqliteStateStore(target.path, { secrets });
  try {
    await store.migrate();
    if (keyPath !== null && !existsSync(keyPath)) {
      if (!o.keyLost && await store.secrets.anySealed()) {
        throw new Error(`The state store holds secrets sealed with a key, but the key file ${keyPath} does not exist: restore it from your backup (or pass --secrets-key FILE naming it); if it is lost for good, see docs/operations.md, "Secrets at rest".`);
      }
      loadOrCreateKeyRing(keyPath);
    }
    await store.secrets.reseal();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

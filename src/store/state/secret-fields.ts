/**
 * The state store's secret fields, declared once: every column holding a reversible secret, with
 * the columns naming its record. The repositories seal and open these fields with the SecretCipher;
 * `censusOf` and `resealAll` walk all of them (first start of a database from before sealing, key rotation).
 */
import { sql, type Kysely } from 'kysely';
import type { SecretCensus } from '../../domain/ports.ts';
import type { StateDb } from './db-schema.ts';
import { SEALED_PREFIX, UnreadableSecretError, type SecretCipher, type SecretPlace } from './secret-cipher.ts';

/** A secret column: its table, its field, the column holding the record's id (beside tenant_id), and what forgetting a value that does not open does. */
export interface SecretField {
  table: keyof StateDb & string;
  field: string;
  record: string;
  /** 'row': the record goes (it is nothing without its secret); 'value': the field becomes null. */
  forget: 'row' | 'value';
}

/**
 * Every reversible secret of the state store: tenants' private token-signing keys, users' TOTP
 * secrets, external providers' client secrets, and the PKCE verifiers of sign-ins sent to a provider.
 * (App client secrets, passwords, enrollment tokens, codes and refresh tokens are kept as hashes.)
 */
export const SECRET_FIELDS = {
  signingKey: { table: 'signing_keys', field: 'private_jwk', record: 'kid', forget: 'row' },
  totpSecret: { table: 'users', field: 'totp_secret', record: 'user_id', forget: 'value' },
  idpClientSecret: { table: 'external_idps', field: 'client_secret', record: 'idp_id', forget: 'value' },
  codeVerifier: { table: 'federation_requests', field: 'code_verifier', record: 'state_hash', forget: 'row' },
} as const satisfies Record<string, SecretField>;

/** The place of `field`'s value in the record `record` of `tenantId`. */
export function placeOf(field: SecretField, tenantId: string, record: string): SecretPlace {
  return { table: field.table, field: field.field, tenantId, record };
}

interface SecretRow { tenant_id: string; record: string; value: string }

async function rowsOf(db: Kysely<StateDb>, f: SecretField): Promise<SecretRow[]> {
  const r = await sql<SecretRow>`select tenant_id, ${sql.ref(f.record)} as record, ${sql.ref(f.field)} as value
    from ${sql.table(f.table)} where ${sql.ref(f.field)} is not null`.execute(db);
  return r.rows;
}

/** True when any secret field holds a sealed value (cheap: one indexed-or-small scan per table). */
export async function anySealed(db: Kysely<StateDb>): Promise<boolean> {
  for (const f of Object.values(SECRET_FIELDS)) {
    const r = await sql<{ n: number }>`select 1 as n from ${sql.table(f.table)} where ${sql.ref(f.field)} like ${SEALED_PREFIX + '%'} limit 1`.execute(db);
    if (r.rows.length > 0) return true;
  }
  return false;
}

/** How the secret values stand against the ring's newest key. */
export async function censusOf(db: Kysely<StateDb>, cipher: SecretCipher): Promise<SecretCensus> {
  const newest = cipher.newestKeyId();
  const c: SecretCensus = { newest: 0, older: 0, clear: 0, unreadable: 0 };
  for (const f of Object.values(SECRET_FIELDS)) {
    for (const row of await rowsOf(db, f)) {
      const keyId = cipher.keyIdOfValue(row.value);
      if (keyId === null) c.clear += 1;
      else if (cipher.openOrNull(row.value, placeOf(f, row.tenant_id, row.record)) === null) c.unreadable += 1;
      else if (keyId === newest) c.newest += 1;
      else c.older += 1;
    }
  }
  return c;
}

/**
 * Seals every value in the clear and re-seals every value sealed with an older key, under the
 * ring's newest key; returns how many values changed. One transaction per table; each update
 * applies only if the value is still the one read, so two processes doing this at once (two
 * servers starting) change each value once and never overwrite a newer one. Values that do not
 * open are left as they are (the census counts them).
 */
export async function resealAll(db: Kysely<StateDb>, cipher: SecretCipher): Promise<number> {
  const newest = cipher.newestKeyId();
  let changed = 0;
  for (const f of Object.values(SECRET_FIELDS)) {
    const updates: { row: SecretRow; sealed: string }[] = [];
    for (const row of await rowsOf(db, f)) {
      if (cipher.keyIdOfValue(row.value) === newest) continue;
      const place = placeOf(f, row.tenant_id, row.record);
      try {
        updates.push({ row, sealed: cipher.seal(cipher.open(row.value, place), place) });
      } catch (e) {
        if (!(e instanceof UnreadableSecretError)) throw e;
      }
    }
    if (updates.length === 0) continue;
    // reads happen before the transaction, so that its first statement takes the write lock (SQLite waits for it then)
    changed += await db.transaction().execute(async (trx) => {
      let n = 0;
      for (const { row, sealed } of updates) {
        const r = await sql`update ${sql.table(f.table)} set ${sql.ref(f.field)} = ${sealed}
          where tenant_id = ${row.tenant_id} and ${sql.ref(f.record)} = ${row.record} and ${sql.ref(f.field)} = ${row.value}`.execute(trx);
        n += Number(r.numAffectedRows ?? 0n);
      }
      return n;
    });
  }
  return changed;
}

/**
 * Removes every secret value that does not open (its key is lost, or it was altered or moved): a
 * signing key or pending federated sign-in goes with its row, a TOTP secret or client secret becomes
 * null. One transaction per table, each change conditional on the value read. Returns how many went.
 */
export async function forgetUnreadable(db: Kysely<StateDb>, cipher: SecretCipher): Promise<number> {
  let forgotten = 0;
  for (const f of Object.values(SECRET_FIELDS) as SecretField[]) {
    const lost = (await rowsOf(db, f)).filter((row) => cipher.openOrNull(row.value, placeOf(f, row.tenant_id, row.record)) === null);
    if (lost.length === 0) continue;
    forgotten += await db.transaction().execute(async (trx) => {
      let n = 0;
      for (const row of lost) {
        const where = sql`tenant_id = ${row.tenant_id} and ${sql.ref(f.record)} = ${row.record} and ${sql.ref(f.field)} = ${row.value}`;
        const r = f.forget === 'row'
          ? await sql`delete from ${sql.table(f.table)} where ${where}`.execute(trx)
          : await sql`update ${sql.table(f.table)} set ${sql.ref(f.field)} = null where ${where}`.execute(trx);
        n += Number(r.numAffectedRows ?? 0n);
      }
      return n;
    });
  }
  return forgotten;
}

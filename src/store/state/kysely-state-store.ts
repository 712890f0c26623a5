/**
 * The StateStore assembled from the shared repositories over one Kysely instance. Dialect
 * adapters (sqlite/, postgres/) only build the Kysely instance and the StateDialect.
 */
import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import type { Repos, StateStore } from '../../domain/ports.ts';
import { kyselyActionRepo } from './action-repo.ts';
import { kyselyAlertRepo } from './alert-repo.ts';
import { kyselyAppRepo } from './app-repo.ts';
import { kyselyAuditRepo } from './audit-repo.ts';
import type { StateDb } from './db-schema.ts';
import { kyselyDetectionRuleRepo } from './detection-rule-repo.ts';
import { kyselyDeviceGroupRepo } from './device-group-repo.ts';
import { kyselyDeviceRepo } from './device-repo.ts';
import type { StateDialect } from './dialect.ts';
import { kyselyEnrollmentRepo } from './enrollment-repo.ts';
import { kyselyExternalIdpRepo, kyselyFederationRequestRepo } from './external-idp-repo.ts';
import { kyselyIncidentRepo } from './incident-repo.ts';
import { kyselyIndicatorRepo } from './indicator-repo.ts';
import { kyselyLibraryFileRepo } from './library-file-repo.ts';
import { kyselyRoleRepo } from './role-repo.ts';
import { kyselySavedQueryRepo } from './saved-query-repo.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { anySealed, censusOf, forgetUnreadable, resealAll } from './secret-fields.ts';
import { kyselySignInRepo } from './sign-in-repo.ts';
import { kyselyStreamCursorRepo } from './stream-cursor-repo.ts';
import { kyselyTenantRepo } from './tenant-repo.ts';
import { kyselyUserRepo } from './user-repo.ts';

/** The repositories bound to `db` (the store itself or one transaction); secret fields are sealed with `cipher`. */
export function kyselyRepos(db: Kysely<StateDb>, dialect: StateDialect, cipher: SecretCipher): Repos {
  return {
    tenants: kyselyTenantRepo(db, dialect, cipher),
    apps: kyselyAppRepo(db, dialect),
    users: kyselyUserRepo(db, dialect, cipher),
    externalIdps: kyselyExternalIdpRepo(db, dialect, cipher),
    federationRequests: kyselyFederationRequestRepo(db, cipher),
    signIns: kyselySignInRepo(db, dialect),
    enrollments: kyselyEnrollmentRepo(db, dialect),
    devices: kyselyDeviceRepo(db, dialect),
    alerts: kyselyAlertRepo(db, dialect),
    incidents: kyselyIncidentRepo(db, dialect),
    indicators: kyselyIndicatorRepo(db, dialect),
    audit: kyselyAuditRepo(db),
    streamCursors: kyselyStreamCursorRepo(db),
    detectionRules: kyselyDetectionRuleRepo(db, dialect),
    libraryFiles: kyselyLibraryFileRepo(db, dialect),
    actions: kyselyActionRepo(db, dialect),
    deviceGroups: kyselyDeviceGroupRepo(db, dialect),
    roles: kyselyRoleRepo(db, dialect),
    savedQueries: kyselySavedQueryRepo(db, dialect),
  };
}

/** A migration provider serving the dialect's static migration table. */
function staticProvider(dialect: StateDialect): MigrationProvider {
  return { getMigrations: async () => ({ ...dialect.migrations }) };
}

/**
 * A StateStore over `db`, sealing its secret fields with `cipher`. `tx(fn)` gives fn repositories
 * bound to one transaction; fn must use only those (calling the outer store inside fn may wait for
 * the transaction on SQLite, which has a single connection). `close()` destroys `db`.
 */
export function kyselyStateStore(db: Kysely<StateDb>, dialect: StateDialect, cipher: SecretCipher): StateStore {
  const repos = kyselyRepos(db, dialect, cipher);
  return {
    ...repos,
    kind: dialect.kind,
    secrets: {
      anySealed: () => anySealed(db),
      census: () => censusOf(db, cipher),
      reseal: () => resealAll(db, cipher),
      forgetUnreadable: () => forgetUnreadable(db, cipher),
    },
    tx(fn) {
      return db.transaction().execute((trx) => fn(kyselyRepos(trx, dialect, cipher)));
    },
    async migrate() {
      // migrations numbered apart may land out of order (0012 after 0013 was applied): apply any missing one
      const migrator = new Migrator({ db, provider: staticProvider(dialect), allowUnorderedMigrations: true });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName;
        throw new Error(`state store migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    },
    async close() {
      await db.destroy();
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
  };
}

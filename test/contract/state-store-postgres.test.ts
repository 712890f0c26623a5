/**
 * The StateStore contract against the PostgreSQL adapter, on a real server started for this file
 * (one fresh database per store). Without PostgreSQL binaries the suite is skipped with the reason
 * shown — except in CI (CI=true), where that is a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describeStateStoreContract } from './state-store.contract.ts';
import { postgresBinDir, startPostgres } from '../support/postgres.ts';

const bin = postgresBinDir();
if (!bin && process.env.CI === 'true') {
  throw new Error('PostgreSQL binaries are missing but CI=true: install the Debian package "postgresql" (see .ci/run)');
}

describeStateStoreContract('postgres', async () => {
  const server = await startPostgres();
  const keys = mkdtempSync(join(tmpdir(), 'palisade-pg-keys-'));
  return {
    freshUrl: () => server.createDatabase(),
    dispose: async () => {
      await server.stop();
      rmSync(keys, { recursive: true, force: true });
    },
    secretsKey: join(keys, 'state-secrets.key'),
    dump: async (url) => server.dump(url),
    rawSql: async (url, text, params = []) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(text, [...params])).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    },
  };
}, { skipReason: bin ? undefined : 'PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)' });

/**
 * The StateStore contract against the PostgreSQL adapter, on a real server started for this file
 * (one fresh database per store). Without PostgreSQL binaries the suite is skipped with the reason
 * shown — except in CI (CI=true), where that is a failure.
 */
import { describeStateStoreContract } from './state-store.contract.ts';
import { postgresBinDir, startPostgres } from '../support/postgres.ts';

const bin = postgresBinDir();
if (!bin && process.env.CI === 'true') {
  throw new Error('PostgreSQL binaries are missing but CI=true: install the Debian package "postgresql" (see .ci/run)');
}

describeStateStoreContract('postgres', async () => {
  const server = await startPostgres();
  return {
    freshUrl: () => server.createDatabase(),
    dispose: () => server.stop(),
  };
}, { skipReason: bin ? undefined : 'PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)' });

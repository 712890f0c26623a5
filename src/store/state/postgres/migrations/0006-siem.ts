/** Postgres migration 0006-siem: where each alert output (the syslog forwarder) stands in each tenant's alert changes. */
import { sql, type Migration } from 'kysely';

/** Creates `stream_cursors`: per output and tenant, the (lastUpdateTime, id) of the last alert change delivered. */
export const siemPostgres: Migration = {
  up: async (db) => {
    await sql`create table stream_cursors (
      output text not null,
      tenant_id text not null,
      last_update_time text not null,
      alert_id text not null,
      primary key (output, tenant_id)
    )`.execute(db);
  },
  down: async (db) => {
    await sql`drop table if exists stream_cursors`.execute(db);
  },
};

/** The SQLite migrations, in order (names sort in application order). */
import type { Migration } from 'kysely';
import { initialSqlite } from './0001-initial.ts';
import { deviceIdIndexSqlite } from './0002-device-id-index.ts';
import { alertsSqlite } from './0003-alerts.ts';
import { indicatorsSqlite } from './0004-indicators.ts';
import { detectionRulesSqlite } from './0005-detection-rules.ts';
import { siemSqlite } from './0006-siem.ts';
import { machineActionsSqlite } from './0007-machine-actions.ts';
import { libraryFilesSqlite } from './0008-library-files.ts';
import { usersSqlite } from './0009-users.ts';
import { deviceGroupsSqlite } from './0010-device-groups.ts';
import { rolesSqlite } from './0011-roles.ts';
import { externalIdpsSqlite } from './0013-external-idps.ts';
import { totpStepsSqlite } from './0015-totp-steps.ts';
import { deviceGroupIdsSqlite } from './0016-device-group-ids.ts';
import { idpDisabledSqlite } from './0019-idp-disabled.ts';
import { savedQueriesSqlite } from './0020-saved-queries.ts';
import { signInSqlite } from './0012-sign-in.ts';

/** Every SQLite migration by name. */
export const SQLITE_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initialSqlite,
  '0002-device-id-index': deviceIdIndexSqlite,
  '0003-alerts': alertsSqlite,
  '0004-indicators': indicatorsSqlite,
  '0005-detection-rules': detectionRulesSqlite,
  '0006-siem': siemSqlite,
  '0007-machine-actions': machineActionsSqlite,
  '0008-library-files': libraryFilesSqlite,
  '0009-users': usersSqlite,
  '0010-device-groups': deviceGroupsSqlite,
  '0011-roles': rolesSqlite,
  '0013-external-idps': externalIdpsSqlite,
  '0015-totp-steps': totpStepsSqlite,
  '0016-device-group-ids': deviceGroupIdsSqlite,
  '0019-idp-disabled': idpDisabledSqlite,
  '0020-saved-queries': savedQueriesSqlite,
  '0012-sign-in': signInSqlite,
};

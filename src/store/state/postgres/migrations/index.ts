/** The PostgreSQL migrations, in order (names sort in application order). */
import type { Migration } from 'kysely';
import { initialPostgres } from './0001-initial.ts';
import { deviceIdIndexPostgres } from './0002-device-id-index.ts';
import { alertsPostgres } from './0003-alerts.ts';
import { indicatorsPostgres } from './0004-indicators.ts';
import { detectionRulesPostgres } from './0005-detection-rules.ts';
import { siemPostgres } from './0006-siem.ts';
import { machineActionsPostgres } from './0007-machine-actions.ts';
import { libraryFilesPostgres } from './0008-library-files.ts';
import { usersPostgres } from './0009-users.ts';
import { deviceGroupsPostgres } from './0010-device-groups.ts';
import { rolesPostgres } from './0011-roles.ts';
import { externalIdpsPostgres } from './0013-external-idps.ts';
import { totpStepsPostgres } from './0015-totp-steps.ts';
import { deviceGroupIdsPostgres } from './0016-device-group-ids.ts';
import { idpDisabledPostgres } from './0019-idp-disabled.ts';
import { savedQueriesPostgres } from './0020-saved-queries.ts';
import { signInPostgres } from './0012-sign-in.ts';

/** Every PostgreSQL migration by name. */
export const POSTGRES_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initialPostgres,
  '0002-device-id-index': deviceIdIndexPostgres,
  '0003-alerts': alertsPostgres,
  '0004-indicators': indicatorsPostgres,
  '0005-detection-rules': detectionRulesPostgres,
  '0006-siem': siemPostgres,
  '0007-machine-actions': machineActionsPostgres,
  '0008-library-files': libraryFilesPostgres,
  '0009-users': usersPostgres,
  '0010-device-groups': deviceGroupsPostgres,
  '0011-roles': rolesPostgres,
  '0013-external-idps': externalIdpsPostgres,
  '0015-totp-steps': totpStepsPostgres,
  '0016-device-group-ids': deviceGroupIdsPostgres,
  '0019-idp-disabled': idpDisabledPostgres,
  '0020-saved-queries': savedQueriesPostgres,
  '0012-sign-in': signInPostgres,
};

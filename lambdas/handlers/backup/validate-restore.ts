/** Restore drill: validate the table AWS Backup's restore testing restored (see lambdas/backup/restore-validation.ts). */

import { type RestoreJobStateChange, validateRestoreTest } from '../../backup/restore-validation';
import { STATUS_SHARDS_RANGE } from '../../model/table-design';
import { intEnv, requireEnv } from '../../shared/env';
import { instrumented } from '../../shared/observability';

const settings = {
  sourceTable: requireEnv('TABLE_NAME'),
  statusShards: intEnv('STATUS_SHARDS', 4, STATUS_SHARDS_RANGE),
  tolerancePercent: intEnv('RESTORE_CHECK_TOLERANCE_PERCENT', 10, { min: 0, max: 100 }),
};

export const handler = instrumented(async (event: RestoreJobStateChange) => {
  const check = await validateRestoreTest(event, settings);
  return { validated: check !== undefined, passed: check?.passed };
});

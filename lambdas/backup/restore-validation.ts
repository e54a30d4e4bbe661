/**
 * The restore drill's validation: when AWS Backup's restore testing has restored the table, verify
 * the restored copy with the same checks as `npm run restore` and report the verdict to AWS Backup
 * (PutRestoreValidationResult), where it shows on the restore job.
 *
 * A failed verification is reported as FAILED and counted in the `RestoreValidationFailed` metric,
 * which the monitoring stack alarms on; an error before a verdict (the restored table unreadable,
 * AWS Backup unreachable) is thrown, so that Lambda retries the event and the function's error
 * alarm sees it.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BackupClient, DescribeRestoreJobCommand, PutRestoreValidationResultCommand } from '@aws-sdk/client-backup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { verifyRestoredTable } from '../data/restore-verification';
import { formatRestoreCheck, type RestoreCheck, summarizeRestoreCheck } from '../model/restore-check';
import { logger, metrics, tracer } from '../shared/observability';

/** The part of AWS Backup's "Restore Job State Change" event the validation reads. */
export interface RestoreJobStateChange {
  readonly 'detail-type': string;
  readonly detail: {
    readonly restoreJobId: string;
    readonly status: string;
    readonly resourceType?: string;
    readonly createdResourceArn?: string;
  };
}

export interface RestoreValidationSettings {
  /** The protected table, as it is now. */
  readonly sourceTable: string;
  readonly statusShards: number;
  readonly tolerancePercent: number;
}

/** The metric the failure alarm watches (monitoring stack): 1 per failed validation. */
export const VALIDATION_FAILED_METRIC = 'RestoreValidationFailed';
/** 1 per successful validation: the dashboard shows that the drill runs. */
export const VALIDATION_SUCCEEDED_METRIC = 'RestoreValidationSucceeded';

/** The table name in a DynamoDB table ARN. */
export function tableNameOf(arn: string): string {
  const name = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/([A-Za-z0-9_.-]{3,255})$/.exec(arn)?.[1];
  if (name === undefined) throw new Error(`Not a DynamoDB table ARN: ${JSON.stringify(arn)}`);
  return name;
}

const backup = tracer.captureAWSv3Client(new BackupClient({}));
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));

/** Verify the table a completed restore test created, and report the verdict to AWS Backup. */
export async function validateRestoreTest(
  event: RestoreJobStateChange,
  settings: RestoreValidationSettings,
): Promise<RestoreCheck | undefined> {
  const { restoreJobId, status } = event.detail;
  if (status !== 'COMPLETED') {
    logger.info('Restore job not completed; nothing to validate', { restoreJobId, status });
    return undefined;
  }
  const job = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId }));
  const createdArn = job.CreatedResourceArn ?? event.detail.createdResourceArn;
  if (createdArn === undefined) throw new Error(`Restore job ${restoreJobId} names no created resource`);
  const restoredTable = tableNameOf(createdArn);
  // The recovery point's creation is when the restored data is from; the job's own creation is
  // later, so using it would only make the canaries stricter.
  const recoveryPoint = job.RecoveryPointCreationDate ?? job.CreationDate ?? new Date();
  await backup.send(
    new PutRestoreValidationResultCommand({ RestoreJobId: restoreJobId, ValidationStatus: 'VALIDATING' }),
  );
  const check = await verifyRestoredTable({
    client: dynamodb,
    restoredTable,
    sourceTable: settings.sourceTable,
    recoveryPoint,
    statusShards: settings.statusShards,
    tolerancePercent: settings.tolerancePercent,
    onProgress: (message) => logger.info(message, { restoreJobId }),
  });
  logger.info(formatRestoreCheck(check), { restoreJobId, restoredTable, passed: check.passed });
  await backup.send(
    new PutRestoreValidationResultCommand({
      RestoreJobId: restoreJobId,
      ValidationStatus: check.passed ? 'SUCCESSFUL' : 'FAILED',
      ValidationStatusMessage: summarizeRestoreCheck(check),
    }),
  );
  metrics.addMetric(check.passed ? VALIDATION_SUCCEEDED_METRIC : VALIDATION_FAILED_METRIC, MetricUnit.Count, 1);
  return check;
}

/**
 * `npm run restore -- --source-table <name> (--to-time <ISO> | --latest | --backup-arn <arn>) [...]`
 *
 * Reads the data stack's synthesized template (run `npx cdk synth` first, with the stage's
 * context), restores into a new table and verifies it. `--dry-run` prints the plan and calls
 * nothing. AWS credentials and region come from the environment, as for the AWS CLI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EntityCounts } from '../../lambdas/model/restore-check';
import { DEFAULT_STATUS_SHARDS } from '../../lambdas/model/table-design';
import type { CfnTemplate } from '../../local/emulation/cloudformation';
import { RestoreError, type RestoreSource, runRestore } from './restore';
import { settingsFromTemplate } from './table-settings';

export const USAGE = `Usage: npm run restore -- --source-table <name> (--to-time <ISO time> | --latest | --backup-arn <arn>) [options]

  --source-table <name>     the live table (the Data stack's table; aws cloudformation describe-stack-resources)
  --to-time <ISO time>      restore to this instant, e.g. 2026-11-29T02:55:00Z (within the PITR window)
  --latest                  restore to the latest restorable time (about five minutes ago)
  --backup-arn <arn>        restore a DynamoDB backup (arn:aws:dynamodb:...) or an AWS Backup recovery point (arn:aws:backup:...)
  --target-table <name>     the new table (default: <source>-restored-<UTC time>)
  --restore-role-arn <arn>  for AWS Backup recovery points: the Backup stack's RestoreRoleArn output
  --stage <stage>           which synthesized stage to read (default dev)
  --template <file>         the data stack template (default cdk.out/OrderStore-<stage>-Data.template.json)
  --status-shards <n>       write shards of the status index (default ${DEFAULT_STATUS_SHARDS}, the statusShards key)
  --tolerance <percent>     how far a restored entity type may be short of the source now (default 10)
  --expect-counts <file>    JSON {"<entityType>": count, ...} the restore must match exactly, instead of the source
  --dry-run                 print the plan and call nothing
`;

export interface ParsedArgs {
  readonly sourceTable: string;
  readonly targetTable: string;
  readonly from: RestoreSource;
  readonly templatePath: string;
  readonly statusShards: number;
  readonly tolerancePercent: number;
  readonly expectCountsPath?: string;
  readonly restoreRoleArn?: string;
  readonly dryRun: boolean;
}

/** Read the command line; throws RestoreError naming what is wrong. */
export function parseRestoreArgs(argv: readonly string[], now = new Date()): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'source-table': { type: 'string' },
        'to-time': { type: 'string' },
        latest: { type: 'boolean' },
        'backup-arn': { type: 'string' },
        'target-table': { type: 'string' },
        'restore-role-arn': { type: 'string' },
        stage: { type: 'string' },
        template: { type: 'string' },
        'status-shards': { type: 'string' },
        tolerance: { type: 'string' },
        'expect-counts': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new RestoreError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const sourceTable = values['source-table'];
  if (typeof sourceTable !== 'string' || sourceTable === '')
    throw new RestoreError(`--source-table is required.\n\n${USAGE}`);
  const chosen = [values['to-time'] !== undefined, values.latest === true, values['backup-arn'] !== undefined].filter(
    Boolean,
  );
  if (chosen.length !== 1) {
    throw new RestoreError(`Give exactly one of --to-time, --latest and --backup-arn.\n\n${USAGE}`);
  }
  let from: RestoreSource;
  if (typeof values['to-time'] === 'string') {
    const time = new Date(values['to-time']);
    if (Number.isNaN(time.getTime()) || !/[zZ]|[+-]\d\d:?\d\d$/.test(values['to-time'])) {
      throw new RestoreError(
        `--to-time ${JSON.stringify(values['to-time'])} is not an ISO-8601 time with a zone, e.g. 2026-11-29T02:55:00Z.`,
      );
    }
    from = { kind: 'point-in-time', time };
  } else if (typeof values['backup-arn'] === 'string') {
    if (
      !/^arn:aws[a-z-]*:(dynamodb:[a-z0-9-]+:\d{12}:table\/[^/]+\/backup\/|backup:[a-z0-9-]+:\d{12}:recovery-point:)/.test(
        values['backup-arn'],
      )
    ) {
      throw new RestoreError(
        `--backup-arn ${JSON.stringify(values['backup-arn'])} is neither a DynamoDB backup ARN nor an AWS Backup recovery point ARN.`,
      );
    }
    from = { kind: 'backup', backupArn: values['backup-arn'] };
  } else {
    from = { kind: 'latest' };
  }
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 13).toLowerCase();
  const number = (flag: string, fallback: number, min: number, max: number): number => {
    const raw = values[flag];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new RestoreError(`--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}.`);
    return n;
  };
  const stage = typeof values.stage === 'string' ? values.stage : 'dev';
  return {
    sourceTable,
    targetTable:
      typeof values['target-table'] === 'string' ? values['target-table'] : `${sourceTable}-restored-${stamp}`,
    from,
    templatePath:
      typeof values.template === 'string' ? values.template : join('cdk.out', `OrderStore-${stage}-Data.template.json`),
    statusShards: number('status-shards', DEFAULT_STATUS_SHARDS, 1, 32),
    tolerancePercent: number('tolerance', 10, 0, 100),
    ...(typeof values['expect-counts'] === 'string' ? { expectCountsPath: values['expect-counts'] } : {}),
    ...(typeof values['restore-role-arn'] === 'string' ? { restoreRoleArn: values['restore-role-arn'] } : {}),
    dryRun: values['dry-run'] === true,
  };
}

function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new RestoreError(
      `Cannot read ${what} ${path}: ${(error as Error).message}${what === 'the template' ? ". Run npx cdk synth (with the stage's -c context) first, or pass --template." : ''}`,
    );
  }
}

/** The whole command; returns the exit code: 0 verified, 1 a mistake or a failure, 2 restored but not verified. */
export async function main(argv: readonly string[], log: (line: string) => void = console.log): Promise<number> {
  try {
    const args = parseRestoreArgs(argv);
    const settings = settingsFromTemplate(readJson<CfnTemplate>(args.templatePath, 'the template'));
    const expectedCounts =
      args.expectCountsPath === undefined
        ? undefined
        : {
            label: `the counts in ${args.expectCountsPath}`,
            counts: readJson<EntityCounts>(args.expectCountsPath, 'the counts'),
          };
    const result = await runRestore({
      ...args,
      settings,
      ...(expectedCounts === undefined ? {} : { expectedCounts }),
      log,
    });
    if (result === undefined) return 0;
    return result.check?.passed === true ? 0 : 2;
  } catch (error) {
    if (error instanceof RestoreError) {
      log(error.message);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

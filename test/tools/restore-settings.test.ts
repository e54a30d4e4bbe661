/** What `npm run restore` reapplies, read from the synthesized data stack of each kind of stage. */
import type { CfnTemplate } from '../../local/emulation/cloudformation';
import { parseRestoreArgs } from '../../tools/restore/cli';
import { RestoreError } from '../../tools/restore/restore';
import { settingsFromTemplate } from '../../tools/restore/table-settings';
import { synthTemplates } from '../fixtures/app';

const settingsOf = (raw: Record<string, unknown>) =>
  settingsFromTemplate(synthTemplates(raw).data.toJSON() as CfnTemplate);

describe('GIVEN the data stack of a prod stage billed by provisioned capacity', () => {
  const settings = settingsOf({ stage: 'prod', billing: 'provisioned', targetUtilization: 60 });

  test('THEN TTL, stream, PITR, deletion protection and Contributor Insights come from the template', () => {
    expect(settings).toMatchObject({
      timeToLiveAttribute: 'expiresAt',
      streamViewType: 'NEW_AND_OLD_IMAGES',
      pointInTimeRecovery: { recoveryPeriodInDays: 35 },
      deletionProtection: true,
      contributorInsights: {
        '': 'ACCESSED_AND_THROTTLED_KEYS',
        GSI1: 'ACCESSED_AND_THROTTLED_KEYS',
        OrdersByStatus: 'ACCESSED_AND_THROTTLED_KEYS',
        AwaitingShipment: 'ACCESSED_AND_THROTTLED_KEYS',
      },
      unreadable: [],
    });
  });

  test('THEN autoscaling is read for the table and every global index, read and write', () => {
    expect(settings.autoscaling).toHaveLength(8);
    expect(settings.autoscaling).toContainEqual({ dimension: 'Read', min: 5, max: 100, targetUtilization: 60 });
    expect(settings.autoscaling).toContainEqual({
      indexName: 'GSI1',
      dimension: 'Write',
      min: 5,
      max: 100,
      targetUtilization: 60,
    });
  });
});

test('GIVEN a dev stage THEN there is no autoscaling or deletion protection to reapply', () => {
  expect(settingsOf({})).toMatchObject({ autoscaling: [], deletionProtection: false });
});

describe('parseRestoreArgs', () => {
  test.each<[string, string[], RegExp]>([
    ['no source table', ['--latest'], /^--source-table is required/],
    [
      'two recovery points',
      ['--source-table', 't', '--latest', '--to-time', '2026-01-01T00:00:00Z'],
      /^Give exactly one of/,
    ],
    [
      'a time without a zone',
      ['--source-table', 't', '--to-time', '2026-01-01T00:00:00'],
      /is not an ISO-8601 time with a zone/,
    ],
    [
      'a backup ARN of something else',
      ['--source-table', 't', '--backup-arn', 'arn:aws:s3:::b'],
      /is neither a DynamoDB backup ARN/,
    ],
  ])('refuses %s', (_what, argv, message) => {
    expect(() => parseRestoreArgs(argv)).toThrow(RestoreError);
    expect(() => parseRestoreArgs(argv)).toThrow(message);
  });

  test('names the new table after the source and the time, and reads the stage template from cdk.out', () => {
    expect(
      parseRestoreArgs(['--source-table', 'T', '--latest', '--stage', 'prod'], new Date('2026-11-29T02:55:00Z')),
    ).toMatchObject({
      targetTable: 'T-restored-20261129t0255',
      templatePath: 'cdk.out/OrderStore-prod-Data.template.json',
      from: { kind: 'latest' },
      dryRun: false,
    });
  });
});

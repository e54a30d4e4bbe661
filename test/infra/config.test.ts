import { ConfigError, FALLBACK_REGION, parseConfig, type RawConfig } from '../../lib/config';

function problemsOf(raw: RawConfig): readonly string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected parseConfig to throw a ConfigError');
}

describe('parseConfig', () => {
  test('defaults to a cheap, safe dev stage billed on demand', () => {
    const config = parseConfig({}, { region: 'eu-central-1' });
    expect(config).toEqual({
      appName: 'OrderStore',
      stage: 'dev',
      target: 'aws',
      tracing: true,
      httpApi: true,
      region: 'eu-central-1',
      billing: { mode: 'on-demand', maxReadRequestUnits: 100, maxWriteRequestUnits: 50 },
      statusShards: 4,
      pitrRecoveryDays: 35,
      contributorInsights: 'throttled',
      replicas: [],
      retainData: false,
      analytics: false,
      redshift: false,
      apiRateLimit: 50,
      apiBurstLimit: 100,
      backup: {
        advancedFeatures: true,
        dailyRetentionDays: 7,
        weeklyRetentionDays: 35,
        monthlyRetentionDays: 120,
        coldStorageAfterDays: 30,
        restoreCheckTolerancePercent: 10,
      },
      monitoring: {
        dashboard: true,
        anomalyAlarms: true,
        expectTtlDeletions: false,
        thresholds: {
          capacityPercent: 80,
          latencyP99Ms: 100,
          multiItemLatencyP99Ms: 200,
          replicationLatencyMs: 60_000,
          functionErrorPercent: 5,
          functionDurationPercent: 80,
          apiErrorPercent: 5,
          apiLatencyP99Ms: 3_000,
        },
      },
    });
  });

  test('prod keeps 35 days of daily, 91 of weekly and 365 of monthly recovery points', () => {
    expect(parseConfig({ stage: 'prod' }).backup).toMatchObject({
      dailyRetentionDays: 35,
      weeklyRetentionDays: 91,
      monthlyRetentionDays: 365,
    });
  });

  test('a copy vault in another region is read with its region', () => {
    const arn = 'arn:aws:backup:us-west-2:111111111111:backup-vault:dr-vault';
    expect(parseConfig({ region: 'eu-west-1', backupCopyVaultArn: arn }).backup?.copyVault).toEqual({
      arn,
      region: 'us-west-2',
    });
  });

  test.each<[string, RawConfig, string]>([
    [
      'a copy vault in the same region',
      { region: 'eu-west-1', backupCopyVaultArn: 'arn:aws:backup:eu-west-1:111111111111:backup-vault:dr-vault' },
      `"backupCopyVaultArn": got "arn:aws:backup:eu-west-1:111111111111:backup-vault:dr-vault"; is in the stage's own region eu-west-1; copies need another region`,
    ],
    [
      'a copy vault that is not a vault ARN',
      { backupCopyVaultArn: 'arn:aws:s3:::bucket' },
      '"backupCopyVaultArn": got "arn:aws:s3:::bucket"; must be a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)',
    ],
    [
      'copies without the advanced features',
      {
        region: 'eu-west-1',
        backupAdvancedFeatures: 'false',
        backupCopyVaultArn: 'arn:aws:backup:us-west-2:111111111111:backup-vault:dr-vault',
      },
      '"backupCopyVaultArn": got "arn:aws:backup:us-west-2:111111111111:backup-vault:dr-vault"; needs "backupAdvancedFeatures" on: without them AWS Backup cannot copy DynamoDB recovery points to another region',
    ],
    [
      'weekly shorter than daily',
      { backupDailyRetentionDays: 10, backupWeeklyRetentionDays: '5' },
      '"backupWeeklyRetentionDays": got "5"; must not be less than "backupDailyRetentionDays" (10)',
    ],
    [
      'monthly too short for cold storage',
      { backupMonthlyRetentionDays: 100 },
      '"backupMonthlyRetentionDays": got 100; must be at least 120 with "backupAdvancedFeatures" on: monthly recovery points move to cold storage after 30 days, and AWS Backup keeps them there at least 90',
    ],
    [
      'a tolerance above 100',
      { restoreCheckTolerancePercent: 101 },
      '"restoreCheckTolerancePercent": got 101; must be a whole number from 0 to 100',
    ],
    [
      'a backup key with LocalStack',
      { target: 'localstack', backupDailyRetentionDays: 3 },
      `"backupDailyRetentionDays": got 3; not available with "target" set to "localstack": AWS Backup needs one of LocalStack's paid plans, so the backup stack is left out`,
    ],
  ])('refuses %s, naming the key, the value and the rule', (_what, raw, problem) => {
    expect(problemsOf(raw)).toEqual([problem]);
  });

  test('without the advanced features nothing moves to cold storage, and monthly may be short', () => {
    expect(parseConfig({ backupAdvancedFeatures: 'false', backupMonthlyRetentionDays: 60 }).backup).toMatchObject({
      advancedFeatures: false,
      monthlyRetentionDays: 60,
    });
    expect(parseConfig({ backupAdvancedFeatures: false }).backup?.coldStorageAfterDays).toBeUndefined();
    expect(parseConfig({ target: 'localstack' }).backup).toBeUndefined();
  });

  test('prod retains data and reports accessed keys too', () => {
    const config = parseConfig({ stage: 'prod' });
    expect(config.retainData).toBe(true);
    expect(config.contributorInsights).toBe('accessed-and-throttled');
  });

  test('context wins over the CLI environment, which wins over the fallback region', () => {
    expect(parseConfig({ region: 'ap-southeast-2' }, { region: 'eu-west-1' }).region).toBe('ap-southeast-2');
    expect(parseConfig({}, { region: 'eu-west-1', account: '123456789012' })).toMatchObject({
      region: 'eu-west-1',
      account: '123456789012',
    });
    expect(parseConfig({}).region).toBe(FALLBACK_REGION);
    expect(parseConfig({}).account).toBeUndefined();
  });

  test('reads strings from -c and JSON values from cdk.json alike', () => {
    const fromCli = parseConfig({ statusShards: '8', dax: 'true', billing: 'provisioned', maxReadCapacity: '50' });
    const fromJson = parseConfig({ statusShards: 8, dax: true, billing: 'provisioned', maxReadCapacity: 50 });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.billing).toEqual({
      mode: 'provisioned',
      read: { min: 5, max: 50 },
      write: { min: 5, max: 100 },
      targetUtilization: 70,
    });
  });

  describe('dax', () => {
    test('is off by default, with no cluster settings', () => {
      expect(parseConfig({}).dax).toBeUndefined();
      expect(parseConfig({ dax: 'false' }).dax).toBeUndefined();
    });

    test('dev gets one node of the smallest type; prod three, across Availability Zones; both a minute of TTL', () => {
      expect(parseConfig({ dax: 'true' }).dax).toEqual({
        nodeType: 'dax.t3.small',
        nodes: 1,
        itemTtlSeconds: 60,
        queryTtlSeconds: 60,
      });
      expect(parseConfig({ dax: true, stage: 'prod' }).dax).toEqual({
        nodeType: 'dax.t3.small',
        nodes: 3,
        itemTtlSeconds: 60,
        queryTtlSeconds: 60,
      });
    });

    test('reads the node type, node count and TTLs from -c strings and cdk.json values alike', () => {
      const keys = {
        dax: true,
        daxNodeType: 'dax.r5.large',
        daxNodes: 5,
        daxItemTtlSeconds: 300,
        daxQueryTtlSeconds: 30,
      };
      const fromCli = parseConfig(Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, String(v)])));
      expect(fromCli.dax).toEqual({ nodeType: 'dax.r5.large', nodes: 5, itemTtlSeconds: 300, queryTtlSeconds: 30 });
      expect(parseConfig(keys)).toEqual(fromCli);
    });
  });

  test('derives replica regions from their KMS key ARNs', () => {
    const arn = 'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(parseConfig({ region: 'us-east-1', replicaKeyArns: arn }).replicas).toEqual([
      { region: 'us-west-2', keyArn: arn },
    ]);
  });

  test.each<[string, RawConfig, string]>([
    ['billing', { billing: 'foo' }, '"billing": got "foo"; allowed values are "on-demand", "provisioned"'],
    ['stage', { stage: 'staging' }, '"stage": got "staging"; allowed values are "dev", "prod"'],
    ['target', { target: 'azure' }, '"target": got "azure"; allowed values are "aws", "localstack"'],
    ['region', { region: 'moon-1' }, '"region": got "moon-1"; must be an AWS region such as "eu-west-1"'],
    ['account', { account: '12345' }, '"account": got "12345"; must be a 12-digit AWS account id'],
    ['statusShards', { statusShards: '0' }, '"statusShards": got "0"; must be a whole number from 1 to 32'],
    ['statusShards', { statusShards: '2.5' }, '"statusShards": got "2.5"; must be a whole number from 1 to 32'],
    ['pitrRecoveryDays', { pitrRecoveryDays: 36 }, '"pitrRecoveryDays": got 36; must be a whole number from 1 to 35'],
    ['dax', { dax: 'yes' }, '"dax": got "yes"; allowed values are true, false'],
    ['redshift', { analytics: 'true', redshift: 'on' }, '"redshift": got "on"; allowed values are true, false'],
    [
      'redshift',
      { redshift: 'true' },
      '"redshift": got "true"; requires "analytics" set to true: the warehouse loads what the analytics pipeline curates',
    ],
    ['redshift', { analytics: 'false', redshift: true }, '"redshift": got true; requires "analytics" set to true'],
    [
      'daxNodeType',
      { dax: true, daxNodeType: 'dax.t2.small' },
      '"daxNodeType": got "dax.t2.small"; allowed values are "dax.t3.small", "dax.t3.medium", "dax.r5.large"',
    ],
    ['daxNodes', { dax: 'true', daxNodes: '11' }, '"daxNodes": got "11"; must be a whole number from 1 to 10'],
    [
      'daxItemTtlSeconds',
      { dax: true, daxItemTtlSeconds: '0' },
      '"daxItemTtlSeconds": got "0"; must be a whole number from 1 to 86400',
    ],
    [
      'daxQueryTtlSeconds',
      { dax: true, daxQueryTtlSeconds: 1.5 },
      '"daxQueryTtlSeconds": got 1.5; must be a whole number from 1 to 86400',
    ],
    [
      'daxNodeType',
      { daxNodeType: 'dax.r5.large' },
      '"daxNodeType": got "dax.r5.large"; only applies with "dax" set to true',
    ],
    [
      'contributorInsights',
      { contributorInsights: 'some' },
      '"contributorInsights": got "some"; allowed values are "accessed-and-throttled", "throttled", "off"',
    ],
    [
      'maxReadCapacity',
      { maxReadCapacity: '10' },
      '"maxReadCapacity": got "10"; only applies with "billing" set to "provisioned"',
    ],
    [
      'maxWriteCapacity',
      { billing: 'provisioned', minWriteCapacity: '20', maxWriteCapacity: '10' },
      '"maxWriteCapacity": got "10"; must not be less than "minWriteCapacity" (20)',
    ],
    [
      'targetUtilization',
      { billing: 'provisioned', targetUtilization: '95' },
      '"targetUtilization": got "95"; must be a whole number from 20 to 90',
    ],
    [
      'replicaKeyArns',
      { replicaKeyArns: 'not-an-arn' },
      '"replicaKeyArns": got "not-an-arn"; "not-an-arn" is not a KMS key ARN',
    ],
    [
      'replicaKeyArns',
      { region: 'us-east-1', replicaKeyArns: 'arn:aws:kms:us-east-1:111111111111:key/abc' },
      'is in the primary region us-east-1; replicas need other regions',
    ],
    [
      'alarmEmail',
      { alarmEmail: 'oncall.example.com' },
      '"alarmEmail": got "oncall.example.com"; must be an email address (name@example.com) or an https:// URL',
    ],
    [
      'alarmEmail',
      { alarmEmail: 'http://hooks.example.com/alarms' },
      '"alarmEmail": got "http://hooks.example.com/alarms"; must be an email address (name@example.com) or an https:// URL',
    ],
    [
      'maxReadRequestUnits',
      { maxReadRequestUnits: '0' },
      '"maxReadRequestUnits": got "0"; must be a whole number from 1 to 40000',
    ],
    [
      'maxWriteRequestUnits',
      { billing: 'provisioned', maxWriteRequestUnits: 100 },
      '"maxWriteRequestUnits": got 100; only applies with "billing" set to "on-demand"',
    ],
    [
      'capacityAlarmPercent',
      { capacityAlarmPercent: '40' },
      '"capacityAlarmPercent": got "40"; must be a whole number from 50 to 100',
    ],
    [
      'capacityAlarmPercent',
      { billing: 'provisioned', targetUtilization: 85, capacityAlarmPercent: 80 },
      '"capacityAlarmPercent": got 80; must be greater than "targetUtilization" (85)',
    ],
    ['latencyP99Ms', { latencyP99Ms: 'fast' }, '"latencyP99Ms": got "fast"; must be a whole number from 1 to 10000'],
    [
      'replicationLatencyMs',
      { replicationLatencyMs: 5000 },
      '"replicationLatencyMs": got 5000; only applies with replicas ("replicaKeyArns")',
    ],
    [
      'functionErrorPercent',
      { functionErrorPercent: '0' },
      '"functionErrorPercent": got "0"; must be a whole number from 1 to 100',
    ],
    [
      'functionDurationPercent',
      { functionDurationPercent: '101' },
      '"functionDurationPercent": got "101"; must be a whole number from 10 to 100',
    ],
    ['apiErrorPercent', { apiErrorPercent: 2.5 }, '"apiErrorPercent": got 2.5; must be a whole number from 1 to 100'],
    [
      'apiLatencyP99Ms',
      { apiLatencyP99Ms: 60_000 },
      '"apiLatencyP99Ms": got 60000; must be a whole number from 10 to 30000',
    ],
  ])('throws naming %s, the value and the rule', (_key, raw, message) => {
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  describe('monitoring', () => {
    test('prod caps on-demand throughput high, alarms earlier, and expects carts to expire daily', () => {
      const config = parseConfig({ stage: 'prod' });
      expect(config.billing).toEqual({ mode: 'on-demand', maxReadRequestUnits: 4_000, maxWriteRequestUnits: 1_000 });
      expect(config.monitoring).toEqual({
        dashboard: true,
        anomalyAlarms: true,
        expectTtlDeletions: true,
        thresholds: {
          capacityPercent: 80,
          latencyP99Ms: 50,
          multiItemLatencyP99Ms: 100,
          replicationLatencyMs: 30_000,
          functionErrorPercent: 1,
          functionDurationPercent: 80,
          apiErrorPercent: 1,
          apiLatencyP99Ms: 1_000,
        },
      });
    });

    test('reads thresholds and ceilings from -c strings and cdk.json numbers alike', () => {
      const keys = {
        maxReadRequestUnits: 500,
        maxWriteRequestUnits: 200,
        capacityAlarmPercent: 90,
        apiLatencyP99Ms: 800,
      };
      const fromCli = parseConfig(Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, String(v)])));
      const fromJson = parseConfig(keys);
      expect(fromCli).toEqual(fromJson);
      expect(fromJson.billing).toEqual({ mode: 'on-demand', maxReadRequestUnits: 500, maxWriteRequestUnits: 200 });
      expect(fromJson.monitoring.thresholds).toMatchObject({ capacityPercent: 90, apiLatencyP99Ms: 800 });
    });

    test.each([
      ['an email address', ' oncall@example.com ', { protocol: 'email', endpoint: 'oncall@example.com' }],
      [
        'an https URL',
        'https://events.pagerduty.example/integration/abc/enqueue',
        { protocol: 'https', endpoint: 'https://events.pagerduty.example/integration/abc/enqueue' },
      ],
    ])('alarmEmail as %s subscribes it to the alarm topic', (_what, alarmEmail, subscription) => {
      expect(parseConfig({ alarmEmail }).monitoring.subscription).toEqual(subscription);
    });

    test('without alarmEmail the topic has no subscriber', () => {
      expect(parseConfig({}).monitoring.subscription).toBeUndefined();
    });

    test('provisioned billing has no on-demand ceiling, and a replica takes a replication threshold', () => {
      const config = parseConfig({
        billing: 'provisioned',
        capacityAlarmPercent: 85,
        region: 'us-east-1',
        replicaKeyArns: 'arn:aws:kms:us-west-2:111111111111:key/abc',
        replicationLatencyMs: 10_000,
      });
      expect(config.billing).not.toHaveProperty('maxReadRequestUnits');
      expect(config.monitoring.thresholds).toMatchObject({ capacityPercent: 85, replicationLatencyMs: 10_000 });
    });
  });

  describe('with target localstack', () => {
    test('leaves out X-Ray, the HTTP API, Contributor Insights, the dashboard, anomaly alarms and the on-demand ceiling, and keeps the rest of the defaults', () => {
      const config = parseConfig({ target: 'localstack', stage: 'prod' });
      expect(config.billing).toEqual({ mode: 'on-demand' });
      expect(config.monitoring).toMatchObject({ dashboard: false, anomalyAlarms: false, expectTtlDeletions: true });
      expect(config).toMatchObject({
        target: 'localstack',
        tracing: false,
        httpApi: false,
        contributorInsights: 'off',
        pitrRecoveryDays: 35,
        retainData: true,
        analytics: false,
        redshift: false,
      });
      expect(config.dax).toBeUndefined();
    });

    test.each<[string, RawConfig, string]>([
      [
        'dax',
        { dax: 'true' },
        '"dax": got "true"; not available with "target" set to "localstack": LocalStack has no DAX',
      ],
      [
        'analytics',
        { analytics: true },
        '"analytics": got true; not available with "target" set to "localstack": LocalStack has no DynamoDB table export or Redshift Serverless',
      ],
      [
        'contributorInsights',
        { contributorInsights: 'throttled' },
        '"contributorInsights": got "throttled"; not available with "target" set to "localstack"',
      ],
      [
        'billing',
        { billing: 'provisioned' },
        '"billing": got "provisioned"; not available with "target" set to "localstack"',
      ],
      [
        'replicaKeyArns',
        { replicaKeyArns: 'arn:aws:kms:us-west-2:111111111111:key/abc' },
        'not available with "target" set to "localstack": LocalStack fails to create an AWS::DynamoDB::GlobalTable with replicas',
      ],
      [
        'maxReadRequestUnits',
        { maxReadRequestUnits: '100' },
        '"maxReadRequestUnits": got "100"; not available with "target" set to "localstack": an on-demand ceiling is a cost guard',
      ],
      [
        'maxWriteRequestUnits',
        { maxWriteRequestUnits: 100 },
        '"maxWriteRequestUnits": got 100; not available with "target" set to "localstack": an on-demand ceiling is a cost guard',
      ],
    ])('refuses %s, naming the value and why', (_key, raw, message) => {
      const problems = problemsOf({ target: 'localstack', region: 'eu-west-1', ...raw });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(message);
    });

    test('reports dax and analytics together, with any other bad key', () => {
      expect(problemsOf({ target: 'localstack', dax: 'true', analytics: 'true', stage: 'qa' })).toEqual([
        '"stage": got "qa"; allowed values are "dev", "prod"',
        expect.stringMatching(/^"dax": got "true"; not available with "target" set to "localstack": /),
        expect.stringMatching(/^"analytics": got "true"; not available with "target" set to "localstack": /),
      ]);
    });

    test('refuses redshift with analytics, each with its own reason', () => {
      expect(problemsOf({ target: 'localstack', analytics: 'true', redshift: 'true' })).toEqual([
        expect.stringMatching(/^"analytics": got "true"; not available with "target" set to "localstack": /),
        '"redshift": got "true"; not available with "target" set to "localstack": LocalStack has no Redshift Serverless in any plan',
      ]);
    });

    test('accepts what LocalStack can run when it is asked for explicitly', () => {
      expect(() =>
        parseConfig({
          target: 'localstack',
          dax: 'false',
          analytics: false,
          redshift: 'false',
          contributorInsights: 'off',
          billing: 'on-demand',
        }),
      ).not.toThrow();
    });

    test('the aws target refuses none of them', () => {
      const config = parseConfig({
        dax: 'true',
        analytics: 'true',
        redshift: 'true',
        billing: 'provisioned',
        contributorInsights: 'throttled',
      });
      expect(config).toMatchObject({ target: 'aws', tracing: true, httpApi: true, analytics: true, redshift: true });
      expect(config.dax).toMatchObject({ nodes: 1 });
    });
  });

  test('throws one error listing every bad key', () => {
    expect(() => parseConfig({ billing: 'foo', stage: 'qa', statusShards: '99' })).toThrow(
      [
        'Invalid configuration:',
        '  - "stage": got "qa"; allowed values are "dev", "prod"',
        '  - "billing": got "foo"; allowed values are "on-demand", "provisioned"',
        '  - "statusShards": got "99"; must be a whole number from 1 to 32',
      ].join('\n'),
    );
  });
});

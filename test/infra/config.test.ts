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
      billing: { mode: 'on-demand' },
      statusShards: 4,
      pitrRecoveryDays: 35,
      contributorInsights: 'throttled',
      replicas: [],
      retainData: false,
      dax: false,
      analytics: false,
      apiRateLimit: 50,
      apiBurstLimit: 100,
    });
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
  ])('throws naming %s, the value and the rule', (_key, raw, message) => {
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  describe('with target localstack', () => {
    test('leaves out X-Ray, the HTTP API and Contributor Insights, and keeps the rest of the defaults', () => {
      const config = parseConfig({ target: 'localstack', stage: 'prod' });
      expect(config).toMatchObject({
        target: 'localstack',
        tracing: false,
        httpApi: false,
        contributorInsights: 'off',
        billing: { mode: 'on-demand' },
        pitrRecoveryDays: 35,
        retainData: true,
        dax: false,
        analytics: false,
      });
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

    test('accepts what LocalStack can run when it is asked for explicitly', () => {
      expect(() =>
        parseConfig({
          target: 'localstack',
          dax: 'false',
          analytics: false,
          contributorInsights: 'off',
          billing: 'on-demand',
        }),
      ).not.toThrow();
    });

    test('the aws target refuses none of them', () => {
      const config = parseConfig({
        dax: 'true',
        analytics: 'true',
        billing: 'provisioned',
        contributorInsights: 'throttled',
      });
      expect(config).toMatchObject({ target: 'aws', tracing: true, httpApi: true, dax: true, analytics: true });
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

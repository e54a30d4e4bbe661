/**
 * `npm run restore` end to end against moto_server's DynamoDB (DynamoDB Local has no backup API),
 * on a table created from the synthesized data stack and seeded with thousands of items of every
 * entity type.
 *
 * What moto can prove: moto's CreateBackup is a deep copy at backup time and its
 * RestoreTableFromBackup restores that copy, so the backup test proves the restore brings back
 * exactly the items of the backup time; the settings reapplied from the template are read back
 * from moto; the verification passes on a faithful restore and fails, with the counts, on a
 * tampered one. What it cannot: moto's RestoreTableToPointInTime ignores the time and copies the
 * table as it is now, so the point-in-time test proves the command's orchestration (checks,
 * request, wait, reapply, verify), not that a point in time's content comes back; moto has no
 * Contributor Insights API, so those requests are checked as sent, and seen refused; restore
 * durations here are moto's (immediate), not DynamoDB's.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { BackupClient } from '@aws-sdk/client-backup';
import {
  CreateBackupCommand,
  DeleteItemCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { verifyRestoredTable } from '../../lambdas/data/restore-verification';
import { EntityType } from '../../lambdas/model/entities';
import { cartLineItem, customerItem, dailyProductSalesItem, dailySalesItem } from '../../lambdas/model/keys';
import type { EntityCounts } from '../../lambdas/model/restore-check';
import { createTablesFromTemplate } from '../../local/emulation/tables-from-template';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import { batchWriteItems } from '../../local/seed/batch-writer';
import { generateDataset, seedItemsOf } from '../../local/seed/dataset';
import { main } from '../../tools/restore/cli';
import { RestoreError, type RestoreOptions, runRestore } from '../../tools/restore/restore';
import { settingsFromTemplate } from '../../tools/restore/table-settings';
import { motoEndpoint } from '../fixtures/engines';
import { dataTemplate } from '../fixtures/local-table';

jest.setTimeout(240_000);

const NOW = new Date();
const suffix = Math.random().toString(36).slice(2, 8);
const source = `restore-src-${suffix}`;

/** A pass-through to moto that records each request's operation (X-Amz-Target, or the path). */
function recordingProxy(target: string): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    seen.push(String(req.headers['x-amz-target'] ?? `${req.method} ${req.url}`));
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }),
    ),
  );
}

let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let dynamodb: DynamoDBClient;
let clients: NonNullable<RestoreOptions['clients']>;
const settings = settingsFromTemplate(dataTemplate());
/** What the table held when the backup was taken, by entity type. */
let countsAtBackup: EntityCounts;
let keysAtBackup: Set<string>;
let backupArn: string;
const lateCustomer = customerItem({
  customerId: `late-${suffix}`,
  email: `late-${suffix}@example.com`,
  name: 'Written after the backup',
  marketingOptIn: false,
  orderCount: 0,
  lifetimeValueCents: 0,
  createdAt: NOW.toISOString(),
  version: 1,
});

const keyOf = (item: Record<string, { S?: string }>) => `${item.PK?.S}|${item.SK?.S}`;

async function scanKeys(table: string): Promise<Set<string>> {
  const keys = new Set<string>();
  let start: Record<string, never> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) keys.add(keyOf(item as never));
    start = page.LastEvaluatedKey as never;
  } while (start !== undefined);
  return keys;
}

const options = (overrides: Partial<RestoreOptions>): RestoreOptions => ({
  sourceTable: source,
  targetTable: `restored-${suffix}-${Math.random().toString(36).slice(2, 6)}`,
  from: { kind: 'latest' },
  settings,
  statusShards: 4,
  tolerancePercent: 0,
  dryRun: false,
  pollMs: 50,
  log: () => {},
  clients,
  ...overrides,
});

beforeAll(async () => {
  proxy = await recordingProxy(motoEndpoint());
  const config = { ...LOCAL_AWS, endpoint: proxy.url, maxAttempts: 1 };
  dynamodb = new DynamoDBClient(config);
  clients = () => ({
    dynamodb,
    backup: new BackupClient(config),
    autoscaling: new ApplicationAutoScalingClient(config),
  });
  await createTablesFromTemplate(dynamodb, dataTemplate(), {
    tableName: (logicalId) => (logicalId.startsWith('Table') ? source : `restore-idem-${suffix}`),
  });
  await dynamodb.send(
    new UpdateContinuousBackupsCommand({
      TableName: source,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    }),
  );

  // Thousands of items of every entity type: the seed's customers, products and orders, and the
  // types only the stream consumers and carts write, made by the same item builders.
  const dataset = generateDataset({ products: 300, customers: 200, orders: 600, randomSeed: 11, now: NOW });
  const seed = seedItemsOf(dataset, 4);
  const day = NOW.toISOString().slice(0, 10);
  const extra = [
    ...dataset.customers.slice(0, 50).map((c, i) =>
      cartLineItem({
        customerId: c.customerId,
        sku: dataset.products[i]?.sku ?? 'SKU',
        quantity: 1,
        unitPriceCents: 100,
        addedAt: NOW.toISOString(),
        expiresAt: Math.floor(NOW.getTime() / 1000) + 86_400,
      }),
    ),
    dailySalesItem({ day, orderCount: 3, unitsSold: 5, revenueCents: 1234 }),
    ...dataset.products
      .slice(0, 20)
      .map((p) => dailyProductSalesItem({ day, sku: p.sku, unitsSold: 1, revenueCents: 99 })),
  ];
  const all = [...seed.products, ...seed.customers, ...seed.orderLines, ...seed.orders, ...extra];
  await batchWriteItems(dynamodb, source, all);
  const counts: Record<string, number> = {};
  for (const item of all) counts[String(item.entityType)] = (counts[String(item.entityType)] ?? 0) + 1;
  countsAtBackup = counts;
  keysAtBackup = new Set(all.map((item) => `${item.PK}|${item.SK}`));
  expect(Object.keys(countsAtBackup).sort()).toEqual(Object.values(EntityType).sort());
  expect(keysAtBackup.size).toBeGreaterThan(2_000);

  const backup = await dynamodb.send(new CreateBackupCommand({ TableName: source, BackupName: `before-${suffix}` }));
  backupArn = backup.BackupDetails?.BackupArn as string;
  await dynamodb.send(new PutItemCommand({ TableName: source, Item: marshall(lateCustomer) }));
});

afterAll(async () => {
  dynamodb?.destroy();
  await new Promise((resolve) => proxy?.server.close(resolve));
});

describe('GIVEN a backup of a seeded table, and a customer written after it', () => {
  let result: Awaited<ReturnType<typeof runRestore>>;
  let target: string;

  beforeAll(async () => {
    target = `restored-backup-${suffix}`;
    proxy.seen.length = 0;
    result = await runRestore(
      options({
        targetTable: target,
        from: { kind: 'backup', backupArn },
        expectedCounts: { label: 'the seeded data set', counts: countsAtBackup },
      }),
    );
  });

  test('THEN the restored table holds exactly the items of backup time: all of them, and not the later customer', async () => {
    expect(await scanKeys(target)).toEqual(keysAtBackup);
    const late = await dynamodb.send(
      new GetItemCommand({ TableName: target, Key: marshall({ PK: lateCustomer.PK, SK: lateCustomer.SK }) }),
    );
    expect(late.Item).toBeUndefined();
  });

  test('THEN it verifies clean: counts of every entity type exact, canary orders identical, every index answers', () => {
    const check = result?.check;
    expect(check?.problems).toEqual([]);
    expect(check?.passed).toBe(true);
    expect(check?.counts.every((row) => row.verdict === 'ok')).toBe(true);
    expect(check?.canaries.length).toBeGreaterThanOrEqual(4);
    expect(check?.indexes.map((p) => [p.indexName, p.answered, p.found])).toEqual([
      ['GSI1', true, true],
      ['OrdersByStatus', true, true],
      ['AwaitingShipment', true, true],
      ['OrdersByTotal', true, true],
    ]);
  });

  test('THEN TTL, the stream, PITR and the tags are reapplied from the template, as read back', async () => {
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: target }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: target }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    // A dev stage's table is not deletion-protected, so neither is its restore.
    expect(Table?.DeletionProtectionEnabled ?? false).toBe(false);
    const pitr = await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: target }));
    expect(pitr.ContinuousBackupsDescription?.PointInTimeRecoveryDescription).toMatchObject({
      PointInTimeRecoveryStatus: 'ENABLED',
      RecoveryPeriodInDays: 35,
    });
    const tags = await dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: Table?.TableArn }));
    expect(tags.Tags).toEqual(expect.arrayContaining([{ Key: 'restored-from', Value: 'npm run restore' }]));
  });

  test('THEN Contributor Insights is requested for the table and every index in the template’s mode (moto refuses it: reported to set by hand)', () => {
    expect(settings.contributorInsights).toEqual({
      '': 'THROTTLED_KEYS',
      GSI1: 'THROTTLED_KEYS',
      OrdersByStatus: 'THROTTLED_KEYS',
      AwaitingShipment: 'THROTTLED_KEYS',
    });
    expect(proxy.seen.filter((op) => op.endsWith('.UpdateContributorInsights'))).toHaveLength(4);
    const insights = result?.reapplied.filter((r) => r.setting.startsWith('Contributor Insights')) ?? [];
    expect(insights).toHaveLength(4);
    for (const r of insights) expect(r.error).toEqual(expect.any(String));
    expect(result?.reapplied.filter((r) => !r.setting.startsWith('Contributor Insights') && r.error)).toEqual([]);
  });

  test('THEN a tampered restore (orders and lines deleted) fails verification, naming the counts', async () => {
    const tampered = `restored-tampered-${suffix}`;
    await runRestore(
      options({
        targetTable: tampered,
        from: { kind: 'backup', backupArn },
        expectedCounts: { label: 'x', counts: countsAtBackup },
      }),
    );
    let removed = 0;
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: tampered,
        FilterExpression: 'entityType = :t',
        ExpressionAttributeValues: { ':t': { S: 'OrderLine' } },
      }),
    );
    for (const item of (page.Items ?? []).slice(0, 25)) {
      await dynamodb.send(
        new DeleteItemCommand({ TableName: tampered, Key: { PK: item.PK as never, SK: item.SK as never } }),
      );
      removed += 1;
    }
    expect(removed).toBe(25);
    const check = await verifyRestoredTable({
      client: dynamodb,
      restoredTable: tampered,
      sourceTable: source,
      recoveryPoint: NOW,
      statusShards: 4,
      tolerancePercent: 0,
      expectedCounts: { label: 'the seeded data set', counts: countsAtBackup },
    });
    const lines = countsAtBackup.OrderLine ?? 0;
    expect(check.passed).toBe(false);
    expect(check.problems).toContain(`OrderLine: ${lines - 25} restored, ${lines} expected (-25)`);
    expect(check.counts.find((r) => r.entityType === 'OrderLine')).toMatchObject({
      verdict: 'missing',
      difference: -25,
    });
  });
});

describe('GIVEN a point-in-time restore to the latest time', () => {
  test('THEN the command checks, restores, reapplies and verifies against the source (moto copies the table as it is now)', async () => {
    const target = `restored-pitr-${suffix}`;
    proxy.seen.length = 0;
    const result = await runRestore(options({ targetTable: target, from: { kind: 'latest' } }));
    expect(proxy.seen).toEqual(
      expect.arrayContaining([
        'DynamoDB_20120810.DescribeContinuousBackups',
        'DynamoDB_20120810.RestoreTableToPointInTime',
        'DynamoDB_20120810.UpdateTimeToLive',
        'DynamoDB_20120810.UpdateContinuousBackups',
      ]),
    );
    expect(result?.check?.reference.kind).toBe('source');
    expect(result?.check?.problems).toEqual([]);
    // What moto can and cannot show: the late customer is there because moto copies the table as
    // it is now; DynamoDB would bring back the table as of the time asked for.
    expect((await scanKeys(target)).has(`${lateCustomer.PK}|${lateCustomer.SK}`)).toBe(true);
  });
});

describe('GIVEN mistakes a person makes at 3 a.m.', () => {
  test.each<[string, Partial<RestoreOptions>, RegExp]>([
    [
      'a table that does not exist',
      { sourceTable: `missing-${suffix}` },
      /^Table missing-\w+ does not exist in this account and region/,
    ],
    [
      'a time outside the recovery window',
      { from: { kind: 'point-in-time', time: new Date('2020-01-01T00:00:00Z') } },
      /^--to-time 2020-01-01T00:00:00.000Z is outside the recovery window of restore-src-\w+: \S+ to \S+\. Choose a time inside it, or --latest\.$/,
    ],
    [
      'a backup that does not exist',
      {
        from: {
          kind: 'backup',
          backupArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/x/backup/01700000000000-deadbeef',
        },
      },
      /^No backup arn:aws:dynamodb:\S+: list the table's backups with aws dynamodb list-backups --table-name restore-src-\w+/,
    ],
  ])('THEN %s is refused with what to do', async (_what, overrides, message) => {
    const attempt = runRestore(options(overrides));
    await expect(attempt).rejects.toThrow(RestoreError);
    await expect(attempt).rejects.toThrow(message);
  });
});

describe('GIVEN --dry-run', () => {
  const env = { ...process.env };
  beforeEach(() => {
    process.env.AWS_ENDPOINT_URL = proxy.url;
    process.env.AWS_REGION = LOCAL_AWS.region;
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    proxy.seen.length = 0;
  });
  afterEach(() => {
    process.env = { ...env };
  });

  const templateFile = () => {
    const { writeFileSync, mkdtempSync } = require('node:fs') as typeof import('node:fs');
    const { join } = require('node:path') as typeof import('node:path');
    const file = join(mkdtempSync(join(require('node:os').tmpdir(), 'restore-')), 'data.template.json');
    writeFileSync(file, JSON.stringify(dataTemplate()));
    return file;
  };

  test('THEN it prints the plan, with what it will reapply, and makes no request at all', async () => {
    const lines: string[] = [];
    const code = await main(['--source-table', source, '--latest', '--template', templateFile(), '--dry-run'], (l) =>
      lines.push(l),
    );
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(
      /dry run: nothing is called[\s\S]*TTL on expiresAt[\s\S]*stream NEW_AND_OLD_IMAGES/,
    );
    expect(proxy.seen).toEqual([]);
  });

  test('THEN without it the same command does reach the endpoint (so the recorder would see a call)', async () => {
    const lines: string[] = [];
    const code = await main(['--source-table', `missing-${suffix}`, '--latest', '--template', templateFile()], (l) =>
      lines.push(l),
    );
    expect(code).toBe(1);
    expect(proxy.seen).toContain('DynamoDB_20120810.DescribeTable');
  });
});

/**
 * A table's items written the way `ExportTableToPointInTime` writes a full export in DynamoDB JSON:
 * gzip files of `{"Item": {...}}` lines under `AWSDynamoDB/<export id>/data/`, beside a
 * `manifest-summary.json` and a `manifest-files.json`. DynamoDB Local has no export, so this scans
 * the table instead (a parallel Scan, strongly consistent), which the export's format does not tell
 * apart.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';

/** One attribute value in DynamoDB JSON: binary as base64, everything else as the SDK holds it. */
export function dynamoDbJson(value: AttributeValue): unknown {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: itemJson(value.M) };
  if (value.L !== undefined) return { L: value.L.map(dynamoDbJson) };
  const [entry] = Object.entries(value).filter(([kind, v]) => kind !== '$unknown' && v !== undefined);
  if (entry === undefined) throw new Error(`an attribute value without a type: ${JSON.stringify(value)}`);
  return Object.fromEntries([entry]);
}

/** An item in DynamoDB JSON. */
export function itemJson(item: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, dynamoDbJson(value)]));
}

export interface LocalExport {
  /** The folder that holds `AWSDynamoDB/`, as an export's S3 prefix would. */
  readonly dir: string;
  readonly exportId: string;
  readonly itemCount: number;
  readonly files: readonly string[];
}

export interface ExportTableOptions {
  /**
   * Parallel scan segments, each written to a file of its own, as an export writes several.
   *
   * @default 4
   */
  readonly segments?: number;
}

/** Scan the table and write its items into `dir` in the export format. */
export async function exportTable(
  client: DynamoDBClient,
  tableName: string,
  dir: string,
  options: ExportTableOptions = {},
): Promise<LocalExport> {
  const segments = options.segments ?? 4;
  // DynamoDB's export ids read <epoch ms>-<8 hex>.
  const exportId = `${String(Date.now()).padStart(17, '0')}-${randomUUID().slice(0, 8)}`;
  const dataDir = join(dir, 'AWSDynamoDB', exportId, 'data');
  mkdirSync(dataDir, { recursive: true });

  const files = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const lines: string[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: tableName,
            Segment: segment,
            TotalSegments: segments,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) lines.push(JSON.stringify({ Item: itemJson(item) }));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      const body = gzipSync(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
      const key = join('AWSDynamoDB', exportId, 'data', `${randomUUID().replace(/-/g, '').slice(0, 26)}.json.gz`);
      writeFileSync(join(dir, key), body);
      return { key, count: lines.length, md5: createHash('md5').update(body).digest('hex'), size: body.length };
    }),
  );

  const itemCount = files.reduce((sum, f) => sum + f.count, 0);
  const manifestFiles = files
    .map((f) => JSON.stringify({ itemCount: f.count, md5Checksum: f.md5, dataFileS3Key: f.key }))
    .join('\n');
  writeFileSync(join(dir, 'AWSDynamoDB', exportId, 'manifest-files.json'), `${manifestFiles}\n`);
  writeFileSync(
    join(dir, 'AWSDynamoDB', exportId, 'manifest-summary.json'),
    `${JSON.stringify(
      {
        version: '2020-06-30',
        exportArn: `arn:local:dynamodb:local:000000000000:table/${tableName}/export/${exportId}`,
        exportType: 'FULL_EXPORT',
        outputFormat: 'DYNAMODB_JSON',
        itemCount,
        manifestFilesS3Key: join('AWSDynamoDB', exportId, 'manifest-files.json'),
      },
      null,
      2,
    )}\n`,
  );
  return { dir, exportId, itemCount, files: files.map((f) => f.key) };
}

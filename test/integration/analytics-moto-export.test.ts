/**
 * The export fixture the Python tests read (analytics/tests/fixtures/moto-export/) is what
 * moto_server writes for test/fixtures/analytics-export.ts's items today: the same items, in
 * DynamoDB export's layout, line for line. When the items change, record it again with
 * `npx tsx test/fixtures/record-moto-export.ts`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  analyticsFixtureItems,
  exportLines,
  exportThroughMoto,
  MOTO_EXPORT_FIXTURE,
} from '../fixtures/analytics-export';
import { motoEndpoint } from '../fixtures/engines';

const ROOT = join(__dirname, '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('GIVEN the fixture items WHEN moto exports them THEN it writes the committed fixture, line for line', async () => {
  // Act
  const fresh = await exportThroughMoto(motoEndpoint(), analyticsFixtureItems());

  // Assess: one gzip file under AWSDynamoDB/<id>/data/, holding the same lines
  const committed = filesUnder(join(ROOT, MOTO_EXPORT_FIXTURE));
  expect(fresh.map((f) => f.key)).toEqual([expect.stringMatching(/^AWSDynamoDB\/[^/]+\/data\/[^/]+\.gz$/)]);
  expect(committed.map((path) => relative(join(ROOT, MOTO_EXPORT_FIXTURE), path))).toEqual([
    expect.stringMatching(/^AWSDynamoDB\/[^/]+\/data\/[^/]+\.gz$/),
  ]);
  const [file] = fresh;
  const [path] = committed;
  expect(exportLines(file?.body ?? Buffer.alloc(0))).toEqual(exportLines(readFileSync(path ?? '')));
  expect(exportLines(readFileSync(path ?? '')).length).toBe(analyticsFixtureItems().length);
});

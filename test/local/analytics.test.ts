/**
 * The local analytics path's own parts: DynamoDB JSON as the export writes it, and the command line.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { parseAnalyticsArgs, UsageError } from '../../local/analytics';
import { dynamoDbJson, itemJson } from '../../local/analytics/export-table';

describe('dynamoDbJson', () => {
  test('writes every attribute type as an export does: binary as base64, the rest as DynamoDB holds it', () => {
    // Prepare
    const item = marshall(
      {
        s: 'text',
        n: 12.5,
        b: new Uint8Array([0, 1, 250]),
        bool: false,
        nil: null,
        m: { inner: 1 },
        l: ['a', 2],
        ss: new Set(['x', 'y']),
        ns: new Set([1, 2]),
        bs: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]),
      },
      { convertEmptyValues: false },
    );

    // Act
    const json = JSON.parse(JSON.stringify(itemJson(item)));

    // Assess
    expect(json).toEqual({
      s: { S: 'text' },
      n: { N: '12.5' },
      b: { B: 'AAH6' },
      bool: { BOOL: false },
      nil: { NULL: true },
      m: { M: { inner: { N: '1' } } },
      l: { L: [{ S: 'a' }, { N: '2' }] },
      ss: { SS: ['x', 'y'] },
      ns: { NS: ['1', '2'] },
      bs: { BS: ['AQ==', 'AgM='] },
    });
  });

  test('refuses a value without a type', () => {
    expect(() => dynamoDbJson({} as never)).toThrow('an attribute value without a type: {}');
  });
});

describe('parseAnalyticsArgs', () => {
  const today = new Date('2026-11-29T13:00:00Z');

  test('defaults to today (UTC) and .analytics', () => {
    expect(parseAnalyticsArgs([], today)).toEqual({
      out: expect.stringMatching(/\.analytics$/),
      exportDate: '2026-11-29',
    });
  });

  test('takes --export-date and --out, with a space or an equals sign', () => {
    expect(parseAnalyticsArgs(['--export-date=2026-11-28', '--out', '/tmp/a'], today)).toEqual({
      out: '/tmp/a',
      exportDate: '2026-11-28',
    });
  });

  test('asks for help with --help', () => {
    expect(parseAnalyticsArgs(['--help'], today)).toBeUndefined();
  });

  test.each([
    [['--export-date', '28/11/2026'], '--export-date must be a day as YYYY-MM-DD; got "28/11/2026"'],
    [['--out'], '--out needs a value'],
    [['--days', '3'], 'Unknown argument "--days"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseAnalyticsArgs(argv, today)).toThrow(UsageError);
    expect(() => parseAnalyticsArgs(argv, today)).toThrow(message);
  });
});

/**
 * Shard lineage, which DynamoDB Local does not produce on demand: a stub at the SDK boundary
 * serves a parent shard that closes and a child that continues it. The integration test reads a
 * real stream from DynamoDB Local.
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { StreamReader } from '../../local/emulation/streams/stream-reader';

const record = (id: string) => ({ eventID: id, dynamodb: { SequenceNumber: id } });

function stubClient(): DynamoDBStreamsClient {
  // The child is listed first, as DescribeStream may do: the reader must still read the parent first.
  const shards = [
    { ShardId: 'child', ParentShardId: 'parent', SequenceNumberRange: { StartingSequenceNumber: '200' } },
    { ShardId: 'parent', SequenceNumberRange: { StartingSequenceNumber: '100', EndingSequenceNumber: '199' } },
  ];
  const pages: Record<string, { Records: unknown[]; NextShardIterator?: string }> = {
    'parent-1': { Records: [record('100'), record('101')], NextShardIterator: 'parent-2' },
    'parent-2': { Records: [record('102')] },
    'child-1': { Records: [record('200')], NextShardIterator: 'child-2' },
    'child-2': { Records: [], NextShardIterator: 'child-2' },
  };
  return {
    send: async (command: { constructor: { name: string }; input: Record<string, string> }) => {
      switch (command.constructor.name) {
        case 'DescribeStreamCommand':
          return { StreamDescription: { Shards: shards } };
        case 'GetShardIteratorCommand':
          return { ShardIterator: `${command.input.ShardId}-1` };
        case 'GetRecordsCommand':
          return pages[command.input.ShardIterator as string];
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    },
  } as unknown as DynamoDBStreamsClient;
}

test('a child shard is read only after its parent is read to the end', async () => {
  const reader = new StreamReader({ streamArn: 'arn:stream', client: stubClient() });
  const records = await reader.poll();
  expect(records.map((r) => r.eventID)).toEqual(['100', '101', '102', '200']);
  expect(await reader.poll()).toEqual([]);
});

describe('an iterator the stream stops accepting', () => {
  /** One open shard holding records 1 to 3; the first iterator handed out goes stale after one page. */
  function staleIteratorClient(errorName: string, { alwaysStale = false } = {}) {
    const requests: Record<string, string>[] = [];
    let issued = 0;
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, string> }) => {
        switch (command.constructor.name) {
          case 'DescribeStreamCommand':
            return { StreamDescription: { Shards: [{ ShardId: 'open' }] } };
          case 'GetShardIteratorCommand':
            requests.push(command.input);
            issued += 1;
            return { ShardIterator: `iterator-${issued}` };
          case 'GetRecordsCommand': {
            const iterator = command.input.ShardIterator;
            if (iterator === 'iterator-1') return { Records: [record('1')], NextShardIterator: 'iterator-1-next' };
            if (alwaysStale || iterator === 'iterator-1-next')
              throw Object.assign(new Error('stale'), { name: errorName });
            // A fresh iterator after sequence number 1 reads on from 2.
            return iterator === 'iterator-2'
              ? { Records: [record('2'), record('3')], NextShardIterator: 'iterator-2-next' }
              : { Records: [], NextShardIterator: iterator };
          }
          default:
            throw new Error(`unexpected ${command.constructor.name}`);
        }
      },
    } as unknown as DynamoDBStreamsClient;
    return { client, requests };
  }

  test.each(['TrimmedDataAccessException', 'ExpiredIteratorException'])(
    'after %s, reading resumes right after the last record read, losing and repeating nothing',
    async (errorName) => {
      const { client, requests } = staleIteratorClient(errorName);
      const reader = new StreamReader({ streamArn: 'arn:stream', client });
      expect((await reader.poll()).map((r) => r.eventID)).toEqual(['1', '2', '3']);
      expect(await reader.poll()).toEqual([]);
      expect(requests[1]).toMatchObject({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '1' });
    },
  );

  test('a stream that keeps refusing new iterators hands over what it read, then fails the poll', async () => {
    const { client } = staleIteratorClient('TrimmedDataAccessException', { alwaysStale: true });
    const reader = new StreamReader({ streamArn: 'arn:stream', client });
    expect((await reader.poll()).map((r) => r.eventID)).toEqual(['1']);
    await expect(reader.poll()).rejects.toThrow(/keeps refusing new iterators/);
  });

  test('other errors are not retried', async () => {
    const { client } = staleIteratorClient('ResourceNotFoundException', { alwaysStale: true });
    const reader = new StreamReader({ streamArn: 'arn:stream', client });
    await reader.poll().catch(() => undefined);
    await expect(reader.poll()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('starting at LATEST', () => {
  /** One open shard: records 1 and 2 exist when reading begins; record 3 is written after the first poll. */
  function client({ refuseFirstIterator = false } = {}) {
    const types: string[] = [];
    let written = ['1', '2'];
    let refused = false;
    const stub = {
      write: (id: string) => {
        written = [...written, id];
      },
      types,
      client: {
        send: async (command: { constructor: { name: string }; input: Record<string, string> }) => {
          switch (command.constructor.name) {
            case 'DescribeStreamCommand':
              return { StreamDescription: { Shards: [{ ShardId: 'open' }] } };
            case 'GetShardIteratorCommand':
              types.push(command.input.ShardIteratorType as string);
              return {
                ShardIterator: `after:${command.input.SequenceNumber ?? ''}`,
              };
            case 'GetRecordsCommand': {
              if (refuseFirstIterator && !refused && command.input.ShardIterator === 'after:2') {
                refused = true;
                throw Object.assign(new Error('stale'), { name: 'TrimmedDataAccessException' });
              }
              const after = (command.input.ShardIterator as string).slice('after:'.length);
              const rest = written.filter((id) => after === '' || id > after);
              const last = rest[rest.length - 1] ?? after;
              return { Records: rest.map(record), NextShardIterator: `after:${last}` };
            }
            default:
              throw new Error(`unexpected ${command.constructor.name}`);
          }
        },
      } as unknown as DynamoDBStreamsClient,
    };
    return stub;
  }

  test('what the stream held before is skipped, and what comes after is read', async () => {
    const stub = client();
    const reader = new StreamReader({ streamArn: 'arn:stream', client: stub.client, startingPosition: 'LATEST' });
    expect(await reader.poll()).toEqual([]);
    stub.write('3');
    expect((await reader.poll()).map((r) => r.eventID)).toEqual(['3']);
  });

  test('an iterator refused after the skip resumes after the skipped records, replaying none', async () => {
    const stub = client({ refuseFirstIterator: true });
    const reader = new StreamReader({ streamArn: 'arn:stream', client: stub.client, startingPosition: 'LATEST' });
    expect(await reader.poll()).toEqual([]);
    stub.write('3');
    expect((await reader.poll()).map((r) => r.eventID)).toEqual(['3']);
    expect(stub.types).toEqual(['TRIM_HORIZON', 'AFTER_SEQUENCE_NUMBER']);
  });
});

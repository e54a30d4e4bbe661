/**
 * Reads a table's stream from DynamoDB Local (or DynamoDB) across all its shards, following shard
 * lineage as Lambda does: a child shard is read only after its parent has been read to its end,
 * so the changes to one item always come out in the order they were made.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  type DynamoDBStreamsClientConfig,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';

export type { DynamoDBStreamsClient, StreamRecord };

/** Records read from one shard, in sequence order. */
export interface ShardRecords {
  readonly shardId: string;
  readonly records: StreamRecord[];
}

export interface StreamReaderOptions {
  readonly streamArn: string;
  readonly client: DynamoDBStreamsClient;
  /** Where to start in shards that exist when reading begins. @default 'TRIM_HORIZON' */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /**
   * Resume from a checkpoint instead: after this sequence number in each shard it names, and from
   * the start of every other shard (those the checkpoint never saw a record of). Overrides
   * `startingPosition`.
   */
  readonly resumeAfter?: Readonly<Record<string, string>>;
  /** Most records to take from one shard per GetRecords call. @default 1000 */
  readonly batchLimit?: number;
}

interface ShardState {
  readonly shard: Shard;
  iterator?: string;
  /** Sequence number of the last record read from the shard, to resume after a lost iterator. */
  lastSequenceNumber?: string;
  /** Drop what the shard holds now: the reader starts at LATEST and found the shard at its start. */
  skipToEnd?: boolean;
  /** The shard is closed and every record in it has been read. */
  finished: boolean;
  /** The position came from a checkpoint and no iterator has been got for it yet. */
  resumed?: boolean;
}

/** A DynamoDB Streams client for an endpoint, such as DynamoDB Local's (which serves streams too). */
export function streamsClient(config: DynamoDBStreamsClientConfig): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient(config);
}

/** What GetRecords answers when an iterator can no longer be used; a new one fixes it. */
const LOST_ITERATOR_ERRORS = new Set(['ExpiredIteratorException', 'TrimmedDataAccessException']);

/** Bound on GetRecords calls per shard in one poll, so that a busy shard cannot starve the others. */
const MAX_PAGES_PER_POLL = 100;

export class StreamReader {
  private readonly shards = new Map<string, ShardState>();
  private firstDiscovery = true;

  constructor(private readonly options: StreamReaderOptions) {}

  /** Every shard of the stream, following DescribeStream's pagination. */
  private async describeShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.options.client.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start !== undefined);
    return shards;
  }

  private async discover(): Promise<void> {
    for (const shard of await this.describeShards()) {
      if (shard.ShardId === undefined || this.shards.has(shard.ShardId)) continue;
      const resumed = this.options.resumeAfter?.[shard.ShardId];
      this.shards.set(shard.ShardId, {
        shard,
        finished: false,
        ...(resumed === undefined ? {} : { lastSequenceNumber: resumed, resumed: true }),
      });
    }
  }

  /** A shard may be read once its parent, if the reader knows it, has been read to the end. */
  private ready(state: ShardState): boolean {
    const parent = state.shard.ParentShardId === undefined ? undefined : this.shards.get(state.shard.ParentShardId);
    return !state.finished && (parent === undefined || parent.finished);
  }

  /**
   * An iterator for a shard: after the last record read from it, or at its start. `LATEST` is not
   * asked of the stream: a reader starting there reads the shards it finds first to their current
   * end and drops those records (see `pollShards`). That gives the same position, and unlike a
   * LATEST iterator it can be found again if the stream refuses the iterator later. A reader that
   * resumes from a checkpoint starts after the checkpoint's position in each shard.
   */
  private async iteratorFor(state: ShardState): Promise<string | undefined> {
    if (state.iterator !== undefined) return state.iterator;
    const after = state.lastSequenceNumber;
    const request = (
      position:
        | { ShardIteratorType: 'TRIM_HORIZON' }
        | { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER'; SequenceNumber: string },
    ) =>
      this.options.client.send(
        new GetShardIteratorCommand({ StreamArn: this.options.streamArn, ShardId: state.shard.ShardId, ...position }),
      );
    const { ShardIterator } =
      after === undefined
        ? await request({ ShardIteratorType: 'TRIM_HORIZON' })
        : await request({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }).catch((error: Error) => {
            // A checkpoint older than the stream's 24 hours: what is left of the shard all follows it.
            // (Only for a checkpoint: a position read in this run is never trimmed that fast.)
            if (error.name !== 'TrimmedDataAccessException' || state.resumed !== true) throw error;
            return request({ ShardIteratorType: 'TRIM_HORIZON' });
          });
    state.resumed = false;
    state.iterator = ShardIterator;
    return ShardIterator;
  }

  /** The last sequence number read from each shard that has given any record: where a checkpoint stands. */
  positions(): Record<string, string> {
    const positions: Record<string, string> = {};
    for (const [shardId, state] of this.shards) {
      if (state.lastSequenceNumber !== undefined) positions[shardId] = state.lastSequenceNumber;
    }
    return positions;
  }

  /**
   * Read what is available now: records from every readable shard, parents before children, each
   * shard's records in sequence order. Returns an empty list when nothing new has arrived.
   */
  async poll(): Promise<StreamRecord[]> {
    return (await this.pollShards()).flatMap((shard) => shard.records);
  }

  /** As `poll`, with the records grouped by the shard they came from, as Lambda delivers them. */
  async pollShards(): Promise<ShardRecords[]> {
    await this.discover();
    if (this.firstDiscovery && this.options.startingPosition === 'LATEST' && this.options.resumeAfter === undefined) {
      // Shards found after the first look are new and read from their start, whatever the position.
      for (const state of this.shards.values()) state.skipToEnd = true;
    }
    this.firstDiscovery = false;
    const read: ShardRecords[] = [];
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const state of this.shards.values()) {
        if (!this.ready(state)) continue;
        const iterator = await this.iteratorFor(state);
        if (iterator === undefined) {
          state.finished = true;
          progressed = true;
          continue;
        }
        const records = await this.readShard(state);
        if (state.skipToEnd) {
          // What the shard held when reading began is behind a LATEST position.
          state.skipToEnd = false;
          records.length = 0;
        }
        if (records.length > 0) read.push({ shardId: state.shard.ShardId ?? '', records });
        // A closed shard whose iterator runs out is finished, which lets its children be read.
        if (state.iterator === undefined) {
          state.finished = true;
          progressed = true;
        }
      }
    }
    return read;
  }

  /**
   * Read a shard until it has nothing more now (an open shard always hands back a next iterator; a
   * closed one stops handing them out at its end).
   */
  private async readShard(state: ShardState): Promise<StreamRecord[]> {
    const records: StreamRecord[] = [];
    let refused = 0;
    for (let pages = 0; pages < MAX_PAGES_PER_POLL && state.iterator !== undefined; pages++) {
      const page = await this.options.client
        .send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: this.options.batchLimit ?? 1_000 }))
        .catch((error: Error) => {
          if (!LOST_ITERATOR_ERRORS.has(error.name)) throw error;
          return undefined;
        });
      if (page === undefined) {
        // The iterator expired, or (DynamoDB Local, after polling an empty stream) it was refused
        // as trimmed although no record was: get a new one after the last record read.
        state.iterator = undefined;
        refused += 1;
        if (refused === 1) {
          await this.iteratorFor(state);
          continue;
        }
        // Refused again: hand over what this poll read (the next poll resumes after it), and fail
        // only when there is nothing to hand over.
        if (records.length > 0) {
          await this.iteratorFor(state);
          return records;
        }
        throw new Error(`Shard ${state.shard.ShardId}: the stream keeps refusing new iterators`);
      }
      const { Records = [], NextShardIterator } = page;
      records.push(...Records);
      const last = Records[Records.length - 1]?.dynamodb?.SequenceNumber;
      if (last !== undefined) state.lastSequenceNumber = last;
      state.iterator = NextShardIterator;
      if (Records.length === 0) break;
    }
    return records;
  }
}

/**
 * The local stream pump: reads a table's stream from DynamoDB Local and delivers it to stream
 * consumers the way their event source mappings would in AWS (filters, batches, partial batch
 * responses, bisect, retries, failure destination), with the mappings read from the synthesized
 * template.
 *
 * Each mapping reads the stream on its own, from its own position, as Lambda's pollers do. Tests
 * call `drain()` to deliver everything written so far; the local runner calls `start()`, which
 * also waits out each mapping's batching window as Lambda would.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { type DeliveryReport, deliverShardRecords, type FailedBatch, type StreamConsumer } from './batch-delivery';
import { matchesFilters } from './filter-criteria';
import { toLambdaRecord } from './lambda-records';
import type { StreamMapping } from './mappings';
import { type DynamoDBStreamsClient, StreamReader, type StreamRecord } from './stream-reader';
import { ShardWindows, withinStampedMinute } from './tumbling-windows';

export interface PumpedMapping {
  readonly mapping: StreamMapping;
  /** The function behind the mapping. */
  readonly consumer: StreamConsumer;
  /** Where descriptions of batches Lambda gives up on go. */
  readonly onFailure: (failure: FailedBatch) => Promise<void>;
  /**
   * Resume from a checkpoint (see `onCheckpoint`) instead of the mapping's starting position.
   *
   * @default - the mapping's starting position
   */
  readonly resumeAfter?: Readonly<Record<string, string>>;
  /**
   * Hears each shard's checkpoint as it moves: the sequence number of the last record the mapping
   * is done with (delivered, filtered out, or given up on), as Lambda keeps one per shard.
   */
  readonly onCheckpoint?: (shardId: string, sequenceNumber: string) => void;
}

/** How one invocation of a mapping's function ended. */
export type InvocationOutcome =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'partial'; readonly failedSequenceNumbers: readonly string[] };

/**
 * Optional listeners to what the pump does, for tools that show it (the local console): they are
 * told, never asked, and the pump delivers exactly as it would without them.
 */
export interface PumpHooks {
  /** Records a mapping read, each with whether the mapping's filters let it through. */
  readonly onRead?: (
    mappingLogicalId: string,
    records: readonly { readonly record: DynamoDBRecord; readonly matched: boolean }[],
  ) => void;
  /** One invocation of a mapping's function, with its records (none for a window's final one). */
  readonly onInvocation?: (
    mappingLogicalId: string,
    invocation: {
      readonly records: readonly DynamoDBRecord[];
      readonly window?: { readonly start: string; readonly final: boolean };
      readonly outcome: InvocationOutcome;
    },
  ) => void;
  /** A batch the mapping gave up on, as described to its failure destination. */
  readonly onGiveUp?: (mappingLogicalId: string, failure: FailedBatch) => void;
}

/** The mapping's function and failure destination, reporting to the hooks as they are called. */
function observed(pumped: PumpedMapping, hooks: PumpHooks | undefined): PumpedMapping {
  if (hooks === undefined) return pumped;
  const id = pumped.mapping.logicalId;
  return {
    ...pumped,
    consumer: async (event) => {
      const window =
        event.window === undefined
          ? undefined
          : { start: event.window.start, final: event.isFinalInvokeForWindow === true };
      const report = (outcome: InvocationOutcome) =>
        hooks.onInvocation?.(id, { records: event.Records, ...(window === undefined ? {} : { window }), outcome });
      try {
        const response = await pumped.consumer(event);
        const failed = pumped.mapping.delivery.reportBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
        report(
          failed.length === 0
            ? { kind: 'succeeded' }
            : { kind: 'partial', failedSequenceNumbers: failed.map((f) => f.itemIdentifier) },
        );
        return response;
      } catch (error) {
        report({ kind: 'failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
        throw error;
      }
    },
    onFailure: async (failure) => {
      await pumped.onFailure(failure);
      hooks.onGiveUp?.(id, failure);
    },
  };
}

export interface StreamPumpOptions {
  readonly streamArn: string;
  readonly client: DynamoDBStreamsClient;
  readonly region: string;
  readonly mappings: readonly PumpedMapping[];
  /** The local TTL process, whose deletions are delivered as TTL deletions. */
  readonly ttl?: { claim(record: StreamRecord): boolean };
  /** Listeners to what the pump reads and delivers. @default - none */
  readonly hooks?: PumpHooks;
}

/** What one mapping did in one delivery round. */
export interface MappingReport extends DeliveryReport {
  readonly mappingLogicalId: string;
}

interface Pending {
  readonly shardId: string;
  readonly records: DynamoDBRecord[];
}

interface MappingState {
  readonly pumped: PumpedMapping;
  readonly reader: StreamReader;
  pending: Pending[];
  pendingSince?: number;
  /** Each shard's checkpoint as last reported. */
  readonly checkpoints: Map<string, string>;
  /** With a tumbling window: each shard's windows. */
  readonly windows: Map<string, ShardWindows>;
}

const add = (a: DeliveryReport, b: DeliveryReport): DeliveryReport => ({
  delivered: a.delivered + b.delivered,
  filteredOut: a.filteredOut + b.filteredOut,
  invocations: a.invocations + b.invocations,
  failedBatches: [...a.failedBatches, ...b.failedBatches],
});

const MAX_REMEMBERED_RECORDS = 100_000;

const EMPTY: DeliveryReport = { delivered: 0, filteredOut: 0, invocations: 0, failedBatches: [] };

/** Send failure descriptions to an SQS queue, as Lambda's on-failure destination does. */
export function sqsFailureDestination(
  sqs: SQSClient,
  queueUrl: string,
  functionArn: string,
): (failure: FailedBatch) => Promise<void> {
  return async (failure) => {
    const message = {
      ...failure,
      requestContext: { ...failure.requestContext, functionArn },
      version: '1.0',
      timestamp: new Date().toISOString(),
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
  };
}

export class StreamPump {
  private readonly states: MappingState[];
  private running?: { stop: boolean; done: Promise<void> };

  constructor(private readonly options: StreamPumpOptions) {
    this.states = options.mappings.map((pumped) => ({
      pumped: observed(pumped, options.hooks),
      reader: new StreamReader({
        streamArn: options.streamArn,
        client: options.client,
        startingPosition: pumped.mapping.startingPosition,
        ...(pumped.resumeAfter === undefined ? {} : { resumeAfter: pumped.resumeAfter }),
      }),
      pending: [],
      checkpoints: new Map(Object.entries(pumped.resumeAfter ?? {})),
      windows: new Map(),
    }));
  }

  /** Whether each record read is a TTL deletion, decided once for all mappings. */
  private readonly ttlDeletions = new Map<string, boolean>();

  private isTtlDeletion(record: StreamRecord): boolean {
    const id = record.eventID ?? '';
    let decided = this.ttlDeletions.get(id);
    if (decided === undefined) {
      decided = this.options.ttl?.claim(record) ?? false;
      this.ttlDeletions.set(id, decided);
      // Every mapping reads a record within a round or two; forget the oldest long after that.
      if (this.ttlDeletions.size > MAX_REMEMBERED_RECORDS) {
        const oldest = this.ttlDeletions.keys().next().value;
        if (oldest !== undefined) this.ttlDeletions.delete(oldest);
      }
    }
    return decided;
  }

  /** Move a shard's checkpoint forward, and tell the mapping's listener. */
  private checkpoint(state: MappingState, shardId: string, sequenceNumber: string): void {
    if (state.checkpoints.get(shardId) === sequenceNumber) return;
    state.checkpoints.set(shardId, sequenceNumber);
    state.pumped.onCheckpoint?.(shardId, sequenceNumber);
  }

  /**
   * Checkpoint every shard with nothing pending at the position read so far: what a LATEST start
   * skipped, and what was read and delivered.
   */
  private checkpointSettled(state: MappingState): void {
    const pendingShards = new Set(state.pending.map((p) => p.shardId));
    for (const [shardId, sequenceNumber] of Object.entries(state.reader.positions())) {
      // A shard with an open tumbling window moves its checkpoint when the window is final.
      if (pendingShards.has(shardId) || state.windows.get(shardId)?.hasOpenWindow === true) continue;
      this.checkpoint(state, shardId, sequenceNumber);
    }
  }

  /** A shard's tumbling windows, for a mapping that has them. */
  private windowsOf(state: MappingState, shardId: string): ShardWindows {
    let windows = state.windows.get(shardId);
    if (windows === undefined) {
      const { mapping, consumer, onFailure } = state.pumped;
      windows = new ShardWindows(
        shardId,
        this.options.streamArn,
        mapping.tumblingWindowInSeconds,
        mapping.delivery,
        consumer,
        onFailure,
        (sequenceNumber) => this.checkpoint(state, shardId, sequenceNumber),
        // The pump reads DynamoDB Local, whose stamps are to the minute.
        withinStampedMinute,
      );
      state.windows.set(shardId, windows);
    }
    return windows;
  }

  /** Give every tumbling window that has ended (or every one, with `force`) its final invocation. */
  private async finishWindows(state: MappingState, force = false): Promise<number> {
    let finished = 0;
    for (const windows of state.windows.values()) if (await windows.finishIfDue(Date.now() / 1000, force)) finished++;
    return finished;
  }

  /** Read what a mapping has not seen yet into its pending records. */
  private async read(state: MappingState): Promise<number> {
    let read = 0;
    for (const shard of await state.reader.pollShards()) {
      const records = shard.records.map((r) =>
        toLambdaRecord(
          r,
          { streamArn: this.options.streamArn, region: this.options.region },
          { ttlDeletion: this.isTtlDeletion(r) },
        ),
      );
      read += records.length;
      const onRead = this.options.hooks?.onRead;
      if (onRead !== undefined && records.length > 0) {
        const { filters } = state.pumped.mapping.delivery;
        onRead(
          state.pumped.mapping.logicalId,
          records.map((record) => ({ record, matched: matchesFilters(filters, record) })),
        );
      }
      const last = state.pending[state.pending.length - 1];
      if (last?.shardId === shard.shardId) last.records.push(...records);
      else state.pending.push({ shardId: shard.shardId, records });
      state.pendingSince ??= Date.now();
    }
    this.checkpointSettled(state);
    return read;
  }

  /** Deliver a mapping's pending records, shard by shard. */
  private async deliver(state: MappingState): Promise<DeliveryReport> {
    const { mapping, consumer, onFailure } = state.pumped;
    const pending = state.pending;
    state.pending = [];
    state.pendingSince = undefined;
    let report = EMPTY;
    for (const [i, shard] of pending.entries()) {
      try {
        const delivered =
          mapping.tumblingWindowInSeconds > 0
            ? await this.windowsOf(state, shard.shardId).deliver(shard.records)
            : await deliverShardRecords(
                shard.records,
                mapping.delivery,
                consumer,
                onFailure,
                { shardId: shard.shardId, streamArn: this.options.streamArn },
                (sequenceNumber) => this.checkpoint(state, shard.shardId, sequenceNumber),
              );
        report = add(report, delivered);
      } catch (error) {
        // The pump itself failed (not the consumer, whose errors delivery handles): keep this
        // shard's records and the rest for the next round, as Lambda would not checkpoint them.
        state.pending = [...pending.slice(i), ...state.pending];
        state.pendingSince ??= Date.now();
        throw error;
      }
    }
    this.checkpointSettled(state);
    return report;
  }

  /**
   * Deliver everything written so far, ignoring batching windows, until the stream has been quiet
   * for `quietPolls` reads in a row (consumers may write more changes, which are delivered too).
   * Tumbling windows get their final invocation as soon as a round reads nothing, as if they had
   * ended. Mappings are delivered concurrently, as Lambda's pollers are independent of each other.
   */
  async drain(options: { readonly quietPolls?: number; readonly timeoutMs?: number } = {}): Promise<MappingReport[]> {
    const totals = new Map(this.states.map((s) => [s.pumped.mapping.logicalId, EMPTY]));
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (let quiet = 0; quiet < (options.quietPolls ?? 2); ) {
      if (Date.now() > deadline) throw new Error('The stream did not go quiet before the timeout');
      const read = await Promise.all(
        this.states.map(async (state) => {
          const count = await this.read(state);
          const id = state.pumped.mapping.logicalId;
          totals.set(id, add(totals.get(id) ?? EMPTY, await this.deliver(state)));
          // A window's final invocation writes, so it is more to wait for, like a record read.
          return count > 0 ? count : await this.finishWindows(state, true);
        }),
      );
      quiet = read.every((count) => count === 0) ? quiet + 1 : 0;
    }
    return [...totals].map(([mappingLogicalId, report]) => ({ mappingLogicalId, ...report }));
  }

  /**
   * Pump in the background until `stop()`: poll every `intervalMs`, and deliver a mapping's
   * records once it has a full batch or its batching window has passed, as Lambda does.
   */
  start(
    options: {
      readonly intervalMs?: number;
      /** Deliver at once instead of waiting out batching windows (for measuring the pump itself). */
      readonly ignoreBatchingWindows?: boolean;
      readonly onReport?: (report: MappingReport) => void;
      /** Tumbling windows that had their final invocation in a round. */
      readonly onWindow?: (finished: { readonly mappingLogicalId: string; readonly finished: number }) => void;
      readonly onError?: (error: unknown) => void;
    } = {},
  ): void {
    if (this.running !== undefined) throw new Error('The pump is already running');
    const running = { stop: false, done: Promise.resolve() };
    const interval = options.intervalMs ?? 250;
    // One loop per mapping: a slow consumer delays only its own records, as in Lambda.
    const loop = async (state: MappingState) => {
      while (!running.stop) {
        try {
          await this.read(state);
          const count = state.pending.reduce((sum, p) => sum + p.records.length, 0);
          const windowMs = options.ignoreBatchingWindows
            ? 0
            : state.pumped.mapping.maximumBatchingWindowInSeconds * 1000;
          const due =
            count >= state.pumped.mapping.delivery.batchSize || Date.now() - (state.pendingSince ?? 0) >= windowMs;
          if (count > 0 && due) {
            const report = await this.deliver(state);
            options.onReport?.({ mappingLogicalId: state.pumped.mapping.logicalId, ...report });
          }
          const finished = await this.finishWindows(state);
          if (finished > 0) options.onWindow?.({ mappingLogicalId: state.pumped.mapping.logicalId, finished });
        } catch (error) {
          // A round that fails (the engine went away, a destination refused) is reported, and the
          // next round goes on from where the mapping stood.
          options.onError?.(error);
        }
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    };
    running.done = Promise.all(this.states.map(loop)).then(() => undefined);
    this.running = running;
  }

  /** Stop a pump started with `start()`, after the round in progress. */
  async stop(): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    running.stop = true;
    await running.done;
    this.running = undefined;
  }
}

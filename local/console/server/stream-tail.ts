/**
 * The live tail of the table's stream for the console: each record the pump read, with, for every
 * consumer, whether its mapping's filters let the record through, the invocations (batches) it
 * went in, and its outcome, and the fulfilment runs the record's event started. Built only from
 * the runner's hooks (runner-events.ts); the last `KEPT_RECORDS` records are kept.
 *
 * The page polls with the last version it saw and gets the records changed since.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { RunnerEvents } from '../../runner/runner-events';
import { type Plain, plainItem } from './attribute-values';

const KEPT_RECORDS = 1_000;

export type ConsumerState = 'filtered out' | 'pending' | 'applied' | 'failed, retrying' | 'sent to the failure queue';

export interface ConsumerView {
  readonly matched: boolean;
  state: ConsumerState;
  /** The consumer's invocations this record went in, by number. */
  readonly batches: number[];
  error?: string;
  /** The tumbling window it was counted in, for a consumer that has them. */
  window?: string;
}

export interface RunView {
  readonly runId: number;
  readonly rule: string;
  status: string;
  steps: readonly string[];
  error?: string;
}

export interface TailRecord {
  readonly eventId: string;
  readonly eventName: string;
  readonly sequenceNumber: string;
  readonly createdAt?: number;
  readonly keys: Record<string, Plain>;
  readonly entityType: string;
  readonly newImage?: Record<string, Plain>;
  readonly oldImage?: Record<string, Plain>;
  readonly consumers: Record<string, ConsumerView>;
  readonly runs: RunView[];
  version: number;
}

const sequenceBetween = (sequence: string, start: string, end: string) => {
  const n = BigInt(sequence);
  return n >= BigInt(start) && n <= BigInt(end);
};

export class StreamTail {
  private readonly records = new Map<string, TailRecord>();
  private version = 0;
  private readonly unhook: (() => void)[];

  constructor(events: RunnerEvents) {
    this.unhook = [
      events.on('streamRead', ({ functionName, records }) => {
        for (const { record, matched } of records) {
          const entry = this.entryOf(record);
          entry.consumers[functionName] = { matched, state: matched ? 'pending' : 'filtered out', batches: [] };
          this.touch(entry);
        }
      }),
      events.on('streamInvocation', ({ functionName, invocation, eventIds, window, outcome }) => {
        const failedFrom =
          outcome.kind === 'partial'
            ? outcome.failedSequenceNumbers.reduce((min, s) => (BigInt(s) < BigInt(min) ? s : min))
            : undefined;
        for (const eventId of eventIds) {
          const entry = this.records.get(eventId);
          const view = entry?.consumers[functionName];
          if (entry === undefined || view === undefined) continue;
          view.batches.push(invocation);
          if (window !== undefined) view.window = window.start;
          const failed =
            outcome.kind === 'failed' ||
            (failedFrom !== undefined && BigInt(entry.sequenceNumber) >= BigInt(failedFrom));
          view.state = failed ? 'failed, retrying' : 'applied';
          if (outcome.kind === 'failed') view.error = outcome.error;
          this.touch(entry);
        }
      }),
      events.on('streamGaveUp', ({ functionName, failure }) => {
        // Sequence numbers grow across the stream's shards, so the range names the batch's records.
        const { startSequenceNumber, endSequenceNumber } = failure.DDBStreamBatchInfo;
        for (const entry of this.records.values()) {
          const view = entry.consumers[functionName];
          if (view === undefined) continue;
          if (!sequenceBetween(entry.sequenceNumber, startSequenceNumber, endSequenceNumber)) continue;
          view.state = 'sent to the failure queue';
          view.error = failure.responseContext.message;
          this.touch(entry);
        }
      }),
      events.on('workflow', ({ runId, rule, phase, busEvent, steps, status, error }) => {
        const eventId = (busEvent.detail as { eventId?: unknown } | null)?.eventId;
        const entry = typeof eventId === 'string' ? this.records.get(eventId) : undefined;
        if (entry === undefined) return;
        let run = entry.runs.find((r) => r.runId === runId);
        if (run === undefined) {
          run = { runId, rule, status: 'RUNNING', steps: [] };
          entry.runs.push(run);
        }
        if (phase === 'finished') {
          run.status = status ?? 'UNKNOWN';
          run.steps = steps ?? [];
          if (error !== undefined) run.error = error;
        }
        this.touch(entry);
      }),
    ];
  }

  private entryOf(record: DynamoDBRecord): TailRecord {
    const eventId = record.eventID ?? '';
    const known = this.records.get(eventId);
    if (known !== undefined) return known;
    const change = record.dynamodb ?? {};
    const newImage = change.NewImage === undefined ? undefined : plainItem(change.NewImage as never);
    const oldImage = change.OldImage === undefined ? undefined : plainItem(change.OldImage as never);
    const entry: TailRecord = {
      eventId,
      eventName: record.eventName ?? '',
      sequenceNumber: change.SequenceNumber ?? '0',
      ...(change.ApproximateCreationDateTime === undefined ? {} : { createdAt: change.ApproximateCreationDateTime }),
      keys: plainItem((change.Keys ?? {}) as never),
      entityType: String((newImage ?? oldImage)?.entityType ?? 'unknown'),
      ...(newImage === undefined ? {} : { newImage }),
      ...(oldImage === undefined ? {} : { oldImage }),
      consumers: {},
      runs: [],
      version: 0,
    };
    this.records.set(eventId, entry);
    if (this.records.size > KEPT_RECORDS) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
    return entry;
  }

  private touch(entry: TailRecord): void {
    entry.version = ++this.version;
  }

  /** Records changed after `since`, oldest change first, at most `limit`; and the version reached. */
  changedSince(since: number, limit: number): { readonly version: number; readonly records: readonly TailRecord[] } {
    const records = [...this.records.values()]
      .filter((r) => r.version > since)
      .sort((a, b) => a.version - b.version)
      .slice(-limit);
    return { version: this.version, records };
  }

  stop(): void {
    for (const unhook of this.unhook) unhook();
  }
}

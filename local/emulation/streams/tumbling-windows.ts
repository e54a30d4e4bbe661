/**
 * Lambda's tumbling windows for a stream mapping, for the local pump: each shard's records are cut
 * into windows of fixed length by the time they were written; every invocation of a window carries
 * the shard id, the window and the state the function returned last in that window; once the
 * window has ended, a final invocation (`isFinalInvokeForWindow`, no records) hands the function
 * the window's whole state, and only then does the shard's checkpoint move past the window.
 *
 * A window's state exists only in the pump's memory, as it exists only in Lambda's: if the pump
 * stops before a window's final invocation, the next pump starts again at the last checkpoint and
 * the window's records are delivered again, into a fresh state.
 */
import type { DynamoDBRecord as StreamRecord } from 'aws-lambda';
import {
  type DeliveryReport,
  type DeliverySettings,
  deliverShardRecords,
  type FailedBatch,
  type StreamConsumer,
  type WindowFields,
} from './batch-delivery';

/** A window that has records and has not had its final invocation yet. */
interface OpenWindow {
  readonly startSeconds: number;
  state: Readonly<Record<string, unknown>>;
  /** Sequence number of the last record read in the window, delivered or filtered out. */
  lastSequence: string;
}

const isoSeconds = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/**
 * When a record was written, in epoch seconds, as the window it belongs to is chosen: given the
 * record and the time it is delivered.
 */
export type WrittenAt = (record: StreamRecord, nowSeconds: number) => number;

/** The record's `ApproximateCreationDateTime`, which AWS gives to the second. */
const stampedAt: WrittenAt = (record, nowSeconds) => record.dynamodb?.ApproximateCreationDateTime ?? nowSeconds;

/**
 * For DynamoDB Local, which rounds `ApproximateCreationDateTime` down to the minute: the record
 * was written in that minute and before it is delivered, so the later of the two bounds that holds
 * is the best estimate. Cut by the stamp alone, every window would start on a minute, and a record
 * written in the second half of a minute would land in a 30-second window that had already ended.
 */
export const withinStampedMinute: WrittenAt = (record, nowSeconds) => {
  const stamped = record.dynamodb?.ApproximateCreationDateTime;
  return stamped === undefined ? nowSeconds : Math.max(stamped, Math.min(nowSeconds, stamped + 59.999));
};

/** Records in the order they came, cut where the window changes. */
function byWindow(records: readonly StreamRecord[], windowSeconds: number, nowSeconds: number, writtenAt: WrittenAt) {
  const groups: { startSeconds: number; records: StreamRecord[] }[] = [];
  for (const record of records) {
    const startSeconds = Math.floor(writtenAt(record, nowSeconds) / windowSeconds) * windowSeconds;
    const last = groups[groups.length - 1];
    if (last !== undefined && last.startSeconds === startSeconds) last.records.push(record);
    else groups.push({ startSeconds, records: [record] });
  }
  return groups;
}

export class ShardWindows {
  private open?: OpenWindow;

  constructor(
    private readonly shardId: string,
    private readonly streamArn: string,
    private readonly windowSeconds: number,
    private readonly settings: DeliverySettings,
    private readonly consumer: StreamConsumer,
    private readonly onFailure: (failure: FailedBatch) => Promise<void>,
    /** Hears the shard's checkpoint: the last record of each window once its final invocation succeeded. */
    private readonly onCheckpoint: (sequenceNumber: string) => void,
    private readonly writtenAt: WrittenAt = stampedAt,
  ) {}

  /** Whether a window is open: the shard's checkpoint cannot move until it is final. */
  get hasOpenWindow(): boolean {
    return this.open !== undefined;
  }

  private fields(window: OpenWindow, final: boolean): WindowFields {
    return {
      shardId: this.shardId,
      eventSourceARN: this.streamArn,
      window: { start: isoSeconds(window.startSeconds), end: isoSeconds(window.startSeconds + this.windowSeconds) },
      state: window.state,
      isFinalInvokeForWindow: final,
      isWindowTerminatedEarly: false,
    };
  }

  /**
   * Deliver a shard's records, in order, each into its window; a window that ends before a
   * record's window begins gets its final invocation first.
   */
  async deliver(records: readonly StreamRecord[], nowSeconds = Date.now() / 1000): Promise<DeliveryReport> {
    let report: DeliveryReport = { delivered: 0, filteredOut: 0, invocations: 0, failedBatches: [] };
    for (const group of byWindow(records, this.windowSeconds, nowSeconds, this.writtenAt)) {
      if (this.open !== undefined && this.open.startSeconds !== group.startSeconds) await this.finish();
      const window: OpenWindow = this.open ?? { startSeconds: group.startSeconds, state: {}, lastSequence: '' };
      this.open = window;
      // Each invocation gets the state the last one returned; a failed one returns none, so its
      // retry (or the halves of its bisection) starts from the same state again.
      const inWindow: StreamConsumer = async (event) => {
        const response = await this.consumer({ ...event, ...this.fields(window, false) });
        if (response?.state !== undefined) window.state = response.state;
        return response;
      };
      const delivered = await deliverShardRecords(group.records, this.settings, inWindow, this.onFailure, {
        shardId: this.shardId,
        streamArn: this.streamArn,
      });
      window.lastSequence = group.records[group.records.length - 1]?.dynamodb?.SequenceNumber ?? window.lastSequence;
      report = {
        delivered: report.delivered + delivered.delivered,
        filteredOut: report.filteredOut + delivered.filteredOut,
        invocations: report.invocations + delivered.invocations,
        failedBatches: [...report.failedBatches, ...delivered.failedBatches],
      };
    }
    return report;
  }

  /**
   * The final invocation of the open window, if it has ended by `nowSeconds` (or `force`): as in
   * Lambda, it is retried until it succeeds, here up to `attempts` times before the error is
   * passed on (the window stays open, and the next call tries again).
   */
  async finishIfDue(nowSeconds = Date.now() / 1000, force = false): Promise<boolean> {
    const open = this.open;
    if (open === undefined || (!force && nowSeconds < open.startSeconds + this.windowSeconds)) return false;
    await this.finish();
    return true;
  }

  private async finish(attempts = 3): Promise<void> {
    const window = this.open;
    if (window === undefined) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.consumer({ Records: [], ...this.fields(window, true) });
        break;
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
    }
    this.open = undefined;
    if (window.lastSequence !== '') this.onCheckpoint(window.lastSequence);
  }
}

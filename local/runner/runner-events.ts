/**
 * Typed hooks on the running app: what the runner's rooms report as they work (a function
 * invocation starting and ending, a request a function made to DynamoDB, stream records read and
 * delivered by the pump, a fulfilment run), for whatever watches the app, such as the local
 * console (local/console/). The rooms only emit; they never wait for a listener, and a listener
 * that throws is reported to `onError` and does not disturb the room that emitted.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { FailedBatch } from '../emulation/streams/batch-delivery';

/** An invocation of a hosted function starting or ending (in the order its host runs them). */
export interface InvocationEvent {
  readonly functionName: string;
  readonly invocationId: string;
  readonly phase: 'start' | 'end';
  /** The event the function was invoked with (on `start`). */
  readonly event?: unknown;
}

/** One request a function made to DynamoDB, as it went over the wire, with DynamoDB's answer. */
export interface DynamoDbCallEvent {
  readonly functionName: string;
  /** The invocation of the function that was running when the request arrived. */
  readonly invocationId?: string;
  /** `GetItem`, `Query`, ... (from the request's `X-Amz-Target`). */
  readonly operation: string;
  readonly requestBody: string;
  readonly statusCode: number;
  readonly responseBody: string;
  readonly ms: number;
}

/** Records one stream mapping read, each with whether the mapping's filters let it through. */
export interface StreamReadEvent {
  readonly functionName: string;
  readonly records: readonly { readonly record: DynamoDBRecord; readonly matched: boolean }[];
}

/** How one invocation of a stream consumer ended. */
export type ConsumerOutcome =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'partial'; readonly failedSequenceNumbers: readonly string[] };

/** One invocation of a stream consumer: the records of its batch and how it ended. */
export interface StreamInvocationEvent {
  readonly functionName: string;
  /** Counts the mapping's invocations from 1. */
  readonly invocation: number;
  readonly eventIds: readonly string[];
  /** With a tumbling window: the window's start, and whether this was its final invocation. */
  readonly window?: { readonly start: string; readonly final: boolean };
  readonly outcome: ConsumerOutcome;
}

/** A batch the mapping gave up on and described to its failure destination. */
export interface StreamGaveUpEvent {
  readonly functionName: string;
  readonly failure: FailedBatch;
}

/** A state machine run started by an EventBridge rule. */
export interface WorkflowRunEvent {
  readonly runId: number;
  readonly phase: 'started' | 'finished';
  /** The rule that started it. */
  readonly rule: string;
  readonly input: unknown;
  /** The bus event that matched the rule. */
  readonly busEvent: { readonly id: string; readonly detailType: string; readonly detail: unknown };
  /** The steps that ran and the final status, once finished. */
  readonly steps?: readonly string[];
  readonly status?: string;
  readonly error?: string;
}

export interface RunnerEventMap {
  readonly invocation: InvocationEvent;
  readonly dynamodb: DynamoDbCallEvent;
  readonly streamRead: StreamReadEvent;
  readonly streamInvocation: StreamInvocationEvent;
  readonly streamGaveUp: StreamGaveUpEvent;
  readonly workflow: WorkflowRunEvent;
}

type Listener<K extends keyof RunnerEventMap> = (event: RunnerEventMap[K]) => void;

export class RunnerEvents {
  private readonly listeners: { [K in keyof RunnerEventMap]?: Listener<K>[] } = {};

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  /** Listen to one kind of event; returns the function that stops listening. */
  on<K extends keyof RunnerEventMap>(name: K, listener: Listener<K>): () => void {
    const list = (this.listeners[name] ?? []) as Listener<K>[];
    this.listeners[name] = list as (typeof this.listeners)[K];
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Whether anything listens to this kind of event (so that a room can skip preparing it). */
  heard(name: keyof RunnerEventMap): boolean {
    return (this.listeners[name]?.length ?? 0) > 0;
  }

  emit<K extends keyof RunnerEventMap>(name: K, event: RunnerEventMap[K]): void {
    for (const listener of (this.listeners[name] ?? []) as Listener<K>[]) {
      try {
        listener(event);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

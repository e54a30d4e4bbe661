/**
 * The table's stream and its consumers: every stream mapping of the templates, pumped from its
 * table's real stream in DynamoDB Local into its function (local/emulation/streams/pump.ts), and
 * the local TTL process, which expires items as DynamoDB would.
 *
 * With kept data, each mapping's checkpoint is kept beside it and a restart resumes from there, as
 * a deployed mapping does; a mapping that has no checkpoint on kept data (data from a runner that
 * kept none) starts at the stream's end rather than replaying it.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { BatchResponse } from '../emulation/streams/batch-delivery';
import type { CheckpointFile } from '../emulation/streams/checkpoints';
import { type StreamMapping, streamMappingsOf } from '../emulation/streams/mappings';
import {
  type MappingReport,
  type PumpedMapping,
  type PumpHooks,
  StreamPump,
  sqsFailureDestination,
} from '../emulation/streams/pump';
import { streamsClient } from '../emulation/streams/stream-reader';
import { LOCAL_AWS } from '../engines/dynamodb-local';
import type { AssemblyStack } from './cloud-assembly';
import { displayNameOf, type HostedFunction, type HostedFunctions } from './functions';
import { describeFailure, type Log, plural, type Shutdown, type Skipped } from './lifecycle';
import { type LocalResources, refKey } from './references';
import { type LocalTables, localName } from './resources';
import type { RunnerEvents } from './runner-events';

/** Where a mapping began reading in this run. */
export type StreamStart = 'starting position' | 'checkpoint' | 'end of stream';

/** A mapping the runner pumps, with the function it feeds. */
export interface PumpedStream {
  readonly mapping: StreamMapping;
  readonly functionName: string;
  readonly start: StreamStart;
}

export interface StreamSettings {
  readonly dynamodbEndpoint: string;
  /** Where failure descriptions go (moto's SQS); without it they are printed. */
  readonly sqs?: SQSClient;
  readonly tables: LocalTables;
  /** Where checkpoints are kept when the data is; absent for data in memory. */
  readonly checkpoints?: CheckpointFile;
  readonly pollIntervalMs: number;
  readonly ttlIntervalMs: number;
}

type Runner = {
  readonly log: Log;
  readonly shutdown: Shutdown;
  readonly skipped: Skipped[];
  readonly events?: RunnerEvents;
};

/** The pump's hooks, reported as runner events under the consumers' names. */
function pumpHooks(events: RunnerEvents, names: ReadonlyMap<string, string>): PumpHooks {
  const nameOf = (mappingLogicalId: string) => names.get(mappingLogicalId) ?? mappingLogicalId;
  const invocations = new Map<string, number>();
  return {
    onRead: (id, records) => events.emit('streamRead', { functionName: nameOf(id), records }),
    onInvocation: (id, { records, window, outcome }) => {
      const invocation = (invocations.get(id) ?? 0) + 1;
      invocations.set(id, invocation);
      events.emit('streamInvocation', {
        functionName: nameOf(id),
        invocation,
        eventIds: records.map((r) => r.eventID ?? ''),
        ...(window === undefined ? {} : { window }),
        outcome,
      });
    },
    onGiveUp: (id, failure) => events.emit('streamGaveUp', { functionName: nameOf(id), failure }),
  };
}

/** Where a mapping starts: the template's position on a new or in-memory table, else its checkpoint. */
function startOf(mappingId: string, streamArn: string, settings: StreamSettings) {
  const { checkpoints, tables } = settings;
  if (checkpoints === undefined) return { start: 'starting position' as const };
  if (tables.newStreams.has(streamArn)) {
    checkpoints.startAtBeginning(mappingId, streamArn);
    return { start: 'starting position' as const };
  }
  const resumeAfter = checkpoints.positionsOf(mappingId, streamArn);
  return resumeAfter === undefined
    ? { start: 'end of stream' as const }
    : { start: 'checkpoint' as const, resumeAfter };
}

/** One mapping, wired to its function, its failure queue and its checkpoint. */
function pumpedMapping(
  stack: AssemblyStack,
  mapping: StreamMapping,
  fn: HostedFunction,
  streamArn: string,
  resources: LocalResources,
  settings: StreamSettings,
  log: Log,
): { pumped: PumpedMapping; start: StreamStart } {
  const mappingId = refKey({ stackName: stack.stackName, logicalId: mapping.logicalId });
  const queue = mapping.onFailureQueueLogicalId;
  const onFailure =
    settings.sqs !== undefined && queue !== undefined
      ? sqsFailureDestination(
          settings.sqs,
          resources.refOf({ stackName: stack.stackName, logicalId: queue }),
          resources.arn('lambda', `function:${localName(fn.fn)}`),
        )
      : async (failure: unknown) => log('stream', `${fn.name}: gave up on a batch: ${JSON.stringify(failure)}`);
  const { start, resumeAfter } = startOf(mappingId, streamArn, settings);
  const { checkpoints } = settings;
  const pumped: PumpedMapping = {
    mapping: start === 'end of stream' ? { ...mapping, startingPosition: 'LATEST' } : mapping,
    consumer: async (event) => (await fn.host.invoke(event)) as BatchResponse | undefined,
    onFailure,
    ...(resumeAfter === undefined ? {} : { resumeAfter }),
    ...(checkpoints === undefined
      ? {}
      : {
          onCheckpoint: (shardId: string, sequence: string) =>
            checkpoints.save(mappingId, streamArn, shardId, sequence),
        }),
  };
  return { pumped, start };
}

const reportLine = (functionName: string | undefined, report: MappingReport) => {
  const failed = report.failedBatches.length;
  const sent = failed > 0 ? `, ${plural(failed, 'batch', 'batches')} sent to the failure queue` : '';
  return `${functionName}: ${plural(report.delivered, 'record')} in ${plural(report.invocations, 'invocation')}${sent}`;
};

/** Pump one stream's mappings until the runner stops. */
function startPump(
  streamArn: string,
  mappings: PumpedMapping[],
  names: ReadonlyMap<string, string>,
  region: string,
  settings: StreamSettings,
  runner: Runner,
) {
  const ttl = settings.tables.ttlProcesses.get(streamArn);
  const pump = new StreamPump({
    streamArn,
    client: streamsClient({ ...LOCAL_AWS, endpoint: settings.dynamodbEndpoint }),
    region,
    mappings,
    ...(ttl === undefined ? {} : { ttl }),
    ...(runner.events === undefined ? {} : { hooks: pumpHooks(runner.events, names) }),
  });
  pump.start({
    intervalMs: settings.pollIntervalMs,
    onReport: (report) => {
      if (report.delivered > 0 || report.failedBatches.length > 0)
        runner.log('stream', reportLine(names.get(report.mappingLogicalId), report));
    },
    onWindow: ({ mappingLogicalId, finished }) =>
      runner.log('stream', `${names.get(mappingLogicalId)}: ${plural(finished, 'tumbling window')} finished`),
    onError: (error) => runner.log('stream', `pump: ${describeFailure(error)}`),
  });
  runner.shutdown.on('work', () => pump.stop());
}

/** Expire items every `ttlIntervalMs`, as DynamoDB's TTL process does (DynamoDB Local does not, here). */
function startTtl(settings: StreamSettings, runner: Runner): void {
  if (settings.tables.ttlProcesses.size === 0) return;
  const timer = setInterval(() => {
    for (const ttl of settings.tables.ttlProcesses.values()) {
      ttl.sweep().then(
        (deleted) => deleted > 0 && runner.log('ttl', `expired ${plural(deleted, 'item')}`),
        (error) => runner.log('ttl', `sweep failed: ${String(error)}`),
      );
    }
  }, settings.ttlIntervalMs);
  runner.shutdown.on('work', () => clearInterval(timer));
}

/** Every stream mapping of the templates, pumped from its table's stream into its function. */
export function startStreams(
  stacks: readonly AssemblyStack[],
  resources: LocalResources,
  functions: HostedFunctions,
  settings: StreamSettings,
  runner: Runner,
): PumpedStream[] {
  const pumped: PumpedStream[] = [];
  const byStream = new Map<string, PumpedMapping[]>();
  for (const stack of stacks) {
    for (const mapping of streamMappingsOf(stack.template)) {
      const fnRef = { stackName: stack.stackName, logicalId: mapping.functionLogicalId };
      const fn = functions.get(refKey(fnRef));
      if (fn === undefined) {
        runner.skipped.push({ what: `stream consumer ${displayNameOf(fnRef)}`, why: 'its function cannot run here' });
        continue;
      }
      const source = stack.template.Resources?.[mapping.logicalId]?.Properties?.EventSourceArn;
      const streamArn = resources.resolve(source, stack.stackName);
      const one = pumpedMapping(stack, mapping, fn, streamArn, resources, settings, runner.log);
      byStream.set(streamArn, [...(byStream.get(streamArn) ?? []), one.pumped]);
      pumped.push({ mapping: one.pumped.mapping, functionName: fn.name, start: one.start });
    }
  }
  const names = new Map(pumped.map((p) => [p.mapping.logicalId, p.functionName]));
  for (const [streamArn, mappings] of byStream)
    startPump(streamArn, mappings, names, resources.region, settings, runner);
  startTtl(settings, runner);
  return pumped;
}

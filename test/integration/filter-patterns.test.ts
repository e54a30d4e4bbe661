/**
 * The local event-pattern matcher against a second implementation: moto_server's EventBridge.
 * Every case of the shared table (the consumers' own filters, then each operator and the edge
 * cases review found) goes through both, and both must give the answer AWS documents.
 *
 * How a case reaches moto. moto 5.2.1 does not implement TestEventPattern (it raises
 * NotImplementedError), so the test goes the way an event does: one rule per case on a bus of its
 * own, each with an SQS target, then PutEvents, then a look at which cases reached the queue.
 * Lambda filters the stream record's JSON itself, while EventBridge matches an event, so the record
 * is sent as the event's `detail` and the pattern is nested under `"detail"`. Matching follows
 * field paths, so every path of the pattern still reaches the same value of the record, one level
 * down, and no path of the pattern can reach the envelope's own fields (source, time, ...). Each
 * rule also requires its own case's `detail-type`, a field every event has, so a rule can only
 * see its own case's event and the added condition is always true for it.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { matchesFilters, parsePatterns } from '../../local/emulation/streams/filter-criteria';
import { LOCAL_AWS } from '../../local/engines/dynamodb-local';
import { motoEndpoint } from '../fixtures/engines';
import { PATTERN_CASES } from '../fixtures/filter-pattern-cases';

const SOURCE = 'test.filter-patterns';
const caseType = (index: number) => `case-${index}`;

/** The detail-types of the cases whose rule matched, as moto decided. */
let matchedByMoto: Set<string>;

beforeAll(async () => {
  const moto = { ...LOCAL_AWS, endpoint: motoEndpoint() };
  const events = new EventBridgeClient(moto);
  const sqs = new SQSClient(moto);
  const suffix = randomUUID().slice(0, 8);
  const busName = `filter-patterns-${suffix}`;
  await events.send(new CreateEventBusCommand({ Name: busName }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `filter-patterns-${suffix}` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  try {
    for (const [index, { pattern }] of PATTERN_CASES.entries()) {
      const rule = `case-${index}`;
      await events.send(
        new PutRuleCommand({
          Name: rule,
          EventBusName: busName,
          EventPattern: JSON.stringify({ 'detail-type': [caseType(index)], detail: pattern }),
        }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: rule,
          EventBusName: busName,
          Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }],
        }),
      );
    }
    const entries = PATTERN_CASES.map(({ record }, index) => ({
      EventBusName: busName,
      Source: SOURCE,
      DetailType: caseType(index),
      Detail: JSON.stringify(record),
    }));
    for (let i = 0; i < entries.length; i += 10) {
      const { FailedEntryCount } = await events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
      if (FailedEntryCount !== 0) throw new Error(`moto refused ${FailedEntryCount} events`);
    }
    // moto delivers to an SQS target inside PutEvents, so every match is in the queue by now.
    matchedByMoto = new Set();
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) break;
      for (const m of Messages)
        matchedByMoto.add((JSON.parse(m.Body ?? '{}') as { 'detail-type': string })['detail-type']);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    await events.send(new DeleteEventBusCommand({ Name: busName }));
    events.destroy();
    sqs.destroy();
  }
}, 120_000);

test('moto saw every case: at least one matched and at least one did not', () => {
  expect(matchedByMoto.size).toBeGreaterThan(0);
  expect(matchedByMoto.size).toBeLessThan(PATTERN_CASES.length);
});

test.each(PATTERN_CASES.map((c, index) => ({ ...c, index })))(
  '$name: the local matcher and moto agree with AWS',
  ({ pattern, record, expected, moto, index }) => {
    const local = matchesFilters(parsePatterns([{ Pattern: JSON.stringify(pattern) }]), record);
    expect({ local, moto: matchedByMoto.has(caseType(index)) }).toEqual({
      local: expected,
      moto: moto?.answer ?? expected,
    });
  },
);

import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  AlarmStatusWidgetSortBy,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  type IAlarm,
  type IMetric,
  type IWidget,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2, Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus, IRule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RUNBOOK_PATH } from '../alarms';
import type { TableCapacity } from './table-alarms';

/** A table on the dashboard. */
export interface DashboardTable {
  readonly label: string;
  readonly table: ITableV2;
  /** Operations whose request rate and latency are drawn. */
  readonly operations: readonly Operation[];
  /** @default - none */
  readonly globalIndexNames?: readonly string[];
  /** Drawn as lines on the capacity graph. @default - none */
  readonly capacity?: TableCapacity;
}

/** An access pattern: a route, and the Powertools service of the function that serves it. */
export interface DashboardRoute {
  /** The `service` dimension Powertools adds to every metric of the function. */
  readonly service: string;
  /** The `route` dimension the HTTP adapter adds: the API Gateway route key, e.g. `GET /products/{sku}`. */
  readonly routeKey: string;
}

export interface OpsDashboardProps {
  /** Dashboards are global to an account: include the stage and region. */
  readonly dashboardName: string;
  /** The alarms shown at the top, alarming ones first. At most 100, the widget's limit. */
  readonly alarms: readonly IAlarm[];
  readonly tables: readonly DashboardTable[];
  /** Namespace of the application's own metrics (Powertools). */
  readonly metricsNamespace: string;
  /** @default - no access-pattern row */
  readonly routes?: readonly DashboardRoute[];
  readonly streamConsumers: readonly { readonly label: string; readonly function: IFunction }[];
  /** Failure and dead-letter queues. */
  readonly queues: readonly { readonly label: string; readonly queue: IQueue }[];
  readonly workflow: {
    readonly stateMachine: IStateMachine;
    readonly trigger: IRule;
    readonly bus: IEventBus;
  };
  /** @default - no API row */
  readonly api?: IHttpApi;
  readonly functions: readonly { readonly label: string; readonly function: IFunction }[];
}

/** The alarm status widget shows at most this many alarms. */
const MAX_STATUS_ALARMS = 100;
const MAX_STATUS_HEIGHT = 8;
const GRAPH_HEIGHT = 6;
const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

const heading = (markdown: string): TextWidget => new TextWidget({ markdown, width: 24, height: 1 });

const graph = (
  title: string,
  width: number,
  left: IMetric[],
  extra: Partial<{ leftAnnotations: HorizontalAnnotation[] }> = {},
) => new GraphWidget({ title, width, height: GRAPH_HEIGHT, left, ...extra });

/**
 * The operations dashboard, read top to bottom: which alarms are red; then the tables (request
 * rate, p99 latency, throttles, consumed capacity against its ceiling), consumed capacity per access
 * pattern, stream lag per consumer, queue depths, workflow outcomes, the API and the functions.
 * docs/operations/dashboard-layout.svg draws the layout.
 */
export class OpsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    if (props.alarms.length > MAX_STATUS_ALARMS) {
      throw new Error(
        `OpsDashboard ${id}: ${props.alarms.length} alarms; the alarm status widget shows at most ${MAX_STATUS_ALARMS}`,
      );
    }
    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const rows: IWidget[][] = [
      [
        new AlarmStatusWidget({
          title: `Alarms, alarming first. Each alarm's description links its runbook section (${RUNBOOK_PATH}).`,
          alarms: [...props.alarms],
          sortBy: AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
          width: 24,
          // Alarming ones sort first, so the top rows are what matters; the rest scroll.
          height: Math.min(MAX_STATUS_HEIGHT, 2 + Math.ceil(props.alarms.length / 6)),
        }),
      ],
      [heading('## Tables and indexes')],
      ...props.tables.map((table) => tableRow(table)),
      ...(props.routes === undefined || props.routes.length === 0
        ? []
        : [
            [heading('## Consumed capacity per access pattern')],
            accessPatternRow(props.metricsNamespace, props.routes),
          ]),
      [heading('## Stream consumers')],
      streamRow(props.streamConsumers),
      [heading('## Queues and the fulfilment workflow')],
      queueAndWorkflowRow(props.queues, props.workflow),
      ...(props.api === undefined ? [] : [[heading('## HTTP API')], apiRow(props.api)]),
      [heading('## Functions')],
      functionRow(props.functions),
    ];
    for (const row of rows) this.dashboard.addWidgets(...row);
  }
}

function tableRow({ label, table, operations, globalIndexNames = [], capacity }: DashboardTable): IWidget[] {
  const metric = (
    metricName: string,
    statistic: string,
    period: Duration,
    dimensions: Record<string, string>,
    text: string,
  ) =>
    table.metric(metricName, {
      statistic,
      period,
      dimensionsMap: { TableName: table.tableName, ...dimensions },
      label: text,
    });
  const targets = [
    { name: label, dimensions: {} },
    ...globalIndexNames.map((indexName) => ({ name: indexName, dimensions: { GlobalSecondaryIndexName: indexName } })),
  ];
  const perSecond = (metricName: string, name: string, dimensions: Record<string, string>, id: string) =>
    new MathExpression({
      expression: `${id} / 60`,
      usingMetrics: { [id]: metric(metricName, 'Sum', ONE_MINUTE, dimensions, name) },
      label: `${name} ${metricName.startsWith('ConsumedRead') ? 'read' : 'write'}`,
      period: ONE_MINUTE,
    });
  const ceilings: HorizontalAnnotation[] =
    capacity === undefined
      ? []
      : capacity.mode === 'on-demand'
        ? [
            ...(capacity.maxReadRequestUnits === undefined
              ? []
              : [{ value: capacity.maxReadRequestUnits, label: 'read ceiling (each of table and index)' }]),
            ...(capacity.maxWriteRequestUnits === undefined
              ? []
              : [{ value: capacity.maxWriteRequestUnits, label: 'write ceiling (each of table and index)' }]),
          ]
        : [
            { value: capacity.maxReadCapacityUnits, label: 'read autoscaling maximum' },
            { value: capacity.maxWriteCapacityUnits, label: 'write autoscaling maximum' },
          ];
  return [
    graph(
      `${label}: requests per minute by operation`,
      6,
      operations.map((op) => metric('SuccessfulRequestLatency', 'SampleCount', ONE_MINUTE, { Operation: op }, op)),
    ),
    graph(
      `${label}: p99 latency by operation (ms)`,
      6,
      operations.map((op) => metric('SuccessfulRequestLatency', 'p99', FIVE_MINUTES, { Operation: op }, op)),
    ),
    graph(
      globalIndexNames.length === 0 ? `${label}: throttle events` : `${label}: throttle events, table and each index`,
      6,
      targets.flatMap((t) => [
        metric('ReadThrottleEvents', 'Sum', ONE_MINUTE, t.dimensions, `${t.name} read`),
        metric('WriteThrottleEvents', 'Sum', ONE_MINUTE, t.dimensions, `${t.name} write`),
      ]),
    ),
    graph(
      globalIndexNames.length === 0
        ? `${label}: consumed capacity units per second`
        : `${label}: consumed capacity units per second, table and each index`,
      6,
      targets.flatMap((t, i) => [
        perSecond('ConsumedReadCapacityUnits', t.name, t.dimensions, `read${i}`),
        perSecond('ConsumedWriteCapacityUnits', t.name, t.dimensions, `write${i}`),
      ]),
      { leftAnnotations: ceilings },
    ),
  ];
}

function accessPatternRow(namespace: string, routes: readonly DashboardRoute[]): IWidget[] {
  const perRoute = (metricName: string) =>
    routes.map(
      (route) =>
        new Metric({
          namespace,
          metricName,
          // Powertools publishes these with its default `service` dimension and the `route` the HTTP adapter adds.
          dimensionsMap: { service: route.service, route: route.routeKey },
          statistic: 'Sum',
          period: ONE_MINUTE,
          label: route.routeKey,
        }),
    );
  return [
    graph('Read capacity units per minute, by route', 12, perRoute('ConsumedReadCapacityUnits')),
    graph('Write capacity units per minute, by route', 12, perRoute('ConsumedWriteCapacityUnits')),
  ];
}

function streamRow(consumers: OpsDashboardProps['streamConsumers']): IWidget[] {
  return [
    graph(
      'Stream lag: IteratorAge, max (ms)',
      12,
      consumers.map((c) =>
        c.function.metric('IteratorAge', { statistic: 'Maximum', period: ONE_MINUTE, label: c.label }),
      ),
    ),
    graph(
      'Stream consumer invocations and errors per minute',
      12,
      consumers.flatMap((c) => [
        c.function.metricInvocations({ statistic: 'Sum', period: ONE_MINUTE, label: `${c.label} invocations` }),
        c.function.metricErrors({ statistic: 'Sum', period: ONE_MINUTE, label: `${c.label} errors` }),
      ]),
    ),
  ];
}

function queueAndWorkflowRow(queues: OpsDashboardProps['queues'], workflow: OpsDashboardProps['workflow']): IWidget[] {
  const rule = (metricName: string) =>
    new Metric({
      namespace: 'AWS/Events',
      metricName,
      dimensionsMap: { EventBusName: workflow.bus.eventBusName, RuleName: workflow.trigger.ruleName },
      statistic: 'Sum',
      period: ONE_MINUTE,
      label: metricName,
    });
  const machine = workflow.stateMachine;
  return [
    graph(
      'Failure and dead-letter queues: messages visible',
      8,
      queues.map((q) =>
        q.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ONE_MINUTE, label: q.label }),
      ),
    ),
    graph('Fulfilment executions per minute', 8, [
      machine.metricStarted({ statistic: 'Sum', period: ONE_MINUTE, label: 'started' }),
      machine.metricSucceeded({ statistic: 'Sum', period: ONE_MINUTE, label: 'succeeded' }),
      machine.metricFailed({ statistic: 'Sum', period: ONE_MINUTE, label: 'failed (compensated)' }),
      machine.metricTimedOut({ statistic: 'Sum', period: ONE_MINUTE, label: 'timed out' }),
      machine.metricAborted({ statistic: 'Sum', period: ONE_MINUTE, label: 'aborted' }),
    ]),
    graph('OrderPlaced rule deliveries per minute', 8, [
      rule('Invocations'),
      rule('FailedInvocations'),
      rule('InvocationsSentToDlq'),
      rule('InvocationsFailedToBeSentToDlq'),
    ]),
  ];
}

function apiRow(api: IHttpApi): IWidget[] {
  return [
    graph('API requests and 5xx per minute', 8, [
      api.metricCount({ statistic: 'Sum', period: ONE_MINUTE, label: 'requests' }),
      api.metricClientError({ statistic: 'Sum', period: ONE_MINUTE, label: '4xx' }),
      api.metricServerError({ statistic: 'Sum', period: ONE_MINUTE, label: '5xx' }),
    ]),
    graph('API latency (ms)', 8, [
      api.metricLatency({ statistic: 'p50', period: FIVE_MINUTES, label: 'p50' }),
      api.metricLatency({ statistic: 'p99', period: FIVE_MINUTES, label: 'p99' }),
      api.metricIntegrationLatency({ statistic: 'p99', period: FIVE_MINUTES, label: 'p99 in the functions' }),
    ]),
    graph('API 5xx, % of requests', 8, [
      new MathExpression({
        expression: '100 * FILL(errors, 0) / requests',
        usingMetrics: {
          errors: api.metricServerError({ statistic: 'Sum', period: ONE_MINUTE }),
          requests: api.metricCount({ statistic: 'Sum', period: ONE_MINUTE }),
        },
        label: '5xx %',
        period: ONE_MINUTE,
      }),
    ]),
  ];
}

function functionRow(functions: OpsDashboardProps['functions']): IWidget[] {
  return [
    graph(
      'Function errors per minute',
      8,
      functions.map((f) => f.function.metricErrors({ statistic: 'Sum', period: ONE_MINUTE, label: f.label })),
    ),
    graph(
      'Function p99 duration (ms)',
      8,
      functions.map((f) => f.function.metricDuration({ statistic: 'p99', period: FIVE_MINUTES, label: f.label })),
    ),
    graph(
      'Function throttles per minute',
      8,
      functions.map((f) => f.function.metricThrottles({ statistic: 'Sum', period: ONE_MINUTE, label: f.label })),
    ),
  ];
}

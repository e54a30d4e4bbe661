import { ArnFormat, Lazy, Stack } from 'aws-cdk-lib';
import { type AlarmBase, AlarmRule, CompositeAlarm, type IAlarm, type IAlarmRule } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { type AlarmSink, alarmDescription, alarmName, type Severity } from '../alarms';
import type { AlarmSubscription } from '../config';

export interface AlertingProps {
  /**
   * Key that encrypts the topic. Its policy must let `cloudwatch.amazonaws.com` use it for this
   * topic, or every notification is dropped without a trace (lib/stacks/data-stack.ts does).
   */
  readonly encryptionKey: IKey;
  /** The start of every alarm name the topic accepts notifications from, e.g. `OrderStore-prod`. */
  readonly alarmPrefix: string;
  /** Name of the topic, which the key policy names. */
  readonly topicName: string;
  /**
   * A subscriber: an email address (confirmed by a link SNS mails to it) or an HTTPS endpoint.
   *
   * @default - none; subscribe by hand or with `-c alarmEmail=...`
   */
  readonly subscription?: AlarmSubscription;
}

/** CloudWatch's limit on the alarms one composite alarm's rule may name. */
const MAX_CHILD_ALARMS = 100;

/**
 * Where the app's alarms go: an SNS topic encrypted with the application key and reachable only
 * over TLS, which every alarm notifies when it fires and when it recovers, and a composite alarm
 * that is in ALARM while any critical alarm is: the one signal to page on.
 *
 * The topic's policy lets CloudWatch publish only for alarms of this account whose names start
 * with the stage prefix; a topic policy replaces SNS's default one, so without that statement
 * CloudWatch could not publish at all.
 *
 * @example
 * const alerting = new Alerting(this, 'Alerting', { encryptionKey: key, alarmPrefix: 'OrderStore-prod', topicName: 'OrderStore-prod-alarms' });
 * thresholdAlarm(this, 'Errors', alerting, { ... });
 */
export class Alerting extends Construct implements AlarmSink {
  readonly topic: Topic;
  /** In ALARM while any critical alarm is; notifies the topic like the others. */
  readonly pagingAlarm: CompositeAlarm;
  readonly alarmPrefix: string;
  private readonly routed: { readonly alarm: AlarmBase; readonly severity: Severity }[] = [];

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.alarmPrefix = props.alarmPrefix;

    this.topic = new Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: `${props.alarmPrefix} alarms`,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisStagesAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${props.alarmPrefix}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    if (props.subscription !== undefined) {
      new Subscription(this, 'Subscriber', {
        topic: this.topic,
        protocol: props.subscription.protocol === 'email' ? SubscriptionProtocol.EMAIL : SubscriptionProtocol.HTTPS,
        endpoint: props.subscription.endpoint,
      });
    }

    // The rule is rendered when the template is written, so it names every critical alarm routed
    // here, whenever it was added.
    const anyCritical: IAlarmRule = {
      renderAlarmRule: () =>
        Lazy.string({
          produce: () => {
            const critical = this.alarmsOf('critical');
            // Without any, the validation below reports it; FALSE keeps the template renderable meanwhile.
            return (
              critical.length === 0 ? AlarmRule.fromBoolean(false) : AlarmRule.anyOf(...critical)
            ).renderAlarmRule();
          },
        }),
    };
    const page = { severity: 'critical', subject: 'Page' } as const;
    this.pagingAlarm = new CompositeAlarm(this, 'Page', {
      compositeAlarmName: alarmName(props.alarmPrefix, page),
      alarmDescription: alarmDescription({
        ...page,
        meaning:
          'At least one critical alarm of the stage is firing. The notification names it under triggering alarms, and the dashboard shows it in red at the top.',
        runbook: 'page-a-critical-alarm-is-firing',
      }),
      alarmRule: anyCritical,
    });
    this.pagingAlarm.addAlarmAction(new SnsAction(this.topic));
    this.pagingAlarm.addOkAction(new SnsAction(this.topic));

    this.node.addValidation({
      validate: () => {
        const critical = this.alarmsOf('critical').length;
        if (critical === 0) return ['Alerting: no critical alarm was routed here, so the paging alarm has no rule'];
        if (critical > MAX_CHILD_ALARMS) {
          return [
            `Alerting: ${critical} critical alarms; a composite alarm's rule may name at most ${MAX_CHILD_ALARMS}. Split the paging alarm by area.`,
          ];
        }
        return [];
      },
    });
  }

  route(alarm: AlarmBase, severity: Severity): void {
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.routed.push({ alarm, severity });
  }

  /** The alarms routed here, of one severity or all; the paging alarm is not among them. */
  alarmsOf(severity?: Severity): IAlarm[] {
    return this.routed.filter((r) => severity === undefined || r.severity === severity).map((r) => r.alarm);
  }
}

/**
 * The few physical names the app fixes instead of letting CloudFormation choose them, in one place.
 *
 * Each is fixed for a reason: the data stack's key policy names the alarm topic, the OrderPlaced
 * dead-letter queue and the alarms exactly, which it could not do with generated names without
 * depending on the stacks that own them; alarm names are what an on-call engineer reads first in a
 * notification; a dashboard is global to the account, so its name carries the region. The DAX
 * cluster's name is fixed too, from `prefix`, in lib/constructs/dax-cache.ts: DAX stores names in
 * lower case within 20 characters, and its metrics' `ClusterId`, which the alarms name, is that name.
 */
import type { AppConfig } from './config';

export interface StageNames {
  /** `OrderStore-prod`: the start of every fixed name of the stage. */
  readonly prefix: string;
  /** Every alarm's name starts with this (lib/alarms.ts). */
  readonly alarmPrefix: string;
  readonly alarmTopic: string;
  readonly orderPlacedDeadLetters: string;
  readonly dashboard: string;
}

export function stageNames(config: Pick<AppConfig, 'appName' | 'stage' | 'region'>): StageNames {
  const prefix = `${config.appName}-${config.stage}`;
  return {
    prefix,
    alarmPrefix: prefix,
    alarmTopic: `${prefix}-alarms`,
    orderPlacedDeadLetters: `${prefix}-order-placed-dead-letters`,
    dashboard: `${prefix}-${config.region}`,
  };
}

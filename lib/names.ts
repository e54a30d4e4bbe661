/**
 * The few physical names the app fixes instead of letting CloudFormation choose them, in one place.
 *
 * Each is fixed for a reason: the data stack's key policy names the alarm topic, the OrderPlaced
 * dead-letter queue and the alarms exactly, which it could not do with generated names without
 * depending on the stacks that own them; alarm names are what an on-call engineer reads first in a
 * notification; a dashboard is global to the account, so its name carries the region. The DAX
 * cluster's name is fixed too, from `prefix`, in lib/constructs/dax-cache.ts: DAX stores names in
 * lower case within 20 characters, and its metrics' `ClusterId`, which the alarms name, is that name.
 * The analytics names are typed by people: the Glue database and the Athena workgroup in queries,
 * the Redshift workgroup in the query editor (and Redshift Serverless requires names).
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
  /** Glue database of the analytics lake: lower case and underscores, as Athena and Redshift want it. */
  readonly analyticsDatabase: string;
  readonly athenaWorkgroup: string;
  /** Redshift Serverless namespace and workgroup: lower case and hyphens. */
  readonly redshiftNamespace: string;
  readonly redshiftWorkgroup: string;
}

export function stageNames(config: Pick<AppConfig, 'appName' | 'stage' | 'region'>): StageNames {
  const prefix = `${config.appName}-${config.stage}`;
  return {
    prefix,
    alarmPrefix: prefix,
    alarmTopic: `${prefix}-alarms`,
    orderPlacedDeadLetters: `${prefix}-order-placed-dead-letters`,
    dashboard: `${prefix}-${config.region}`,
    analyticsDatabase: `${config.appName}_${config.stage}`.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase(),
    athenaWorkgroup: `${prefix}-analytics`,
    redshiftNamespace: prefix.toLowerCase(),
    redshiftWorkgroup: prefix.toLowerCase(),
  };
}

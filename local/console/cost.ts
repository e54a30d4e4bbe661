/**
 * What an access pattern costs a month at a steady request rate, from the capacity the catalogue
 * documents for one call (lambdas/model/api-catalogue.ts) and the one price table
 * (lib/dynamodb-prices.ts). Pure, so the page computes it as the user types and the unit tests pin
 * it.
 *
 * - On demand: every call bills its units; a month is `hoursPerMonth` hours of the rate.
 * - Provisioned: the table must hold capacity for the rate all month; autoscaling keeps use near
 *   its target utilization (the stage default, DEFAULT_TARGET_UTILIZATION_PERCENT), so the capacity held is the units per second
 *   divided by the target. Fractions of a unit are kept: the figure is what the pattern adds to
 *   the capacity a table holds for all its patterns.
 */
import type { DocumentedCapacity } from '../../lambdas/model/api-catalogue';
import { DEFAULT_TARGET_UTILIZATION_PERCENT } from '../../lambdas/model/table-design';
import type { DynamoDbPrices } from '../../lib/dynamodb-prices';

/** The units DynamoDB bills for one call: the published rules' figure where it differs from what DynamoDB Local reports. */
export function billedUnits(capacity: DocumentedCapacity): { readonly read: number; readonly write: number } {
  return {
    read: capacity.bills?.read ?? capacity.read ?? 0,
    write: capacity.bills?.write ?? capacity.write ?? 0,
  };
}

export interface MonthlyCost {
  readonly readUnitsPerMonth: number;
  readonly writeUnitsPerMonth: number;
  readonly onDemandUsd: number;
  readonly provisioned: {
    readonly readCapacityUnits: number;
    readonly writeCapacityUnits: number;
    readonly usd: number;
  };
}

/** The monthly cost of `requestsPerSecond` calls, each billed `capacity`. */
export function monthlyCost(
  capacity: DocumentedCapacity,
  requestsPerSecond: number,
  prices: DynamoDbPrices,
  targetUtilization = DEFAULT_TARGET_UTILIZATION_PERCENT / 100,
): MonthlyCost {
  const units = billedUnits(capacity);
  const seconds = prices.hoursPerMonth * 3600;
  const readUnitsPerMonth = units.read * requestsPerSecond * seconds;
  const writeUnitsPerMonth = units.write * requestsPerSecond * seconds;
  const readCapacityUnits = (units.read * requestsPerSecond) / targetUtilization;
  const writeCapacityUnits = (units.write * requestsPerSecond) / targetUtilization;
  return {
    readUnitsPerMonth,
    writeUnitsPerMonth,
    onDemandUsd:
      (readUnitsPerMonth / 1e6) * prices.onDemand.perMillionReadUnits +
      (writeUnitsPerMonth / 1e6) * prices.onDemand.perMillionWriteUnits,
    provisioned: {
      readCapacityUnits,
      writeCapacityUnits,
      usd:
        prices.hoursPerMonth *
        (readCapacityUnits * prices.provisioned.perReadUnitHour +
          writeCapacityUnits * prices.provisioned.perWriteUnitHour),
    },
  };
}

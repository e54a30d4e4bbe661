/**
 * DynamoDB's throughput prices, the one table the repository keeps of them: the local console
 * costs each access pattern from it (local/console/cost.ts), and the prose of the docs quotes it
 * (docs/configuration.md, docs/dax.md, docs/operations/monitoring.md).
 *
 * US East (N. Virginia), Standard table class, as of 2026-11 (the date the rest of the repository's
 * prices are for). On demand: after AWS's November 2024 reduction, $0.625 per million write request
 * units and $0.125 per million read request units (airbyte.com, "Amazon DynamoDB Pricing", July
 * 2025; some pages still quote the earlier $1.25 and $0.25). Provisioned: $0.00065 per write
 * capacity unit-hour and $0.00013 per read capacity unit-hour (wring.co, "AWS DynamoDB Pricing
 * 2026", March 2026). Check https://aws.amazon.com/dynamodb/pricing/ for your region. Free tier,
 * reserved capacity, storage, streams and replication are left out.
 */
export const DYNAMODB_PRICES = {
  region: 'us-east-1',
  date: '2026-11',
  onDemand: {
    /** USD per million write request units. */
    perMillionWriteUnits: 0.625,
    /** USD per million read request units. */
    perMillionReadUnits: 0.125,
  },
  provisioned: {
    /** USD per write capacity unit per hour. */
    perWriteUnitHour: 0.00065,
    /** USD per read capacity unit per hour. */
    perReadUnitHour: 0.00013,
  },
  /** Hours in a month, as AWS's pricing examples count them. */
  hoursPerMonth: 730,
} as const;

export type DynamoDbPrices = typeof DYNAMODB_PRICES;

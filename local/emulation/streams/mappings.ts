/**
 * The stream event source mappings of a synthesized template, as the local pump needs them: which
 * function, which filters, and every setting that shapes delivery. Read from the template so
 * that the pump delivers exactly as the deployed mappings would, and cannot drift from them.
 */
import { type CfnTemplate, referencedId } from '../cloudformation';
import type { DeliverySettings } from './batch-delivery';
import { parsePatterns } from './filter-criteria';

export interface StreamMapping {
  /** Logical id of the `AWS::Lambda::EventSourceMapping`. */
  readonly logicalId: string;
  /** Logical id of the function the mapping invokes. */
  readonly functionLogicalId: string;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly delivery: DeliverySettings;
  /** How long Lambda may wait to fill a batch. */
  readonly maximumBatchingWindowInSeconds: number;
  /** Length of the mapping's tumbling windows, 0 for none (see tumbling-windows.ts). */
  readonly tumblingWindowInSeconds: number;
  /** Logical id of the SQS queue that receives descriptions of failed batches, if any. */
  readonly onFailureQueueLogicalId?: string;
}

class MappingShapeError extends Error {
  constructor(logicalId: string, rule: string) {
    super(`Event source mapping ${logicalId} in the template: ${rule}`);
    this.name = 'MappingShapeError';
  }
}

type Props = Record<string, unknown>;

const isObject = (value: unknown): value is Props =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether the mapping reads a DynamoDB stream (rather than Kinesis, SQS or Kafka). */
function readsDynamoDbStream(props: Props, template: CfnTemplate): boolean {
  const source = props.EventSourceArn;
  if (typeof source === 'string') return source.includes(':dynamodb:') && source.includes('/stream/');
  const ref = referencedId(source);
  if (ref !== undefined) return template.Resources?.[ref]?.Type?.startsWith('AWS::DynamoDB::') ?? false;
  // A reference to another stack (an import or a stack output): in this application only the
  // data stack's table streams are referenced that way.
  return JSON.stringify(source).includes('StreamArn');
}

export function streamMappingsOf(template: CfnTemplate): StreamMapping[] {
  const mappings: StreamMapping[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const props = resource.Properties ?? {};
    if (!readsDynamoDbStream(props, template)) continue;
    const fail = (rule: string): never => {
      throw new MappingShapeError(logicalId, rule);
    };
    if (props.Enabled === false) continue;

    const functionLogicalId = referencedId(props.FunctionName) ?? fail('FunctionName must be a Ref to a function');
    const startingPosition = props.StartingPosition;
    if (startingPosition !== 'TRIM_HORIZON' && startingPosition !== 'LATEST') {
      fail(`StartingPosition must be TRIM_HORIZON or LATEST, got ${JSON.stringify(startingPosition)}`);
    }
    const number = (name: string, fallback: number): number => {
      const value = props[name] ?? fallback;
      return typeof value === 'number' ? value : fail(`${name} must be a number, got ${JSON.stringify(value)}`);
    };
    const filterCriteria = isObject(props.FilterCriteria) ? props.FilterCriteria : {};
    const filters = Array.isArray(filterCriteria.Filters) ? (filterCriteria.Filters as { Pattern?: string }[]) : [];
    const responseTypes = Array.isArray(props.FunctionResponseTypes) ? props.FunctionResponseTypes : [];
    const destination = isObject(props.DestinationConfig) ? props.DestinationConfig : {};
    const onFailure = isObject(destination.OnFailure) ? referencedId(destination.OnFailure.Destination) : undefined;

    mappings.push({
      logicalId,
      functionLogicalId,
      startingPosition: startingPosition as StreamMapping['startingPosition'],
      // Lambda's defaults for DynamoDB streams where the template says nothing.
      delivery: {
        batchSize: number('BatchSize', 100),
        bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true,
        maximumRetryAttempts: number('MaximumRetryAttempts', -1),
        reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
        filters: parsePatterns(filters),
      },
      maximumBatchingWindowInSeconds: number('MaximumBatchingWindowInSeconds', 0),
      tumblingWindowInSeconds: number('TumblingWindowInSeconds', 0),
      ...(onFailure === undefined ? {} : { onFailureQueueLogicalId: onFailure }),
    });
  }
  return mappings;
}

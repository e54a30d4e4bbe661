/**
 * A private, KMS-encrypted bucket with its server access logs in a second bucket: the shape of
 * every bucket of the application that holds its data (the expired-cart archive, the data lake).
 *
 * Both buckets are created in the caller's scope under the ids it names, so a stack that adopts
 * this keeps its buckets' logical ids (a bucket that holds data must never be replaced).
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type LifecycleRule, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface LoggedBucketProps {
  /** The data bucket's id, and its access-log bucket's. */
  readonly ids: { readonly bucket: string; readonly accessLogs: string };
  /** What the bucket is, for the reason the log bucket is not logged itself ("the lake bucket"). */
  readonly description: string;
  readonly key: IKey;
  /** Where its access logs go in the log bucket. */
  readonly logPrefix: string;
  readonly versioned: boolean;
  readonly lifecycleRules: LifecycleRule[];
  readonly removalPolicy: RemovalPolicy;
}

export function loggedBucket(scope: Construct, props: LoggedBucketProps): Bucket {
  const { ids, removalPolicy } = props;
  const accessLogs = new Bucket(scope, ids.accessLogs, {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy,
  });
  Validations.of(accessLogs).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `This bucket receives ${props.description}’s server access logs; logging it too would log the logs.`,
  });
  return new Bucket(scope, ids.bucket, {
    encryption: BucketEncryption.KMS,
    encryptionKey: props.key,
    // One data key per bucket for a while instead of a KMS request per object.
    bucketKeyEnabled: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    versioned: props.versioned,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: props.logPrefix,
    lifecycleRules: props.lifecycleRules,
    removalPolicy,
  });
}

import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { pascal } from '../lambdas/shared/contracts/names';
import { SUBSCRIPTIONS } from '../lambdas/shared/contracts/subscriptions';
import { TABLES, type TableId } from '../lambdas/shared/contracts/tables';
import type { StageConfig } from './config';
import { failureDestinationFor } from './wiring';

export interface DataStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * The stateful stores outside Kafka: one DynamoDB table per entry of TABLES, the S3 archive and
 * the on-failure queues of the event source mappings that do not fail into Kafka. Kept apart from
 * the functions so that a services deployment can never replace or delete data: a failure queue
 * holds the only record of what a mapping gave up on (14 days), so it is data too.
 */
export class DataStack extends Stack {
  readonly tables: Record<TableId, dynamodb.Table>;
  readonly archiveBucket: s3.Bucket;
  /** The archive's S3 server access logs. */
  readonly accessLogBucket: s3.Bucket;
  readonly archiveKey: kms.Key;
  /** Write-only access to the archive, for the archive function. */
  readonly archiveWritePolicy: iam.ManagedPolicy;
  /** On-failure destination of the outbox relay's DynamoDB stream mapping. */
  readonly outboxRelayFailureQueue: sqs.Queue;
  /** On-failure destination of each Kafka mapping that fails into a queue (those reading dead_letter), by subscription id. */
  readonly mappingFailureQueues: Record<string, sqs.Queue>;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.tables = Object.fromEntries(
      (Object.keys(TABLES) as TableId[]).map((tableId) => {
        const spec: (typeof TABLES)[TableId] = TABLES[tableId];
        const table = new dynamodb.Table(this, `${pascal(tableId)}Table`, {
          partitionKey: { name: spec.partitionKey, type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: config.data.deletionProtection,
          removalPolicy: config.removalPolicy,
          // The AWS managed key (aws/dynamodb): every use shows in CloudTrail, and no key policy to
          // keep in step with the functions' roles. A customer managed key only pays off for
          // cross-account access or crypto-shredding, which this system does not need.
          encryption: dynamodb.TableEncryption.AWS_MANAGED,
          stream: spec.stream ? dynamodb.StreamViewType.NEW_IMAGE : undefined,
          timeToLiveAttribute: 'ttlAttribute' in spec ? spec.ttlAttribute : undefined,
        });
        if ('sparseIndex' in spec) {
          table.addGlobalSecondaryIndex({
            indexName: spec.sparseIndex.name,
            partitionKey: { name: spec.sparseIndex.partitionKey, type: dynamodb.AttributeType.STRING },
            sortKey: { name: spec.sparseIndex.sortKey, type: dynamodb.AttributeType.STRING },
            // Sparse: it holds only the items that carry its key (the outbox entries not yet marked
            // published, the sent emails), so projecting the whole item costs little and lets the
            // reader use the query's items without a read per item.
            projectionType: dynamodb.ProjectionType.ALL,
          });
        }
        new CfnOutput(this, `${pascal(tableId)}TableName`, {
          value: table.tableName,
          description: `DynamoDB table ${tableId} (${spec.envVar})`,
        });
        return [tableId, table];
      }),
    ) as Record<TableId, dynamodb.Table>;

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      // S3-managed keys: the logs hold request metadata, not order data, and S3's log delivery
      // needs no key policy (lib/control-tower.ts records the exception to CT.S3.PR.10).
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: config.archive.accessLogsExpireAfter,
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.removalPolicy === RemovalPolicy.DESTROY,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket of the archive; logging it into itself would loop.',
    });

    this.archiveKey = new kms.Key(this, 'ArchiveKey', {
      description: 'Encrypts the order event archive',
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
      pendingWindow: Duration.days(7),
    });

    this.archiveBucket = new s3.Bucket(this, 'ArchiveBucket', {
      // A customer managed key: every read of the archive is a logged KMS decrypt, and the key
      // policy, not only the bucket policy, decides who may read years of order history. Bucket
      // keys cut the KMS requests (one object per partition per batch) by about 99%.
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.archiveKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'archive/',
      lifecycleRules: [
        {
          id: 'archive-to-colder-storage',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: config.archive.infrequentAccessAfter },
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: config.archive.glacierAfter },
          ],
          noncurrentVersionExpiration: config.archive.noncurrentVersionsExpireAfter,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.removalPolicy === RemovalPolicy.DESTROY,
    });
    // Each new archive object is an EventBridge event another team can subscribe to without a change
    // here. Set on the L1: the L2's eventBridgeEnabled adds CDK's notifications custom resource.
    (this.archiveBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    // Defined next to the bucket, so that its object ARN is a local reference the checks can name.
    this.archiveWritePolicy = new iam.ManagedPolicy(this, 'ArchiveWritePolicy', {
      description: 'Write objects to the order event archive (no read, list of objects or delete)',
      statements: [
        // The archive writes one object per topic-partition per batch; a redelivered batch
        // overwrites the same key.
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.archiveBucket.arnForObjects('*')] }),
        // SSE-KMS: a data key per object (bucket keys make that one per bucket key period).
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.archiveKey.keyArn],
        }),
      ],
    });
    const bucketLogicalId = this.getLogicalId(this.archiveBucket.node.defaultChild as s3.CfnBucket);
    Validations.of(this.archiveWritePolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`,
      reason:
        'Objects of the archive bucket: their keys (topic/date/partition/offset) are known only when a batch arrives. PutObject only.',
    });
    new CfnOutput(this, 'ArchiveBucketName', { value: this.archiveBucket.bucketName, description: 'S3 event archive' });

    this.outboxRelayFailureQueue = this.failureQueue('OutboxRelayFailureQueue', config);
    this.mappingFailureQueues = Object.fromEntries(
      SUBSCRIPTIONS.filter((s) => failureDestinationFor(s).kind === 'sqs-queue').map((s) => [
        s.id,
        this.failureQueue(`${s.id}FailureQueue`, config),
      ]),
    );

    if (config.removalPolicy === RemovalPolicy.DESTROY) {
      const provider = this.node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider');
      if (provider) {
        Validations.of(provider).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: "Dev only: CDK's provider that empties the buckets on stack deletion so that teardown completes.",
        });
      }
    }
  }

  /**
   * An encrypted, TLS-only on-failure destination, kept the longest SQS allows, and retained with
   * the stage's other data. Whoever re-publishes from it and keeps failing on one failure record
   * moves it aside after a few receives, instead of cycling on it until it expires.
   */
  private failureQueue(id: string, config: StageConfig): sqs.Queue {
    const queueProps = {
      encryption: sqs.QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    };
    const queue = new sqs.Queue(this, id, {
      ...queueProps,
      deadLetterQueue: {
        maxReceiveCount: 5,
        queue: new sqs.Queue(this, `${id}DeadLetterQueue`, {
          ...queueProps,
          // allowAll: "any source queues in this AWS account in the same Region can specify this queue
          // as the dead-letter queue". Marks it as one; byQueue naming its source would be a cycle.
          redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
        }),
      },
    });
    new CfnOutput(this, `${id}Url`, { value: queue.queueUrl, description: `On-failure destination ${id}` });
    return queue;
  }
}

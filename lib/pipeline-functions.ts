import { Tags } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/contracts/environment';
import {
  FUNCTION_ID_TAG,
  FUNCTION_IDS,
  FUNCTIONS,
  functionEntry,
  functionLogicalId,
  functionName,
  type FunctionId,
} from '../lambdas/shared/contracts/functions';
import type { Subscription } from '../lambdas/shared/contracts/subscriptions';
import { TABLES, type TableId } from '../lambdas/shared/contracts/tables';
import type { MappingSettings, StageConfig } from './config';
import type { KafkaArns } from './kafka-access';
import { PipelineFunction } from './pipeline-function';
import {
  partialBatchResponseFor,
  subscriptionsOf,
  TABLE_ACCESS,
  type TableAccess,
  TABLE_ACTIONS,
  topicsWrittenBy,
  usesKafka,
} from './wiring';

export interface PipelineFunctionsProps {
  readonly config: StageConfig;
  readonly vpc: ec2.IVpc;
  /** Functions that talk to Kafka; the others get functionSecurityGroup. */
  readonly kafkaClientSecurityGroup: ec2.ISecurityGroup;
  readonly functionSecurityGroup: ec2.ISecurityGroup;
  readonly bootstrapBrokers: string;
  readonly kafkaArns: KafkaArns;
  readonly tables: Record<TableId, dynamodb.ITable>;
  readonly archiveBucket: s3.IBucket;
  readonly archiveWritePolicy: iam.IManagedPolicy;
  /** The settings of each subscription's mapping: the batch-response mode of its function follows them. */
  readonly mappingSettings: (subscription: Subscription) => MappingSettings;
}

/**
 * Every function of FUNCTIONS with what it reads and writes: its environment, its tables
 * (TABLE_ACCESS), its topics and consumer groups, and the archive bucket for the archive. The
 * functions are children of `scope` with their logical ids as construct ids (PipelineFunction).
 */
export function createPipelineFunctions(
  scope: Construct,
  props: PipelineFunctionsProps,
): Record<FunctionId, PipelineFunction> {
  const { config } = props;
  return Object.fromEntries(
    FUNCTION_IDS.map((functionId) => {
      const kafka = usesKafka(functionId);
      const partialBatch = partialBatchResponseFor(functionId, props.mappingSettings);
      const fn = new PipelineFunction(scope, functionLogicalId(functionId), {
        config,
        entry: functionEntry(functionId),
        description: FUNCTIONS[functionId].description,
        serviceName: functionName(functionId),
        vpc: props.vpc,
        securityGroup: kafka ? props.kafkaClientSecurityGroup : props.functionSecurityGroup,
        environment: {
          ...(kafka ? { [ENV.kafkaBootstrapServers]: props.bootstrapBrokers, [ENV.kafkaAuth]: 'iam' } : {}),
          ...(partialBatch === undefined
            ? {}
            : {
                [ENV.partialBatchResponse]: String(partialBatch),
                [ENV.keyConcurrency]: String(config.mappings.keyConcurrency),
              }),
        },
      });
      Tags.of(fn).add(FUNCTION_ID_TAG, functionId);
      for (const [tableId, access] of Object.entries(TABLE_ACCESS[functionId]) as [TableId, TableAccess][]) {
        bindTable(fn, tableId, props.tables[tableId], access);
      }
      if (kafka) grantKafka(fn, functionId, props.kafkaArns);
      if (functionId === 'archive') bindArchive(fn, props.archiveBucket, props.archiveWritePolicy);
      return [functionId, fn];
    }),
  ) as Record<FunctionId, PipelineFunction>;
}

/** The function gets the table's name in TABLES[...].envVar and exactly the grant it needs. */
export function bindTable(fn: lambda.Function, tableId: TableId, table: dynamodb.ITable, access: TableAccess): void {
  const spec: (typeof TABLES)[TableId] = TABLES[tableId];
  fn.addEnvironment(spec.envVar, table.tableName);
  if (access === 'R' || access === 'RW') {
    if (access === 'R') table.grantReadData(fn);
    else table.grantReadWriteData(fn);
    return;
  }
  // The narrow kinds name exactly the table, and for Query the one index.
  const indexArn = 'sparseIndex' in spec ? [`${table.tableArn}/index/${spec.sparseIndex.name}`] : [];
  for (const action of TABLE_ACTIONS[access]) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [action],
        resources: action === 'dynamodb:Query' ? indexArn : [table.tableArn],
      }),
    );
  }
}

/** Per-topic and per-group kafka-cluster actions: exactly what this function reads, writes and joins. */
function grantKafka(fn: lambda.Function, functionId: FunctionId, kafkaArns: KafkaArns): void {
  const subscriptions = subscriptionsOf(functionId);
  const writeTopics = topicsWrittenBy(functionId);
  for (const statement of kafkaArns.statements({
    readTopics: subscriptions.map((s) => s.topic),
    consumerGroups: subscriptions.map((s) => s.consumerGroupId),
    writeTopics,
    idempotentProducer: writeTopics.length > 0,
  })) {
    fn.addToRolePolicy(statement);
  }
}

function bindArchive(fn: lambda.Function, bucket: s3.IBucket, writePolicy: iam.IManagedPolicy): void {
  fn.addEnvironment(ENV.archiveBucket, bucket.bucketName);
  fn.role!.addManagedPolicy(writePolicy);
}

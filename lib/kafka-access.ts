import { ArnFormat, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** What a principal does with the cluster: the topics it reads and writes and its consumer groups. */
export interface KafkaAccess {
  readonly readTopics?: readonly string[];
  readonly writeTopics?: readonly string[];
  readonly consumerGroups?: readonly string[];
  /** The idempotent producer's InitProducerId needs WriteDataIdempotently on the cluster. */
  readonly idempotentProducer?: boolean;
  /** Topic administration (the serverless topic provisioner). */
  readonly manageTopics?: readonly string[];
}

/**
 * MSK IAM access control ARNs of one cluster and the least-privilege `kafka-cluster:*` statements
 * built from them. Topic and group ARNs embed the cluster name and UUID:
 *   arn:aws:kafka:<region>:<account>:topic/<clusterName>/<clusterUuid>/<topic>
 *   arn:aws:kafka:<region>:<account>:group/<clusterName>/<clusterUuid>/<groupId>
 * https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html
 */
export class KafkaArns {
  private readonly clusterUuid: string;

  constructor(
    private readonly scope: Construct,
    readonly clusterArn: string,
    readonly clusterName: string,
  ) {
    // arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>
    this.clusterUuid = Fn.select(2, Fn.split('/', clusterArn));
  }

  topic(name: string): string {
    return this.arn('topic', name);
  }

  group(groupId: string): string {
    return this.arn('group', groupId);
  }

  statements(access: KafkaAccess): iam.PolicyStatement[] {
    const clusterActions = ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'];
    const consumer = (access.consumerGroups ?? []).length > 0;
    // Lambda's event pollers read the cluster's dynamic configuration when they join a group.
    if (consumer) clusterActions.push('kafka-cluster:DescribeClusterDynamicConfiguration');
    if (access.idempotentProducer) clusterActions.push('kafka-cluster:WriteDataIdempotently');
    const statements = [new iam.PolicyStatement({ actions: clusterActions, resources: [this.clusterArn] })];
    const topics = (names: readonly string[] | undefined) => [...new Set(names ?? [])].map((n) => this.topic(n));
    if (access.readTopics?.length) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          resources: topics(access.readTopics),
        }),
      );
    }
    if (access.writeTopics?.length) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
          resources: topics(access.writeTopics),
        }),
      );
    }
    if (consumer) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
          resources: [...new Set(access.consumerGroups)].map((g) => this.group(g)),
        }),
      );
    }
    if (access.manageTopics?.length) {
      statements.push(
        new iam.PolicyStatement({
          actions: [
            'kafka-cluster:CreateTopic',
            'kafka-cluster:DescribeTopic',
            'kafka-cluster:AlterTopic',
            'kafka-cluster:DescribeTopicDynamicConfiguration',
            'kafka-cluster:AlterTopicDynamicConfiguration',
          ],
          resources: topics(access.manageTopics),
        }),
      );
    }
    return statements;
  }

  private arn(resource: 'topic' | 'group', name: string): string {
    return Stack.of(this.scope).formatArn({
      service: 'kafka',
      resource,
      resourceName: `${this.clusterName}/${this.clusterUuid}/${name}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }
}

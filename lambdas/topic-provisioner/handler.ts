import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { requireEnv } from '../shared/config';
import { bootstrapBrokersFromProperties, planTopic, topicSpecFromProperties, type TopicAction } from './topic-plan';

const region = requireEnv('AWS_REGION');

interface ProviderResponse {
  PhysicalResourceId: string;
  Data?: Record<string, string>;
}

/**
 * Custom resource for one topic on an MSK Serverless cluster (AWS::MSK::Topic works on
 * provisioned clusters only). Called by the CDK Provider framework, which reports the outcome to
 * CloudFormation, so a thrown error fails the deployment with its message.
 *
 * Delete keeps the topic: deleting it would delete its records, and a topic that moves to a new
 * name gets a new resource while the old one stays readable until the cluster itself goes.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<ProviderResponse> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };

  const spec = topicSpecFromProperties(event.ResourceProperties);
  const admin = new Admin({
    clientId: 'topic-provisioner',
    bootstrapBrokers: bootstrapBrokersFromProperties(event.ResourceProperties),
    tls: {},
    sasl: { mechanism: 'OAUTHBEARER', token: async () => (await generateAuthToken({ region })).token },
    connectTimeout: 10_000,
    retries: 5,
  });
  try {
    const exists = (await admin.listTopics()).includes(spec.name);
    const existing = exists
      ? { partitions: (await admin.metadata({ topics: [spec.name] })).topics.get(spec.name)!.partitionsCount }
      : undefined;
    for (const action of planTopic(spec, existing)) await apply(admin, action);
  } finally {
    await admin.close();
  }
  return { PhysicalResourceId: spec.name, Data: { TopicName: spec.name } };
}

async function apply(admin: Admin, action: TopicAction): Promise<void> {
  switch (action.kind) {
    case 'create':
      // Replication is MSK Serverless's own (three copies, not configurable): -1 takes the default.
      await admin.createTopics({
        topics: [action.spec.name],
        partitions: action.spec.partitions,
        replicas: -1,
        configs: Object.entries(action.spec.configs).map(([name, value]) => ({ name, value })),
      });
      return;
    case 'addPartitions':
      await admin.createPartitions({ topics: [{ name: action.name, count: action.total }] });
      return;
    case 'setConfigs':
      await admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: action.name,
            configs: Object.entries(action.configs).map(([name, value]) => ({
              name,
              value,
              configOperation: IncrementalAlterConfigOperationTypes.SET,
            })),
          },
        ],
      });
      return;
  }
}

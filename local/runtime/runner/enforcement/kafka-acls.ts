import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Assembly } from '../assembly';
import type { AccessModel, FunctionIdentity } from './access-model';
import type { TemplateValues } from './template-values';

/**
 * Kafka ACLs for the local broker, derived from each function role's `kafka-cluster:*` grants, so
 * that the broker refuses what MSK's IAM access control would. A function's principal is
 * User:<function id> (the broker's MSK IAM callback handler names it so from the token's access key).
 *
 * How MSK IAM actions map to Kafka operations, from "Semantics of IAM authorization policy actions
 * and resources" (https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html), whose
 * table says of each action, for example: "kafka-cluster:DescribeCluster: Grants permission to
 * describe various aspects of the cluster, equivalent to Apache Kafka's DESCRIBE CLUSTER ACL", and
 * "kafka-cluster:Connect: Grants permission to connect and authenticate to the cluster". The same
 * descriptions are in the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_apachekafkaapisforamazonmskclusters.html,
 * "AlterCluster: Grants permission to alter various aspects of the cluster, equivalent to Apache
 * Kafka's ALTER CLUSTER ACL").
 *
 * Which resources a grant covers is decided by @cloud-copilot/iam-simulate on the role's policies,
 * as the gateway decides AWS calls (wildcards, Deny, NotAction/NotResource): for every action of the
 * table the role's statements could allow, on every topic of the broker and every group of the
 * assembly's mappings (and every group the statements name). An allowed (action, resource) becomes
 * one LITERAL ALLOW ACL; anything else has no ACL, which the StandardAuthorizer denies.
 */
export type KafkaResourceType = 'CLUSTER' | 'TOPIC' | 'GROUP' | 'TRANSACTIONAL_ID';
export type KafkaOperation =
  | 'READ'
  | 'WRITE'
  | 'CREATE'
  | 'DELETE'
  | 'ALTER'
  | 'DESCRIBE'
  | 'DESCRIBE_CONFIGS'
  | 'ALTER_CONFIGS'
  | 'IDEMPOTENT_WRITE';

/** MSK IAM action -> the Kafka ACL it is equivalent to (kafka-actions.html, "Authorization policy actions"). */
export const MSK_ACTION_ACLS: Readonly<
  Record<string, { readonly resource: KafkaResourceType; readonly operation: KafkaOperation }>
> = {
  'kafka-cluster:DescribeCluster': { resource: 'CLUSTER', operation: 'DESCRIBE' },
  'kafka-cluster:AlterCluster': { resource: 'CLUSTER', operation: 'ALTER' },
  'kafka-cluster:DescribeClusterDynamicConfiguration': { resource: 'CLUSTER', operation: 'DESCRIBE_CONFIGS' },
  'kafka-cluster:AlterClusterDynamicConfiguration': { resource: 'CLUSTER', operation: 'ALTER_CONFIGS' },
  'kafka-cluster:WriteDataIdempotently': { resource: 'CLUSTER', operation: 'IDEMPOTENT_WRITE' },
  'kafka-cluster:CreateTopic': { resource: 'TOPIC', operation: 'CREATE' },
  'kafka-cluster:DescribeTopic': { resource: 'TOPIC', operation: 'DESCRIBE' },
  'kafka-cluster:AlterTopic': { resource: 'TOPIC', operation: 'ALTER' },
  'kafka-cluster:DeleteTopic': { resource: 'TOPIC', operation: 'DELETE' },
  'kafka-cluster:DescribeTopicDynamicConfiguration': { resource: 'TOPIC', operation: 'DESCRIBE_CONFIGS' },
  'kafka-cluster:AlterTopicDynamicConfiguration': { resource: 'TOPIC', operation: 'ALTER_CONFIGS' },
  'kafka-cluster:ReadData': { resource: 'TOPIC', operation: 'READ' },
  'kafka-cluster:WriteData': { resource: 'TOPIC', operation: 'WRITE' },
  'kafka-cluster:DescribeGroup': { resource: 'GROUP', operation: 'DESCRIBE' },
  'kafka-cluster:AlterGroup': { resource: 'GROUP', operation: 'READ' },
  'kafka-cluster:DeleteGroup': { resource: 'GROUP', operation: 'DELETE' },
  'kafka-cluster:DescribeTransactionalId': { resource: 'TRANSACTIONAL_ID', operation: 'DESCRIBE' },
  'kafka-cluster:AlterTransactionalId': { resource: 'TRANSACTIONAL_ID', operation: 'WRITE' },
};

/** Authenticating at all: without it the broker refuses the function's token (it is not an ACL). */
export const CONNECT_ACTION = 'kafka-cluster:Connect';

/** The Kafka error a request gets when an ACL of this resource type is missing. */
export const AUTHORIZATION_ERROR: Readonly<Record<KafkaResourceType, string>> = {
  CLUSTER: 'CLUSTER_AUTHORIZATION_FAILED',
  TOPIC: 'TOPIC_AUTHORIZATION_FAILED',
  GROUP: 'GROUP_AUTHORIZATION_FAILED',
  TRANSACTIONAL_ID: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
};

export interface KafkaAcl {
  /** `User:<function id>` */
  readonly principal: string;
  readonly resourceType: KafkaResourceType;
  /** The topic or group name; `kafka-cluster` for the cluster. */
  readonly resourceName: string;
  readonly operation: KafkaOperation;
  /** The MSK IAM action the ACL stands for. */
  readonly action: string;
}

export interface KafkaAccess {
  /** The ARN of the MSK cluster the local broker stands for (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>). */
  readonly clusterArn: string;
  /** Every ALLOW ACL, by function. */
  readonly acls: readonly KafkaAcl[];
  /** Principals whose role allows kafka-cluster:Connect on the cluster. */
  readonly connect: readonly string[];
  /** Every function's principal, granted or not: the ACLs of these principals are the runner's to replace. */
  readonly principals: readonly string[];
}

/** The principal of a function on the local broker's MSK IAM listener. */
export function kafkaPrincipal(functionId: string): string {
  return `User:${functionId}`;
}

/** The Kafka ACL resource name of the cluster. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';

/**
 * The ARN of the MSK cluster the assembly's functions and mappings use: the one MSK cluster resource
 * in the assembly, or else the one literal EventSourceArn of its Kafka mappings.
 */
export function mskClusterArn(assembly: Assembly, values: TemplateValues): string | undefined {
  const arns = new Set<string>();
  for (const stack of assembly.stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type === 'AWS::MSK::Cluster' || resource.Type === 'AWS::MSK::ServerlessCluster')
        arns.add(values.arn(logicalId, stack));
    }
  }
  if (arns.size === 0) for (const m of assembly.kafkaMappings) if (m.eventSourceArn) arns.add(m.eventSourceArn);
  return arns.size === 1 ? [...arns][0] : undefined;
}

/** The topic, group or transactional-id ARN of `name` in the cluster (kafka-actions.html, "Authorization policy resources"). */
export function kafkaResourceArn(clusterArn: string, type: KafkaResourceType, name: string): string {
  if (type === 'CLUSTER') return clusterArn;
  // arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> -> ...:topic/<name>/<uuid>/<topic>
  const [prefix, path] = [clusterArn.slice(0, clusterArn.indexOf(':cluster/')), clusterArn.split(':cluster/')[1]];
  const kind = type === 'TOPIC' ? 'topic' : type === 'GROUP' ? 'group' : 'transactional-id';
  return `${prefix}:${kind}/${path}/${name}`;
}

export async function deriveKafkaAcls(options: {
  readonly model: AccessModel;
  readonly clusterArn: string;
  /** Topics on the broker. */
  readonly topics: readonly string[];
  /** Consumer groups the assembly's mappings use. */
  readonly groups: readonly string[];
}): Promise<KafkaAccess> {
  const { model, clusterArn } = options;
  const acls: KafkaAcl[] = [];
  const connect: string[] = [];
  const principals: string[] = [];
  for (const identity of model.identities.values()) {
    const principal = kafkaPrincipal(identity.functionId);
    principals.push(principal);
    const statements = kafkaStatements(identity);
    if (statements.length === 0) continue;
    const groups = new Set([...options.groups, ...namedGroups(statements, clusterArn)]);
    const names: Record<KafkaResourceType, readonly string[]> = {
      CLUSTER: [CLUSTER_RESOURCE_NAME],
      TOPIC: options.topics,
      GROUP: [...groups],
      TRANSACTIONAL_ID: [],
    };
    if (await allowed(identity, model, CONNECT_ACTION, clusterArn)) connect.push(principal);
    for (const [action, acl] of Object.entries(MSK_ACTION_ACLS)) {
      if (!statements.some((s) => s.actions.some((pattern) => wildcardMatch(pattern, action)) || s.notAction)) continue;
      for (const name of names[acl.resource]) {
        const arn = acl.resource === 'CLUSTER' ? clusterArn : kafkaResourceArn(clusterArn, acl.resource, name);
        if (await allowed(identity, model, action, arn)) {
          acls.push({ principal, resourceType: acl.resource, resourceName: name, operation: acl.operation, action });
        }
      }
    }
  }
  return { clusterArn, acls, connect, principals };
}

interface KafkaStatement {
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly resources: readonly string[];
}

/** The Allow statements of a role that could grant a kafka-cluster action (a prefilter: the simulator decides). */
function kafkaStatements(identity: FunctionIdentity): KafkaStatement[] {
  const kafkaActions = [CONNECT_ACTION, ...Object.keys(MSK_ACTION_ACLS)];
  const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map(String);
  const result: KafkaStatement[] = [];
  for (const { policy } of identity.policies) {
    const raw = (policy as { Statement?: unknown }).Statement;
    for (const statement of (Array.isArray(raw) ? raw : [raw]) as (Record<string, unknown> | undefined)[]) {
      if (statement?.Effect !== 'Allow') continue;
      const actions = list(statement.Action).filter((p) => kafkaActions.some((a) => wildcardMatch(p, a)));
      const notAction = statement.NotAction !== undefined;
      if (actions.length > 0 || notAction) result.push({ actions, notAction, resources: list(statement.Resource) });
    }
  }
  return result;
}

/** Group names the statements give literally (…:group/<cluster>/<uuid>/<name> without wildcards). */
function namedGroups(statements: readonly KafkaStatement[], clusterArn: string): string[] {
  const prefix = kafkaResourceArn(clusterArn, 'GROUP', '');
  return statements
    .flatMap((s) => s.resources)
    .filter((r) => r.startsWith(prefix) && !/[*?]/.test(r))
    .map((r) => r.slice(prefix.length));
}

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive as for actions. */
function wildcardMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    'i',
  );
  return regex.test(value);
}

const decisions = new Map<string, boolean>();

/** Whether the role allows `action` on `resource`, by the same simulator as the gateway; cached per policy set. */
async function allowed(identity: FunctionIdentity, model: AccessModel, action: string, resource: string) {
  const key = `${JSON.stringify(identity.policies)}\n${action}\n${resource}`;
  const cached = decisions.get(key);
  if (cached !== undefined) return cached;
  const result = await runSimulation(
    {
      request: {
        action,
        // The cluster is in the functions' account, as the stacks deploy it.
        resource: { resource, accountId: model.account },
        principal: identity.sessionArn,
        // MSK's IAM listener is TLS only.
        contextVariables: { 'aws:SecureTransport': 'true' },
      },
      identityPolicies: identity.policies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  const decision = result.resultType !== 'error' && 'overallResult' in result && result.overallResult === 'Allowed';
  decisions.set(key, decision);
  return decision;
}

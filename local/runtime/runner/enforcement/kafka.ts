import {
  AclOperations,
  AclPermissionTypes,
  Admin,
  ResourcePatternTypes,
  ResourceTypes,
  type Acl,
} from '@platformatic/kafka';
import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import type { LocalEndpoints, LocalKafkaIam } from '../../endpoints';
import type { Assembly } from '../assembly';
import type { AccessModel } from './access-model';
import {
  AUTHORIZATION_ERROR,
  CONNECT_ACTION,
  deriveKafkaAcls,
  MSK_ACTION_ACLS,
  mskClusterArn,
  type KafkaAccess,
  type KafkaResourceType,
} from './kafka-acls';
import type { TemplateValues } from './template-values';

/**
 * The Kafka half of the enforcement: installs the ACLs derived from the roles (kafka-acls.ts) on the
 * local broker, says which principals may connect, and reads the brokers' authorizer logs to count
 * and name what they denied, per function.
 *
 * One broker may serve several runners one after the other (the e2e tests): the ACLs of the
 * assembly's principals are replaced as a whole at start, and the runner waits until the broker
 * reports exactly the new set, so that a grant a previous assembly had never lingers.
 */
export interface KafkaEnforcementStats {
  /** ALLOW ACLs installed, over all functions. */
  readonly acls: number;
  /** Requests (and connections) the broker refused, per function. */
  readonly denied: Record<string, number>;
  /** The distinct refusals, each once, in the order they happened. */
  readonly refusals: readonly string[];
}

export interface KafkaEnforcement {
  readonly access: KafkaAccess;
  readonly listener: LocalKafkaIam;
  stats(): KafkaEnforcementStats;
}

const ACL_SETTLE_TIMEOUT_MS = 15_000;

export async function startKafkaEnforcement(options: {
  readonly assembly: Assembly;
  readonly model: AccessModel;
  readonly values: TemplateValues;
  readonly endpoints: LocalEndpoints;
  readonly log: (line: string) => void;
}): Promise<KafkaEnforcement | undefined> {
  const { assembly, model, values, endpoints, log } = options;
  const listener = endpoints.kafkaIam;
  if (!listener) {
    log('Kafka ACLs off: the broker was not started here (no MSK IAM listener); Kafka access is not checked');
    return undefined;
  }
  const clusterArn =
    mskClusterArn(assembly, values) ?? `arn:aws:kafka:${model.region}:${model.account}:cluster/local/local`;
  const admin = new Admin({
    clientId: 'local-kafka-acls',
    bootstrapBrokers: endpoints.kafkaBootstrap.split(','),
    connectTimeout: 5_000,
  });
  try {
    const topics = await topicsOnBroker(admin, [...new Set(assembly.kafkaMappings.map((m) => m.topic))]);
    const groups = [...new Set(assembly.kafkaMappings.map((m) => m.consumerGroupId))];
    const access = await deriveKafkaAcls({ model, clusterArn, topics, groups });
    await replaceAcls(admin, access);
    writeFileSync(listener.connectFile, access.connect.map((p) => `${p}\n`).join(''));
    log(
      `Kafka ACLs: ${access.acls.length} derived from the roles' kafka-cluster grants on ${clusterArn} ` +
        `for ${access.connect.length} functions that may connect`,
    );
    const watch = new AuthorizerLogWatch(listener.authorizerLogs);
    return { access, listener, stats: () => watch.stats(access.acls.length) };
  } finally {
    await admin.close();
  }
}

const ANY_ACL = {
  resourceType: ResourceTypes.ANY,
  resourceName: null,
  resourcePatternType: ResourcePatternTypes.ANY,
  host: null,
  operation: AclOperations.ANY,
  permissionType: AclPermissionTypes.ANY,
};

function toKafkaAcl(acl: KafkaAccess['acls'][number]): Acl {
  return {
    principal: acl.principal,
    host: '*',
    resourceType: ResourceTypes[acl.resourceType],
    resourceName: acl.resourceName,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    operation: AclOperations[acl.operation],
    permissionType: AclPermissionTypes.ALLOW,
  };
}

const aclKey = (a: Acl) =>
  [a.principal, a.resourceType, a.resourceName, a.resourcePatternType, a.operation, a.permissionType].join('|');

async function replaceAcls(admin: Admin, access: KafkaAccess): Promise<void> {
  const principals = new Set(access.principals);
  const wanted = new Map(access.acls.map((a) => [aclKey(toKafkaAcl(a)), toKafkaAcl(a)]));
  const current = await principalAcls(admin, principals);
  const stale = [...current.values()].filter((a) => !wanted.has(aclKey(a)));
  const missing = [...wanted].filter(([key]) => !current.has(key)).map(([, acl]) => acl);
  if (stale.length > 0) {
    await admin.deleteAcls({
      filters: stale.map((a) => ({ ...a, host: null })),
    });
  }
  if (missing.length > 0) await admin.createAcls({ creations: missing });
  // The controller commits the change; the broker applies it from the metadata log a moment later.
  const deadline = Date.now() + ACL_SETTLE_TIMEOUT_MS;
  for (;;) {
    const now = await principalAcls(admin, principals);
    if (now.size === wanted.size && [...wanted.keys()].every((k) => now.has(k))) return;
    if (Date.now() > deadline)
      throw new Error(`The broker did not apply the Kafka ACLs within ${ACL_SETTLE_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function principalAcls(admin: Admin, principals: ReadonlySet<string>): Promise<Map<string, Acl>> {
  const resources = await admin.describeAcls({ filter: { ...ANY_ACL, principal: null } });
  const result = new Map<string, Acl>();
  for (const resource of resources) {
    for (const permission of resource.acls) {
      if (!principals.has(permission.principal)) continue;
      const acl: Acl = {
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        resourcePatternType: resource.resourcePatternType,
        ...permission,
      };
      result.set(aclKey(acl), acl);
    }
  }
  return result;
}

// [2026-12-04 18:19:40,196] Principal = User:billing is Denied operation = Write from host = 127.0.0.1 on resource = Topic:LITERAL:payments for request = Produce with resourceRefCount = 1 ...
const DENIAL =
  /Principal = User:(\S+) is Denied operation = (\w+) from host = \S+ on resource = (\w+):(?:LITERAL|PREFIXED|\w+):(\S+) for request = (\w+)/;

const RESOURCE_TYPE: Readonly<Record<string, KafkaResourceType>> = {
  Topic: 'TOPIC',
  Group: 'GROUP',
  Cluster: 'CLUSTER',
  TransactionalId: 'TRANSACTIONAL_ID',
};

/** Reads what the brokers' authorizers logged since the runner started. */
class AuthorizerLogWatch {
  private readonly offsets = new Map<string, number>();
  private readonly denied: Record<string, number> = {};
  private readonly refusals = new Set<string>();
  private partial = new Map<string, string>();

  constructor(private readonly files: readonly string[]) {
    for (const file of files) this.offsets.set(file, existsSync(file) ? statSync(file).size : 0);
  }

  stats(acls: number): KafkaEnforcementStats {
    for (const file of this.files) this.readNew(file);
    return { acls, denied: { ...this.denied }, refusals: [...this.refusals] };
  }

  private readNew(file: string): void {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    const from = this.offsets.get(file) ?? 0;
    if (size <= from) return;
    const buffer = Buffer.alloc(size - from);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, from);
    } finally {
      closeSync(fd);
    }
    this.offsets.set(file, size);
    const text = (this.partial.get(file) ?? '') + buffer.toString('utf8');
    const lines = text.split('\n');
    this.partial.set(file, lines.pop() ?? '');
    for (const line of lines) {
      const match = DENIAL.exec(line);
      if (!match) continue;
      const [, fn, operation, type, name, request] = match;
      this.denied[fn] = (this.denied[fn] ?? 0) + 1;
      this.refusals.add(describeDenial(fn, operation, type, name, request));
    }
  }
}

/** `TOPIC_AUTHORIZATION_FAILED function billing: Produce needs kafka-cluster:WriteData on topic payments (Kafka WRITE) ...` */
export function describeDenial(fn: string, operation: string, type: string, name: string, request: string): string {
  if (operation === 'Connect') {
    return `SASL_AUTHENTICATION_FAILED function ${fn}: its role does not allow ${CONNECT_ACTION} on the cluster`;
  }
  const resourceType = RESOURCE_TYPE[type];
  // DescribeConfigs -> DESCRIBE_CONFIGS, the operation's name in ACLs.
  const op = operation.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  const action = Object.entries(MSK_ACTION_ACLS).find(
    ([, a]) => a.resource === resourceType && a.operation === op,
  )?.[0];
  const error = resourceType ? AUTHORIZATION_ERROR[resourceType] : 'AUTHORIZATION_FAILED';
  return (
    `${error} function ${fn}: ${request} needs ${action ?? op} on ${type.toLowerCase()} ${name} (Kafka ${op}), ` +
    'which its role does not allow'
  );
}

/**
 * The broker's topics, once it lists every topic the mappings read (at most 10 s): topics created a
 * moment ago reach the broker's metadata after the controller commits them, and an ACL derived
 * without one would deny its mapping (a second `npm run local` right after the first did).
 */
async function topicsOnBroker(admin: Admin, expected: readonly string[]): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const listed = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
    if (expected.every((t) => listed.includes(t)) || Date.now() > deadline)
      return [...new Set([...listed, ...expected])];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

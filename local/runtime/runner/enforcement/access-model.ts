import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalEndpoints } from '../../endpoints';
import type { Assembly, FunctionSpec } from '../assembly';
import { resolveResource, type StackTemplate } from '../cloudformation';
import { TemplateValues } from './template-values';

/** A policy document with its name, as the simulator takes it. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: unknown;
}

/** Who a function is in AWS: its execution role and every identity policy on it. */
export interface FunctionIdentity {
  readonly functionId: string;
  readonly roleArn: string;
  /** The role session Lambda's credentials carry: arn:aws:sts::<account>:assumed-role/<role>/<function>. */
  readonly sessionArn: string;
  readonly policies: readonly NamedPolicy[];
}

/**
 * Everything the gateway needs from the templates to decide a call: each function's identity, the
 * resource policies (bucket policies, key policies), which local name stands for which resource,
 * and the account and region ARNs are formed in.
 */
export interface AccessModel {
  readonly account: string;
  readonly region: string;
  readonly identities: ReadonlyMap<string, FunctionIdentity>;
  /** Resource policy by the ARN of the resource it is attached to (bucket, key). */
  readonly resourcePolicies: ReadonlyMap<string, NamedPolicy>;
  /** Local table name -> table ARN. */
  readonly tables: ReadonlyMap<string, string>;
  /** Local bucket name -> bucket ARN. */
  readonly buckets: ReadonlyMap<string, string>;
  /** Bucket ARN -> ARN of the KMS key its default encryption uses (SSE-KMS). */
  readonly bucketKeys: ReadonlyMap<string, string>;
  /** SES identities in the templates (domains and addresses). */
  readonly sesIdentities: readonly string[];
}

export class AccessModelError extends Error {
  override readonly name = 'AccessModelError';
}

interface ManagedPolicyFile {
  readonly [arn: string]: { readonly source: string; readonly document: unknown } | string;
}

let managedPolicies: ManagedPolicyFile | undefined;
function managedPolicy(arn: string): unknown {
  managedPolicies ??= JSON.parse(readFileSync(join(__dirname, 'managed-policies.json'), 'utf8')) as ManagedPolicyFile;
  const entry = managedPolicies[arn];
  return typeof entry === 'object' ? entry.document : undefined;
}

/** The account and region of the assembly's stacks, or the local ones when they are environment-agnostic. */
function environmentOf(assembly: Assembly, endpoints: Pick<LocalEndpoints, 'region'>, localAccount: string) {
  let account = localAccount;
  let region = endpoints.region;
  const manifest = JSON.parse(readFileSync(join(assembly.dir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { environment?: string }>;
  };
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    const match = /^aws:\/\/([^/]+)\/([^/]+)$/.exec(artifact.environment ?? '');
    if (!match) continue;
    if (match[1] !== 'unknown-account') account = match[1];
    if (match[2] !== 'unknown-region') region = match[2];
  }
  return { account, region };
}

export function buildAccessModel(
  assembly: Assembly,
  endpoints: LocalEndpoints,
  localAccount: string,
): { model: AccessModel; values: TemplateValues } {
  const { account, region } = environmentOf(assembly, endpoints, localAccount);
  const stacks = assembly.stacks;
  const values = new TemplateValues(stacks, account, region);
  const byKey = new Map<string, { stack: StackTemplate; logicalId: string }>();
  for (const stack of stacks) {
    for (const logicalId of Object.keys(stack.template.Resources ?? {}))
      byKey.set(`${stack.stackName}#${logicalId}`, { stack, logicalId });
  }

  // Inline policies (AWS::IAM::Policy, the CDK's DefaultPolicy) by the role they attach to.
  const inline = new Map<string, NamedPolicy[]>();
  const resourcePolicies = new Map<string, NamedPolicy>();
  const bucketKeys = new Map<string, string>();
  const sesIdentities: string[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const props = resource.Properties ?? {};
      if (resource.Type === 'AWS::IAM::Policy') {
        for (const role of (props.Roles ?? []) as unknown[]) {
          const target = resolveResource(role, stack, stacks);
          if (!target) continue;
          const key = `${target.stack.stackName}#${target.logicalId}`;
          const list = inline.get(key) ?? [];
          list.push({ name: `${stack.stackName}/${logicalId}`, policy: values.deep(props.PolicyDocument, stack) });
          inline.set(key, list);
        }
      } else if (resource.Type === 'AWS::S3::BucketPolicy') {
        const bucket = resolveResource(props.Bucket, stack, stacks);
        if (bucket) {
          resourcePolicies.set(values.arn(bucket.logicalId, bucket.stack), {
            name: `${stack.stackName}/${logicalId}`,
            policy: values.deep(props.PolicyDocument, stack),
          });
        }
      } else if (resource.Type === 'AWS::KMS::Key' && props.KeyPolicy) {
        resourcePolicies.set(values.arn(logicalId, stack), {
          name: `${stack.stackName}/${logicalId}`,
          policy: values.deep(props.KeyPolicy, stack),
        });
      } else if (resource.Type === 'AWS::S3::Bucket') {
        const rules = ((props.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined)
          ?.ServerSideEncryptionConfiguration ?? []) as {
          ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: unknown };
        }[];
        const kms = rules.find((r) => r.ServerSideEncryptionByDefault?.SSEAlgorithm?.startsWith('aws:kms'));
        const keyRef = kms?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
        if (keyRef !== undefined) bucketKeys.set(values.arn(logicalId, stack), values.str(keyRef, stack));
      } else if (resource.Type === 'AWS::SES::EmailIdentity') {
        sesIdentities.push(values.str(props.EmailIdentity, stack));
      }
    }
  }

  const identities = new Map<string, FunctionIdentity>();
  for (const fn of assembly.functions) {
    identities.set(fn.id, identityOf(fn, assembly, values, inline, byKey));
  }

  const tables = new Map<string, string>();
  const buckets = new Map<string, string>();
  const local: Record<string, string> = {
    ...assembly.bindings.localEnvironment(endpoints),
    ...assembly.bindings.buckets,
  };
  for (const fn of assembly.functions) {
    const stack = stacks.find((s) => s.stackName === fn.stack)!;
    for (const [name, value] of Object.entries(fn.environment)) {
      if (!(name in local)) continue;
      const target = resolveResource(value, stack, stacks);
      const type = target?.resource.Type;
      if (type === 'AWS::DynamoDB::Table') tables.set(local[name], values.arn(target!.logicalId, target!.stack));
      if (type === 'AWS::S3::Bucket') buckets.set(local[name], values.arn(target!.logicalId, target!.stack));
    }
  }
  return {
    model: { account, region, identities, resourcePolicies, tables, buckets, bucketKeys, sesIdentities },
    values,
  };
}

function identityOf(
  fn: FunctionSpec,
  assembly: Assembly,
  values: TemplateValues,
  inline: ReadonlyMap<string, NamedPolicy[]>,
  byKey: ReadonlyMap<string, { stack: StackTemplate; logicalId: string }>,
): FunctionIdentity {
  const stacks = assembly.stacks;
  const stack = stacks.find((s) => s.stackName === fn.stack)!;
  const resource = stack.template.Resources![fn.logicalId];
  const role = resolveResource(resource.Properties?.Role, stack, stacks);
  if (!role || role.resource.Type !== 'AWS::IAM::Role') {
    // A role from outside the assembly: its policies are unknown here, so no call of the function is
    // allowed (each refusal says why), rather than every call.
    const literal = resource.Properties?.Role;
    const roleArn = typeof literal === 'string' ? literal : `arn:aws:iam::${values.account}:role/not-in-assembly`;
    const roleName = roleArn.split('/').pop() ?? 'not-in-assembly';
    return {
      functionId: fn.id,
      roleArn,
      sessionArn: `arn:aws:sts::${values.account}:assumed-role/${roleName}/${fn.functionName}`,
      policies: [],
    };
  }
  const roleArn = values.arn(role.logicalId, role.stack);
  const roleName = values.name(role.logicalId, role.stack);
  const policies: NamedPolicy[] = [...(inline.get(`${role.stack.stackName}#${role.logicalId}`) ?? [])];
  const roleProps = role.resource.Properties ?? {};
  for (const [i, p] of ((roleProps.Policies ?? []) as { PolicyName?: unknown; PolicyDocument?: unknown }[]).entries()) {
    policies.push({ name: `${roleName}/inline-${i}`, policy: values.deep(p.PolicyDocument, role.stack) });
  }
  for (const ref of (roleProps.ManagedPolicyArns ?? []) as unknown[]) {
    const arn = values.str(ref, role.stack);
    if (arn.startsWith('arn:aws:iam::aws:policy/')) {
      const document = managedPolicy(arn);
      if (!document) {
        throw new AccessModelError(
          `function ${fn.id}: role ${role.logicalId} attaches the AWS managed policy ${arn}, whose document the ` +
            'local runner does not have: add it to local/runtime/runner/enforcement/managed-policies.json from the AWS ' +
            'Managed Policy Reference Guide',
        );
      }
      policies.push({ name: arn, policy: document });
      continue;
    }
    const managed = customerManagedPolicy(arn, values, byKey);
    if (!managed) throw new AccessModelError(`function ${fn.id}: managed policy ${arn} is not in the assembly`);
    policies.push(managed);
  }
  return {
    functionId: fn.id,
    roleArn,
    sessionArn: `arn:aws:sts::${values.account}:assumed-role/${roleName}/${fn.functionName}`,
    policies,
  };
}

function customerManagedPolicy(
  arn: string,
  values: TemplateValues,
  byKey: ReadonlyMap<string, { stack: StackTemplate; logicalId: string }>,
): NamedPolicy | undefined {
  for (const { stack, logicalId } of byKey.values()) {
    const resource = stack.template.Resources![logicalId];
    if (resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    if (values.ref(logicalId, stack) !== arn) continue;
    return { name: arn, policy: values.deep(resource.Properties?.PolicyDocument, stack) };
  }
  return undefined;
}

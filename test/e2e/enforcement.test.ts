import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionId } from '../../lambdas/shared/contracts/functions';
import { loadCatalogLocally } from '../../local/lab/demo/local-cloud';
import { startRunner, type Assembly, type Runner } from '../../local/runtime/runner';
import type { StackTemplate } from '../../local/runtime/runner/cloudformation';
import { PROJECT_ROOT, sesEmails } from '../../local/runtime/services';
import { e2eEnvironment } from '../support/e2e-env';
import { loadTestAssembly, pipelineLock, synthesizedApp } from '../support/e2e-pipeline';

/**
 * Proof that the local enforcement bites: each function, invoked with its sample event, passes on
 * the synthesized templates as they are, and is refused, with a denial naming it, the action and
 * the resource, on a copy of the assembly with the grant it needs removed from its role; and a call
 * is dropped as unreachable on a copy without the VPC endpoint its subnets route it through.
 */
const env = e2eEnvironment();
const lock = pipelineLock(env, { timeoutMs: 300_000 });
let assembly: Assembly;

beforeAll(async () => {
  assembly = await loadTestAssembly(await synthesizedApp(env));
  await loadCatalogLocally(env.dynamodbEndpoint, [
    { product_id: 'abc', active: true, prices: { USD: 49.5 } },
    { product_id: 'def', active: true, prices: { USD: 12 } },
  ]);
  // These invocations publish to the real topics: not while another file runs the whole pipeline.
  await lock.acquire();
}, 1_200_000);

afterAll(() => lock.release());

function event(file: string): unknown {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'events', file), 'utf8'));
}

/** Each function that calls an AWS service, the sample event that makes it call, and the service's action prefix. */
const CASES: readonly { fn: FunctionId; event: string; actions: string }[] = [
  { fn: 'orderApi', event: 'api-post-order.json', actions: 'dynamodb:' },
  { fn: 'outboxRelay', event: 'outbox-insert.json', actions: 'dynamodb:' },
  { fn: 'outboxSweeper', event: 'outbox-sweeper-schedule.json', actions: 'dynamodb:' },
  { fn: 'orderStatus', event: 'order-status-billing-outcome.json', actions: 'dynamodb:' },
  { fn: 'billing', event: 'billing-order-created.json', actions: 'dynamodb:' },
  { fn: 'inventory', event: 'inventory-paid.json', actions: 'dynamodb:' },
  { fn: 'restock', event: 'restock.json', actions: 'dynamodb:' },
  { fn: 'shipping', event: 'shipping-paid.json', actions: 'dynamodb:' },
  { fn: 'archive', event: 'archive-batch.json', actions: 's3:' },
  { fn: 'analytics', event: 'analytics-clicks.json', actions: 'dynamodb:' },
  { fn: 'analyticsApi', event: 'api-get-popular-products.json', actions: 'dynamodb:' },
  { fn: 'notifications', event: 'notifications-billing-outcome.json', actions: 'dynamodb:' },
];

async function invokeOnce(of: Assembly, fn: FunctionId, file: string) {
  const runner: Runner = await startRunner({ assembly: of, endpoints: env, pollers: false });
  try {
    const invocation = await runner.invoke(fn, withFreshIds(event(file)));
    return { invocation, enforcement: runner.stats().enforcement };
  } finally {
    await runner.stop();
  }
}

/** Sample events reuse ids: a fresh restock id keeps restock from answering "already applied" without a write. */
function withFreshIds(value: unknown): unknown {
  if (value && typeof value === 'object' && 'restock_id' in value)
    return { ...value, restock_id: `enforce-${randomUUID()}` };
  return value;
}

describe('GIVEN the synthesized templates as they are', () => {
  it.each(CASES)(
    'WHEN $fn is invoked THEN none of its AWS calls is denied',
    async ({ fn, event: file }) => {
      const { enforcement } = await invokeOnce(assembly, fn, file);
      expect(enforcement.enabled).toBe(true);
      expect(enforcement.perFunction[fn].evaluated).toBeGreaterThan(0);
      expect(enforcement.perFunction[fn]).toMatchObject({ denied: 0, unreachable: 0 });
      // Its Kafka requests too (it publishes as itself through the broker's MSK IAM listener).
      expect(enforcement.kafka?.acls).toBeGreaterThan(0);
      expect(enforcement.kafka?.denied[fn] ?? 0).toBe(0);
    },
    120_000,
  );
});

describe('GIVEN the Kafka ACLs derived from the roles', () => {
  /** The assembly with billing's first Kafka mapping as its only mapping. */
  const billingMappingOnly = (of: Assembly): Assembly => ({
    ...of,
    kafkaMappings: of.kafkaMappings.filter((m) => m.functionId === 'billing').slice(0, 1),
    streamMappings: [],
  });

  it('WHEN billing runs without kafka-cluster:WriteData THEN its publish is refused with TOPIC_AUTHORIZATION_FAILED naming it', async () => {
    const mutated = withoutActions(assembly, 'billing', /^kafka-cluster:WriteData$/);
    const { enforcement } = await invokeOnce(mutated, 'billing', 'billing-order-created.json');
    expect(enforcement.kafka?.denied.billing).toBeGreaterThan(0);
    expect(enforcement.kafka?.refusals.join('\n')).toMatch(
      /TOPIC_AUTHORIZATION_FAILED function billing: Produce needs kafka-cluster:WriteData on topic \S+/,
    );
  }, 120_000);

  it("WHEN billing's mapping starts with the role as it is THEN it polls as billing", async () => {
    const runner = await startRunner({ assembly: billingMappingOnly(assembly), endpoints: env });
    try {
      expect(runner.eventSourceMappings().map((m) => m.State)).toEqual(['Enabled']);
      expect(runner.stats().enforcement.kafka?.denied.billing ?? 0).toBe(0);
    } finally {
      await runner.stop();
    }
  }, 120_000);

  it("WHEN billing's mapping starts without kafka-cluster:AlterGroup THEN it fails with GROUP_AUTHORIZATION_FAILED naming billing", async () => {
    const mutated = billingMappingOnly(withoutActions(assembly, 'billing', /^kafka-cluster:AlterGroup$/));
    const mapping = mutated.kafkaMappings[0];
    await expect(startRunner({ assembly: mutated, endpoints: env })).rejects.toThrow(
      new RegExp(`mapping ${mapping.id} of function billing cannot poll .*GROUP_AUTHORIZATION_FAILED`),
    );
  }, 120_000);
});

describe('GIVEN a copy of the assembly without the grant a function needs', () => {
  it.each(CASES)(
    'WHEN $fn is invoked without its $actions grants THEN the call is refused with a denial naming it',
    async ({ fn, event: file, actions }) => {
      const mutated = withoutActions(assembly, fn, actions);
      const { invocation, enforcement } = await invokeOnce(mutated, fn, file);
      expect(enforcement.perFunction[fn].denied).toBeGreaterThan(0);
      const denial = enforcement.refusals.find((r) => r.startsWith('DENIED') && r.includes(`local function ${fn},`));
      expect(denial).toMatch(new RegExp(`not authorized to perform: ${actions}\\w+ on resource: arn:aws:`));
      expect(invocation.logs).toContain(denial);
    },
    120_000,
  );
});

describe('GIVEN a copy of the network without the DynamoDB gateway endpoint', () => {
  it('WHEN billing is invoked THEN its DynamoDB call is dropped as unreachable, naming the missing route', async () => {
    const mutated = withShortTimeout(
      withoutEndpoints(assembly, (serviceName) => /\.dynamodb"/.test(serviceName)),
      'billing',
    );
    const started = Date.now();
    const { enforcement } = await invokeOnce(mutated, 'billing', 'billing-order-created.json');
    expect(enforcement.perFunction.billing.unreachable).toBeGreaterThan(0);
    expect(enforcement.refusals.join('\n')).toMatch(
      /UNREACHABLE function billing: dynamodb .* no route to com\.amazonaws\.[a-z0-9-]+\.dynamodb from subnets/,
    );
    // Dropped at once, not after the SDK's connection timeout on each attempt.
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});

describe('GIVEN the notification function sending its email through SES', () => {
  /** An order in the orders table (placed through the order API), and a BillingOutcome of it for notifications. */
  async function billingOutcomeOfNewOrder(runner: Runner): Promise<{ orderId: string; event: unknown }> {
    // A fresh idempotency key: the sample's would replay the order (and its sent email) of an earlier test.
    const post = event('api-post-order.json') as { headers: Record<string, string> };
    const placed = await runner.invoke('orderApi', {
      ...post,
      headers: { ...post.headers, 'idempotency-key': `enforce-${randomUUID()}` },
    });
    const orderId = (JSON.parse((placed.result as { body: string }).body) as { order_id: string }).order_id;
    const sample = event('notifications-billing-outcome.json') as {
      records: Record<string, { value: string }[]>;
    };
    const records = Object.fromEntries(
      Object.entries(sample.records).map(([key, list]) => [
        key,
        list.slice(0, 1).map((record) => {
          const value = JSON.parse(Buffer.from(record.value, 'base64').toString()) as Record<string, unknown>;
          const changed = { ...value, order_id: orderId, event_id: randomUUID() };
          return { ...record, value: Buffer.from(JSON.stringify(changed)).toString('base64') };
        }),
      ]),
    );
    return { orderId, event: { ...sample, records } };
  }

  async function notify(of: Assembly) {
    const runner = await startRunner({ assembly: of, endpoints: env, pollers: false });
    try {
      const { orderId, event: outcome } = await billingOutcomeOfNewOrder(runner);
      const invocation = await runner.invoke('notifications', outcome);
      const mails = (await sesEmails(env.sesEndpoint!)).filter((m) => m.subject.includes(orderId));
      return { invocation, mails, enforcement: runner.stats().enforcement };
    } finally {
      await runner.stop();
    }
  }

  it('WHEN its subnets have no route to the SES API endpoint (no com.amazonaws.<region>.email endpoint, no NAT) THEN the send is dropped as unreachable and no email arrives', async () => {
    const { mails, enforcement } = await notify(
      withShortTimeout(
        withoutEndpoints(assembly, (name) => /\.email"/.test(name)),
        'notifications',
      ),
    );
    expect(enforcement.perFunction.notifications.unreachable).toBeGreaterThan(0);
    expect(enforcement.refusals.join('\n')).toMatch(
      /UNREACHABLE function notifications: ses .* no route to com\.amazonaws\.[a-z0-9-]+\.email from subnets/,
    );
    expect(mails).toEqual([]);
  }, 180_000);

  it('WHEN it runs outside a VPC (public endpoints) THEN its SES client sends the email to the SES stand-in', async () => {
    const { mails, enforcement } = await notify(withoutVpc(assembly, 'notifications'));
    expect(enforcement.perFunction.notifications).toMatchObject({ denied: 0, unreachable: 0 });
    expect(mails).toHaveLength(1);
  }, 180_000);

  it('WHEN it runs outside a VPC without its ses:SendEmail grant THEN the send is denied, naming the identity', async () => {
    const mutated = withoutActions(withoutVpc(assembly, 'notifications'), 'notifications', 'ses:');
    const { mails, enforcement } = await notify(mutated);
    expect(enforcement.refusals.join('\n')).toMatch(
      /DENIED User: arn:aws:sts::\d+:assumed-role\/[^ ]+ is not authorized to perform: ses:SendEmail on resource: arn:aws:ses:[a-z0-9-]+:\d+:identity\//,
    );
    expect(mails).toEqual([]);
  }, 180_000);
});

/** A deep copy of the assembly with `fn` outside any VPC (no VpcConfig). */
function withoutVpc(of: Assembly, fn: FunctionId): Assembly {
  const stacks = structuredClone(of.stacks) as StackTemplate[];
  const spec = of.functions.find((f) => f.id === fn)!;
  delete stacks.find((s) => s.stackName === spec.stack)!.template.Resources![spec.logicalId].Properties!.VpcConfig;
  return { ...of, stacks };
}

/** A deep copy of the assembly whose IAM policies on `fn`'s role no longer grant actions starting with `prefix` (or matching it). */
function withoutActions(of: Assembly, fn: FunctionId, prefix: string | RegExp): Assembly {
  const removed = (action: string) => (typeof prefix === 'string' ? action.startsWith(prefix) : prefix.test(action));
  const stacks = structuredClone(of.stacks) as StackTemplate[];
  const spec = of.functions.find((f) => f.id === fn)!;
  const fnStack = stacks.find((s) => s.stackName === spec.stack)!;
  const roleId = (fnStack.template.Resources![spec.logicalId].Properties!.Role as { 'Fn::GetAtt': string[] })[
    'Fn::GetAtt'
  ][0];
  const role = fnStack.template.Resources![roleId];
  const attached = JSON.stringify(role.Properties?.ManagedPolicyArns ?? []);
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const props = resource.Properties as { Roles?: unknown; PolicyDocument?: { Statement: unknown[] } } | undefined;
      const onRole =
        (resource.Type === 'AWS::IAM::Policy' && JSON.stringify(props?.Roles).includes(`"${roleId}"`)) ||
        (resource.Type === 'AWS::IAM::ManagedPolicy' && attached.includes(logicalId));
      if (!onRole || !props?.PolicyDocument) continue;
      props.PolicyDocument.Statement = props.PolicyDocument.Statement.flatMap((statement) => {
        const s = statement as { Action: string | string[] };
        const kept = [s.Action].flat().filter((a) => !removed(a));
        return kept.length ? [{ ...s, Action: kept }] : [];
      });
    }
  }
  return { ...of, stacks };
}

/**
 * The assembly with `fn`'s timeout cut to 12 s. A dropped call is a transient failure the batch
 * loop retries until its 10 s safety margin is reached: the timeout decides only how long the
 * invocation retries before it hands the record back (18 s more at the stage's 30 s), not what is
 * dropped or why.
 */
function withShortTimeout(of: Assembly, fn: FunctionId): Assembly {
  const stacks = structuredClone(of.stacks) as StackTemplate[];
  const spec = of.functions.find((f) => f.id === fn)!;
  stacks.find((s) => s.stackName === spec.stack)!.template.Resources![spec.logicalId].Properties!.Timeout = 12;
  return {
    ...of,
    stacks,
    functions: of.functions.map((f) => (f.id === fn ? { ...f, timeoutSeconds: 12 } : f)),
  };
}

/** A deep copy of the assembly without the VPC endpoints whose ServiceName (as template JSON) `drop` selects. */
function withoutEndpoints(of: Assembly, drop: (serviceName: string) => boolean): Assembly {
  const stacks = structuredClone(of.stacks) as StackTemplate[];
  for (const stack of stacks) {
    const resources = stack.template.Resources as Record<
      string,
      { Type: string; Properties?: { ServiceName?: unknown } }
    >;
    for (const [logicalId, resource] of Object.entries(resources ?? {})) {
      if (resource.Type === 'AWS::EC2::VPCEndpoint' && drop(JSON.stringify(resource.Properties?.ServiceName))) {
        delete resources[logicalId];
      }
    }
  }
  return { ...of, stacks };
}

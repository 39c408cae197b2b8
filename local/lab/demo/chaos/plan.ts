import { orderIdFor } from '../../../../lambdas/order-api/place-order';
import { ENV } from '../../../../lambdas/shared/contracts/environment';
import type { FunctionId } from '../../../../lambdas/shared/contracts/functions';
import { SUBSCRIPTIONS } from '../../../../lambdas/shared/contracts/subscriptions';
import { TOPICS } from '../../../../lambdas/shared/contracts/topics';
import type { Assembly, FaultRule } from '../../../runtime/runner';
import { retryBudgetMs } from '../../../runtime/runner/retry-policy';
import { localTableName } from '../../app-bindings';
import type { DemoCloudOptions } from '../demo-run';
import type { DemoOrder, DemoPlan } from '../order-generator';

/** The plan of a chaos run: the demo plan and one order whose refund the provider refuses for good. */
export interface ChaosPlan extends DemoPlan {
  readonly refusedRefundOrderId: string;
}

export interface ChaosRunOptions {
  readonly concurrency: number;
  /** Give up waiting for terminal states this long after the faults (default 300 s + 1 s per order). */
  readonly timeoutMs?: number;
  readonly log: (line: string) => void;
}

const REFUSED_REFUND_ORDER: DemoOrder = {
  idempotencyKey: 'chaos-refund-refused',
  planned: 'out_of_stock',
  // `discontinued` has no stock: the order is cancelled, and its refund asked for.
  request: {
    user_id: 'chaos-user',
    items: [{ product_id: 'discontinued', quantity: 1, unit_price: 10 }],
    currency: 'USD',
    payment_method: 'credit_card',
  },
};

/** The simulated provider forgets a key this long after its first use: every late redelivery meets a forgotten key. */
export const PROVIDER_FORGETS_KEYS_AFTER_SECONDS = 10;
/** The outage lasts the largest retry budget and this much more. */
export const OUTAGE_MARGIN_MS = 20_000;
export const BROKER_DOWN_MS = 10_000;
export const DUPLICATED_ORDERS = 10;
/** How long a fault waits for the run's OrderCreated records to reach the orders topic. */
export const ORDERS_ON_TOPIC_TIMEOUT_MS = 120_000;
/** Beyond the provider's memory: billing charges a record within moments of its append. */
export const FORGOTTEN_MARGIN_MS = 5_000;
/** Hostile records per topic: at least 900 KB, under the broker's default message.max.bytes (1 MiB). */
export const OVERSIZE_BYTES = 900 * 1024;
export const NESTING_DEPTH = 50_000;

/**
 * Throttling while the second half flows (its emails are sent then), over the faults that follow
 * it, so the run takes no longer: bursts of 2 s throttled, 3 s served, for 30 s, at most 500 calls
 * per fault. Long enough to outlast the SDK's own three attempts (so the function's retries meet
 * it too), short enough for a throttled completion to be recorded inside its invocation.
 */
export const THROTTLING = { windowMs: 30_000, bursts: { onMs: 2_000, offMs: 3_000 }, limit: 500 } as const;

/** The two throttling faults, on the notification function only, from `from` for THROTTLING.windowMs. */
export function throttlingRules(from: number): FaultRule[] {
  const window = { functionId: 'notifications', from, until: from + THROTTLING.windowMs, bursts: THROTTLING.bursts };
  // A send follows a claim on the table, so in bursts in phase with the table's the sends would meet
  // SES only while it serves (a CI run throttled none): SES's bursts start when the table's end.
  const sesWindow = { ...window, from: from + THROTTLING.bursts.onMs, until: window.until + THROTTLING.bursts.onMs };
  return [
    // SES v2 SendEmail answering TooManyRequestsException (HTTP 429), as an exceeded sending rate does.
    { name: 'ses-throttling', service: 'ses', operations: ['SendEmail'], limit: THROTTLING.limit, ...sesWindow },
    // Every call on the notifications table: claims, releases and the sent record's transaction.
    {
      name: 'notifications-table-throttling',
      service: 'dynamodb',
      resource: localTableName('notifications'),
      limit: THROTTLING.limit,
      ...window,
    },
  ];
}

/** Topics the functions consume (the dead-letter topic is the operator's). */
export const CONSUMED_TOPICS = [...new Set(SUBSCRIPTIONS.map((s) => s.topic))].filter(
  (topic) => topic !== TOPICS.deadLetter.name,
);
export const KAFKA_CONSUMERS = [...new Set(SUBSCRIPTIONS.map((s) => s.functionId))] as FunctionId[];

export function chaosPlan(plan: DemoPlan): ChaosPlan {
  // Last: its charge completes after the outage, so its refund is asked for (and refused) for sure.
  return {
    ...plan,
    orders: [...plan.orders, REFUSED_REFUND_ORDER],
    refusedRefundOrderId: orderIdFor(REFUSED_REFUND_ORDER.request.user_id, REFUSED_REFUND_ORDER.idempotencyKey),
  };
}

/** What the cloud needs for a chaos run: DynamoDB Local on a file, the provider's faults in billing's environment. */
export function chaosCloudOptions(
  plan: ChaosPlan,
): Pick<DemoCloudOptions, 'persistentDynamoDb' | 'functionEnvironment'> {
  return {
    persistentDynamoDb: true,
    functionEnvironment: {
      billing: {
        [ENV.simulatedProviderForgetKeysAfterSeconds]: String(PROVIDER_FORGETS_KEYS_AFTER_SECONDS),
        [ENV.simulatedProviderRefuseRefunds]: plan.refusedRefundOrderId,
      },
    },
  };
}

/** The retry budget of each Kafka mapping's function, from the synthesized mappings. */
export function retryBudgets(assembly: Assembly): { byFunction: Record<string, number>; maxMs: number } {
  const byFunction: Record<string, number> = {};
  for (const mapping of assembly.kafkaMappings) {
    const fn = assembly.functions.find((f) => f.logicalId === mapping.functionLogicalId);
    if (!fn) continue;
    byFunction[fn.id] = Math.max(byFunction[fn.id] ?? 0, retryBudgetMs(mapping, fn.timeoutSeconds));
  }
  return { byFunction, maxMs: Math.max(0, ...Object.values(byFunction)) };
}

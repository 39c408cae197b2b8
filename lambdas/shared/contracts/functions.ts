import { kebab, pascal } from './names';

/**
 * Every function of the system. One name per function, derived from its id: `orderApi` lives in
 * `lambdas/order-api/handler.ts`, is the construct `OrderApiFunction`, logs and measures as the
 * service `order-api`, and connects to Kafka (and dead-letters) as the client `order-api`.
 */
export const FUNCTIONS = {
  orderApi: { description: 'HTTP API: POST /orders, GET /orders/{order_id}' },
  outboxRelay: { description: 'Publishes the outbox table stream to Kafka' },
  outboxSweeper: { description: 'Re-publishes outbox entries no relay marked published (scheduled)' },
  orderStatus: { description: 'Projects the order status from the outcome topics' },
  billing: { description: 'Charges new orders, refunds cancelled ones' },
  inventory: { description: 'Reserves stock for paid orders, or cancels them' },
  restock: { description: 'Adds stock to a product (direct invoke)' },
  shipping: { description: 'Creates, dispatches and cancels shipments' },
  archive: { description: 'Writes every record of every business topic to S3' },
  clickApi: { description: 'HTTP API: POST /clicks, published to the clicks topic' },
  analytics: { description: 'Counts clicks, paid orders and dead letters into windows and top products' },
  analyticsApi: { description: 'HTTP API: GET /analytics/*, and the dashboard page at GET /dashboard' },
  notifications: { description: 'Emails the customer once per order and change (confirmed, shipped, ...)' },
} as const;

export type FunctionId = keyof typeof FUNCTIONS;

export const FUNCTION_IDS = Object.keys(FUNCTIONS) as FunctionId[];

/** The function's one name: its folder, log service, metric dimension and Kafka client id. */
export function functionName(functionId: FunctionId): string {
  return kebab(functionId);
}

/** The handler module, relative to the repository root. */
export function functionEntry(functionId: FunctionId): string {
  return `lambdas/${functionName(functionId)}/handler.ts`;
}

/** The construct id, and so the CloudFormation logical id, of a function: `BillingFunction`. */
export function functionLogicalId(functionId: FunctionId): string {
  return `${pascal(functionId)}Function`;
}

/** The tag the CDK app puts on every function: its id in FUNCTIONS, so tools can find it in a template. */
export const FUNCTION_ID_TAG = 'order-pipeline:function-id';

import type { AwsCall } from './requests';

/**
 * Faults the gateway answers in place of the stand-in, for a chosen service, operation, resource
 * and function, in a bounded window and count: how a chaos run makes a provider throttle without
 * touching the stand-ins or the functions. A call that meets a fault is decided (route, IAM) as
 * any other and never reaches the stand-in, as a throttled request never reaches the service.
 *
 * The only answer today is `throttle`, in each service's own error shape, so that the SDK raises
 * (and retries) the error AWS would:
 * - SES v2 `SendEmail`: HTTP 429 `TooManyRequestsException`, "Too many requests have been made to
 *   the operation" (SES v2 API reference, TooManyRequestsException:
 *   https://docs.aws.amazon.com/AWSJavaSDK/latest/javadoc/com/amazonaws/services/simpleemailv2/model/TooManyRequestsException.html);
 *   SES's guide: "If you encounter a throttling error, you should program your application to wait
 *   ... and then retry the send request" (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html).
 * - DynamoDB single-item operations: HTTP 400 `ProvisionedThroughputExceededException`, "The request
 *   was denied due to request throttling ... The Amazon Web Services SDKs for DynamoDB automatically
 *   retry requests that receive this exception" (DynamoDB API reference,
 *   https://docs.aws.amazon.com/botocore/latest/reference/services/dynamodb/client/exceptions/ProvisionedThroughputExceededException.html).
 * - DynamoDB transactions: `TransactionCanceledException` ("There is insufficient provisioned
 *   capacity for the transaction to be completed", same reference, TransactionCanceledException)
 *   with the reason `ThrottlingError` on the items of the throttled table and `None` on the others.
 * - anything else: HTTP 400 `ThrottlingException`.
 */
export interface FaultRule {
  /** Names the rule in the counts. */
  readonly name: string;
  /** The SigV4 signing name of the service: ses, dynamodb, s3, sqs. */
  readonly service: string;
  /** Operations it applies to (SendEmail, UpdateItem, TransactWriteItems...); every operation when absent. */
  readonly operations?: readonly string[];
  /**
   * A resource the call must touch (or something under it, such as an index of a table): its ARN,
   * or the local name of a table or bucket, which the gateway resolves through the templates.
   */
  readonly resource?: string;
  /** The calling function's id; every function when absent. */
  readonly functionId?: string;
  /** Epoch ms the rule starts and ends (default: from now, no end). */
  readonly from?: number;
  readonly until?: number;
  /** Bursts inside the window: `onMs` of faults, then `offMs` of normal answers, repeated (default: always on). */
  readonly bursts?: { readonly onMs: number; readonly offMs: number };
  /** At most this many calls answered with the fault (default: no limit). */
  readonly limit?: number;
}

export interface FaultAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** More members of the JSON error body (a transaction's CancellationReasons). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface FaultInjector {
  /** Adds a rule; rules are matched in the order they were added. */
  inject(rule: FaultRule): void;
  /** Calls answered with a fault so far, per rule name. */
  injected(): Record<string, number>;
}

export class GatewayFaults implements FaultInjector {
  private readonly rules: { rule: FaultRule; resource?: string; from: number; count: number }[] = [];

  /** `arnOf` resolves a local table or bucket name to the ARN requests.ts derives for it. */
  constructor(
    private readonly arnOf: (name: string) => string = (name) => name,
    private readonly now: () => number = Date.now,
  ) {}

  inject(rule: FaultRule): void {
    const resource = rule.resource === undefined ? undefined : this.arnOf(rule.resource);
    this.rules.push({ rule, resource, from: rule.from ?? this.now(), count: 0 });
  }

  injected(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { rule, count } of this.rules) counts[rule.name] = (counts[rule.name] ?? 0) + count;
    return counts;
  }

  /** The fault this call meets now, counted, or undefined to serve it. */
  answer(functionId: string, call: AwsCall): FaultAnswer | undefined {
    const now = this.now();
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.service !== call.service) continue;
      if (rule.functionId !== undefined && rule.functionId !== functionId) continue;
      if (rule.operations && !rule.operations.includes(call.operation)) continue;
      if (now < entry.from || (rule.until !== undefined && now >= rule.until)) continue;
      if (rule.limit !== undefined && entry.count >= rule.limit) continue;
      if (rule.bursts && (now - entry.from) % (rule.bursts.onMs + rule.bursts.offMs) >= rule.bursts.onMs) continue;
      const touched = call.checks.map((c) => entry.resource === undefined || touches(c.resource, entry.resource));
      if (!touched.some(Boolean)) continue;
      entry.count += 1;
      return throttle(call, touched);
    }
    return undefined;
  }
}

function touches(resource: string, target: string): boolean {
  return resource === target || resource.startsWith(`${target}/`);
}

function throttle(call: AwsCall, touched: readonly boolean[]): FaultAnswer {
  if (call.service === 'ses') {
    return {
      status: 429,
      code: 'TooManyRequestsException',
      message: 'Too many requests have been made to the operation.',
    };
  }
  if (
    call.service === 'dynamodb' &&
    (call.operation === 'TransactWriteItems' || call.operation === 'TransactGetItems')
  ) {
    // One check per transaction item, in TransactItems order (requests.ts).
    const codes = touched.map((t) => (t ? 'ThrottlingError' : 'None'));
    return {
      status: 400,
      code: 'TransactionCanceledException',
      message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
      fields: {
        CancellationReasons: codes.map((Code) =>
          Code === 'None'
            ? { Code }
            : { Code, Message: 'Throughput exceeds the current capacity of your table or index.' },
        ),
      },
    };
  }
  if (call.service === 'dynamodb') {
    return {
      status: 400,
      code: 'ProvisionedThroughputExceededException',
      message: 'The level of configured provisioned throughput for the table was exceeded.',
    };
  }
  return { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' };
}

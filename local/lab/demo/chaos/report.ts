import type { TopicName } from '../../../../lambdas/shared/contracts/topics';

/** The shapes a chaos run reports: its faults, what came back, and what the invariants found. */
export interface ChaosFault {
  readonly name: string;
  readonly injected: boolean;
  /** What was done and what the component said (the broker's answer to an oversize record, ...). */
  readonly detail: string;
  /** For a fault answered call by call (throttling): how many calls met it. */
  readonly count?: number;
}

/** One consumed topic's records: in = processed + deadLettered when nothing is lost or stuck. */
export interface TopicRecordBalance {
  /** Records produced to the topic in the run (re-driven copies not included). */
  readonly in: number;
  /** Of those, processed by every consumer: directly, or through their re-driven copy. */
  readonly processed: number;
  /** Poison: dead-lettered by a consumer with a reason. */
  readonly deadLettered: number;
  /** Re-driven copies published to the topic. */
  readonly redriven: number;
  /** Given up by a mapping (retries exhausted) and not processed through a re-driven copy. */
  readonly givenUpNotRedriven: number;
  /** Records not yet committed by every consumer group of the topic (0: no partition stuck). */
  readonly lag: number;
}

/**
 * I8 on the SES v2 stand-in's mailbox: one email per order change the topics announce. A second
 * email is the documented exception only when the first went out while the send log could not be
 * written (the DynamoDB outage, widened by the function's timeout): a send accepted by the
 * provider whose record failed for the rest of the invocation (docs/design.md, "Notifications").
 */
export interface ChaosEmails {
  readonly expected: number;
  readonly sent: number;
  /** Emails beyond the first for an order change, in all. */
  readonly duplicates: number;
  /** Of those, the ones whose first email went out in the outage's crash window. */
  readonly duplicatesInCrashWindow: number;
  /** Of the others, the ones a send that got no answer accounts for (`unanswered_sends` on the record). */
  readonly duplicatesAfterUnansweredSend: number;
  /** Order changes with more than one email that neither explains (first few). */
  readonly duplicatedOutsideWindow: readonly string[];
  /** Order changes without an email (first few). */
  readonly missing: readonly string[];
}

export interface ChaosReport {
  readonly faults: readonly ChaosFault[];
  /** The retry budget of each Kafka mapping's function (ms), the largest, and the outage injected. */
  readonly retryBudget: {
    readonly byFunction: Readonly<Record<string, number>>;
    readonly maxMs: number;
    readonly outageMs: number;
  };
  readonly redrive: {
    readonly listed: number;
    readonly republished: number;
    readonly alreadyRedriven: number;
    readonly missing: number;
    readonly rounds: number;
  };
  readonly outboxSweep: { readonly found: number; readonly republished: number; readonly failed: number };
  readonly records: Readonly<Partial<Record<TopicName, TopicRecordBalance>>>;
  /** The simulated provider's statement: requests it saw, and orders whose money it moved more than once. */
  readonly provider: {
    readonly chargeRequests: number;
    readonly refundRequests: number;
    /** Keys the provider took as new more than once (it had forgotten them): a second charge. */
    readonly chargedMoreThanOnce: readonly string[];
    readonly refusedRefunds: readonly string[];
  };
  /**
   * Charge or refund claims the reconciler reports for an operator: claimed, never completed, and
   * older than the provider's key, so billing does not ask again (an outage between the provider's
   * answer and the ledger's completion). Their orders are not terminal, by design.
   */
  readonly needsOperator: readonly { readonly orderId: string; readonly claim: string; readonly status: string }[];
  /** The order whose refund the provider refuses for good, and what billing recorded for it. */
  readonly refusedRefund: { readonly orderId: string; readonly refundStatus?: string; readonly orderStatus?: string };
  /** I8 on the mailbox, after the throttling bursts and the outage. */
  readonly emails: ChaosEmails;
  readonly durationMs: number;
}

import type { Order } from '../../../lambdas/shared/orders/order';
import type { Email } from '../../../lambdas/notifications/notification';
import type {
  Claim,
  CustomerDirectory,
  EmailSender,
  NotificationLog,
  OrderLookup,
} from '../../../lambdas/notifications/ports';

/** The send log with the DynamoDB adapter's conditions: absent, or `sending` and the same owner's or past its lease. */
export class InMemoryNotificationLog implements NotificationLog {
  readonly records = new Map<
    string,
    { status: 'sending' | 'sent'; owner?: string; leaseUntil: number; attempt: number; unansweredSends?: number }
  >();

  async claim(id: string, owner: string, now: Date, leaseUntil: number): Promise<Claim> {
    const record = this.records.get(id);
    if (record?.status === 'sent') return { kind: 'sent' };
    if (record && record.owner !== owner && record.leaseUntil >= now.getTime()) {
      return { kind: 'in-flight', leaseUntil: record.leaseUntil };
    }
    const attempt = (record?.attempt ?? 0) + 1;
    this.records.set(id, { ...record, status: 'sending', owner, leaseUntil, attempt });
    return { kind: 'claimed', attempt };
  }

  async release(id: string, owner: string): Promise<void> {
    const record = this.records.get(id);
    if (record?.status === 'sending' && record.owner === owner) {
      this.records.set(id, { ...record, owner: undefined, leaseUntil: 0 });
    }
  }

  async recordUnansweredSend(id: string, owner: string): Promise<void> {
    const record = this.records.get(id);
    if (record?.status === 'sending' && record.owner === owner) {
      this.records.set(id, { ...record, unansweredSends: (record.unansweredSends ?? 0) + 1 });
    }
  }

  async complete(id: string): Promise<void> {
    const record = this.records.get(id)!;
    this.records.set(id, { ...record, status: 'sent' });
  }
}

/** A mailbox: every email the provider accepted. `failNext` makes sends fail before anything goes out. */
export class RecordingEmailSender implements EmailSender {
  readonly sent: Email[] = [];
  failNext = 0;

  async send(email: Email): Promise<{ messageId: string }> {
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error('Throttling'), { name: 'TooManyRequestsException' });
    }
    this.sent.push(email);
    return { messageId: `msg-${this.sent.length}` };
  }
}

export class StaticOrders implements OrderLookup {
  constructor(private readonly orders: readonly Order[]) {}

  async get(orderId: string): Promise<Order | undefined> {
    return this.orders.find((o) => o.order_id === orderId);
  }
}

export const customers: CustomerDirectory = { emailOf: async (userId) => `${userId}@example.com` };

export function order(orderId: string, userId = 'user-1'): Order {
  return {
    order_id: orderId,
    user_id: userId,
    items: [{ product_id: 'abc', quantity: 2, unit_price: 49.5 }],
    amount: 99,
    currency: 'USD',
    payment_method: 'credit_card',
    created_at: '2026-11-28T12:00:00Z',
    history: [],
    facts: {},
  };
}

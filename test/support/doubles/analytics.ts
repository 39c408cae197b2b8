import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ANALYTICS_KEYS, counterShards } from '../../../lambdas/shared/analytics/analytics-keys';
import { ANALYTICS_COUNTER_SHARDS } from '../../../lambdas/shared/contracts/tables';

type Item = Record<string, unknown>;
interface TransactInput {
  readonly TransactItems: readonly {
    readonly Put?: { readonly Item: Item; readonly ConditionExpression?: string };
    readonly Update?: {
      readonly Key: Item;
      readonly UpdateExpression: string;
      readonly ExpressionAttributeNames?: Record<string, string>;
      readonly ExpressionAttributeValues?: Record<string, unknown>;
    };
  }[];
}

/**
 * A single-key table that runs TransactWriteItems the way DynamoDB does for the expressions the
 * analytics store writes (a Put conditional on `attribute_not_exists(pk)`, Updates made of `ADD`
 * and `SET` clauses): every condition checked first, then all writes or none. `failNext` makes the
 * next sends fail before any effect, as throttling or a crash before the commit would.
 */
export class InMemoryTable {
  readonly items = new Map<string, Item>();
  failNext = 0;
  sends = 0;

  asClient(): DynamoDBDocumentClient {
    return {
      send: (command: { input: TransactInput }) => this.transact(command.input),
    } as unknown as DynamoDBDocumentClient;
  }

  get(pk: string): Item | undefined {
    return this.items.get(pk);
  }

  /** The all-time totals, summed over their shards. */
  totals(): Record<string, number> | undefined {
    return this.summed(counterShards(ANALYTICS_KEYS.totals, ANALYTICS_COUNTER_SHARDS));
  }

  /** A minute window, summed over its shards. */
  minuteWindow(minute: string): Record<string, number> | undefined {
    return this.summed(counterShards((shard) => ANALYTICS_KEYS.minute(minute, shard), ANALYTICS_COUNTER_SHARDS));
  }

  /** The numeric attributes of the items under `keys` added up, as a reader sums a sharded counter; undefined when none exists. */
  summed(keys: readonly string[]): Record<string, number> | undefined {
    const found = keys.flatMap((key): Item[] => {
      const item = this.items.get(key);
      return item ? [item] : [];
    });
    if (found.length === 0) return undefined;
    const sum: Record<string, number> = {};
    for (const item of found) {
      for (const [name, value] of Object.entries(item)) {
        if (typeof value === 'number' && name !== 'expires_at') sum[name] = (sum[name] ?? 0) + value;
      }
    }
    return sum;
  }

  private async transact(input: TransactInput): Promise<object> {
    this.sends++;
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    const reasons = input.TransactItems.map((op) =>
      op.Put?.ConditionExpression === 'attribute_not_exists(pk)' && this.items.has(op.Put.Item.pk as string)
        ? { Code: 'ConditionalCheckFailed' }
        : { Code: 'None' },
    );
    if (reasons.some((r) => r.Code !== 'None')) {
      throw Object.assign(new Error('Transaction cancelled'), {
        name: 'TransactionCanceledException',
        CancellationReasons: reasons,
      });
    }
    for (const op of input.TransactItems) {
      if (op.Put) this.items.set(op.Put.Item.pk as string, { ...op.Put.Item });
      if (op.Update) this.update(op.Update);
    }
    return {};
  }

  private update(update: NonNullable<TransactInput['TransactItems'][number]['Update']>): void {
    const pk = update.Key.pk as string;
    const item: Item = { ...(this.items.get(pk) ?? { pk }) };
    const name = (token: string) => update.ExpressionAttributeNames?.[token] ?? token;
    const value = (token: string) => update.ExpressionAttributeValues?.[token];
    for (const [, clause, body] of update.UpdateExpression.matchAll(/(ADD|SET) (.*?)(?= (?:ADD|SET) |$)/g)) {
      for (const part of body!.split(',').map((p) => p.trim())) {
        if (clause === 'ADD') {
          const [attribute, by] = part.split(' ');
          item[name(attribute!)] = ((item[name(attribute!)] as number | undefined) ?? 0) + (value(by!) as number);
        } else {
          const [attribute, operand] = part.split('=').map((p) => p.trim());
          item[name(attribute!)] = value(operand!);
        }
      }
    }
    this.items.set(pk, item);
  }
}

import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { placeholderTerms } from '../dynamodb-expressions';
import { MINUTE_RETENTION_SECONDS } from './analytics-keys';
import { hopsKey, invocationCounters, type HopTimingsRecorder, type InvocationTimings } from './hop-timings';

/**
 * The consumers' per-hop timings in the analytics table: one UpdateItem per invocation (ADD the
 * histogram buckets, SET the latest invocation's start and lag), which the function's MARK grant
 * on the table allows (lib/wiring.ts). The item expires with the minute windows.
 */
export class DynamoDbHopTimings implements HopTimingsRecorder {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(timings: InvocationTimings, partition: string): Promise<void> {
    const { add, set } = invocationCounters(timings);
    const adds = placeholderTerms('a', add, 'ADD');
    const sets = placeholderTerms('s', set, 'SET');
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: hopsKey(timings, partition) },
        UpdateExpression: `ADD ${adds.terms.join(', ')} SET ${[...sets.terms, 'expires_at = :expires'].join(', ')}`,
        ExpressionAttributeNames: { ...adds.names, ...sets.names },
        ExpressionAttributeValues: {
          ...adds.values,
          ...sets.values,
          ':expires': Math.floor(timings.startedAt / 1000) + MINUTE_RETENTION_SECONDS,
        },
      }),
    );
  }
}

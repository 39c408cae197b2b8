import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const adds = Object.entries(add).map(([name, by], i) => {
      names[`#a${i}`] = name;
      values[`:a${i}`] = by;
      return `#a${i} :a${i}`;
    });
    const sets = Object.entries(set).map(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    values[':expires'] = Math.floor(timings.startedAt / 1000) + MINUTE_RETENTION_SECONDS;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: hopsKey(timings, partition) },
        UpdateExpression: `ADD ${adds.join(', ')} SET ${[...sets, 'expires_at = :expires'].join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

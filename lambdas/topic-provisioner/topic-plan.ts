/**
 * What the serverless topic provisioner must do to make one topic match its definition. Pure, so
 * the decisions are tested without a broker; the handler only carries them out.
 *
 * Kafka can add partitions but never remove them (that would remap keys to partitions and break
 * per-order ordering), so a definition with fewer partitions than the topic has is an error, not
 * a silent no-op.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Topic-level configs MSK Serverless lets a client set (e.g. retention.ms). */
  readonly configs: Readonly<Record<string, string>>;
}

export interface ExistingTopic {
  readonly partitions: number;
}

export type TopicAction =
  | { readonly kind: 'create'; readonly spec: TopicSpec }
  | { readonly kind: 'addPartitions'; readonly name: string; readonly total: number }
  | { readonly kind: 'setConfigs'; readonly name: string; readonly configs: Readonly<Record<string, string>> };

export function planTopic(spec: TopicSpec, existing: ExistingTopic | undefined): TopicAction[] {
  if (existing === undefined) return [{ kind: 'create', spec }];
  if (spec.partitions < existing.partitions) {
    throw new Error(
      `Topic ${spec.name} has ${existing.partitions} partitions; Kafka cannot reduce them to ${spec.partitions}`,
    );
  }
  const actions: TopicAction[] = [];
  if (spec.partitions > existing.partitions) {
    actions.push({ kind: 'addPartitions', name: spec.name, total: spec.partitions });
  }
  // Configs are set on every update: setting a value it already has is a no-op for the broker.
  if (Object.keys(spec.configs).length > 0)
    actions.push({ kind: 'setConfigs', name: spec.name, configs: spec.configs });
  return actions;
}

/** Reads the custom resource properties (CloudFormation passes every value as a string). */
export function topicSpecFromProperties(properties: Record<string, unknown>): TopicSpec {
  const name = properties.TopicName;
  const partitions = Number(properties.Partitions);
  const retentionMs = properties.RetentionMs;
  if (typeof name !== 'string' || name.length === 0) throw new Error('TopicName is required');
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new Error(`Partitions must be a positive integer (got ${String(properties.Partitions)})`);
  }
  if (typeof retentionMs !== 'string' || !/^-?\d+$/.test(retentionMs)) {
    throw new Error(`RetentionMs must be an integer string (got ${String(retentionMs)})`);
  }
  return { name, partitions, configs: { 'retention.ms': retentionMs } };
}

export function bootstrapBrokersFromProperties(properties: Record<string, unknown>): string[] {
  const value = properties.BootstrapBrokers;
  if (typeof value !== 'string' || value.trim() === '') throw new Error('BootstrapBrokers is required');
  return value.split(',').map((s) => s.trim());
}

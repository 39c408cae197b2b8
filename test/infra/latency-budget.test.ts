import { SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import { TOPIC_BY_NAME } from '../../lambdas/shared/contracts/topics';
import type { StageName } from '../../lib/config';
import { deliveryProfileOf, ORDER_PATH_FUNCTIONS } from '../../lib/latency-budget';
import { mappingLogicalId } from '../../lib/wiring';
import { synthesizeVariant, type SynthesizedPipeline } from './support/pipeline';

/**
 * The latency budget as the templates carry it (lib/latency-budget.ts): the mappings an order waits
 * for invoke without a batching window, the others batch for cost, the archive the longest, and no
 * mapping is given more pollers than its topic has partitions.
 */
const pipelines: Partial<Record<StageName, SynthesizedPipeline>> = {};

beforeAll(() => {
  pipelines.dev = synthesizeVariant('dev');
  pipelines.prod = synthesizeVariant('prod');
}, 600_000);

afterAll(() => {
  pipelines.dev?.dispose();
  pipelines.prod?.dispose();
});

const props = (stage: StageName, logicalId: string) =>
  pipelines[stage]!.json.services.Resources[logicalId]!.Properties! as Record<string, unknown> & {
    ProvisionedPollerConfig?: { MinimumPollers: number; MaximumPollers: number };
  };

describe.each(['dev', 'prod'] as const)('%s', (stage) => {
  it('GIVEN the mappings an order waits for (relay, billing, inventory, shipping, order status) WHEN synthesized THEN none waits for a batching window', () => {
    const onPath = SUBSCRIPTIONS.filter((s) => ORDER_PATH_FUNCTIONS.includes(s.functionId));
    expect(onPath.map((s) => s.functionId)).toEqual(expect.arrayContaining([...ORDER_PATH_FUNCTIONS]));
    for (const s of onPath) {
      expect({ id: s.id, window: props(stage, mappingLogicalId(s)).MaximumBatchingWindowInSeconds }).toEqual({
        id: s.id,
        window: 0,
      });
    }
    // 0 must be written out: absent, a Kafka mapping would wait Lambda's default 500 ms.
    expect(props(stage, 'OutboxRelayStreamMapping').MaximumBatchingWindowInSeconds).toBe(0);
  });

  it('GIVEN analytics and notifications WHEN synthesized THEN they keep the stage window, and the archive batches longer and larger than anyone', () => {
    const config = pipelines[stage]!.config.mappings;
    for (const s of SUBSCRIPTIONS.filter((x) => deliveryProfileOf(x) === 'batched')) {
      expect(props(stage, mappingLogicalId(s))).toMatchObject({
        MaximumBatchingWindowInSeconds: config.maxBatchingWindow.toSeconds(),
        BatchSize: config.batchSize,
      });
    }
    const archive = SUBSCRIPTIONS.filter((s) => s.functionId === 'archive').map((s) =>
      props(stage, mappingLogicalId(s)),
    );
    expect(archive.length).toBeGreaterThan(0);
    for (const p of archive) {
      expect(p.MaximumBatchingWindowInSeconds as number).toBeGreaterThanOrEqual(20);
      expect(p.MaximumBatchingWindowInSeconds as number).toBeGreaterThan(config.maxBatchingWindow.toSeconds());
      expect(p.BatchSize as number).toBeGreaterThan(config.batchSize);
    }
  });

  it('GIVEN any mapping WHEN synthesized THEN its provisioned pollers never exceed its topic partitions', () => {
    for (const s of SUBSCRIPTIONS) {
      const pollers = props(stage, mappingLogicalId(s)).ProvisionedPollerConfig!;
      const partitions = TOPIC_BY_NAME[s.topic].partitions;
      expect({ id: s.id, over: pollers.MaximumPollers > partitions }).toEqual({ id: s.id, over: false });
      expect(pollers.MinimumPollers).toBeLessThanOrEqual(pollers.MaximumPollers);
    }
  });
});

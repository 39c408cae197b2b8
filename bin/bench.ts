/**
 * npm run bench: the numbers the tests deliberately do not assert.
 *   1. Each function's bundle, built like the CDK app builds it (esbuild, minified, node22, the AWS
 *      SDK left to the runtime), against the size budget.
 *   2. Records per second through the shared Kafka batch loop (decode, validate, dispatch) with a
 *      handler that does no I/O: the CPU cost the pipeline adds to every record.
 * For the whole pipeline on a real broker, run `npm run local -- --orders 1000`.
 */
import { build } from 'esbuild';
import { performance } from 'node:perf_hooks';
import { FUNCTIONS, PUBLISHES, type FunctionId } from '../lambdas/shared/contracts/subscriptions';
import { kafkaBatchHandler } from '../lambdas/shared/kafka/batch';
import { functionBuildOptions } from '../lib/function-bundle';
import { mskEvent } from '../test/support/msk';

const KB = 1024;
/** Budgets from the services issue: a Kafka producer costs a few hundred KB of client code. */
const budgetFor = (hasProducer: boolean) => (hasProducer ? 400 * KB : 150 * KB);
const PRODUCER_MODULE = '@platformatic/kafka/dist/clients/producer/';

async function bundleSizes(): Promise<void> {
  console.log('Bundle sizes (minified, node22, @aws-sdk/* from the runtime)');
  console.log('function        size KB  budget KB  publishes');
  for (const [id, fn] of Object.entries(FUNCTIONS) as [FunctionId, (typeof FUNCTIONS)[FunctionId]][]) {
    const result = await build({
      ...functionBuildOptions(fn.entry),
      outdir: 'bench-out',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const size = result.outputFiles.find((file) => file.path.endsWith('.js'))!.contents.length;
    const budget = budgetFor(Object.keys(result.metafile.inputs).some((input) => input.includes(PRODUCER_MODULE)));
    const flag = size > budget ? '  OVER' : '';
    console.log(
      `${id.padEnd(15)} ${(size / KB).toFixed(0).padStart(7)}  ${(budget / KB).toFixed(0).padStart(9)}  ${PUBLISHES[id].join(', ') || '-'}${flag}`,
    );
  }
}

async function batchLoopThroughput(): Promise<void> {
  const records = 10_000;
  const event = mskEvent(
    Array.from({ length: records }, (_, i) => ({
      topic: 'orders',
      partition: i % 6,
      key: `order-${i}`,
      value: {
        event_type: 'OrderCreated',
        event_id: `event-${i}`,
        order_id: `order-${i}`,
        user_id: 'user-1',
        items: [{ product_id: 'abc', quantity: 2, unit_price: 49.5 }],
        amount: 99,
        currency: 'USD',
        payment_method: 'credit_card',
        timestamp: '2025-04-07T12:34:56Z',
      },
    })),
  );
  let handled = 0;
  const handler = kafkaBatchHandler({
    consumer: 'bench',
    partialBatchResponse: true,
    deadLetters: { publish: async () => undefined },
    handle: async () => {
      handled += 1;
    },
  });
  await handler(structuredClone(event)); // warm-up
  const runs = 5;
  const started = performance.now();
  for (let i = 0; i < runs; i += 1) await handler(event);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\nKafka batch loop: ${Math.round((records * runs) / seconds).toLocaleString('en-US')} records/s ` +
      `(${records} OrderCreated records x ${runs} runs, ${handled} handled, no I/O)`,
  );
}

async function main(): Promise<void> {
  await bundleSizes();
  await batchLoopThroughput();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

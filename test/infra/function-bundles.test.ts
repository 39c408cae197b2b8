import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FUNCTION_ID_TAG, FUNCTIONS } from '../../lambdas/shared/contracts/functions';
import { bundleBudgetKb, PRODUCER_MODULE } from '../../lib/function-bundle';
import { resourcesOfType, synthesizeVariant, type SynthesizedPipeline } from './support/pipeline';

let pipeline: SynthesizedPipeline;

beforeAll(() => {
  pipeline = synthesizeVariant('dev');
}, 300_000);

afterAll(() => pipeline?.dispose());

const PROJECT_NODE_MODULES = resolve(__dirname, '..', '..', 'node_modules');

/**
 * Loads a synthesized bundle the way the Lambda Node.js runtime does (CommonJS, the AWS SDK from
 * the runtime) with the template's configuration (placeholders for its tokens), and reports what its handler export is. Catches a
 * bundle that cannot even start, such as an ESM dependency reading files beside itself.
 */
function loadBundle(assetDir: string, variables: Record<string, unknown>): string {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_PATH: PROJECT_NODE_MODULES,
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  // The template's literal values as they are; a token (a table name, a broker list) as a placeholder.
  for (const [name, value] of Object.entries(variables)) env[name] = typeof value === 'string' ? value : 'placeholder';
  Object.assign(env, {
    KAFKA_AUTH: 'plaintext',
    KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9',
    KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
    EMAIL_TRANSPORT: 'ses',
  });
  const result = spawnSync(
    process.execPath,
    ['-e', 'process.stdout.write(typeof require(process.argv[1]).handler)', join(assetDir, 'index.js')],
    {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return result.status === 0
    ? result.stdout
    : `exit ${result.status}: ${result.stderr.split('\n').slice(0, 8).join('\n')}`;
}

describe('function bundles (dev)', () => {
  const functions = () =>
    resourcesOfType(pipeline.json.services, 'AWS::Lambda::Function').filter(([, r]) =>
      (r.Properties?.Tags as { Key: string }[] | undefined)?.some((t) => t.Key === FUNCTION_ID_TAG),
    );

  it('GIVEN FUNCTIONS WHEN synthesized THEN every function has a bundle', () => {
    expect(functions()).toHaveLength(Object.keys(FUNCTIONS).length);
  });

  it('GIVEN each bundle WHEN loaded on the Node.js 22 runtime with its environment THEN it exports a handler function', () => {
    const loaded = Object.fromEntries(
      functions().map(([logicalId, resource]) => {
        const assetDir = join(pipeline.outdir, resource.Metadata!['aws:asset:path'] as string);
        const variables = (resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
        return [logicalId, loadBundle(assetDir, variables)];
      }),
    );
    expect(Object.values(loaded).length).toBeGreaterThan(0);
    expect(loaded).toEqual(Object.fromEntries(Object.keys(loaded).map((id) => [id, 'function'])));
  });
  /** Text only the Kafka client parts no function calls would bring into a bundle. */
  const UNUSED_CLIENT_PARTS = {
    'consumer client': 'Cannot leave group while consuming messages.',
    'avsc (schema registry)': 'unknown type: %j',
    'ajv (option validation)': 'strict mode',
  };

  it('GIVEN each bundle WHEN read THEN it carries none of the Kafka client parts no function calls', () => {
    const found = functions().flatMap(([logicalId, resource]) => {
      const bundle = readFileSync(
        join(pipeline.outdir, resource.Metadata!['aws:asset:path'] as string, 'index.js'),
        'utf8',
      );
      return Object.entries(UNUSED_CLIENT_PARTS)
        .filter(([, marker]) => bundle.includes(marker))
        .map(([part]) => `${logicalId}: ${part}`);
    });
    expect(functions().length).toBeGreaterThan(0);
    expect(found).toEqual([]);
  });

  it('GIVEN each bundle WHEN measured THEN it is within its budget: 400 KB with a Kafka producer, 150 KB without', () => {
    const sizes = functions().map(([logicalId, resource]) => {
      const assetDir = join(pipeline.outdir, resource.Metadata!['aws:asset:path'] as string);
      // The source map lists every module the bundle holds; its sources, not their text, are in it.
      const { sources } = JSON.parse(readFileSync(join(assetDir, 'index.js.map'), 'utf8')) as { sources: string[] };
      const budget = bundleBudgetKb(sources.some((source) => source.includes(PRODUCER_MODULE)));
      return { logicalId, kb: Math.round(statSync(join(assetDir, 'index.js')).size / 1024), budget };
    });
    expect(sizes.length).toBe(Object.keys(FUNCTIONS).length);
    expect(sizes.filter(({ kb, budget }) => kb > budget)).toEqual([]);
  });
});

/**
 * How every function is bundled: one esbuild configuration for the CDK app (through a child
 * process, see PipelineFunction) and for `npm run bench`, so that the sizes it reports are the
 * deployed ones. Run directly: `tsx lib/function-bundle.ts <entry> <outdir> [kafka API groups]`.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import * as path from 'node:path';

/** The repository root: function entries are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** The Kafka protocol API groups of @platformatic/kafka (its dist/apis/ folders) a client calls. */
export type KafkaApiGroup = 'admin' | 'consumer' | 'metadata' | 'producer' | 'security';

/** What a producer calls: Metadata/ApiVersions/FindCoordinator, Produce/InitProducerId, SASL. */
export const PRODUCER_APIS: readonly KafkaApiGroup[] = ['metadata', 'producer', 'security'];

/** Bundle budgets in KB (minified index.js, the AWS SDK left to the runtime): with a Kafka producer, and without one. */
export const bundleBudgetKb = (hasProducer: boolean) => (hasProducer ? 400 : 150);
/** A module only a bundle with the Kafka producer holds: what tells the two budgets apart. */
export const PRODUCER_MODULE = '@platformatic/kafka/dist/clients/producer/';

const KAFKA_DIST = `${path.sep}@platformatic${path.sep}kafka${path.sep}dist${path.sep}`;
const STAND_INS = path.join(PROJECT_ROOT, 'lambdas', 'shared', 'kafka', 'stand-ins');

/**
 * Keeps the Kafka client to the code a function uses. @platformatic/kafka is one ESM entry point
 * without `sideEffects: false`, so esbuild keeps every module that runs code at load (the admin,
 * consumer and schema-registry clients with ajv and avsc, ~500 KB). The plugin:
 * - declares the package free of side effects, so unused clients are tree-shaken;
 * - narrows the API table the base client looks versions up in (`apis[name + 'V' + n]`, which
 *   keeps every API alive) to the groups the function's client calls;
 * - replaces ajv and the WebAssembly codecs with the stand-ins in lambdas/shared/kafka/stand-ins,
 *   and the client's CRC-32C module with the stand-in's, skipping its probe for an optional native
 *   addon (@node-rs/crc32) at load: a module search the zip cannot satisfy, on every cold start.
 * A call to an API left out fails loudly: "No usable implementation found for API ...".
 */
export function leanKafkaClient(apiGroups: readonly KafkaApiGroup[]): Plugin {
  return {
    name: 'lean-kafka-client',
    setup(b) {
      b.onResolve({ filter: /^@platformatic\/wasm-utils$/ }, () => ({ path: path.join(STAND_INS, 'wasm-utils.ts') }));
      b.onResolve({ filter: /^\.\/crc32c\.js$/ }, (args) =>
        args.importer.includes(KAFKA_DIST) ? { path: path.join(STAND_INS, 'wasm-utils.ts') } : undefined,
      );
      b.onResolve({ filter: /^ajv\/dist\/2020\.js$/ }, (args) =>
        args.importer.includes(KAFKA_DIST) ? { path: path.join(STAND_INS, 'ajv.ts') } : undefined,
      );
      b.onResolve({ filter: /^\.\.\/\.\.\/apis\/index\.js$/ }, (args) =>
        args.importer.endsWith(path.join('clients', 'base', 'base.js')) && args.importer.includes(KAFKA_DIST)
          ? { path: path.resolve(args.resolveDir, '../../apis'), namespace: 'kafka-apis' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'kafka-apis' }, (args) => ({
        contents: apiGroups.map((group) => `export * from ${JSON.stringify(`./${group}/index.js`)};`).join('\n'),
        resolveDir: args.path,
        loader: 'js',
      }));
      b.onResolve({ filter: /.*/ }, async (args) => {
        const fromClient = args.path === '@platformatic/kafka' || args.importer.includes(KAFKA_DIST);
        if (!fromClient || args.pluginData === 'lean-kafka-client') return undefined;
        const { kind, importer, resolveDir, with: attributes } = args;
        const resolved = await b.resolve(args.path, {
          kind,
          importer,
          resolveDir,
          with: attributes,
          pluginData: 'lean-kafka-client',
        });
        return resolved.path.includes(KAFKA_DIST) ? { ...resolved, sideEffects: false } : resolved;
      });
    },
  };
}

/**
 * Minified CommonJS for the Node.js 22 runtime, with source maps (stack traces map back to file and
 * line; the sources stay out of the zip). The runtime ships the AWS SDK v3, so it is left out: the
 * runtime, not package-lock.json, picks its version; the calls used here are stable across v3.
 */
export function functionBuildOptions(entry: string, apiGroups: readonly KafkaApiGroup[] = PRODUCER_APIS): BuildOptions {
  return {
    entryPoints: [path.resolve(PROJECT_ROOT, entry)],
    bundle: true,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    // The client finds optional native modules with createRequire(import.meta.url), which is empty
    // in a CommonJS bundle: give it the bundle's own file URL.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [leanKafkaClient(apiGroups)],
    logLevel: 'warning',
  };
}

/** Bundles one function into `outdir/index.js` (and its source map). */
export async function bundleFunction(
  entry: string,
  outdir: string,
  apiGroups: readonly KafkaApiGroup[] = PRODUCER_APIS,
): Promise<void> {
  await build({ ...functionBuildOptions(entry, apiGroups), outfile: path.join(outdir, 'index.js') });
}

if (require.main === module) {
  const [entry, outdir, groups] = process.argv.slice(2);
  if (!entry || !outdir) throw new Error('usage: function-bundle.ts <entry> <outdir> [api,groups]');
  bundleFunction(entry, outdir, groups ? (groups.split(',') as KafkaApiGroup[]) : PRODUCER_APIS).catch(
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

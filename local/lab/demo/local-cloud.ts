import { APP_BINDINGS } from '../app-bindings';
import { formatSeconds } from '../format';
import {
  loadAssembly,
  startRunner,
  synthesizeIfChanged,
  type Assembly,
  type Runner,
  type Synthesis,
} from '../../runtime/runner';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seedCatalog } from '../../../lambdas/order-api/demo-catalog';
import type { CatalogProduct } from '../../../lambdas/order-api/ports';
import { APP_RESOURCES, localTableName } from '../app-bindings';
import { localDynamoDbClient, startLocalServices, type LocalServices } from '../../runtime/services';
import { startApiGateway, type ApiGateway } from '../../runtime/services/api-gateway';
import type { StockSeed } from './order-generator';

/**
 * The whole local cloud of `npm run local`: the real components, the functions of the synthesized
 * app under the local event source mapping runner, and the HTTP API in front of the functions its routes integrate.
 * Synthesis (or the reuse of the previous one) and the components start side by side: neither
 * needs the other.
 */
export interface LocalCloud {
  readonly services: LocalServices;
  readonly assembly: Assembly;
  readonly runner: Runner;
  readonly api: ApiGateway;
  /** Where the start-up time went. */
  readonly startup: CloudStartup;
  /** Stops the API, the runner and the components, in that order; safe to call more than once. */
  stop(): Promise<void>;
}

/** Milliseconds of each start-up step; synthesis and the components run side by side. */
export interface CloudStartup {
  /** `cdk synth`, or the hashing of its inputs when the previous synthesis was reused. */
  readonly synthMs: number;
  readonly synthReused: boolean;
  /** Each component's own start (kafka only when started here), and all of them with topics and tables. */
  readonly components: LocalServices['startMs'];
  /** Reading the templates and starting the runner: execution environments and pollers. */
  readonly runnerMs: number;
  /** Of runnerMs: reading roles, policies and routes and starting the enforcement gateway (absent when off). */
  readonly enforcementMs?: number;
}

export interface StartLocalCloudOptions {
  /** `host:port` of an existing broker instead of a local one. */
  readonly kafka?: string;
  /** Brokers of the local Kafka cluster: 1 (default) or 3. */
  readonly brokers?: number;
  /** Where `cdk synth` writes (default cdk.out). */
  readonly cdkOut?: string;
  /** Port of the HTTP API; 0 for a free one. */
  readonly apiPort?: number;
  /** Progress lines for the person running the command. */
  readonly log?: (line: string) => void;
  /** The functions' and the runner's log lines. */
  readonly functionLog?: (line: string) => void;
  /** Receives the services as soon as they are up, so the caller can stop them if a later step fails. */
  readonly onServices?: (services: LocalServices) => void;
  /** DynamoDB Local keeps its tables in a file, so that an outage (halt, restart) loses nothing. */
  readonly persistentDynamoDb?: boolean;
  /**
   * Variables added to functions' environments, by function id: the simulated provider's fault
   * settings of the chaos run (never in the CDK app, so never in a deployed stage).
   */
  readonly functionEnvironment?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Start the event source mappings (default true). Without them the functions run only when
   * invoked: the bench feeds consumers batches of its own, which no mapping must also consume.
   */
  readonly pollers?: boolean;
  /** Check every AWS call against the functions' roles and routes (default true; `--no-enforce` turns it off). */
  readonly enforce?: boolean;
}

export async function startLocalCloud(options: StartLocalCloudOptions = {}): Promise<LocalCloud> {
  const log = options.log ?? (() => undefined);
  const synthesis = synthesizeIfChanged({ outdir: options.cdkOut }).then((result: Synthesis) => {
    log(
      result.reused
        ? `Reused the synthesis in ${result.outdir}: nothing it depends on changed (checked in ${formatSeconds(result.ms)})`
        : `Synthesized the CDK app into ${result.outdir} (${formatSeconds(result.ms)})`,
    );
    return result;
  });
  const servicesStarted = startLocalServices({
    resources: APP_RESOURCES,
    kafka: options.kafka,
    brokers: options.brokers,
    persistentDynamoDb: options.persistentDynamoDb,
    log,
  }).then((services) => {
    options.onServices?.(services);
    const { startMs } = services;
    log(
      `Started ${options.kafka ? `(Kafka at ${options.kafka}) ` : `Kafka (${services.brokers} broker${services.brokers > 1 ? 's' : ''}) ${formatSeconds(startMs.kafka ?? 0)}, `}` +
        `DynamoDB Local ${formatSeconds(startMs.dynamodb)}, S3 ${formatSeconds(startMs.s3)}, SES ${formatSeconds(startMs.ses)}; ` +
        `logs in ${services.workDir}`,
    );
    return services;
  });
  const [synthesized, started] = await Promise.allSettled([synthesis, servicesStarted]);
  if (synthesized.status === 'rejected' || started.status === 'rejected') {
    if (started.status === 'fulfilled') await started.value.stop();
    throw synthesized.status === 'rejected' ? synthesized.reason : (started as PromiseRejectedResult).reason;
  }
  const services = started.value;
  let runner: Runner | undefined;
  try {
    const runnerStarted = Date.now();
    const assembly = withEnvironment(
      await loadAssembly(synthesized.value.outdir, APP_BINDINGS),
      options.functionEnvironment ?? {},
    );
    runner = await startRunner({
      assembly,
      endpoints: services,
      log: options.functionLog,
      pollers: options.pollers,
      enforce: options.enforce,
    });
    const startup: CloudStartup = {
      synthMs: synthesized.value.ms,
      synthReused: synthesized.value.reused,
      components: services.startMs,
      runnerMs: Date.now() - runnerStarted,
      enforcementMs: runner.stats().enforcement.startMs,
    };
    const activeRunner = runner;
    const api = await startApiGateway({
      routes: assembly.httpRoutes,
      port: options.apiPort ?? 0,
      invoke: (functionId, event) => activeRunner.invoke(functionId, event),
      log,
    });
    let stopping: Promise<void> | undefined;
    return {
      services,
      assembly,
      runner,
      api,
      startup,
      stop() {
        stopping ??= (async () => {
          await api.stop();
          await activeRunner.stop();
          await services.stop();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await runner?.stop();
    await services.stop();
    throw error;
  }
}

function withEnvironment(
  assembly: Assembly,
  added: NonNullable<StartLocalCloudOptions['functionEnvironment']>,
): Assembly {
  return {
    ...assembly,
    functions: assembly.functions.map((fn) =>
      added[fn.id] ? { ...fn, environment: { ...fn.environment, ...added[fn.id] } } : fn,
    ),
  };
}

/**
 * Puts stock on the shelves through the restock function, as operations would: one invocation per
 * product, each with its own restock_id (a repeated seed adds nothing).
 */
export async function restockLocally(runner: Runner, stock: readonly StockSeed[], runId: string): Promise<void> {
  for (const { product_id, quantity } of stock) {
    const { error } = await runner.invoke('restock', {
      restock_id: `seed-${runId}-${product_id}`,
      product_id,
      quantity,
    });
    if (error) throw new Error(`Restocking ${product_id} failed: ${error.errorType}: ${error.errorMessage}`);
  }
}

/**
 * Writes the product catalog the order API prices from, straight into its table: a catalog has no
 * function of its own; in AWS it is loaded the same way (README, "Deploy to AWS").
 */
export async function loadCatalogLocally(dynamodbEndpoint: string, products: readonly CatalogProduct[]): Promise<void> {
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(dynamodbEndpoint));
  try {
    await seedCatalog(client, localTableName('catalog'), products);
  } finally {
    client.destroy();
  }
}

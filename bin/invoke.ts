/**
 * `npm run invoke`: one invocation of one bundled function with a sample event, against the local
 * components, like `sam local invoke` without Docker.
 *
 *   npm run invoke -- billing events/billing-order-created.json
 *   npm run invoke -- OrderApiFunction events/api-post-order.json --kafka 127.0.0.1:9092
 *
 * Synthesizes the CDK app (or reads an existing cloud assembly with --cdk-out), starts Kafka,
 * DynamoDB Local and the S3 stand-in (or uses the broker given with --kafka), runs the function's
 * bundle from the assembly in a local execution environment with the template's environment, and
 * prints the function's logs on stderr and its result on stdout. Everything it started is stopped
 * before it exits: 0 when the function succeeded, 1 when it returned an error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { APP_BINDINGS } from '../local/app-bindings';
import { findFunction, loadAssembly, startRunner, synthesize, type Runner } from '../local/runner';
import { startLocalServices, type LocalServices } from '../local/services';

const USAGE = `Usage: npm run invoke -- <function> <event.json> [options]

  <function>         the function's id in FUNCTIONS (billing, orderApi, ...) or its logical id in the template
  <event.json>       the event, e.g. events/billing-order-created.json
  --kafka HOST:PORT  use this Kafka broker instead of starting one
  --cdk-out DIR      invoke the bundles of this synthesized cloud assembly instead of synthesizing
  --context K=V      CDK context for the synthesis (repeatable), e.g. --context stage=dev
  --help             this text`;

class UsageError extends Error {}

interface Options {
  readonly functionName: string;
  readonly eventFile: string;
  readonly kafka?: string;
  readonly cdkOut?: string;
  readonly context: Record<string, string>;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      kafka: { type: 'string' },
      'cdk-out': { type: 'string' },
      context: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  if (positionals.length !== 2) throw new UsageError('Give a function and an event file.');
  if (values.kafka !== undefined && !/^[^:\s]+:\d+$/.test(values.kafka)) {
    throw new UsageError(`--kafka must be host:port, got "${values.kafka}"`);
  }
  const context: Record<string, string> = {};
  for (const pair of values.context) {
    const [key, ...rest] = pair.split('=');
    if (!key || rest.length === 0) throw new UsageError(`--context must be key=value, got "${pair}"`);
    context[key] = rest.join('=');
  }
  const [functionName, eventFile] = positionals;
  if (!existsSync(eventFile)) throw new UsageError(`Event file ${eventFile} not found.`);
  return { functionName, eventFile, kafka: values.kafka, cdkOut: values['cdk-out'], context };
}

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let options: Options | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    say(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    say(USAGE);
    return 0;
  }
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(options.eventFile, 'utf8'));
  } catch (error) {
    say(`${options.eventFile} is not JSON: ${(error as Error).message}`);
    return 2;
  }

  const started: { services?: LocalServices; runner?: Runner } = {};
  const stopAll = async () => {
    await started.runner?.stop();
    await started.services?.stop();
  };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say(`\n${signal}: stopping everything this command started...`);
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const began = Date.now();
    say(options.cdkOut ? `Reading ${options.cdkOut}` : 'Synthesizing the CDK app...');
    say(
      options.kafka
        ? `Starting DynamoDB Local and S3 (Kafka at ${options.kafka})...`
        : 'Starting Kafka, DynamoDB Local and S3...',
    );
    // Synthesis and the components do not depend on each other: start both at once.
    const [assemblyDir, services] = await Promise.allSettled([
      options.cdkOut ? Promise.resolve(resolve(options.cdkOut)) : synthesize({ context: options.context }),
      startLocalServices({ kafka: options.kafka }).then((s) => (started.services = s)),
    ]);
    if (assemblyDir.status === 'rejected') throw assemblyDir.reason;
    if (services.status === 'rejected') throw services.reason;
    const assembly = await loadAssembly(assemblyDir.value, APP_BINDINGS);
    const fn = findFunction(assembly, options.functionName);
    started.runner = await startRunner({ assembly, endpoints: services.value, pollers: false });
    say(
      `Invoking ${fn.id} (${fn.logicalId}, ${fn.runtime}, ${fn.memorySizeMb} MB, timeout ${fn.timeoutSeconds} s) ` +
        `after ${((Date.now() - began) / 1000).toFixed(1)} s of set-up\n`,
    );

    const { result, error, logs } = await started.runner.invoke(fn.id, event);
    process.stderr.write(logs);
    if (error) {
      process.stdout.write(
        `${JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage }, null, 2)}\n`,
      );
      return 1;
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    say(`\n${(error as Error).message}`);
    return 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(String(error));
    process.exit(1);
  },
);

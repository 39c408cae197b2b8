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
import { APP_BINDINGS, APP_RESOURCES } from '../local/lab/app-bindings';
import { hostPort, parseCommandLine, runCommand, say, UsageError } from '../local/lab/cli';
import {
  findFunction,
  loadAssembly,
  NO_ENFORCE_WARNING,
  startRunner,
  synthesizeIfChanged,
} from '../local/runtime/runner';
import { startLocalServices } from '../local/runtime/services';

const USAGE = `Usage: npm run invoke -- <function> <event.json> [options]

  <function>         the function's id in FUNCTIONS (billing, orderApi, ...) or its logical id in the template
  <event.json>       the event, e.g. events/billing-order-created.json
  --kafka HOST:PORT  use this Kafka broker instead of starting one
  --cdk-out DIR      invoke the bundles of this synthesized cloud assembly instead of synthesizing
                     (without it, cdk.out is reused when nothing the synthesis reads changed)
  --context K=V      CDK context for the synthesis (repeatable), e.g. --context stage=dev
  --no-enforce       debugging only: do NOT check the function's AWS calls against its IAM role,
                     resource policies and routes (on by default, as in AWS)
  --help             this text`;

interface Options {
  readonly functionName: string;
  readonly event: unknown;
  readonly kafka?: string;
  readonly cdkOut?: string;
  readonly context: Record<string, string>;
  readonly enforce: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const { values, positionals } = parseCommandLine(argv, {
    kafka: { type: 'string' },
    'cdk-out': { type: 'string' },
    context: { type: 'string', multiple: true, default: [] },
    'no-enforce': { type: 'boolean', default: false },
  });
  if (positionals.length !== 2) throw new UsageError('Give a function and an event file.');
  const context: Record<string, string> = {};
  for (const pair of values.context) {
    const [key, ...rest] = pair.split('=');
    if (!key || rest.length === 0) throw new UsageError(`--context must be key=value, got "${pair}"`);
    context[key] = rest.join('=');
  }
  const [functionName, eventFile] = positionals;
  if (!existsSync(eventFile)) throw new UsageError(`Event file ${eventFile} not found.`);
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(eventFile, 'utf8'));
  } catch (error) {
    throw new UsageError(`${eventFile} is not JSON: ${(error as Error).message}`);
  }
  return {
    functionName,
    event,
    kafka: hostPort('kafka', values.kafka),
    cdkOut: values['cdk-out'],
    context,
    enforce: !values['no-enforce'],
  };
}

runCommand<Options>({
  name: 'npm run invoke',
  usage: USAGE,
  parse: parseOptions,
  async run(options, parts) {
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
        options.cdkOut
          ? Promise.resolve(resolve(options.cdkOut))
          : synthesizeIfChanged({ context: options.context }).then((s) => s.outdir),
        startLocalServices({ kafka: options.kafka, resources: APP_RESOURCES }).then((s) => parts.add(s)),
      ]);
      if (assemblyDir.status === 'rejected') throw assemblyDir.reason;
      if (services.status === 'rejected') throw services.reason;
      const assembly = await loadAssembly(assemblyDir.value, APP_BINDINGS);
      const fn = findFunction(assembly, options.functionName);
      if (!options.enforce) say(NO_ENFORCE_WARNING);
      const runner = parts.add(
        await startRunner({
          assembly,
          endpoints: services.value,
          pollers: false,
          enforce: options.enforce,
          // The enforcement banner goes to stderr with the progress lines (refusals come with the logs).
          log: (line) => /^(Enforcement|ENFORCEMENT)/.test(line) && say(line),
        }),
      );
      say(
        `Invoking ${fn.id} (${fn.logicalId}, ${fn.runtime}, ${fn.memorySizeMb} MB, timeout ${fn.timeoutSeconds} s) ` +
          `after ${((Date.now() - began) / 1000).toFixed(1)} s of set-up\n`,
      );

      const { result, error, logs } = await runner.invoke(fn.id, options.event);
      process.stderr.write(logs);
      const output = error ? { errorType: error.errorType, errorMessage: error.errorMessage } : result;
      process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
      return error ? 1 : 0;
    } catch (error) {
      // A missing function, a failed synthesis: the message says what to do, the stack would bury it.
      say(`\n${(error as Error).message}`);
      return 1;
    }
  },
});

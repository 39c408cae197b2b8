/**
 * `npm run smoke`: after `cdk deploy`, or against a running `npm run local`, one order end to end
 * and the state of every event source mapping, in one table (docs/stages.md, "Smoke test").
 *
 *   npm run smoke -- --stage dev
 *   npm run smoke -- --stage prod --outputs-file cdk-outputs.json --json
 *   npm run smoke -- --local
 */
import { readFileSync } from 'node:fs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { stackName } from '../lib/config';
import { FILL_IN, STAGE_SETTINGS } from '../lib/stages';
import { runCommand, say } from '../local/lab/cli';
import { readEndpointsFile } from '../local/lab/console/endpoints';
import { parseSmokeArgs, SMOKE_USAGE, type SmokeArgs } from '../local/lab/smoke/args';
import { awsSmokeTarget, outputsFromFile } from '../local/lab/smoke/aws-target';
import { localSmokeTarget } from '../local/lab/smoke/local-target';
import { formatSmokeReport, runSmoke, type SmokeTarget } from '../local/lab/smoke/smoke';

runCommand<SmokeArgs>({
  name: 'npm run smoke',
  usage: SMOKE_USAGE,
  parse: parseSmokeArgs,
  async run(args, parts) {
    let target: SmokeTarget;
    if (args.local) {
      const local = localSmokeTarget(readEndpointsFile());
      parts.add(local);
      target = local.target;
    } else {
      const committed = STAGE_SETTINGS[args.stage].region;
      const region = args.region ?? (committed === FILL_IN ? undefined : committed);
      const cloudFormation = parts.add(clientPart(new CloudFormationClient({ region })));
      const lambda = parts.add(clientPart(new LambdaClient({ region })));
      const services = stackName(args.stage, 'Services');
      target = await awsSmokeTarget({
        label: `${args.stage} (${services}, ${await lambda.client.config.region()})`,
        stackName: services,
        cloudFormation: cloudFormation.client,
        lambda: lambda.client,
        outputs: args.outputsFile
          ? outputsFromFile(JSON.parse(readFileSync(args.outputsFile, 'utf8')) as never, services)
          : undefined,
      });
    }
    say(`Smoke test of ${target.label}: one order, then every mapping...`);
    const report = await runSmoke(target, args);
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatSmokeReport(report));
    return report.ok ? 0 : 1;
  },
});

function clientPart<C extends { destroy(): void }>(client: C) {
  return { client, stop: async () => client.destroy() };
}

#!/usr/bin/env node
import { Annotations, App } from 'aws-cdk-lib';
import { type ConfigContext, loadStageConfig, OVERRIDE_KEYS } from '../lib/config';
import { addControlTowerChecks } from '../lib/control-tower';
import { addNagChecks, buildPipeline } from '../lib/pipeline';

// cdk synth|deploy [-c stage=dev|prod]: the stage's settings are in lib/stages/<stage>.ts.
// dev only, for experiments: [-c region=...] [-c account=...] [-c availabilityZoneIds=id1,id2,id3]
//   [-c clusterType=provisioned|serverless] [-c apiAuth=iam|none] [-c alarmEmail=...]
//   [-c sesIdentity=...] [-c sesExistingIdentity=true|false]   (docs/stages.md)
const app = new App();
const context: Record<string, unknown> = { stage: app.node.tryGetContext('stage') };
for (const key of OVERRIDE_KEYS) context[key] = app.node.tryGetContext(key);
const config = loadStageConfig(context as ConfigContext);
const stacks = buildPipeline(app, config);
if (config.overrides.length > 0) {
  for (const stack of Object.values(stacks)) {
    Annotations.of(stack).addWarningV2(
      'order-pipeline:stage-override',
      `-c ${config.overrides.join(', -c ')} override lib/stages/${config.stage}.ts for this synth only: a later deploy without them reverts the change`,
    );
  }
}
addNagChecks(app);
addControlTowerChecks(app);

#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { loadStageConfig } from '../lib/config';
import { addControlTowerChecks } from '../lib/control-tower';
import { addNagChecks, buildPipeline } from '../lib/pipeline';

// cdk synth [-c stage=dev|prod] [-c clusterType=provisioned|serverless] [-c apiAuth=iam|none] [-c alarmEmail=...]
//           [-c region=...] [-c availabilityZoneIds=id1,id2,id3]
//           [-c sesIdentity=shop.example.org]
const app = new App();
const config = loadStageConfig({
  stage: app.node.tryGetContext('stage'),
  clusterType: app.node.tryGetContext('clusterType'),
  apiAuth: app.node.tryGetContext('apiAuth'),
  alarmEmail: app.node.tryGetContext('alarmEmail'),
  // The CLI sets CDK_DEFAULT_REGION to the region it deploys to: the AZs are checked for it at synth.
  region: app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION,
  availabilityZoneIds: app.node.tryGetContext('availabilityZoneIds'),
  sesIdentity: app.node.tryGetContext('sesIdentity'),
});
buildPipeline(app, config);
addNagChecks(app);
addControlTowerChecks(app);

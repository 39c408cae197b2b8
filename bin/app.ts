#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { loadStageConfig } from '../lib/config';
import { addControlTowerChecks } from '../lib/control-tower';
import { addNagChecks, buildPipeline } from '../lib/pipeline';

// cdk synth [-c stage=dev|prod] [-c clusterType=provisioned|serverless] [-c apiAuth=iam|none] [-c alarmEmail=...]
const app = new App();
const config = loadStageConfig({
  stage: app.node.tryGetContext('stage'),
  clusterType: app.node.tryGetContext('clusterType'),
  apiAuth: app.node.tryGetContext('apiAuth'),
  alarmEmail: app.node.tryGetContext('alarmEmail'),
});
buildPipeline(app, config);
addNagChecks(app);
addControlTowerChecks(app);

#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { loadStageConfig } from '../lib/config';
import { addNagChecks, buildPipeline } from '../lib/pipeline';

// cdk synth [-c stage=dev|prod] [-c clusterType=provisioned|serverless] [-c apiAuth=iam|none] [-c alarmEmail=...] [-c sesIdentity=shop.example.org]
const app = new App();
const config = loadStageConfig({
  stage: app.node.tryGetContext('stage'),
  clusterType: app.node.tryGetContext('clusterType'),
  apiAuth: app.node.tryGetContext('apiAuth'),
  alarmEmail: app.node.tryGetContext('alarmEmail'),
  sesIdentity: app.node.tryGetContext('sesIdentity'),
});
buildPipeline(app, config);
addNagChecks(app);

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { loadStageConfig, type StageConfig, stackName, validateStageConfig } from '../../lib/config';
import { FILL_IN, PLACEHOLDER_SES_IDENTITY, STAGE_SETTINGS, type StageSettings } from '../../lib/stages';
import { failureDestinationFor, partialBatchResponseFor } from '../../lib/wiring';
import { TEST_PROD_SETTINGS, TEST_STAGE_SETTINGS } from './support/stages';

const dev = loadStageConfig({ stage: 'dev' });

function withMappings(config: StageConfig, mappings: Partial<StageConfig['mappings']>): StageConfig {
  return { ...config, mappings: { ...config.mappings, ...mappings } };
}

describe('stage configuration', () => {
  it('GIVEN no context WHEN loading THEN it is the dev stage on a provisioned cluster with IAM-authorised API', () => {
    const config = loadStageConfig({});
    expect(config.stage).toBe('dev');
    expect(config.clusterType).toBe('provisioned');
    expect(config.api.authorization).toBe('iam');
  });

  it('GIVEN -c stage=prod WHEN loading THEN stateful resources are retained and protected', () => {
    const prod = loadStageConfig({ stage: 'prod' }, TEST_STAGE_SETTINGS);
    expect(prod.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(prod.data.deletionProtection).toBe(true);
    expect(dev.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(dev.data.deletionProtection).toBe(false);
  });

  it('GIVEN dev with -c clusterType=serverless and -c apiAuth=none WHEN loading THEN both overrides apply and are recorded', () => {
    const config = loadStageConfig({ stage: 'dev', clusterType: 'serverless', apiAuth: 'none' });
    expect(config.clusterType).toBe('serverless');
    expect(config.api.authorization).toBe('none');
    expect(config.overrides).toEqual(['clusterType', 'apiAuth']);
    expect(dev.overrides).toEqual([]);
  });

  it('GIVEN an unknown stage WHEN loading THEN it says which values are allowed', () => {
    expect(() => loadStageConfig({ stage: 'staging' })).toThrow(
      /Unknown stage "staging": use -c stage=dev or -c stage=prod/,
    );
  });

  it('GIVEN an unknown cluster type WHEN loading THEN it says which values are allowed', () => {
    expect(() => loadStageConfig({ clusterType: 'express' })).toThrow(
      /Unknown clusterType "express": use -c clusterType=provisioned or -c clusterType=serverless/,
    );
  });

  it('GIVEN an unknown API authorization WHEN loading THEN it is rejected', () => {
    expect(() => loadStageConfig({ apiAuth: 'cognito' })).toThrow(/Unknown apiAuth "cognito"/);
  });

  it('GIVEN an alarm e-mail that is not an address WHEN loading THEN it is rejected', () => {
    expect(() => loadStageConfig({ alarmEmail: 'ops' })).toThrow(/alarmEmail must be an e-mail address/);
  });

  it.each([
    [{ retryAttempts: -1 }, /retryAttempts must be bounded/],
    [{ retryAttempts: 10_001 }, /retryAttempts must be bounded/],
    [{ batchSize: 0 }, /batchSize must be an integer from 1 to 10000/],
    [{ maxBatchingWindow: Duration.millis(500) }, /maxBatchingWindow must be a whole number of seconds/],
    [{ maxRecordAge: Duration.days(7) }, /maxRecordAge must be .* shorter than the topic retention/],
    [{ maxRecordAge: Duration.seconds(30) }, /maxRecordAge must be at least 60 seconds/],
    [{ pollers: { minimum: 0, maximum: 2 } }, /pollers.minimum must be an integer from 1 to 200/],
    [{ pollers: { minimum: 3, maximum: 2 } }, /pollers.maximum must be an integer from pollers.minimum to 2000/],
    [
      { bisectBatchOnError: false, reportBatchItemFailures: false },
      /need bisectBatchOnError or reportBatchItemFailures/,
    ],
  ])('GIVEN mapping settings %o WHEN validating THEN it throws %s', (mappings, reason) => {
    expect(() => validateStageConfig(withMappings(dev, mappings))).toThrow(reason);
  });

  it('GIVEN a ZooKeeper Kafka version WHEN validating THEN KRaft is required', () => {
    expect(() => validateStageConfig({ ...dev, msk: { ...dev.msk, kafkaVersion: '3.9.x' } })).toThrow(
      /must be a KRaft version/,
    );
  });

  it('GIVEN t3 brokers WHEN validating THEN they are rejected for their IAM connection rate', () => {
    expect(() => validateStageConfig({ ...dev, msk: { ...dev.msk, brokerInstanceType: 'kafka.t3.small' } })).toThrow(
      /cannot sustain the IAM connection rate/,
    );
  });

  it('GIVEN several invalid settings WHEN validating THEN every reason is listed at once', () => {
    const broken = withMappings({ ...dev, functions: { ...dev.functions, memorySize: 64 } }, { batchSize: 0 });
    expect(() => validateStageConfig(broken)).toThrow(/batchSize[\s\S]*memorySize/);
  });

  it('GIVEN a stage WHEN naming stacks THEN names are stable and capitalised', () => {
    expect(stackName('dev', 'Services')).toBe('OrderPipeline-Dev-Services');
    expect(stackName('prod', 'Streaming')).toBe('OrderPipeline-Prod-Streaming');
  });
});

describe('stage settings (lib/stages/)', () => {
  const prodWith = (settings: Partial<StageSettings>) =>
    loadStageConfig({ stage: 'prod' }, { ...TEST_STAGE_SETTINGS, prod: { ...TEST_PROD_SETTINGS, ...settings } });

  it('GIVEN the committed prod settings with their placeholders WHEN loading THEN synth refuses, naming each setting to fill in and the file', () => {
    expect(STAGE_SETTINGS.prod.account).toBe(FILL_IN);
    let message = '';
    try {
      loadStageConfig({ stage: 'prod' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const setting of [
      /account must be the 12-digit/,
      /region must be the AWS region code/,
      /ses\.identity must be/,
      /alarmEmail is required for prod/,
    ]) {
      expect(message).toMatch(setting);
    }
    expect(message).toMatch(/\(lib\/stages\/prod\.ts\)/);
  });

  it('GIVEN filled-in prod settings WHEN loading THEN they define the whole stage', () => {
    const prod = loadStageConfig({ stage: 'prod' }, TEST_STAGE_SETTINGS);
    expect(prod.env).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(prod.network.availabilityZoneIds).toEqual(['euw1-az1', 'euw1-az2', 'euw1-az3']);
    expect(prod.notifications).toEqual({ sesIdentity: 'shop.test', existingIdentity: false });
    expect(prod.alarms.email).toBe('ops@shop.test');
  });

  it.each([
    [{ account: undefined }, /account is required for prod/],
    [{ alarmEmail: undefined }, /alarmEmail is required for prod/],
    [{ alarmEmail: 'ops@example.com' }, /alarmEmail must be an inbox someone reads/],
    [
      { ses: { identity: PLACEHOLDER_SES_IDENTITY, existingIdentity: false } },
      /ses\.identity must be a domain or address of the shop/,
    ],
    [
      { ses: { identity: 'shop.example.org', existingIdentity: false } },
      /ses\.identity must be a domain or address of the shop/,
    ],
    [{ region: 'eu-west-9' }, /availabilityZoneIds must list three AZ IDs .* no default for eu-west-9/],
  ])('GIVEN prod settings %o WHEN loading THEN synth refuses with %s', (settings, reason) => {
    expect(() => prodWith(settings as Partial<StageSettings>)).toThrow(reason);
  });

  it('GIVEN -c flags on prod WHEN loading THEN they are refused, so that a later deploy without them cannot change it', () => {
    expect(() =>
      loadStageConfig({ stage: 'prod', sesIdentity: 'shop.test', apiAuth: 'none' }, TEST_STAGE_SETTINGS),
    ).toThrow(/The prod stage takes its settings from lib\/stages\/prod\.ts only: remove -c apiAuth, -c sesIdentity/);
  });

  it('GIVEN dev with no input WHEN loading THEN it synthesizes offline, bound to its committed region with the placeholder identity', () => {
    expect(dev.env).toEqual({ region: STAGE_SETTINGS.dev.region });
    expect(dev.notifications).toEqual({ sesIdentity: PLACEHOLDER_SES_IDENTITY, existingIdentity: false });
  });

  it('GIVEN the placeholder identity marked as existing WHEN loading THEN it is refused, it can never be verified', () => {
    expect(() => loadStageConfig({ sesExistingIdentity: 'true' })).toThrow(
      /ses\.existingIdentity cannot import the placeholder/,
    );
  });
});

describe('mapping wiring', () => {
  it('GIVEN the mappings of one function disagree on partial batch responses WHEN wiring THEN it throws', () => {
    const billingOrders = SUBSCRIPTIONS.find((s) => s.id === 'BillingOrders')!;
    expect(() =>
      partialBatchResponseFor('billing', (s) => ({
        ...dev.mappings,
        reportBatchItemFailures: s === billingOrders,
      })),
    ).toThrow(/mappings of billing .* disagree on reportBatchItemFailures/);
  });

  it('GIVEN a function without mappings WHEN wiring THEN it gets no partial batch setting', () => {
    expect(partialBatchResponseFor('orderApi', () => dev.mappings)).toBeUndefined();
  });

  it('GIVEN the mapping that reads the dead-letter topic WHEN choosing its destination THEN it is its own SQS queue, neither its own topic nor the archive bucket', () => {
    const expected = SUBSCRIPTIONS.map((s) => [
      s.id,
      s.topic === TOPICS.deadLetter.name ? { kind: 'sqs-queue' } : { kind: 'kafka', topic: TOPICS.deadLetter.name },
    ]);
    expect(SUBSCRIPTIONS.map((s) => [s.id, failureDestinationFor(s)])).toEqual(expected);
    // The archive and analytics both read the dead-letter topic.
    expect(expected.filter(([, d]) => (d as { kind: string }).kind === 'sqs-queue').map(([id]) => id)).toEqual([
      'AnalyticsDeadLetters',
      'ArchiveDeadLetter',
    ]);
  });
});

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { TOPIC_RETENTION_MS } from '../lambdas/shared/contracts/topics';
import { availabilityZoneIdProblems, defaultAvailabilityZoneIds, parseAvailabilityZoneIds } from './availability-zones';
import { FILL_IN, PLACEHOLDER_SES_IDENTITY, STAGE_SETTINGS, type StageSettings, stageSettingsFile } from './stages';
import {
  API_AUTHORIZATIONS,
  CLUSTER_TYPES,
  STAGES,
  type ApiAuthorization,
  type ClusterType,
  type StageName,
} from './stages/settings';

/**
 * The one typed stage configuration of the CDK app. `-c stage=dev|prod` picks the stage; the
 * stage's committed settings (lib/stages/<stage>.ts: account, region, AZs, cluster type, API
 * authorization, SES identity, alarm address) say where it goes; everything else a stage decides
 * (sizes, retention, removal policies, mapping error handling, alarm thresholds) is here, in code,
 * so that a reviewer sees every difference between dev and prod in one file.
 */
export { API_AUTHORIZATIONS, CLUSTER_TYPES, STAGES, type ApiAuthorization, type ClusterType, type StageName };

export interface MappingSettings {
  readonly batchSize: number;
  readonly maxBatchingWindow: Duration;
  /** Bounded: a record that keeps failing transiently reaches the on-failure destination, never blocks its partition forever. */
  readonly retryAttempts: number;
  /** Records older than this go to the on-failure destination instead of the function. */
  readonly maxRecordAge: Duration;
  readonly bisectBatchOnError: boolean;
  /** Sets KAFKA_PARTIAL_BATCH_RESPONSE on the function: the handler returns failed records instead of throwing. */
  readonly reportBatchItemFailures: boolean;
  /**
   * Sets KAFKA_KEY_CONCURRENCY on the consumers: records of different keys of one partition in
   * flight at once (records of one key stay in offset order). Six partitions at 8 keep 48 requests
   * in flight, under the AWS SDK's 50 sockets per client.
   */
  readonly keyConcurrency: number;
  /**
   * Provisioned event pollers. Lambda offers retries, bisection, partial batch responses and the
   * Kafka on-failure destination only in provisioned mode, so every stage sets them. All mappings of
   * a stage share one poller group (and so their Event Poller Units).
   */
  readonly pollers: { readonly minimum: number; readonly maximum: number };
  /**
   * ErrorCount and KafkaMetrics on top of EventCount, which every stage emits (the alarm on records
   * Lambda gives up on reads it): more per-mapping detail at CloudWatch custom metric prices.
   */
  readonly enhancedMetrics: boolean;
}

export interface StageConfig {
  readonly stage: StageName;
  /** Every stack's `env`: the region always, the account when the settings name one. */
  readonly env: { readonly account?: string; readonly region: string };
  readonly clusterType: ClusterType;
  /** Stateful resources (cluster, topics, tables, buckets, keys, log groups). */
  readonly removalPolicy: RemovalPolicy;
  readonly network: {
    readonly flowLogRetention: RetentionDays;
    /** The three AZ IDs of the subnets, in env.region (lib/availability-zones.ts). */
    readonly availabilityZoneIds: readonly string[];
  };
  readonly msk: {
    /** KRaft metadata mode (no ZooKeeper). 3.9 is the last 3.x line; 4.x is the upgrade path. */
    readonly kafkaVersion: string;
    /**
     * Not kafka.t3.small: its IAM connection-rate quota is too low for a dozen event pollers and
     * the producers' reconnects.
     */
    readonly brokerInstanceType: string;
    readonly brokerVolumeGiB: number;
    readonly enhancedMonitoring: 'DEFAULT' | 'PER_BROKER' | 'PER_TOPIC_PER_BROKER' | 'PER_TOPIC_PER_PARTITION';
    readonly brokerLogRetention: RetentionDays;
  };
  readonly mappings: MappingSettings;
  readonly functions: {
    readonly memorySize: number;
    readonly timeout: Duration;
    readonly logRetention: RetentionDays;
    readonly applicationLogLevel: 'DEBUG' | 'INFO' | 'WARN';
  };
  readonly data: {
    readonly deletionProtection: boolean;
  };
  readonly archive: {
    readonly infrequentAccessAfter: Duration;
    readonly glacierAfter: Duration;
    readonly noncurrentVersionsExpireAfter: Duration;
    readonly accessLogsExpireAfter: Duration;
  };
  readonly api: {
    /**
     * `iam` (default): callers sign requests with SigV4. `none` is for demos only (settings `apiAuth`):
     * anyone who has the URL can place orders; put a JWT or Lambda authorizer there for a real shop.
     */
    readonly authorization: ApiAuthorization;
    readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  };
  readonly notifications: {
    /** The SES domain or address customer emails come from (settings `ses.identity`). */
    readonly sesIdentity: string;
    /** Import the identity (already in SES) instead of creating it (settings `ses.existingIdentity`). */
    readonly existingIdentity: boolean;
  };
  readonly alarms: {
    readonly offsetLagThreshold: number;
    readonly api4xxThreshold: number;
    readonly outboxIteratorAgeSeconds: number;
    readonly brokerDiskUsedPercent: number;
    /** Busiest broker's CpuUser + CpuSystem (provisioned clusters), over 15 minutes. */
    readonly brokerCpuPercent: number;
    /** Subscribed to the alarm topic when given (settings `alarmEmail`). */
    readonly email?: string;
  };
  /** The `-c` keys that changed this (dev) stage's committed settings for this synth. */
  readonly overrides: readonly string[];
}

type StageDefaults = Omit<StageConfig, 'stage' | 'env' | 'clusterType' | 'notifications' | 'overrides' | 'network'> & {
  readonly network: Omit<StageConfig['network'], 'availabilityZoneIds'>;
};

const SIX_DAYS = Duration.days(6);

const DEFAULTS: Record<StageName, StageDefaults> = {
  dev: {
    removalPolicy: RemovalPolicy.DESTROY,
    network: { flowLogRetention: RetentionDays.ONE_WEEK },
    msk: {
      kafkaVersion: '3.9.x.kraft',
      brokerInstanceType: 'kafka.m7g.large',
      brokerVolumeGiB: 20,
      enhancedMonitoring: 'DEFAULT',
      brokerLogRetention: RetentionDays.ONE_WEEK,
    },
    mappings: {
      batchSize: 50,
      maxBatchingWindow: Duration.seconds(1),
      retryAttempts: 3,
      maxRecordAge: SIX_DAYS,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      keyConcurrency: 8,
      pollers: { minimum: 1, maximum: 2 },
      enhancedMetrics: false,
    },
    functions: {
      memorySize: 512,
      timeout: Duration.seconds(30),
      logRetention: RetentionDays.ONE_WEEK,
      applicationLogLevel: 'DEBUG',
    },
    data: { deletionProtection: false },
    archive: {
      infrequentAccessAfter: Duration.days(30),
      glacierAfter: Duration.days(90),
      noncurrentVersionsExpireAfter: Duration.days(7),
      accessLogsExpireAfter: Duration.days(30),
    },
    api: { authorization: 'iam', throttle: { rateLimit: 20, burstLimit: 40 } },
    alarms: {
      offsetLagThreshold: 1_000,
      api4xxThreshold: 50,
      outboxIteratorAgeSeconds: 300,
      brokerDiskUsedPercent: 80,
      brokerCpuPercent: 60,
    },
  },
  prod: {
    removalPolicy: RemovalPolicy.RETAIN,
    // Every prod log is kept a year, as Control Tower's CT.CLOUDWATCH.PR.2 asks of an audited account.
    network: { flowLogRetention: RetentionDays.ONE_YEAR },
    msk: {
      kafkaVersion: '3.9.x.kraft',
      brokerInstanceType: 'kafka.m7g.large',
      brokerVolumeGiB: 200,
      enhancedMonitoring: 'PER_BROKER',
      brokerLogRetention: RetentionDays.ONE_YEAR,
    },
    mappings: {
      batchSize: 200,
      maxBatchingWindow: Duration.seconds(1),
      retryAttempts: 10,
      maxRecordAge: SIX_DAYS,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      keyConcurrency: 8,
      pollers: { minimum: 1, maximum: 10 },
      enhancedMetrics: true,
    },
    functions: {
      memorySize: 1024,
      timeout: Duration.seconds(30),
      logRetention: RetentionDays.ONE_YEAR,
      applicationLogLevel: 'INFO',
    },
    data: { deletionProtection: true },
    archive: {
      infrequentAccessAfter: Duration.days(30),
      glacierAfter: Duration.days(90),
      noncurrentVersionsExpireAfter: Duration.days(90),
      accessLogsExpireAfter: Duration.days(365),
    },
    api: { authorization: 'iam', throttle: { rateLimit: 200, burstLimit: 400 } },
    alarms: {
      offsetLagThreshold: 10_000,
      api4xxThreshold: 500,
      outboxIteratorAgeSeconds: 60,
      brokerDiskUsedPercent: 75,
      brokerCpuPercent: 60,
    },
  },
};

/** The CDK context keys the app reads (`-c key=value`): `stage`, and the dev-only overrides. */
export interface ConfigContext {
  readonly stage?: unknown;
  readonly account?: unknown;
  readonly region?: unknown;
  /** `-c availabilityZoneIds=use1-az1,use1-az2,use1-az4`. */
  readonly availabilityZoneIds?: unknown;
  readonly clusterType?: unknown;
  readonly apiAuth?: unknown;
  readonly alarmEmail?: unknown;
  readonly sesIdentity?: unknown;
  readonly sesExistingIdentity?: unknown;
}

/** The `-c` keys that override a committed setting; accepted for dev experiments, refused for prod. */
export const OVERRIDE_KEYS = [
  'account',
  'region',
  'availabilityZoneIds',
  'clusterType',
  'apiAuth',
  'alarmEmail',
  'sesIdentity',
  'sesExistingIdentity',
] as const satisfies readonly (keyof ConfigContext)[];

/** Stages whose committed settings a `-c` flag may change for one synth. */
const OVERRIDABLE_STAGES: readonly StageName[] = ['dev'];

/**
 * The configuration of the stage `-c stage` names (dev by default): its committed settings
 * (`settings`, lib/stages/ unless a test passes its own), the dev-only `-c` overrides, and the
 * stage's defaults above, validated.
 */
export function loadStageConfig(
  context: ConfigContext,
  settings: Readonly<Record<StageName, StageSettings>> = STAGE_SETTINGS,
): StageConfig {
  const stage = oneOf('stage', context.stage ?? 'dev', STAGES);
  const overrides = OVERRIDE_KEYS.filter((key) => context[key] !== undefined);
  if (overrides.length > 0 && !OVERRIDABLE_STAGES.includes(stage)) {
    throw new Error(
      `The ${stage} stage takes its settings from ${stageSettingsFile(stage)} only: remove ${overrides.map((k) => `-c ${k}`).join(', ')} and set ${overrides.length === 1 ? 'it' : 'them'} in that file, so that a later deploy without the flag${overrides.length === 1 ? '' : 's'} cannot change the stage`,
    );
  }
  const committed = settings[stage];
  const region = context.region === undefined ? committed.region : String(context.region);
  const azOverride = context.availabilityZoneIds;
  const availabilityZoneIds =
    azOverride !== undefined
      ? parseAvailabilityZoneIds(azOverride)
      : (committed.availabilityZoneIds ?? defaultAvailabilityZoneIds(region) ?? []);
  const account = context.account === undefined ? committed.account : String(context.account);
  const defaults = DEFAULTS[stage];
  const config: StageConfig = {
    ...defaults,
    stage,
    env: account === undefined ? { region } : { account, region },
    clusterType: oneOf('clusterType', context.clusterType ?? committed.clusterType, CLUSTER_TYPES),
    network: { ...defaults.network, availabilityZoneIds },
    api: { ...defaults.api, authorization: oneOf('apiAuth', context.apiAuth ?? committed.apiAuth, API_AUTHORIZATIONS) },
    alarms: {
      ...defaults.alarms,
      email: context.alarmEmail === undefined ? committed.alarmEmail : String(context.alarmEmail),
    },
    notifications: {
      sesIdentity: context.sesIdentity === undefined ? committed.ses.identity : String(context.sesIdentity),
      existingIdentity:
        context.sesExistingIdentity === undefined
          ? committed.ses.existingIdentity
          : oneOf('sesExistingIdentity', String(context.sesExistingIdentity), ['true', 'false']) === 'true',
    },
    overrides,
  };
  return validateStageConfig(config);
}

/**
 * Rejects a configuration that would synthesize but fail at deploy time or break an invariant,
 * with a message that names the setting and the rule.
 */
export function validateStageConfig(config: StageConfig): StageConfig {
  const errors: string[] = [];
  const m = config.mappings;
  const check = (ok: boolean, message: string) => {
    if (!ok) errors.push(message);
  };
  check(
    Number.isInteger(m.retryAttempts) && m.retryAttempts >= 0 && m.retryAttempts <= 10_000,
    `mappings.retryAttempts must be bounded, an integer from 0 to 10000 (got ${m.retryAttempts}); infinite retries let a failing record block its partition`,
  );
  check(
    Number.isInteger(m.batchSize) && m.batchSize >= 1 && m.batchSize <= 10_000,
    `mappings.batchSize must be an integer from 1 to 10000 (got ${m.batchSize})`,
  );
  check(
    m.maxBatchingWindow.toMilliseconds() % 1000 === 0 && m.maxBatchingWindow.toSeconds() <= 300,
    `mappings.maxBatchingWindow must be a whole number of seconds, at most 300 (got ${m.maxBatchingWindow.toHumanString()})`,
  );
  check(
    m.maxRecordAge.toSeconds() >= 60 && m.maxRecordAge.toMilliseconds() < TOPIC_RETENTION_MS,
    `mappings.maxRecordAge must be at least 60 seconds and shorter than the topic retention (${TOPIC_RETENTION_MS} ms), so that a stuck record is dead-lettered before Kafka deletes it (got ${m.maxRecordAge.toHumanString()})`,
  );
  check(
    Number.isInteger(m.keyConcurrency) && m.keyConcurrency >= 1 && m.keyConcurrency <= 64,
    `mappings.keyConcurrency must be an integer from 1 to 64 (got ${m.keyConcurrency})`,
  );
  check(
    Number.isInteger(m.pollers.minimum) && m.pollers.minimum >= 1 && m.pollers.minimum <= 200,
    `mappings.pollers.minimum must be an integer from 1 to 200 (got ${m.pollers.minimum})`,
  );
  check(
    Number.isInteger(m.pollers.maximum) && m.pollers.maximum >= m.pollers.minimum && m.pollers.maximum <= 2_000,
    `mappings.pollers.maximum must be an integer from pollers.minimum to 2000 (got ${m.pollers.maximum})`,
  );
  check(
    m.bisectBatchOnError || m.reportBatchItemFailures,
    'mappings need bisectBatchOnError or reportBatchItemFailures, or one poison record fails its whole batch until retries run out',
  );
  const f = config.functions;
  check(
    Number.isInteger(f.memorySize) && f.memorySize >= 128 && f.memorySize <= 10_240,
    `functions.memorySize must be an integer from 128 to 10240 MB (got ${f.memorySize})`,
  );
  check(
    f.timeout.toSeconds() >= 3 && f.timeout.toSeconds() <= 900,
    `functions.timeout must be from 3 to 900 seconds (got ${f.timeout.toHumanString()})`,
  );
  check(
    /^\d+\.\d+\.[\dx]+(\.kraft)?$/.test(config.msk.kafkaVersion) && config.msk.kafkaVersion.endsWith('.kraft'),
    `msk.kafkaVersion must be a KRaft version such as 3.9.x.kraft (got ${config.msk.kafkaVersion})`,
  );
  check(config.msk.brokerInstanceType.startsWith('kafka.'), 'msk.brokerInstanceType must be a kafka.* instance type');
  check(
    !config.msk.brokerInstanceType.startsWith('kafka.t3.'),
    `msk.brokerInstanceType ${config.msk.brokerInstanceType} cannot sustain the IAM connection rate of the event pollers; use kafka.m7g.large or larger`,
  );
  check(
    Number.isInteger(config.msk.brokerVolumeGiB) &&
      config.msk.brokerVolumeGiB >= 1 &&
      config.msk.brokerVolumeGiB <= 16_384,
    `msk.brokerVolumeGiB must be an integer from 1 to 16384 (got ${config.msk.brokerVolumeGiB})`,
  );
  check(
    config.api.throttle.rateLimit > 0 && config.api.throttle.burstLimit >= config.api.throttle.rateLimit,
    'api.throttle needs a positive rateLimit and a burstLimit at least as large',
  );
  check(
    config.alarms.email === undefined ||
      config.alarms.email === FILL_IN ||
      /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(config.alarms.email),
    `alarmEmail must be an e-mail address (got ${config.alarms.email})`,
  );
  errors.push(...settingsProblems(config).map((problem) => `${problem} (${stageSettingsFile(config.stage)})`));
  if (errors.length > 0) {
    throw new Error(`Invalid ${config.stage} stage configuration:\n  - ${errors.join('\n  - ')}`);
  }
  return config;
}

/** Stages that run a real shop: every outside-world name must be given, none guessed or left a placeholder. */
const STRICT_STAGES: readonly StageName[] = ['prod'];

/** Domains reserved for documentation (RFC 2606): copied from an example, never a real sender or inbox. */
const EXAMPLE_DOMAIN = /(^|[@.])example\.(com|org|net)$/i;

/** The rules on the settings of lib/stages/, each message naming the setting. */
function settingsProblems(config: StageConfig): string[] {
  const problems: string[] = [];
  const strict = STRICT_STAGES.includes(config.stage);
  const { account, region } = config.env;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    problems.push(`region must be the AWS region code the stage deploys to, such as eu-west-1 (got "${region}")`);
  } else if (config.network.availabilityZoneIds.length === 0) {
    problems.push(
      `availabilityZoneIds must list three AZ IDs where MSK offers the broker type: lib/availability-zones.ts has no default for ${region} (aws ec2 describe-availability-zones --region ${region})`,
    );
  } else {
    problems.push(
      ...availabilityZoneIdProblems(config.network.availabilityZoneIds, region).map((p) => `availabilityZoneIds: ${p}`),
    );
  }
  if (account !== undefined && !/^\d{12}$/.test(account)) {
    problems.push(`account must be the 12-digit AWS account ID the stage deploys to (got "${account}")`);
  } else if (account === undefined && strict) {
    problems.push(`account is required for ${config.stage}: the 12-digit AWS account ID the stage deploys to`);
  }
  const identity = config.notifications.sesIdentity;
  if (!/^([^@\s]+@)?[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(identity)) {
    problems.push(`ses.identity must be a domain (shop.example.org) or an e-mail address (got "${identity}")`);
  } else if (strict && (identity === PLACEHOLDER_SES_IDENTITY || EXAMPLE_DOMAIN.test(identity))) {
    problems.push(
      `ses.identity must be a domain or address of the shop, not a documentation example (got "${identity}")`,
    );
  }
  if (config.notifications.existingIdentity && identity === PLACEHOLDER_SES_IDENTITY) {
    problems.push(
      `ses.existingIdentity cannot import the placeholder ${PLACEHOLDER_SES_IDENTITY}: it can never be verified`,
    );
  }
  const email = config.alarms.email;
  if (strict && (email === undefined || email === FILL_IN)) {
    problems.push(`alarmEmail is required for ${config.stage}: the address the alarms go to`);
  } else if (strict && email !== undefined && EXAMPLE_DOMAIN.test(email)) {
    problems.push(`alarmEmail must be an inbox someone reads, not a documentation example (got "${email}")`);
  }
  return problems;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`Unknown ${key} "${String(value)}": use ${allowed.map((a) => `-c ${key}=${a}`).join(' or ')}`);
}

/** `OrderPipeline-Dev-Network`: stable names that the README's `sam local invoke` lines and the local runner use. */
export function stackName(stage: StageName, part: 'Network' | 'Streaming' | 'Data' | 'Services'): string {
  return `OrderPipeline-${capitalize(stage)}-${part}`;
}

/** Prefix of the physical names that must be unique per account and region (cluster, configuration, poller group). */
export function resourcePrefix(stage: StageName): string {
  return `order-pipeline-${stage}`;
}

/**
 * The MSK configuration's name carries the Kafka version it is for: `KafkaVersionsList` and `Name`
 * are both create-only, so a version bump replaces the configuration, and CloudFormation can only
 * create the replacement beside the old one under a new name.
 */
export function mskConfigurationName(stage: StageName, kafkaVersion: string): string {
  return `${resourcePrefix(stage)}-kafka-${kafkaVersion.replace(/\./g, '-')}`;
}

/** The tags of every resource of a stage (applied stack-wide in bin/ through buildPipeline). */
export function stageTags(stage: StageName): Record<string, string> {
  return { project: 'order-pipeline', stage };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

import { STAGES, type StageName } from '../../../lib/config';
import { parseOptionsOnly, UsageError } from '../cli';

export const SMOKE_USAGE = `Usage: npm run smoke -- [--stage dev|prod | --local] [options]

  Places one order, follows it to a terminal state, and checks that every event source mapping is
  Enabled and that its last processing result is not a failure. Exit code 1 if a check fails.

  --stage S           the deployed stage (default dev): the OrderPipeline-<Stage>-Services stack's outputs
                      (DescribeStacks), SigV4-signed API calls, ListEventSourceMappings per function
  --region R          the stage's region (default: lib/stages/<stage>.ts, else the AWS SDK's default)
  --outputs-file F    read the outputs from \`cdk deploy --outputs-file F\` instead of DescribeStacks
  --local             the running \`npm run local\` (its endpoints file) instead of AWS
  --product ID        the catalog product to order (default abc; active, priced and in stock)
  --currency C        the order's currency (default USD)
  --timeout SECONDS   how long the order may take to reach a terminal state (default 180)
  --json              print the report as JSON instead of a table
  --help              this text`;

export interface SmokeArgs {
  readonly stage: StageName;
  readonly local: boolean;
  readonly region?: string;
  readonly outputsFile?: string;
  readonly productId: string;
  readonly currency: string;
  readonly timeoutMs: number;
  readonly json: boolean;
}

export function parseSmokeArgs(argv: readonly string[]): SmokeArgs {
  const values = parseOptionsOnly(argv, {
    stage: { type: 'string', default: 'dev' },
    local: { type: 'boolean', default: false },
    region: { type: 'string' },
    'outputs-file': { type: 'string' },
    product: { type: 'string', default: 'abc' },
    currency: { type: 'string', default: 'USD' },
    timeout: { type: 'string', default: '180' },
    json: { type: 'boolean', default: false },
  });
  if (!(STAGES as readonly string[]).includes(values.stage)) {
    throw new UsageError(`--stage must be ${STAGES.join(' or ')}, got "${values.stage}"`);
  }
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds, got "${values.timeout}"`);
  }
  if (values.local && (values.region !== undefined || values['outputs-file'] !== undefined)) {
    throw new UsageError('--local reads the endpoints of npm run local: --region and --outputs-file are for AWS');
  }
  return {
    stage: values.stage as StageName,
    local: values.local,
    region: values.region,
    outputsFile: values['outputs-file'],
    productId: values.product,
    currency: values.currency,
    timeoutMs: timeoutSeconds * 1000,
    json: values.json,
  };
}

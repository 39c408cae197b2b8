import { parseCommandLine, UsageError } from '../cli';

/** Parsing of `npm run kafka -- <command> [options]` into a typed command; no I/O. */

export const USAGE = `Usage: npm run kafka -- <command> [options]

Commands
  topics                       every topic: partitions, records, end offsets, retention
  groups                       every consumer group: committed offset and lag per partition
  produce <topic>              write records: one JSON value per line from stdin (default),
                               --file FILE (NDJSON) or --csv FILE (a header row, then one record per row)
  consume <topic>              print records: key, partition, offset, timestamp and the pretty JSON value

Cluster (default: the local cloud a serving \`npm run local\` wrote to .local/endpoints.json)
  --bootstrap HOST:PORT[,...]  any cluster's bootstrap servers
  --iam                        MSK with IAM authentication and TLS (SASL/OAUTHBEARER); needs --bootstrap
  --region REGION              the cluster's region for --iam (default: AWS_REGION)

produce
  --file FILE                  NDJSON: one JSON value per line
  --csv FILE                   CSV with a header row; a column is text unless its header says
                               name:number, name:boolean or name:json; an empty cell leaves the field out
  --key-field FIELD            the record key is this field of the value
                               (default: the topic's key from the contracts, e.g. user_id on clicks)
                               A line \`key<TAB>value\` that does not start with "{" carries its own key.
  --no-validate                send values exactly as given; by default a value for a topic of the
                               contracts gets event_type (if the topic has one type) and a deterministic
                               event_id when missing, then must pass the topic's schema

consume
  --from-beginning             start at the earliest record (default: new records only)
  --group G                    read as consumer group G from its committed offsets, and commit what is printed
  --max N                      stop after N records
  --follow                     keep waiting for new records until Ctrl+C (default: stop at the end offsets
                               the topic had when the command started; reading new records only implies --follow)
  --json                       one JSON object per record and line (topics and groups take --json too)

  --help                       this text

Exit codes: 0 done, 1 failed (the message says why), 2 usage error.`;

export interface ClusterOptions {
  /** Undefined: the local cloud's broker, from the endpoints file. */
  readonly bootstrap?: readonly string[];
  readonly iam: boolean;
  readonly region?: string;
}

export type ProduceSource =
  | { readonly kind: 'stdin' }
  | { readonly kind: 'ndjson'; readonly file: string }
  | { readonly kind: 'csv'; readonly file: string };

export type ConsoleCommand =
  | { readonly name: 'help' }
  | { readonly name: 'topics'; readonly cluster: ClusterOptions; readonly json: boolean }
  | { readonly name: 'groups'; readonly cluster: ClusterOptions; readonly json: boolean }
  | {
      readonly name: 'produce';
      readonly cluster: ClusterOptions;
      readonly topic: string;
      readonly source: ProduceSource;
      readonly keyField?: string;
      readonly validate: boolean;
    }
  | {
      readonly name: 'consume';
      readonly cluster: ClusterOptions;
      readonly topic: string;
      readonly fromBeginning: boolean;
      readonly group?: string;
      readonly max?: number;
      readonly follow: boolean;
      readonly json: boolean;
    };

const OPTIONS = {
  bootstrap: { type: 'string' },
  iam: { type: 'boolean' },
  region: { type: 'string' },
  file: { type: 'string' },
  csv: { type: 'string' },
  'key-field': { type: 'string' },
  'no-validate': { type: 'boolean' },
  'from-beginning': { type: 'boolean' },
  group: { type: 'string' },
  max: { type: 'string' },
  follow: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;
const CLUSTER_OPTIONS: readonly OptionName[] = ['bootstrap', 'iam', 'region', 'help'];
const COMMAND_OPTIONS: Record<Exclude<ConsoleCommand['name'], 'help'>, readonly OptionName[]> = {
  topics: ['json'],
  groups: ['json'],
  produce: ['file', 'csv', 'key-field', 'no-validate'],
  consume: ['from-beginning', 'group', 'max', 'follow', 'json'],
};

export function parseConsoleArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ConsoleCommand {
  // node:util's messages name the option ("Unknown option '--x'"): the usage error keeps them.
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  const [name, ...rest] = positionals;
  if (values.help || name === undefined || name === 'help') return { name: 'help' };
  if (!(name in COMMAND_OPTIONS)) {
    throw new UsageError(`Unknown command "${name}": use topics, groups, produce or consume`);
  }
  const command = name as keyof typeof COMMAND_OPTIONS;
  const allowed = new Set([...CLUSTER_OPTIONS, ...COMMAND_OPTIONS[command]]);
  const misplaced = (Object.keys(values) as OptionName[]).filter((option) => !allowed.has(option));
  if (misplaced.length) {
    throw new UsageError(`${misplaced.map((o) => `--${o}`).join(', ')} does not apply to ${command}`);
  }
  const cluster = clusterOptions(values, env);
  const json = values.json ?? false;

  if (command === 'topics' || command === 'groups') {
    if (rest.length) throw new UsageError(`${command} takes no argument, got "${rest.join(' ')}"`);
    return { name: command, cluster, json };
  }
  if (rest.length !== 1) throw new UsageError(`${command} takes exactly one topic, got ${rest.length || 'none'}`);
  const topic = rest[0]!;

  if (command === 'produce') {
    if (values.file !== undefined && values.csv !== undefined) {
      throw new UsageError('--file and --csv are exclusive: one source at a time');
    }
    const source: ProduceSource =
      values.csv !== undefined
        ? { kind: 'csv', file: nonEmpty('csv', values.csv) }
        : values.file !== undefined
          ? { kind: 'ndjson', file: nonEmpty('file', values.file) }
          : { kind: 'stdin' };
    return {
      name: 'produce',
      cluster,
      topic,
      source,
      keyField: values['key-field'] === undefined ? undefined : nonEmpty('key-field', values['key-field']),
      validate: !values['no-validate'],
    };
  }

  let max: number | undefined;
  if (values.max !== undefined) {
    max = Number(values.max);
    if (!Number.isInteger(max) || max < 1)
      throw new UsageError(`--max must be a whole number of at least 1, got "${values.max}"`);
  }
  const fromBeginning = values['from-beginning'] ?? false;
  const group = values.group === undefined ? undefined : nonEmpty('group', values.group);
  return {
    name: 'consume',
    cluster,
    topic,
    fromBeginning,
    group,
    max,
    // Starting at the end, "what the topic holds now" is nothing: such a read waits for new records.
    follow: (values.follow ?? false) || (!fromBeginning && group === undefined && max === undefined),
    json,
  };
}

/** --bootstrap, --iam and --region, checked: shared by every command that talks to a cluster. */
export function clusterOptions(values: { bootstrap?: string; iam?: boolean; region?: string }, env: NodeJS.ProcessEnv) {
  const iam = values.iam ?? false;
  let bootstrap: string[] | undefined;
  if (values.bootstrap !== undefined) {
    bootstrap = values.bootstrap
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = bootstrap.find((server) => !/^[^\s:]+:\d{1,5}$/.test(server));
    if (bad !== undefined || bootstrap.length === 0) {
      throw new UsageError(`--bootstrap must be host:port[,host:port...], got "${values.bootstrap}"`);
    }
  }
  if (iam && !bootstrap) throw new UsageError('--iam needs --bootstrap: the local broker has no IAM authentication');
  if (!iam && values.region !== undefined) throw new UsageError('--region applies to --iam only');
  const region = iam ? (values.region ?? env.AWS_REGION) : undefined;
  if (iam && !region) throw new UsageError("--iam needs the cluster's region: pass --region or set AWS_REGION");
  return { bootstrap, iam, region } satisfies ClusterOptions;
}

function nonEmpty(option: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`--${option} must not be empty`);
  return value;
}

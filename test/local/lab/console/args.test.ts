import { UsageError } from '../../../../local/lab/cli';
import { parseConsoleArgs } from '../../../../local/lab/console/args';

/** `npm run kafka -- ...` arguments: typed commands, and a clear usage error for every misuse. */
describe('console arguments', () => {
  const parse = (line: string, env: NodeJS.ProcessEnv = {}) => parseConsoleArgs(line.split(' ').filter(Boolean), env);

  it('GIVEN no command or --help WHEN parsed THEN the command is help', () => {
    expect(parse('')).toEqual({ name: 'help' });
    expect(parse('consume orders --help')).toEqual({ name: 'help' });
  });

  it('GIVEN no cluster option WHEN parsed THEN the local cloud is meant (no bootstrap, no IAM)', () => {
    expect(parse('topics')).toEqual({ name: 'topics', cluster: { bootstrap: undefined, iam: false }, json: false });
  });

  it('GIVEN --iam with servers and AWS_REGION WHEN parsed THEN every server is kept and the region comes from the environment', () => {
    expect(parse('groups --iam --bootstrap b-1.msk:9098,b-2.msk:9098', { AWS_REGION: 'eu-west-1' })).toEqual({
      name: 'groups',
      cluster: { bootstrap: ['b-1.msk:9098', 'b-2.msk:9098'], iam: true, region: 'eu-west-1' },
      json: false,
    });
    expect(parse('groups --iam --bootstrap b:9098 --region us-east-1', { AWS_REGION: 'eu-west-1' })).toMatchObject({
      cluster: { region: 'us-east-1' },
    });
  });

  it('GIVEN a CSV with a key field WHEN produce is parsed THEN the source, key field and validation are set', () => {
    expect(parse('produce clicks --csv events/samples/clicks.csv --key-field user_id')).toEqual({
      name: 'produce',
      cluster: { bootstrap: undefined, iam: false },
      topic: 'clicks',
      source: { kind: 'csv', file: 'events/samples/clicks.csv' },
      keyField: 'user_id',
      validate: true,
    });
    expect(parse('produce t --file x.ndjson --no-validate')).toMatchObject({
      source: { kind: 'ndjson', file: 'x.ndjson' },
      validate: false,
    });
    expect(parse('produce t')).toMatchObject({ source: { kind: 'stdin' } });
  });

  it('GIVEN consume options WHEN parsed THEN a read from the start stops at the end unless told to follow', () => {
    expect(parse('consume orders --from-beginning --max 10 --json')).toEqual({
      name: 'consume',
      cluster: { bootstrap: undefined, iam: false },
      topic: 'orders',
      fromBeginning: true,
      group: undefined,
      max: 10,
      follow: false,
      json: true,
    });
    expect(parse('consume orders --group ops')).toMatchObject({ group: 'ops', follow: false });
    expect(parse('consume orders --from-beginning --follow')).toMatchObject({ follow: true });
  });

  it('GIVEN a read of new records only WHEN parsed THEN it follows, since nothing before now is read', () => {
    expect(parse('consume orders')).toMatchObject({ fromBeginning: false, follow: true });
    expect(parse('consume orders --max 3')).toMatchObject({ follow: false, max: 3 });
  });

  it.each([
    ['frobnicate', /Unknown command "frobnicate"/],
    ['topics --nope', /Unknown option '--nope'/],
    ['topics extra', /topics takes no argument/],
    ['produce', /exactly one topic, got none/],
    ['consume a b', /exactly one topic, got 2/],
    ['produce t --file a --csv b', /--file and --csv are exclusive/],
    ['produce t --max 3', /--max does not apply to produce/],
    ['consume t --csv x.csv', /--csv does not apply to consume/],
    ['consume t --max 0', /--max must be a whole number of at least 1, got "0"/],
    ['consume t --max 2.5', /--max must be a whole number/],
    ['topics --bootstrap localhost', /--bootstrap must be host:port/],
    ['topics --iam', /--iam needs --bootstrap/],
    ['topics --iam --bootstrap b:9098', /--iam needs the cluster's region/],
    ['topics --region eu-west-1', /--region applies to --iam only/],
    ['produce t --key-field=', /--key-field must not be empty/],
  ])('GIVEN "%s" WHEN parsed THEN a usage error says %s', (line, message) => {
    expect(() => parse(line)).toThrow(UsageError);
    expect(() => parse(line)).toThrow(message);
  });
});

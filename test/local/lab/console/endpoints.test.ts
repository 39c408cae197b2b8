import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDuration, formatTable } from '../../../../local/lab/console/cluster-views';
import { resolveCluster } from '../../../../local/lab/console/connection';
import {
  formatEndpoints,
  readEndpointsFile,
  removeEndpointsFile,
  writeEndpointsFile,
  type LocalEndpointsFile,
} from '../../../../local/lab/console/endpoints';

/** The endpoints file of a serving `npm run local`, and how the tools find their cluster. */
describe('console endpoints and cluster', () => {
  let dir: string;
  let file: string;
  const endpoints = (pid: number): LocalEndpointsFile => ({
    pid,
    startedAt: '2026-11-28T12:00:00.000Z',
    orderApi: 'http://127.0.0.1:3000',
    kafkaBootstrap: '127.0.0.1:39092',
    dynamodb: 'http://127.0.0.1:38000',
    s3: 'http://127.0.0.1:38001',
    region: 'eu-west-1',
    runDir: '.local/runs/x',
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-endpoints-'));
    file = join(dir, 'endpoints.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN a serving process wrote the file WHEN it is read THEN its endpoints come back, and its removal deletes it', () => {
    writeEndpointsFile(endpoints(process.pid), file);
    expect(readEndpointsFile(file)).toEqual(endpoints(process.pid));
    removeEndpointsFile(file);
    expect(existsSync(file)).toBe(false);
  });

  it('GIVEN no file WHEN it is read THEN the error says how to start a stack or name a cluster', () => {
    expect(() => readEndpointsFile(file)).toThrow(/No local cloud is serving .*npm run local.*--bootstrap host:port/);
  });

  it('GIVEN a file left by a process that is gone WHEN it is read THEN it is refused as stale', () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    writeEndpointsFile(endpoints(gone), file);
    expect(() => readEndpointsFile(file)).toThrow(`(pid ${gone}) is gone`);
  });

  it('GIVEN another process wrote the file WHEN this one stops THEN the file stays', () => {
    writeEndpointsFile(endpoints(process.ppid), file);
    removeEndpointsFile(file);
    expect(readEndpointsFile(file).pid).toBe(process.ppid);
  });

  it('GIVEN the endpoints WHEN formatted THEN every endpoint is one aligned line, optional ones only when present', () => {
    const lines = formatEndpoints({ ...endpoints(1), ses: 'http://127.0.0.1:38002' });
    expect(lines).toEqual([
      '  Order API        http://127.0.0.1:3000',
      '  Kafka bootstrap  127.0.0.1:39092',
      '  DynamoDB         http://127.0.0.1:38000',
      '  S3               http://127.0.0.1:38001',
      '  SES v2 API       http://127.0.0.1:38002',
      '  Region           eu-west-1',
      '  Logs             .local/runs/x',
    ]);
  });

  it("GIVEN no --bootstrap WHEN the cluster is resolved THEN the local cloud's broker is used, in plaintext", () => {
    const cluster = resolveCluster({ iam: false }, () => endpoints(process.pid));
    expect(cluster.clientOptions('t')).toMatchObject({ clientId: 't', bootstrapBrokers: ['127.0.0.1:39092'] });
    expect(cluster.clientOptions('t')).not.toHaveProperty('sasl');
  });

  it('GIVEN --iam WHEN the cluster is resolved THEN clients use TLS and OAUTHBEARER, and the endpoints file is not read', () => {
    const cluster = resolveCluster({ bootstrap: ['b-1:9098'], iam: true, region: 'eu-west-1' }, () => {
      throw new Error('must not be read');
    });
    expect(cluster.clientOptions('t')).toMatchObject({
      bootstrapBrokers: ['b-1:9098'],
      tls: {},
      sasl: { mechanism: 'OAUTHBEARER' },
    });
    expect(cluster.description).toBe('b-1:9098 (IAM, eu-west-1)');
  });

  it.each([
    [604_800_000, '7 d'],
    [7_200_000, '2 h'],
    [5_400_000, '90 min'],
    [1_500, '1500 ms'],
    [-1, 'forever'],
  ])('GIVEN retention.ms %d WHEN formatted THEN it reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('GIVEN rows WHEN formatted as a table THEN columns align and number columns align right', () => {
    expect(
      formatTable(
        ['NAME', 'N'],
        [
          ['a', 5],
          ['long', 120],
        ],
      ),
    ).toBe('NAME    N\na       5\nlong  120\n');
  });
});

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, PROJECT_ROOT } from '../../paths';

/** The project's own pom: the broker's jars and their logging runtime, from Maven Central. */
export const KAFKA_POM = join(__dirname, 'pom.xml');

/** The Kafka version the pom pins (`<kafka.version>`). */
export function kafkaVersion(pom: string = KAFKA_POM): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pom, 'utf8'));
  if (!match) throw new Error(`${pom} has no <kafka.version> property`);
  return match[1]!.trim();
}

const COMPLETE_MARKER = '.complete';

/**
 * Makes sure the broker's jars are in `.cache/kafka/<version>/libs` and returns that directory.
 * Maven copies the pom's runtime dependencies there (downloading into ~/.m2 only what is missing);
 * a marker file written last tells a complete copy from one an interrupted run left behind.
 */
export async function ensureKafkaJars({ log }: { log?: (line: string) => void } = {}): Promise<string> {
  const version = kafkaVersion();
  const libs = join(CACHE_DIR, 'kafka', version, 'libs');
  if (existsSync(join(libs, COMPLETE_MARKER))) return libs;

  log?.(`Fetching the Apache Kafka ${version} jars with Maven (once; cached in ${libs})`);
  const staging = `${libs}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await runMaven([
      '-q',
      '-B',
      '-f',
      KAFKA_POM,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ]);
    if (!readdirSync(staging).some((f) => f.startsWith('kafka_2.13-'))) {
      throw new Error(`Maven finished but ${staging} holds no kafka_2.13 jar`);
    }
    writeFileSync(join(staging, COMPLETE_MARKER), new Date().toISOString());
    rmSync(libs, { recursive: true, force: true });
    renameSync(staging, libs);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return libs;
}

function runMaven(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error('Maven (mvn) is not installed: the local Kafka broker needs Maven and Java 17 or later')
          : error,
      ),
    );
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`mvn ${args.join(' ')} failed with code ${code}:\n${output}`)),
    );
  });
}

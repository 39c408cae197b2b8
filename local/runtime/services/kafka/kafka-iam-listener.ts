import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from '../../paths';

/**
 * What the local broker needs for its MSK IAM listener (SASL_SSL with OAUTHBEARER, as MSK's port
 * 9098): the callback handler that turns the MSK IAM signer's token into a principal
 * (LocalMskIamCallbackHandler.java, compiled once into a jar), and a self-signed TLS certificate for
 * 127.0.0.1 (made once with the JDK's keytool) that the functions trust through NODE_EXTRA_CA_CERTS.
 * Both are cached under .cache/kafka-iam/.
 */
export interface IamListenerFiles {
  /** The handler's jar, for the broker's class path. */
  readonly handlerJar: string;
  /** PKCS12 keystore with the broker's key and certificate. */
  readonly keystore: string;
  readonly keystorePassword: string;
  /** The certificate, PEM: what a client must trust to connect. */
  readonly caFile: string;
}

export const HANDLER_CLASS = 'LocalMskIamCallbackHandler';
const HANDLER_SOURCE = join(__dirname, `${HANDLER_CLASS}.java`);
const DIR = join(CACHE_DIR, 'kafka-iam');
// A local, self-signed certificate for a loopback listener: the password protects nothing.
const KEYSTORE_PASSWORD = 'local-kafka-iam';

export function prepareIamListener(kafkaLibs: string): IamListenerFiles {
  return { handlerJar: compileHandler(kafkaLibs), ...ensureCertificate() };
}

function compileHandler(kafkaLibs: string): string {
  const classPath = join(kafkaLibs, '*');
  const hash = createHash('sha256').update(readFileSync(HANDLER_SOURCE)).update(classPath).digest('hex').slice(0, 16);
  const jar = join(DIR, `local-msk-iam-${hash}.jar`);
  if (existsSync(jar)) return jar;
  const staging = join(DIR, `handler.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    run('javac', ['-nowarn', '-cp', classPath, '-d', staging, HANDLER_SOURCE], 'Compiling the MSK IAM handler');
    // A jar, not a directory: a class path with a directory of classes cannot use class data sharing.
    run('jar', ['cf', `${jar}.${process.pid}.tmp`, '-C', staging, '.'], 'Packing the MSK IAM handler');
    renameSync(`${jar}.${process.pid}.tmp`, jar);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return jar;
}

function ensureCertificate(): Omit<IamListenerFiles, 'handlerJar'> {
  // Key and certificate are made together in a directory of their own, renamed into place at once:
  // two runs starting together never pair one's key with the other's certificate.
  const dir = join(DIR, 'tls');
  const files = {
    keystore: join(dir, 'broker.p12'),
    keystorePassword: KEYSTORE_PASSWORD,
    caFile: join(dir, 'broker.pem'),
  };
  if (existsSync(files.caFile)) return files;
  const staging = join(DIR, `tls.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const store = ['-keystore', join(staging, 'broker.p12'), '-storetype', 'PKCS12', '-storepass', KEYSTORE_PASSWORD];
    run(
      'keytool',
      [
        '-genkeypair',
        '-alias',
        'broker',
        '-keyalg',
        'EC',
        '-groupname',
        'secp256r1',
        '-dname',
        'CN=127.0.0.1',
        '-ext',
        'SAN=ip:127.0.0.1,dns:localhost',
        '-ext',
        'BC=ca:true',
        '-validity',
        '3650',
        '-keypass',
        KEYSTORE_PASSWORD,
        ...store,
      ],
      'Making the local broker certificate',
    );
    run(
      'keytool',
      ['-exportcert', '-rfc', '-alias', 'broker', '-file', join(staging, 'broker.pem'), ...store],
      'Exporting it',
    );
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another run was first: use its pair.
      if (!existsSync(files.caFile)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return files;
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${what} failed (the local Kafka broker needs a JDK 17 or later with javac, jar and keytool): ` +
        (result.error?.message ?? `${result.stderr}${result.stdout}`),
    );
  }
}

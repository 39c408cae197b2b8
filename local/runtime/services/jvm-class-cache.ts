import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CACHE_DIR } from '../paths';
import type { ProcessExit } from './process';

/**
 * Class data sharing for the local Kafka JVMs: the first start of a program
 * dumps the classes it loaded into an archive under .cache/jvm-cds/ when it exits, later starts map
 * that archive instead of loading and verifying the classes again (JDK 13+ dynamic archives:
 * -XX:ArchiveClassesAtExit, -XX:SharedArchiveFile). A JVM that cannot use an archive runs without it.
 * Class paths with a directory of classes (DynamoDB Local's) cannot be archived: the JVM refuses.
 */
export interface ClassDataSharing {
  /** JVM options to put before the main class. */
  readonly args: readonly string[];
  /** Call with the JVM's exit: a dump of a clean exit becomes the archive later starts use. */
  settle(exit: ProcessExit): void;
  /** How long to wait for the JVM to exit when stopping it: a first run writes its archive then. */
  readonly stopGraceMs?: number;
}

/** Writing an archive of some 20,000 classes takes seconds on a busy machine. */
const DUMP_GRACE_MS = 30_000;

const CDS_DIR = join(CACHE_DIR, 'jvm-cds');

export function classDataSharing(name: string, classPath: string): ClassDataSharing {
  const archive = join(CDS_DIR, `${name}-${archiveKey(classPath)}.jsa`);
  if (existsSync(archive)) return { args: [`-XX:SharedArchiveFile=${archive}`], settle: () => undefined };
  mkdirSync(CDS_DIR, { recursive: true });
  // Dumped under a name of its own, so that runs starting at once never share a half-written file.
  const dump = `${archive}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  return {
    args: [`-XX:ArchiveClassesAtExit=${dump}`],
    stopGraceMs: DUMP_GRACE_MS,
    settle(exit) {
      if (!existsSync(dump)) return;
      if (exit.signal === 'SIGKILL') rmSync(dump, { force: true });
      else renameSync(dump, archive);
    },
  };
}

/** An archive fits one JVM build and one class path: both are in its name. */
function archiveKey(classPath: string): string {
  const java = javaBinary();
  return createHash('sha256')
    .update(`${classPath}\n${java}\n${java ? statSync(java).mtimeMs : ''}`)
    .digest('hex')
    .slice(0, 16);
}

function javaBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'java');
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  return undefined;
}

/**
 * `npm run kafka -- <command>`: console tools for the topics, against the local cloud that a
 * serving `npm run local` announced, or any cluster (--bootstrap, --iam for MSK).
 *
 *   npm run kafka -- topics                          partitions, end offsets, retention
 *   npm run kafka -- groups                          every consumer group's lag per partition
 *   npm run kafka -- produce clicks --csv events/samples/clicks.csv
 *   npm run kafka -- consume orders --from-beginning --max 5
 *   npm run kafka -- --help
 */
import { runConsole } from '../local/lab/console/main';

const abort = new AbortController();
// First Ctrl+C: stop reading and commit what was printed; a second one exits at once.
process.on('SIGINT', () => (abort.signal.aborted ? process.exit(130) : abort.abort()));
// `consume ... | head`: the reader went away; nothing is lost by stopping.
process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));

runConsole(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: abort.signal,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `npm run kafka failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);

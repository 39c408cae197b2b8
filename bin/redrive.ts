/**
 * `npm run redrive`: what went to the dead-letter topic, counted (--list), and re-published from
 * the source topics, against the local cloud a serving `npm run local` announced or any cluster
 * (--bootstrap, --iam for MSK) (docs/design.md, "Re-drive").
 *
 *   npm run redrive -- --list
 *   npm run redrive -- --dry-run --consumer billing --since 2026-11-29T10:00Z
 *   npm run redrive -- --source-topic orders --reason "unknown order"
 */
import { runCommand } from '../local/lab/cli';
import { resolveCluster } from '../local/lab/console/connection';
import { formatCounts } from '../local/lab/console/dead-letters';
import {
  formatRedrive,
  parseRedriveArgs,
  redrive,
  REDRIVE_USAGE,
  type RedriveOptions,
} from '../local/lab/console/redrive';

runCommand<RedriveOptions>({
  name: 'npm run redrive',
  usage: REDRIVE_USAGE,
  parse: (argv) => parseRedriveArgs(argv),
  async run(options) {
    const result = await redrive(resolveCluster(options.cluster), options, { stderr: process.stderr });
    process.stdout.write(
      options.json
        ? `${JSON.stringify(result)}\n`
        : options.mode === 'list'
          ? formatCounts(result.selected)
          : formatRedrive(result),
    );
    return result.missing > 0 ? 1 : 0;
  },
});

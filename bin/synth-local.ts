/**
 * The app synthesized into cdk.out as `npm run local` does, or the synthesis there reused when
 * nothing it depends on changed (local/runtime/runner/synth-cache.ts). npm test runs it beside the
 * tests that need no broker, so that the e2e project's globalSetup finds the app made.
 */
import { synthesizeIfChanged } from '../local/runtime/runner';

synthesizeIfChanged().then(
  ({ outdir, reused, ms }) =>
    console.log(`${reused ? 'Reused' : 'Synthesized'} ${outdir} in ${(ms / 1000).toFixed(1)} s`),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

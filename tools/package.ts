/**
 * npm run package -- --params <file> [--region r] [--profile p] [--bucket b] [--endpoint-url u] [--no-build]
 *
 * Builds stale templates and handlers, rewrites local paths into content-addressed S3 locations
 * bottom-up, uploads what is missing (HEAD-then-skip, ExpectedBucketOwner) and writes
 * `.deploy/<stack>-manifest.json` and `.deploy/packaged/<stack>/<region>/*.yaml`. Logic: tools/lib/package/.
 */
import { runCli } from './lib/cli';
import { systemClock } from './lib/deploy/clock';
import { deployArgsFrom, findRepoRoot, PACKAGE_CLI, runDeployCommand } from './lib/deploy/cli';

runCli(PACKAGE_CLI, ({ values }) =>
  runDeployCommand(deployArgsFrom(values, { packageOnly: true }), {
    repoRoot: findRepoRoot(__dirname),
    out: process.stdout,
    clock: systemClock,
    confirm: async () => false,
    interactive: false,
  }),
);

/**
 * npm run bootstrap -- [--region r] [--profile p] [--stack-name stockwx-bootstrap] [--recreate] [--yes]
 *
 * Creates or updates the per-account, per-region bootstrap stack (artifacts bucket + key) that
 * `npm run package` uploads to. Idempotent: re-running with nothing to change exits 0 once the
 * stack's outputs and bucket are confirmed.
 */
import path from 'node:path';
import { runCli } from './lib/cli';
import { BOOTSTRAP_CLI, bootstrapArgsFrom, runBootstrapCommand } from './lib/deploy/bootstrap';
import { systemClock } from './lib/deploy/clock';
import { findRepoRoot } from './lib/deploy/cli';
import { confirm } from './lib/deploy/prompt';

runCli(BOOTSTRAP_CLI, ({ values }) =>
  runBootstrapCommand(bootstrapArgsFrom(values), {
    out: process.stdout,
    clock: systemClock,
    confirm,
    interactive: Boolean(process.stdin.isTTY),
    outputsDir: path.join(findRepoRoot(__dirname), '.deploy'),
  }),
);

/**
 * npm run deploy -- --params <file> [--yes] [--no-execute] [--secondary] [--region r] [--profile p] …
 * npm run diff   -- --params <file>            (the change report only; the script adds --diff)
 *
 * Validates the parameter file, checks credentials, packages, creates a change set with nested
 * stacks, prints one report for the tree, confirms, executes and streams progress, verifies what
 * CloudFormation shows, then writes `.deploy/<stack>-outputs.json`. Logic: tools/lib/deploy/.
 * Flags: `--help` or docs/deploy.md.
 */
import { runCli } from './lib/cli';
import { systemClock } from './lib/deploy/clock';
import { DEPLOY_CLI, deployArgsFrom, findRepoRoot, runDeployCommand } from './lib/deploy/cli';
import { confirm } from './lib/deploy/prompt';

runCli(DEPLOY_CLI, ({ values }) => {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort(new Error('SIGINT'));
    process.once('SIGINT', () => process.exit(130));
  });
  return runDeployCommand(deployArgsFrom(values), {
    repoRoot: findRepoRoot(__dirname),
    out: process.stdout,
    clock: systemClock,
    confirm,
    interactive: Boolean(process.stdin.isTTY),
    signal: controller.signal,
  });
});

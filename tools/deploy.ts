/**
 * npm run deploy -- --params <file> [--yes] [--no-execute] [--secondary] [--region r] [--profile p] …
 * npm run diff   -- --params <file>            (the change report only; the script adds --diff)
 *
 * Validates the parameter file, checks credentials, packages, creates a change set with nested
 * stacks, prints one report for the tree, confirms, executes and streams progress, then writes
 * `.deploy/<stack>-outputs.json`. Logic: tools/lib/deploy/. Flags: `--help` or docs/deploy.md.
 */
import { systemClock } from './lib/deploy/clock';
import { findRepoRoot, DEPLOY_USAGE, parseDeployArgs, runDeployCommand } from './lib/deploy/cli';
import { ToolError } from './lib/deploy/errors';
import { confirm } from './lib/deploy/prompt';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(DEPLOY_USAGE);
    return 0;
  }
  const args = parseDeployArgs(argv);
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort(new Error('SIGINT'));
    process.once('SIGINT', () => process.exit(130));
  });
  return runDeployCommand(args, {
    repoRoot: findRepoRoot(__dirname),
    out: process.stdout,
    clock: systemClock,
    confirm,
    interactive: Boolean(process.stdin.isTTY),
    signal: controller.signal,
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const tool = error instanceof ToolError;
    console.error(tool ? (error as Error).message : `deploy failed: ${(error as Error).message}`);
    if (process.argv.includes('--debug') || !tool) console.error(error);
    process.exit(tool ? (error as ToolError).exitCode : 1);
  },
);

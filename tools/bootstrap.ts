/**
 * npm run bootstrap -- [--region r] [--profile p] [--stack-name stockwx-bootstrap] [--yes]
 *
 * Creates or updates the per-account, per-region bootstrap stack (artifacts bucket + key) that
 * `npm run package` uploads to. Idempotent: re-running with nothing to change exits 0.
 */
import path from 'node:path';
import { BOOTSTRAP_USAGE, parseBootstrapArgs, runBootstrapCommand } from './lib/deploy/bootstrap';
import { systemClock } from './lib/deploy/clock';
import { findRepoRoot } from './lib/deploy/cli';
import { ToolError } from './lib/deploy/errors';
import { confirm } from './lib/deploy/prompt';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.log(BOOTSTRAP_USAGE);
    return 0;
  }
  return runBootstrapCommand(parseBootstrapArgs(argv), {
    out: process.stdout,
    clock: systemClock,
    confirm,
    interactive: Boolean(process.stdin.isTTY),
    outputsDir: path.join(findRepoRoot(__dirname), '.deploy'),
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const tool = error instanceof ToolError;
    console.error(tool ? (error as Error).message : `bootstrap failed: ${(error as Error).message}`);
    if (process.argv.includes('--debug') || !tool) console.error(error);
    process.exit(tool ? (error as ToolError).exitCode : 1);
  },
);

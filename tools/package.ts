/**
 * npm run package -- --params <file> [--region r] [--profile p] [--bucket b] [--endpoint-url u] [--no-build]
 *
 * Builds stale templates and handlers, rewrites local paths into content-addressed S3 locations
 * bottom-up, uploads what is missing (HEAD-then-skip) and writes `.deploy/<stack>-manifest.json`
 * and `.deploy/packaged/*.yaml`. Logic: tools/lib/package/.
 */
import { systemClock } from './lib/deploy/clock';
import { findRepoRoot, parseDeployArgs, runDeployCommand } from './lib/deploy/cli';
import { ToolError } from './lib/deploy/errors';

const PACKAGE_FLAGS = new Set(['--params', '--parameter', '--region', '--profile', '--endpoint-url', '--bucket', '--bootstrap-stack', '--no-build', '--debug']);
const USAGE = 'usage: npm run package -- --params <file> [--region r] [--profile p] [--bucket b] [--bootstrap-stack s] [--endpoint-url u] [--no-build] [--debug]';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.find((a) => a.startsWith('--') && !PACKAGE_FLAGS.has(a.split('=')[0]!));
  if (unknown) throw new ToolError(`package: unknown flag ${unknown}\n${USAGE}`, 2);
  return runDeployCommand(parseDeployArgs([...argv, '--package-only']), {
    repoRoot: findRepoRoot(__dirname),
    out: process.stdout,
    clock: systemClock,
    confirm: async () => false,
    interactive: false,
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const tool = error instanceof ToolError;
    console.error(tool ? (error as Error).message : `package failed: ${(error as Error).message}`);
    if (process.argv.includes('--debug') || !tool) console.error(error);
    process.exit(tool ? (error as ToolError).exitCode : 1);
  },
);

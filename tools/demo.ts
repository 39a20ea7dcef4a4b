/**
 * npm run demo -- [--replay <file.csv>] [--symbol <SYM>] [--speed <x>] [--threshold <percent>]
 *                 [--faults] [--quiet] [--keep] [--help]
 *
 * The whole pipeline on this machine with embedded AWS services (no account, no internet).
 * Logic: tools/lib/demo/run.ts. Exit codes: 0 done, 1 the fault proof failed or the run broke,
 * 2 bad arguments, 130 interrupted (Ctrl-C; services are stopped either way).
 */
import path from 'node:path';
import { formatReport } from './lib/demo/report';
import { DemoAbortedError, runDemo, type DemoOptions } from './lib/demo/run';

const USAGE = `usage: npm run demo -- [options]

  --replay <file.csv>    replay a daily OHLCV CSV (Yahoo download, long format with a Symbol column,
                         AAPL.Close-style columns; default demo/data/DEMO.csv)
  --symbol <SYM>         symbol for a file without one, or keep only this symbol of a multi-symbol file
  --speed <x>            pace: x trading days per second (0 = as fast as possible, the default)
  --threshold <percent>  StockDropPercent: alert when a close is this many percent below the
                         previous close (default: root.yaml's StockDropPercent default)
  --faults               inject bad records, duplicates, out-of-order ticks, a poison record and
                         throttling/5xx at the client layer, then prove nothing was lost or doubled
  --quiet                print only the summary
  --keep                 keep .demo/ data (Parquet mirror, summary.json) besides .demo/alerts.ndjson
  --help                 this text`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseArgs(argv: readonly string[], cwd = process.cwd()): DemoOptions & { help: boolean } {
  const out: { -readonly [K in keyof DemoOptions]: DemoOptions[K] } & { help: boolean } = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const number = (min: number, max: number): number => {
      const raw = value();
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} must be a number between ${min} and ${max} (got ${JSON.stringify(raw)})`);
      return n;
    };
    switch (flag) {
      case '--replay':
        out.replayFile = path.resolve(cwd, value());
        break;
      case '--symbol':
        out.symbol = value().toUpperCase();
        break;
      case '--speed':
        out.speed = number(0, 10_000);
        break;
      case '--threshold':
        out.thresholdPercent = number(0.01, 100);
        break;
      case '--faults':
        out.faults = true;
        break;
      case '--quiet':
        out.quiet = true;
        break;
      case '--keep':
        out.keep = true;
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  return out;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`demo: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const rootDir = path.resolve(__dirname, '..');
  // The SDK versions are pinned (DESIGN §11), so its "future versions need Node 22" notice says
  // nothing about this run; keep the demo's output readable unless the user asked for it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C: give up on a clean stop
    console.error('\ninterrupted: stopping the local services (Ctrl-C again to force)…');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await runDemo({ ...args, rootDir, signal: controller.signal });
    for (const line of formatReport(result, { quiet: args.quiet ?? false, faults: args.faults ?? false, rootDir })) console.log(line);
    if (!result.proof.ok) {
      console.error(`demo: the pipeline lost, duplicated or misplaced records (${result.proof.problems.length} problem(s) above)`);
      return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof DemoAbortedError) {
      console.error(`demo: ${err.message}`);
      return 130;
    }
    console.error(`demo: ${(err as Error).message}`);
    if (process.env.DEMO_DEBUG) console.error(err);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}

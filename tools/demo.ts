/**
 * npm run demo -- [--replay <file.csv>] [--with-poller] [--symbol <SYM>] [--speed <days/s>]
 *                 [--threshold <percent>] [--decimal-comma] [--date-format DMY|MDY|YMD]
 *                 [--faults] [--quiet] [--keep] [--debug] [--help]
 *
 * The whole pipeline on this machine with embedded AWS services (no account, no internet).
 * Logic: tools/lib/demo/. Exit codes (tools/lib/cli.ts): 0 done, 1 the pipeline's proof failed
 * or the run broke, 2 bad flags or unusable input, 130 interrupted (Ctrl-C, SIGTERM or SIGHUP;
 * a second one removes the temp folders at once and exits).
 */
import './lib/demo/no-xray-context';
import path from 'node:path';
import { ROOT_PARAMETERS } from '../templates-src/parameters';
import { numberFlag, parseCli, runCli, type CliArgs } from './lib/cli';
import { UsageError } from './lib/errors';
import { Cleanup } from './lib/demo/cleanup';
import { barProgress, lineProgress } from './lib/demo/progress';
import { formatReport } from './lib/demo/report';
import { DATE_ORDERS, type DateOrder } from './lib/demo/replay-csv';
import { DemoAbortedError, runDemo, type DemoOptions } from './lib/demo/run';

const dropBounds = ROOT_PARAMETERS.StockDropPercent!.definition;
const THRESHOLD = { min: Number(dropBounds.MinValue), max: Number(dropBounds.MaxValue) };
const MAX_SPEED = 10_000;

const USAGE = `usage: npm run demo -- [options]

  --replay <file.csv>    replay a daily OHLCV CSV (Yahoo download, long format with a Symbol column,
                         AAPL.Close-style columns; ',' ';' or tab between fields) instead of
                         demo/data/DEMO.csv and the recorded poller run
  --with-poller          with --replay: also run the poller once against demo/recorded/
  --symbol <SYM>         symbol for a file without one, or keep only this symbol of a multi-symbol file
  --decimal-comma        numbers are written 12,5 (and 1.055.433,5)
  --date-format <order>  ${DATE_ORDERS.join(', ')}: how to read dates such as 03/04/2024 (default: the whole file decides)
  --speed <days/s>       pace: trading days per second (0 = as fast as possible, the default; at most ${MAX_SPEED})
  --threshold <percent>  StockDropPercent, ${THRESHOLD.min}–${THRESHOLD.max}: alert when a close is this many percent below
                         the previous close (default: root.yaml's StockDropPercent default)
  --faults               inject bad records, duplicates, out-of-order ticks, a poison record and
                         throttling/5xx at the client layer, then prove nothing was lost or doubled
  --quiet                no tables or alert lines; progress as plain lines
  --keep                 keep .demo/ data (Parquet mirror, summary.json) besides alerts and dashboard
  --debug                handler logs and stack traces
  --help                 this text

Writes .demo/alerts.ndjson, .demo/dashboard.html and .demo/run.json.`;

const SPEC = {
  name: 'demo',
  usage: USAGE,
  options: {
    replay: { type: 'string' },
    'with-poller': { type: 'boolean' },
    symbol: { type: 'string' },
    'decimal-comma': { type: 'boolean' },
    'date-format': { type: 'string' },
    speed: { type: 'string' },
    threshold: { type: 'string' },
    faults: { type: 'boolean' },
    quiet: { type: 'boolean' },
    keep: { type: 'boolean' },
  },
} as const;

type DemoFlags = Pick<
  DemoOptions,
  'replayFile' | 'poller' | 'symbol' | 'decimalComma' | 'dateOrder' | 'speed' | 'thresholdPercent' | 'faults' | 'quiet' | 'keep' | 'debug'
>;

/** The run options a command line asks for; UsageError (exit 2) for a bad flag, naming it. */
export function demoOptionsFrom(args: CliArgs<typeof SPEC.options>, cwd = process.cwd()): DemoFlags {
  const v = args.values;
  if (v['with-poller'] && v.replay === undefined)
    throw new UsageError('--with-poller adds the poller run to a --replay; without --replay the poller runs anyway');
  let dateOrder: DateOrder | undefined;
  if (v['date-format'] !== undefined) {
    const order = v['date-format'].toUpperCase();
    if (!(DATE_ORDERS as readonly string[]).includes(order))
      throw new UsageError(`--date-format must be one of ${DATE_ORDERS.join(', ')} (got '${v['date-format']}')`);
    dateOrder = order as DateOrder;
  }
  if (v.symbol !== undefined && !/^[A-Za-z0-9.-]{1,10}$/.test(v.symbol))
    throw new UsageError(`--symbol must be 1–10 letters, digits, '.' or '-' (got '${v.symbol}')`);
  return {
    ...(v.replay !== undefined ? { replayFile: path.resolve(cwd, v.replay) } : {}),
    ...(v['with-poller'] ? { poller: true } : {}),
    ...(v.symbol !== undefined ? { symbol: v.symbol.toUpperCase() } : {}),
    ...(v['decimal-comma'] ? { decimalComma: true } : {}),
    ...(dateOrder ? { dateOrder } : {}),
    ...(v.speed !== undefined ? { speed: numberFlag('speed', v.speed, { min: 0, max: MAX_SPEED }) } : {}),
    ...(v.threshold !== undefined ? { thresholdPercent: numberFlag('threshold', v.threshold, THRESHOLD) } : {}),
    ...(v.faults ? { faults: true } : {}),
    ...(v.quiet ? { quiet: true } : {}),
    ...(v.keep ? { keep: true } : {}),
    ...(args.debug ? { debug: true } : {}),
  };
}

/** For tests: argv → options (the same path runCli takes). */
export function parseDemoArgs(argv: readonly string[], cwd = process.cwd()): DemoFlags {
  return demoOptionsFrom(parseCli(SPEC, argv), cwd);
}

async function main(args: CliArgs<typeof SPEC.options>): Promise<number> {
  const flags = demoOptionsFrom(args);
  const rootDir = path.resolve(__dirname, '..');
  const print = (line: string): void => console.log(line);
  const progress =
    !flags.quiet && process.stderr.isTTY ? barProgress(process.stderr) : lineProgress(print, { logs: !flags.quiet, everyMs: flags.quiet ? 5000 : 2000 });
  const cleanup = new Cleanup();
  const controller = new AbortController();
  let interrupts = 0;
  // Ctrl-C, `kill` and a closed terminal all end the run the same way.
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts > 1) {
      // A second Ctrl-C: no waiting for services; end the emulator processes and remove our
      // temp folders now.
      progress.stop();
      cleanup.runSync();
      console.error('demo: interrupted twice; temp folders removed, exiting');
      process.exit(130);
    }
    progress.stop();
    console.error('\ninterrupted: stopping the local services (Ctrl-C again to force)…');
    controller.abort();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  try {
    const result = await runDemo({ ...flags, rootDir, signal: controller.signal, print, progress, cleanup });
    for (const line of formatReport(result, { quiet: flags.quiet ?? false, faults: flags.faults ?? false, rootDir })) console.log(line);
    if (!result.proof.ok) {
      console.error(`demo: the pipeline lost, duplicated or misplaced records (${result.proof.problems.length} problem(s) above); .demo/run.json says failed`);
      return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof DemoAbortedError) {
      console.error(`demo: ${err.message}`);
      return 130;
    }
    throw err;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

if (require.main === module) runCli(SPEC, main);

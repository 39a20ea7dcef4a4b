/**
 * `npm run demo`: the roadmap's demo script on this machine (DESIGN §8), with the real handler
 * code. runDemo wires the phases around one DemoContext (context.ts):
 *
 * 1. prepare.ts        what generated/ defines; the replay file read (bad input: UsageError, exit 2)
 * 2. start-services.ts kinesalite, dynalite, s3rver (child processes), the handlers and their clients
 * 3. consume.ts        the event-source mappings, running while 4. writes
 * 4. produce.ts        the replay through POST /ingest, the recorded poller run, --faults
 * 5. notify.ts         the notifier on the published alerts
 * 6. query.ts          what landed where, DuckDB over the processed zone, the proof
 * 7. results.ts        .demo/alerts.ndjson, .demo/dashboard.html, .demo/run.json
 *
 * Every service, client and temp folder is registered with the run's Cleanup as it is created
 * and undone in `finally`, also when `signal` aborts (Ctrl-C); see cleanup.ts for the other
 * exit paths.
 */
import './no-xray-context';
import path from 'node:path';
import type { Alert } from '../../../handlers/lib/contracts';
import { Cleanup } from './cleanup';
import { startConsumers } from './consume';
import { DemoAbortedError, newRunState, type DemoContext, type DemoOptions } from './context';
import { writeDashboard } from './dashboard';
import type { EventSourceStats } from './event-source';
import { deliverNotifications } from './notify';
import { probeMalformed } from './probe-malformed';
import { readReplay, readTemplateFacts } from './prepare';
import { produce } from './produce';
import { lineProgress } from './progress';
import type { OnFailureEntry, Proof } from './proof';
import { query, type StockSeries, type StoreCounts, type WeatherSeries } from './query';
import type { QueryResult } from './athena-local';
import { alertsNdjson, clearResults, markFailed, RESULT_FILES, writeAtomic, writeRunRecord } from './results';
import type { ReplayTick, SkippedRow } from './replay-csv';
import { skippedSummary } from './replay-csv';
import { startServices } from './start-services';
import { percentile, Timeline, type TimelineData } from './timeline';

export { DemoAbortedError, type DemoOptions } from './context';
export type { OnFailureEntry, Proof } from './proof';
export type { StoreCounts } from './query';

export interface DemoResult {
  readonly recordsIn: number;
  readonly replayFile: string;
  readonly replayTicks: readonly ReplayTick[];
  readonly skippedRows: readonly SkippedRow[];
  /** Canonical events the poller wrote. */
  readonly pollerEvents: readonly Record<string, unknown>[];
  /** With faults: records the fault run added (resent, invalid, out-of-order, poison). */
  readonly faultRecords?: Readonly<Record<string, number>>;
  readonly stores: StoreCounts;
  readonly quarantine: readonly { code: string; reason: string }[];
  readonly alerts: readonly Alert[];
  readonly alertsFile: string;
  readonly dashboardFile: string;
  readonly slackPosts: readonly string[];
  readonly onFailure: readonly OnFailureEntry[];
  readonly esm: Readonly<Record<string, EventSourceStats>>;
  /** Wall time spent inside each handler, ms. */
  readonly handlerBusyMs: Readonly<Record<string, number>>;
  readonly queries: readonly QueryResult[];
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly samples: number };
  /** Replay ticks per second from the first POST /ingest until every mapping drained. */
  readonly throughputPerSecond: number;
  /** First POST /ingest → enricher, aggregator and rules engine all drained, ms. */
  readonly replayMs: number;
  readonly elapsedMs: number;
  /** Milliseconds per phase: start, replay (produce + consume), notify, query, results. */
  readonly phaseMs: Readonly<Record<string, number>>;
  readonly faults?: Readonly<Record<string, number>>;
  readonly proof: Proof;
  readonly timeline: TimelineData;
  readonly stocks: Readonly<Record<string, StockSeries>>;
  readonly weather: Readonly<Record<string, WeatherSeries>>;
  /** GetItem calls the LatestTable stream capture made (first touch of each key). */
  readonly captureReads: number;
  /**
   * Peak resident memory in MiB (each process's own peak, taken after the query phase): this
   * process, each emulator process, and their sum (an upper bound of the peak of the whole tree).
   */
  readonly peakRssMiB: { readonly demo: number; readonly emulators: Readonly<Record<string, number>>; readonly total: number };
}

async function peakMemory(services: Awaited<ReturnType<typeof startServices>>): Promise<DemoResult['peakRssMiB']> {
  const mib = (bytes: number): number => Math.round(bytes / 1048576);
  const demo = mib(process.resourceUsage().maxRSS * 1024);
  const emulators = Object.fromEntries(await Promise.all(services.emulators.map(async (e) => [e.kind, mib((await e.memory()).maxRss)] as const)));
  return { demo, emulators, total: demo + Object.values(emulators).reduce((a, b) => a + b, 0) };
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const rootDir = options.rootDir ?? process.cwd();
  const print = options.print ?? ((line: string) => console.log(line));
  const progress = options.progress ?? lineProgress(print, { logs: !options.quiet });
  const outDir = options.outDir ?? path.join(rootDir, '.demo');
  const replayFile = options.replayFile ?? path.join(rootDir, 'demo/data/DEMO.csv');

  // 1. prepare: nothing is started before the input is known to be usable.
  const facts = readTemplateFacts(rootDir, options.thresholdPercent);
  const replay = readReplay(replayFile, {
    ...(options.symbol ? { symbol: options.symbol } : {}),
    ...(options.decimalComma ? { decimalComma: true } : {}),
    ...(options.dateOrder ? { dateOrder: options.dateOrder } : {}),
  });
  const cleanup = options.cleanup ?? new Cleanup();
  const state = newRunState(new Timeline(started));
  const ctx: DemoContext = {
    options,
    rootDir,
    outDir,
    faults: options.faults ?? false,
    poller: options.poller ?? options.replayFile === undefined,
    print,
    progress,
    facts,
    replay,
    replayFile,
    cleanup,
    state,
    ...(options.signal ? { signal: options.signal } : {}),
    checkAbort: () => {
      if (options.signal?.aborted) throw new DemoAbortedError('demo interrupted; stopping the local services');
      if (state.failure) throw state.failure;
    },
  };
  const rel = path.relative(rootDir, replayFile) || replayFile;
  progress.log(
    `replay ${rel}: ${replay.ticks.length} ticks, ${replay.symbols.length > 8 ? `${replay.symbols.length} symbols` : replay.symbols.join(', ')} (${replay.layout} layout, '${replay.delimiter === '\t' ? 'tab' : replay.delimiter}'-separated, dates ${replay.dateOrder})`,
  );
  if (replay.skipped.length > 0) {
    progress.log(`  ${skippedSummary(replay.skipped)}`);
    for (const s of replay.skipped.slice(0, 5)) progress.log(`    line ${s.line}: ${s.reason}`);
    if (replay.skipped.length > 5) progress.log(`    … and ${replay.skipped.length - 5} more`);
  }

  await clearResults(outDir);
  const phaseMs: Record<string, number> = {};
  let phaseStart = Date.now();
  const phaseDone = (name: string): void => {
    phaseMs[name] = Date.now() - phaseStart;
    phaseStart = Date.now();
  };
  try {
    // 2. services
    progress.log('starting kinesalite, dynalite and s3rver on 127.0.0.1 …');
    const services = await startServices(ctx);
    progress.log(
      `  kinesis ${services.endpoints.kinesis} (stream ${facts.stream.streamName}, ${services.shardIds.length} shard${services.shardIds.length > 1 ? 's' : ''}), dynamodb ${services.endpoints.dynamodb}, s3 ${services.endpoints.s3}`,
    );
    phaseDone('start');

    // 3 + 4. consumers while the producers write
    progress.start(replay.ticks.length);
    const consumers = startConsumers(ctx, services);
    let produced: Awaited<ReturnType<typeof produce>>;
    try {
      produced = await produce(ctx, services);
    } catch (error) {
      state.failure ??= error;
      await consumers.done.catch(() => undefined);
      throw error;
    }
    await consumers.done;
    const replayMs = Math.max(1, Date.now() - state.firstPostAt);
    progress.update({
      done: Math.min(state.consumed.enricher.value, state.consumed.aggregator.value),
      total: Math.max(replay.ticks.length, state.produced.value),
      alerts: state.alerts.length,
    });
    progress.stop();
    phaseDone('replay');

    // 5. notifier
    const slackPosts = await deliverNotifications(ctx);
    phaseDone('notify');

    // 5b. --faults: malformed Lambda events, each refused without touching the stores
    const malformedEvents = ctx.faults ? await probeMalformed(ctx, services) : undefined;

    // 6. what landed where
    const outcome = await query(ctx, services, produced, malformedEvents);
    phaseDone('query');

    // 7. results
    const alertsFile = path.join(outDir, RESULT_FILES.alerts);
    // The rules engine's shard loops publish concurrently: present the alerts in time order, so the file,
    // the report and the dashboard read the same on every run.
    const alerts = [...state.alerts].sort((a, b) => a.ts.localeCompare(b.ts) || a.entity.localeCompare(b.entity) || a.rule.localeCompare(b.rule));
    await writeAtomic(alertsFile, alertsNdjson(alerts));
    const injectedTotals: Record<string, number> = {};
    for (const f of services.faultStats) for (const [k, v] of Object.entries(f.injected)) injectedTotals[k] = (injectedTotals[k] ?? 0) + v;
    if (ctx.faults) injectedTotals['redelivered batches'] = state.redeliveries;
    const latencies = state.timeline.allSamples('latency.endToEnd');
    const result: DemoResult = {
      recordsIn: state.produced.value,
      replayFile,
      replayTicks: replay.ticks,
      skippedRows: replay.skipped,
      pollerEvents: produced.pollerEvents,
      ...(produced.faultRecords ? { faultRecords: produced.faultRecords } : {}),
      stores: outcome.stores,
      quarantine: outcome.quarantine,
      alerts,
      alertsFile,
      dashboardFile: path.join(outDir, RESULT_FILES.dashboard),
      slackPosts,
      onFailure: outcome.onFailure,
      esm: state.esm,
      handlerBusyMs: state.busyMs,
      queries: outcome.queries,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length },
      throughputPerSecond: (replay.ticks.length / replayMs) * 1000,
      replayMs,
      elapsedMs: 0,
      phaseMs,
      ...(ctx.faults ? { faults: injectedTotals } : {}),
      proof: outcome.proof,
      timeline: state.timeline.toJSON(),
      stocks: outcome.stocks,
      weather: outcome.weather,
      captureReads: services.capture.reads,
      peakRssMiB: await peakMemory(services),
    };
    await writeDashboard(ctx, result);
    phaseDone('results');
    const finished = { ...result, elapsedMs: Date.now() - started };
    await writeRunRecord(outDir, {
      status: finished.proof.ok ? 'ok' : 'failed',
      replayFile,
      finishedAt: new Date().toISOString(),
      alerts: finished.alerts.length,
      ...(finished.proof.ok ? {} : { problems: finished.proof.problems }),
    });
    if (options.keep) {
      const { replayTicks: _t, queries: _q, timeline: _tl, stocks: _s, weather: _w, ...summary } = finished;
      await writeAtomic(path.join(outDir, RESULT_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
    }
    return finished;
  } catch (error) {
    progress.stop();
    await markFailed(outDir, {
      status: error instanceof DemoAbortedError ? 'interrupted' : 'failed',
      replayFile,
      finishedAt: new Date().toISOString(),
      error: (error as Error).message,
    }).catch(() => undefined);
    throw error;
  } finally {
    await cleanup.run(print);
  }
}

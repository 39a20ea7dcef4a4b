/**
 * End to end: `npm run demo`'s orchestrator on embedded kinesalite/dynalite/s3rver with the real
 * handlers. The replay's alerts are checked exactly against the independent oracle of DESIGN §8's
 * rules (test/helpers/alert-oracle.ts) over the ticks that went in; the fault runs check that
 * nothing was lost or double-counted.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatReport } from '../../../tools/lib/demo/report';
import { Cleanup } from '../../../tools/lib/demo/cleanup';
import { ON_DEMAND_SHARDS } from '../../../tools/lib/demo/resources';
import { DemoAbortedError, runDemo, type DemoResult } from '../../../tools/lib/demo/run';
import { expectedStockAlerts, type OracleTick } from '../../helpers/alert-oracle';

const rootDir = path.join(__dirname, '../../..');
const STOCK_RULES = new Set(['stock-drop', 'golden-cross', 'death-cross']);
const byKey = <T extends { entity: string; ts: string; rule: string }>(list: T[]) =>
  [...list].sort((a, b) => `${a.entity}|${a.ts}|${a.rule}`.localeCompare(`${b.entity}|${b.ts}|${b.rule}`));

describe('runDemo', () => {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'demo-run-test-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  describe('replay of demo/data/DEMO.csv plus one recorded poller run', () => {
    let result: DemoResult;
    beforeAll(async () => {
      result = await runDemo({ rootDir, outDir, quiet: true, print: () => undefined });
    }, 60_000);

    test('the poller wrote one event per recorded symbol and city', () => {
      expect(result.pollerEvents.map((e) => e.symbol ?? e.city).sort()).toEqual(['Amsterdam', 'MSFT', 'NVDA', 'Phoenix']);
    });

    test('every record lands once in each store', () => {
      const n = result.replayTicks.length + result.pollerEvents.length;
      expect(result.replayTicks).toHaveLength(42);
      expect(result.recordsIn).toBe(n);
      expect(result.stores).toMatchObject({ metricsTickItems: n, latestEntities: 5, rawLines: n, parquetRows: n, quarantined: 0 });
      expect(result.onFailure).toEqual([]);
      expect(result.proof.problems).toEqual([]);
      expect(result.proof.ok).toBe(true);
    });

    test('stock alerts are exactly the oracle’s for the ticks that went in (10 % threshold)', () => {
      const ticks = [...result.replayTicks, ...result.pollerEvents.filter((e) => e.type === 'stock')] as unknown as OracleTick[];
      const actual = result.alerts.filter((a) => STOCK_RULES.has(a.rule)).map(({ rule, entity, ts }) => ({ rule, entity, ts }));
      expect(byKey(actual)).toEqual(byKey(expectedStockAlerts(ticks, 10)));
      expect(actual).toHaveLength(4); // DEMO: golden cross, drop, death cross; NVDA: the recorded 10 % crash
    });

    test('the recorded Phoenix heat is the only weather alert', () => {
      expect(result.alerts.filter((a) => !STOCK_RULES.has(a.rule)).map((a) => [a.rule, a.entity])).toEqual([['heat', 'WEATHER#Phoenix']]);
    });

    test('alerts.ndjson holds one object per alert with rule, entity, ts, values and message; Slack got each', () => {
      const lines = readFileSync(path.join(outDir, 'alerts.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual(result.alerts.map((a) => ({ rule: a.rule, entity: a.entity, ts: a.ts, values: a.values, message: a.message })));
      expect(result.slackPosts).toHaveLength(result.alerts.length);
    });

    test('every named query ran on DuckDB; the daily averages cover the 42 replay days', () => {
      expect(result.queries.map((q) => [q.name, q.error])).toEqual([
        ['daily-average-price', undefined],
        ['intraday-trend', undefined],
        ['top-volume', undefined],
        ['weather-extremes', undefined],
      ]);
      expect(result.queries[0]!.rows.filter((r) => r.symbol === 'DEMO')).toHaveLength(42);
    });

    test('the report prints the summary with latency and throughput', () => {
      const text = formatReport(result, { quiet: true }).join('\n');
      expect(text).toMatch(/records in\s+46 \(replay 42, poller 4\)/);
      expect(text).toMatch(/p50 \d+ ms, p99 \d+ ms/);
      expect(text).toMatch(/throughput\s+\d+ replay ticks\/s end to end/);
    });

    test('the enricher and aggregator were invoked with whole batches, not one trading day at a time', () => {
      // 42 replay ticks + 4 poller events, fewer than a BatchSize (1000/500): one invocation per shard that has records.
      expect(result.esm.enricher!.invocations).toBeLessThanOrEqual(ON_DEMAND_SHARDS);
      expect(result.esm.aggregator!.invocations).toBeLessThanOrEqual(ON_DEMAND_SHARDS);
      expect(result.captureReads).toBeLessThanOrEqual(result.stores.latestEntities + result.alerts.length * 2 + 4);
    });

    test('run.json says ok', () => {
      expect(JSON.parse(readFileSync(path.join(outDir, 'run.json'), 'utf8'))).toMatchObject({ status: 'ok', alerts: result.alerts.length });
    });
  });

  describe('--replay of a file with bad rows', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-replay-bad-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    let result: DemoResult;
    beforeAll(async () => {
      const file = path.join(dir, 'ACME.csv');
      // A drop at 2024-01-05 (vs the accepted 2024-01-03 close), a row with a negative open, one with a 1e308 close.
      const rows = [
        'Date,Open,High,Low,Close,Volume',
        '2024-01-02,100,101,99,100,1000',
        '',
        '2024-01-03,100,101,99,100,1000',
        '2024-01-04,-1,101,99,100,1000',
        '2024-01-04,100,101,99,1e308,1000',
        '2024-01-05,100,101,85,88,1000',
      ];
      writeFileSync(file, `${rows.join('\n')}\n`);
      result = await runDemo({ rootDir, outDir: path.join(dir, 'out'), replayFile: file, quiet: true, print: () => undefined });
    }, 60_000);

    test('the run goes on: bad rows are skipped with their real line numbers and reasons', () => {
      expect(result.replayTicks.map((t) => t.ts.slice(0, 10))).toEqual(['2024-01-02', '2024-01-03', '2024-01-05']);
      expect(result.skippedRows.map((s) => s.line)).toEqual([5, 6]);
      expect(result.proof.ok).toBe(true);
    });

    test('only the file is replayed (no recorded poller run), and its alerts are the oracle’s: the drop is against the last accepted close', () => {
      expect(result.pollerEvents).toEqual([]);
      expect(result.alerts.map(({ rule, entity, ts }) => ({ rule, entity, ts }))).toEqual(
        expectedStockAlerts(result.replayTicks as unknown as OracleTick[], 10),
      );
      expect(result.alerts.map((a) => [a.rule, a.values.prevClose])).toEqual([['stock-drop', 100]]);
    });
  });

  test('--speed paces the replay: trading day i is posted i/speed seconds after the first', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-speed-'));
    try {
      const file = path.join(dir, 'PACE.csv');
      const days = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09'];
      writeFileSync(file, `${['Date,Open,High,Low,Close,Volume', ...days.map((d, i) => `${d},10,11,9,${10 + i},100`)].join('\n')}\n`);
      const result = await runDemo({ rootDir, outDir: path.join(dir, 'out'), replayFile: file, speed: 10, quiet: true, print: () => undefined });
      expect(result.timeline.sums['api.requests']!.reduce((a, b) => a + b, 0)).toBe(days.length); // one delivery per day
      expect(result.replayMs).toBeGreaterThanOrEqual(((days.length - 1) / 10) * 1000);
      expect(result.proof.ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  describe('a run that breaks or is interrupted', () => {
    test('a failed run removes the previous run’s alerts and says failed in run.json', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-fail-'));
      try {
        const brokenRoot = path.join(dir, 'root');
        mkdirSync(path.join(brokenRoot, 'demo'), { recursive: true });
        symlinkSync(path.join(rootDir, 'generated'), path.join(brokenRoot, 'generated'));
        symlinkSync(path.join(rootDir, 'demo/data'), path.join(brokenRoot, 'demo/data')); // no demo/recorded: the poller cannot run
        const out = path.join(dir, 'out');
        mkdirSync(out);
        writeFileSync(path.join(out, 'alerts.ndjson'), '{"rule":"stale"}\n');
        writeFileSync(path.join(out, 'dashboard.html'), 'stale');
        await expect(runDemo({ rootDir: brokenRoot, outDir: out, quiet: true, print: () => undefined })).rejects.toThrow(/recordings manifest/);
        expect(existsSync(path.join(out, 'alerts.ndjson'))).toBe(false);
        expect(existsSync(path.join(out, 'dashboard.html'))).toBe(false);
        expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'))).toMatchObject({
          status: 'failed',
          error: expect.stringContaining('recordings manifest'),
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);

    test('an interrupted run stops, removes its temp folders and says interrupted', async () => {
      const out = mkdtempSync(path.join(os.tmpdir(), 'demo-abort-'));
      const created: string[] = [];
      const cleanup = new (class extends Cleanup {
        override addDir(dir: string): void {
          created.push(dir);
          super.addDir(dir);
        }
      })();
      const controller = new AbortController();
      try {
        const run = runDemo({
          rootDir,
          outDir: out,
          cleanup,
          signal: controller.signal,
          print: (line) => (line.includes('POST http') ? controller.abort() : undefined),
        });
        await expect(run).rejects.toThrow(DemoAbortedError);
        expect(created.length).toBeGreaterThan(0);
        expect(created.filter((d) => existsSync(d))).toEqual([]);
        expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'))).toMatchObject({ status: 'interrupted' });
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }, 60_000);
  });

  test('a fault run (throttling, 503s, redeliveries, bad records, out-of-order ticks, a poison record) loses nothing and counts nothing twice', async () => {
    const result = await runDemo({ rootDir, outDir, quiet: true, faults: true, producerResends: false, poller: false, print: () => undefined });
    expect(result.proof.problems).toEqual([]);
    expect(result.proof).toMatchObject({
      ok: true,
      missingFromMetrics: [],
      missingFromParquet: [],
      duplicatedInParquet: [],
      latestNotNewest: [],
      invalidInjected: 7,
      onFailureUnexplained: 0,
    });
    expect(result.proof.quarantinedByCode).toEqual({ 'bad-base64': 1, 'malformed-json': 2, 'schema-invalid': 3, 'future-timestamp': 1 });
    // The tick dated 2999 (issue 15): quarantined once with its reason, nowhere else, and the symbol not frozen.
    const future = result.proof.futureTick!;
    expect(future).toMatchObject({ entity: 'STOCK#DEMO', ts: '2999-01-01T00:00:00.000Z', metricsItemsAtTs: 0, problems: [] });
    expect(future.quarantined).toHaveLength(1);
    expect(future.quarantined[0]!.key).toMatch(/^quarantine\/future-timestamp\//);
    expect(future.quarantined[0]!.reason).toContain('2999-01-01T00:00:00.000Z');
    expect(future.latestTs).toBe(future.laterTickTs);
    expect(future.latestSmaTs).toBe(future.laterTickTs);
    expect(formatReport(result, { quiet: true, faults: true }).join('\n')).toMatch(/quarantined +\d+ \(.*future-timestamp: 1/);
    // Malformed Lambda events: each function refuses them with MalformedEventError and one line, and nothing moves.
    expect(result.proof.malformedEvents!.map((o) => [o.fn, o.errorName, o.message!.split(':').slice(0, 2).join(':'), o.storeChanges, o.problem])).toEqual([
      ['enricher', 'MalformedEventError', 'enricher: malformed Kinesis event', [], undefined],
      ['enricher', 'MalformedEventError', 'enricher: malformed Kinesis event', [], undefined],
      ['aggregator', 'MalformedEventError', 'aggregator: malformed Kinesis event', [], undefined],
      ['aggregator', 'MalformedEventError', 'aggregator: malformed Kinesis event', [], undefined],
      ['rules', 'MalformedEventError', 'rules: malformed DynamoDB stream event', [], undefined],
      ['notifier', 'MalformedEventError', 'notifier: malformed SNS event', [], undefined],
    ]);
    expect(result.faults).toMatchObject({
      ThrottlingException: expect.any(Number),
      ProvisionedThroughputExceededException: expect.any(Number),
      SlowDown: expect.any(Number),
      poison: expect.any(Number),
    });
    expect(result.onFailure.map((e) => [e.consumer, e.keys.length, e.condition, e.explanation !== undefined]).sort()).toEqual([
      ['aggregator', 1, 'RetryAttemptsExhausted', true],
      ['enricher', 1, 'RetryAttemptsExhausted', true],
    ]);
    expect(result.esm.enricher!.retries).toBeGreaterThan(0);
  }, 60_000);

  // A producer resend is a new Kinesis record with the same (symbol, ts): MetricsTable dedupes
  // it and the enricher leaves it out of the Parquet rows (RELIABILITY 2, DESIGN §9).
  test('producer resends are not double-counted in the Parquet rows', async () => {
    const result = await runDemo({ rootDir, outDir, quiet: true, faults: true, producerResends: true, poller: false, print: () => undefined });
    expect(result.proof.duplicatedInParquet).toEqual([]);
    expect(result.proof.ok).toBe(true);
  }, 60_000);
});

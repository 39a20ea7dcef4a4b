/**
 * npm run bench:replay — the replay bars of DESIGN §9 / issue 14, written to bench/results/replay.json:
 * - end-to-end replay through the whole local pipeline (POST /ingest → Kinesis → enricher,
 *   aggregator, rules engine → DynamoDB, S3) at --speed 0, per file: replay seconds (first POST
 *   until every mapping drained), whole-run seconds, ticks/s, peak RSS of the demo process and of
 *   each emulator process, and whether the alerts equal the independent oracle
 *   (test/helpers/alert-oracle.ts) over the ticks that went in;
 * - files: demo/data/DEMO.csv; the 2,148-row GOOG history of ../shared/fixtures when it exists
 *   (CI has it), else a generated single-symbol file of the same length; a generated
 *   10-year × 50-symbol daily file (~126,000 rows, long format, seeded random walks with crashes);
 * - the emulators' own ceilings with the SDK clients the handlers get (dynalite conditional
 *   UpdateItem, s3rver PutObject/GetObject of raw-zone-sized objects, kinesalite PutRecords),
 *   and per file the calls per tick the run made, so `ceiling ÷ calls per tick` says which
 *   emulator bounds the replay.
 * Each replay runs in a fresh child process (`--one <file>`), so its peak RSS is its own.
 * `--code <dir>` replays with another checkout's tools/lib/demo/run.ts (the "before" figures).
 * `--only <name>` runs one file; `--no-ceilings` skips the emulator measurements; `--ceilings-only`
 * measures only them, into the existing results file; `--years <n>` sizes
 * the multi-symbol file; `--before <results.json>` carries an earlier run's figures into the output
 * as `before` (how bench/results/replay.json holds the figures of the code before issue 14).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOAD_NOTE, machine } from './measure';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { Cleanup } from '../tools/lib/demo/cleanup';
import { createStreams, createTables, startEmulator } from '../tools/lib/demo/emulators';
import { fastS3Client, fixedEndpointConfig } from '../tools/lib/demo/local-clients';
import { expectedStockAlerts, type OracleTick } from '../test/helpers/alert-oracle';

// The pinned SDK's notice about Node 22 (README, Node versions), as every tool of ours silences it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = path.resolve(__dirname, '..');
const GOOG = path.resolve(root, '../shared/fixtures/stock-history/backtesting-py-GOOG.csv');
const STOCK_RULES = new Set(['stock-drop', 'golden-cross', 'death-cross']);
const DEMO_HEAP_MIB = Number(
  /--max-old-space-size=(\d+)/.exec(
    (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.demo ?? '',
  )?.[1] ?? 512,
);

// ---------------------------------------------------------------------------------------------
// Generated histories

/** mulberry32: a small seeded PRNG, so the generated files are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Weekdays from 2014-01-02, `days` of them. */
function tradingDays(days: number): string[] {
  const out: string[] = [];
  for (let d = Date.parse('2014-01-02T00:00:00Z'); out.length < days; d += 86_400_000) {
    const wd = new Date(d).getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(new Date(d).toISOString().slice(0, 10));
  }
  return out;
}

/** Daily OHLCV random walks (≈1.5 % daily moves, a ≥ 10 % crash about every 400 days per symbol). */
export function generateHistory(symbols: readonly string[], days: number, seed: number): string {
  const random = prng(seed);
  const dates = tradingDays(days);
  const lines = ['Date,Symbol,Open,High,Low,Close,Volume'];
  const close = new Map(symbols.map((s) => [s, 20 + random() * 180]));
  for (const date of dates) {
    for (const s of symbols) {
      const prev = close.get(s)!;
      const move = random() < 1 / 400 ? -(0.1 + random() * 0.1) : (random() - 0.5) * 0.03;
      const c = Math.max(1, prev * (1 + move));
      const open = prev * (1 + (random() - 0.5) * 0.01);
      const high = Math.max(open, c) * (1 + random() * 0.01);
      const low = Math.min(open, c) * (1 - random() * 0.01);
      close.set(s, c);
      lines.push(`${date},${s},${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${c.toFixed(2)},${Math.floor(1e5 + random() * 5e6)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function symbolNames(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) out.push(`S${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// One replay (child process)

interface ReplayFigures {
  readonly file: string;
  readonly rows: number;
  readonly ticks: number;
  readonly replaySeconds: number | null;
  readonly wallSeconds: number;
  readonly ticksPerSecond: number;
  /** Peak resident memory of the replay's processes (this one plus each emulator process), MiB. */
  readonly peakRssMiB: number;
  readonly peakRssByProcessMiB?: Record<string, number>;
  readonly alerts: number;
  readonly alertsMatchOracle: boolean;
  readonly proofOk: boolean;
  readonly phaseSeconds?: Record<string, number>;
  /** Per mapping: invocations, retries, bisections (a retry re-does a whole batch: a transient failure shows here). */
  readonly mappings?: Record<string, string>;
  readonly callsPerTick?: Record<string, number>;
}

async function one(file: string, codeDir: string): Promise<ReplayFigures> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'bench-replay-out-'));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runDemo } = require(path.join(codeDir, 'tools/lib/demo/run')) as typeof import('../tools/lib/demo/run');
    // A stopped benchmark leaves no emulator data behind (the CLI does the same for the demo).
    const cleanup = new Cleanup();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        cleanup.runSync();
        rmSync(outDir, { recursive: true, force: true });
        process.exit(130);
      });
    }
    const t0 = performance.now();
    const r = (await runDemo({ rootDir: codeDir, replayFile: file, quiet: true, poller: false, outDir, cleanup, print: () => undefined })) as Awaited<
      ReturnType<typeof runDemo>
    > & { replayMs?: number };
    const wall = (performance.now() - t0) / 1000;
    const oracle = expectedStockAlerts(r.replayTicks as unknown as OracleTick[], 10);
    const key = (a: { rule: string; entity: string; ts: string }) => `${a.entity}|${a.ts}|${a.rule}`;
    const actual = r.alerts
      .filter((a) => STOCK_RULES.has(a.rule))
      .map(key)
      .sort();
    const expected = oracle.map(key).sort();
    const sums = (r as { timeline?: { sums: Readonly<Record<string, readonly number[]>> } }).timeline?.sums ?? {};
    const total = (prefix: string) =>
      Object.entries(sums)
        .filter(([k]) => k.startsWith(prefix))
        .reduce((n, [, v]) => n + v.reduce((a, b) => a + b, 0), 0);
    const ticks = r.replayTicks.length;
    // The emulators run in child processes of their own and report their own peaks.
    const emulatorPeaks: Record<string, number> = (r as { peakRssMiB?: { emulators: Record<string, number> } }).peakRssMiB?.emulators ?? {};
    const replaySeconds = r.replayMs !== undefined ? r.replayMs / 1000 : null;
    return {
      file: path.basename(file),
      rows: ticks + ((r as { skippedRows?: readonly unknown[] }).skippedRows?.length ?? 0),
      ticks,
      replaySeconds,
      wallSeconds: Math.round(wall * 100) / 100,
      ticksPerSecond: Math.round(ticks / (replaySeconds ?? wall)),
      // This process's own peak (the whole run, results included) plus each emulator process's peak:
      // a sum of peaks, so an upper bound of the process tree's peak.
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) + Object.values(emulatorPeaks).reduce((a, b) => a + b, 0),
      ...(Object.keys(emulatorPeaks).length > 0 ? { peakRssByProcessMiB: { demo: Math.round(process.resourceUsage().maxRSS / 1024), ...emulatorPeaks } } : {}),
      alerts: r.alerts.length,
      alertsMatchOracle: JSON.stringify(actual) === JSON.stringify(expected),
      proofOk: r.proof.ok,
      ...((r as { phaseMs?: Record<string, number> }).phaseMs
        ? { phaseSeconds: Object.fromEntries(Object.entries((r as { phaseMs: Record<string, number> }).phaseMs).map(([k, v]) => [k, v / 1000])) }
        : {}),
      mappings: Object.fromEntries(
        Object.entries(r.esm).map(([k, e]) => [k, `${e.invocations} invocations, ${e.retries} retries, ${e.bisections} bisections`]),
      ),
      ...(replaySeconds !== null
        ? {
            callsPerTick: {
              dynamodb: round2((total('dynamodb.writes.') + total('dynamodb.reads.')) / ticks),
              s3Put: round2(total('s3.puts.') / ticks),
              kinesisRecords: round2(total('kinesis.incoming') / ticks),
            },
          }
        : {}),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function runChild(file: string, codeDir: string): ReplayFigures {
  // The heap cap of `npm run demo` (package.json), so the figures are what a user's run takes.
  const res = spawnSync(process.execPath, [`--max-old-space-size=${DEMO_HEAP_MIB}`, '--import', 'tsx', __filename, '--one', file, '--code', codeDir], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const line = res.stdout.trim().split('\n').at(-1) ?? '';
  if (res.status !== 0 || !line.startsWith('{')) throw new Error(`replay of ${file} failed (exit ${res.status}): ${res.stderr.slice(-2000)}`);
  return JSON.parse(line) as ReplayFigures;
}

// ---------------------------------------------------------------------------------------------
// Emulator ceilings

async function measure(n: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await call(next++);
    }),
  );
  return Math.round(n / ((performance.now() - t0) / 1000));
}

async function ceilings(): Promise<Record<string, number>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-ceilings-'));
  // Each emulator stores on disk in a folder of its own, as the demo runs them (start-services.ts).
  const folder = (kind: string): string => {
    const d = path.join(dir, kind);
    mkdirSync(d);
    return d;
  };
  const [dyn, s3e, kin] = await Promise.all([
    startEmulator('dynalite', { directory: folder('dynalite') }),
    startEmulator('s3rver', { directory: folder('s3rver') }),
    startEmulator('kinesalite', { directory: folder('kinesalite') }),
  ]);
  try {
    await createTables(dyn.endpoint, [
      {
        TableName: 'bench-latest',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      },
    ]);
    await createStreams(kin.endpoint, [{ streamName: 'bench-events', shardCount: 1 }]);
    const ddb = new DynamoDBClient(fixedEndpointConfig(dyn.endpoint));
    const s3 = fastS3Client(s3e.endpoint);
    const kinesis = new KinesisClient(fixedEndpointConfig(kin.endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-raw' }));
    const ts = (i: number) => new Date(Date.parse('2014-01-01T00:00:00Z') + i * 86_400_000).toISOString();
    // 32 in flight over 50 keys: a later ts can reach a key first, and the earlier update then
    // fails its condition as the pipeline's stale writes do. It is a served request all the same.
    const dynamodbUpdates = await measure(6000, 32, (i) =>
      ddb
        .send(
          new UpdateItemCommand({
            TableName: 'bench-latest',
            Key: { pk: { S: `STOCK#S${i % 50}` } },
            UpdateExpression: 'SET #v = :v, price = :p',
            ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
            ExpressionAttributeNames: { '#v': 'ts' },
            ExpressionAttributeValues: { ':v': { S: ts(i) }, ':p': { N: String(i) } },
          }),
        )
        .catch((error: unknown) => {
          if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        }),
    );
    const body = Buffer.alloc(400, 7);
    const s3Puts = await measure(3000, 32, (i) =>
      s3.send(new PutObjectCommand({ Bucket: 'bench-raw', Key: `raw/stocks/dt=${ts(i % 2500).slice(0, 10)}/shardId-000000000000-${i}.json.gz`, Body: body })),
    );
    const s3Gets = await measure(3000, 32, async (i) =>
      (
        await s3.send(new GetObjectCommand({ Bucket: 'bench-raw', Key: `raw/stocks/dt=${ts(i % 2500).slice(0, 10)}/shardId-000000000000-${i}.json.gz` }))
      ).Body!.transformToByteArray(),
    );
    const record = Buffer.from(
      JSON.stringify({
        schemaVersion: 1,
        type: 'stock',
        symbol: 'SAA',
        ts: ts(1),
        price: 100,
        open: 100,
        high: 101,
        low: 99,
        prevClose: 100,
        volume: 1000,
        source: 'replay',
      }),
    );
    const batches = 60;
    const kinesisRecords =
      (await measure(batches, 1, () =>
        kinesis.send(
          new PutRecordsCommand({ StreamName: 'bench-events', Records: Array.from({ length: 500 }, (_, j) => ({ Data: record, PartitionKey: `S${j % 50}` })) }),
        ),
      )) * 500;
    ddb.destroy();
    s3.destroy();
    kinesis.destroy();
    return {
      dynamodbConditionalUpdatesPerSecond: dynamodbUpdates,
      s3PutsPerSecond: s3Puts,
      s3GetsPerSecond: s3Gets,
      kinesisRecordsPutPerSecond: kinesisRecords,
    };
  } finally {
    await Promise.all([dyn.stop(), s3e.stop(), kin.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const codeDir = path.resolve(flag('--code') ?? root);
  if (argv.includes('--ceilings-only')) {
    // Re-measures the emulators' ceilings into an existing results file, its replays kept.
    const target = flag('--out') ?? path.join(root, 'bench/results/replay.json');
    const previous = JSON.parse(readFileSync(target, 'utf8')) as Record<string, unknown>;
    const load = [os.loadavg()[0]!];
    const emulatorCeilings = await ceilings();
    load.push(os.loadavg()[0]!);
    const out = { ...previous, emulatorCeilings, emulatorCeilingsLoadAverage1m: load.map((l) => Math.round(l * 100) / 100) };
    writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(emulatorCeilings, null, 2));
    return;
  }
  const oneFile = flag('--one');
  if (oneFile) {
    console.log(JSON.stringify(await one(oneFile, codeDir)));
    return;
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-replay-data-'));
  try {
    const files: { name: string; file: string }[] = [{ name: 'DEMO.csv (42 rows)', file: path.join(root, 'demo/data/DEMO.csv') }];
    if (existsSync(GOOG)) files.push({ name: 'GOOG 2004–2013 (2,148 rows, shared fixture)', file: GOOG });
    else {
      const file = path.join(dataDir, 'GEN1.csv');
      writeFileSync(file, generateHistory(['GEN1'], 2148, 7));
      files.push({ name: 'GEN1 (2,148 rows, generated: ../shared is absent)', file });
    }
    const years = Number(flag('--years') ?? 10);
    const big = path.join(dataDir, `HIST-${years}y-50.csv`);
    writeFileSync(big, generateHistory(symbolNames(50), Math.round(252 * years), 42));
    files.push({ name: `generated ${years} years × 50 symbols (${Math.round(252 * years) * 50} rows)`, file: big });
    const only = flag('--only');
    const results: Record<string, ReplayFigures> = {};
    const load = [os.loadavg()[0]!];
    for (const f of files) {
      if (only && !f.name.includes(only)) continue;
      process.stderr.write(`replaying ${f.name} …\n`);
      results[f.name] = runChild(f.file, codeDir);
      process.stderr.write(`  ${JSON.stringify(results[f.name])}\n`);
      load.push(os.loadavg()[0]!);
    }
    // A failed ceiling measurement must not lose the replays measured before it.
    let ceilingsError: string | undefined;
    const emulatorCeilings = argv.includes('--no-ceilings')
      ? undefined
      : await ceilings().catch((error: unknown) => {
          ceilingsError = (error as Error).message;
          process.exitCode = 1;
          return undefined;
        });
    const out = {
      date: new Date().toISOString().slice(0, 10),
      code: codeDir === root ? 'this checkout' : codeDir,
      machine: machine(load),
      note: LOAD_NOTE,
      replays: results,
      ...(emulatorCeilings ? { emulatorCeilings } : {}),
      ...(ceilingsError ? { emulatorCeilingsError: ceilingsError } : {}),
      ...(flag('--before') ? { before: JSON.parse(readFileSync(flag('--before')!, 'utf8')) as unknown } : {}),
    };
    const target = flag('--out') ?? path.join(root, 'bench/results/replay.json');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(out, null, 2));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`bench:replay failed: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}

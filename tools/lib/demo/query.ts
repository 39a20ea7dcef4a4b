/**
 * Phase 4, once the consumers are done: what landed where, the Athena named queries on DuckDB
 * over the processed zone, the proof that nothing was lost or double-counted, and the series the
 * dashboard draws.
 *
 * Sized for long replays: MetricsTable is scanned in parallel segments with a projection (only
 * the attributes the proof and the dashboard use), and only compact per-entity arrays are kept.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { limiter } from '../../../handlers/lib/limit';
import { NAMED_QUERIES } from '../../../templates-src/lib/named-queries';
import { runNamedQueries, type QueryResult } from './athena-local';
import type { DemoContext } from './context';
import { getBytes, listKeys } from './emulators';
import type { FutureTickFindings, MalformedEventOutcome } from './faults';
import type { Produced } from './produce';
import { proveDelivery, type OnFailureEntry, type Proof } from './proof';
import { POISON_SYMBOL, type Services } from './start-services';

export interface StoreCounts {
  readonly metricsItems: number;
  readonly metricsTickItems: number;
  readonly metricsAggregateItems: number;
  readonly latestEntities: number;
  readonly rawObjects: number;
  readonly rawLines: number;
  readonly processedObjects: number;
  readonly parquetRows: number;
  readonly quarantined: number;
}

/** One stock's series as the pipeline stored them (MetricsTable ticks and the aggregator's SMA rows). */
export interface StockSeries {
  /** Epoch seconds of each tick, ascending. */
  readonly t: number[];
  readonly price: number[];
  readonly prevClose: number[];
  readonly volume: number[];
  readonly sma5: (number | null)[];
  readonly sma20: (number | null)[];
}

export interface WeatherSeries {
  readonly t: number[];
  readonly tempC: number[];
  readonly windKph: number[];
  readonly precipMm: number[];
}

export interface QueryOutcome {
  readonly stores: StoreCounts;
  readonly quarantine: readonly { code: string; reason: string }[];
  readonly queries: readonly QueryResult[];
  readonly proof: Proof;
  readonly onFailure: readonly OnFailureEntry[];
  readonly stocks: Readonly<Record<string, StockSeries>>;
  readonly weather: Readonly<Record<string, WeatherSeries>>;
}

const ENTITY_PK = /^(STOCK|WEATHER)#([^#]+)$/;
const SCAN_SEGMENTS = 4;

async function scanMetrics(
  ctx: DemoContext,
  services: Services,
  watchTs?: string,
): Promise<{ items: number; atWatchTs: number; ticks: Map<string, Record<string, unknown>[]>; sma: Map<string, Map<string, Record<string, unknown>>> }> {
  const attributes = ['pk', 'ts', 'price', 'prevClose', 'volume', 'tempC', 'windKph', 'precipMm', 'sma5', 'sma20'];
  const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
  const ticks = new Map<string, Record<string, unknown>[]>();
  const sma = new Map<string, Map<string, Record<string, unknown>>>();
  let items = 0;
  let atWatchTs = 0;
  await Promise.all(
    Array.from({ length: SCAN_SEGMENTS }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        ctx.checkAbort();
        const page = await services.readDoc.send(
          new ScanCommand({
            TableName: ctx.facts.metricsTable.tableName,
            Segment: segment,
            TotalSegments: SCAN_SEGMENTS,
            ProjectionExpression: Object.keys(names).join(', '),
            ExpressionAttributeNames: names,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          items += 1;
          if (watchTs !== undefined && item.ts === watchTs) atWatchTs += 1;
          const pk = String(item.pk);
          if (ENTITY_PK.test(pk)) {
            let list = ticks.get(pk);
            if (!list) {
              list = [];
              ticks.set(pk, list);
            }
            list.push(item);
          } else if (pk.endsWith('#SMA')) {
            const entity = pk.slice(0, -4);
            let byTs = sma.get(entity);
            if (!byTs) {
              byTs = new Map();
              sma.set(entity, byTs);
            }
            byTs.set(String(item.ts), item);
          }
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
  return { items, atWatchTs, ticks, sma };
}

/** LatestTable `ts` per pk, and `smaTs` per pk. */
async function scanLatest(ctx: DemoContext, services: Services): Promise<{ ts: Map<string, string | undefined>; smaTs: Map<string, string | undefined> }> {
  const latest = { ts: new Map<string, string | undefined>(), smaTs: new Map<string, string | undefined>() };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await services.readDoc.send(
      new ScanCommand({
        TableName: ctx.facts.latestTable.tableName,
        ProjectionExpression: '#pk, #ts, #smaTs',
        ExpressionAttributeNames: { '#pk': 'pk', '#ts': 'ts', '#smaTs': 'smaTs' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      latest.ts.set(String(item.pk), item.ts === undefined ? undefined : String(item.ts));
      latest.smaTs.set(String(item.pk), item.smaTs === undefined ? undefined : String(item.smaTs));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return latest;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export async function query(
  ctx: DemoContext,
  services: Services,
  produced: Produced,
  malformedEvents?: readonly MalformedEventOutcome[],
): Promise<QueryOutcome> {
  const { facts, state } = ctx;
  const s3 = services.readS3;
  const download = limiter(16);
  ctx.checkAbort();
  const [metrics, latest, rawKeys, quarantineKeys, processedKeys] = await Promise.all([
    scanMetrics(ctx, services, produced.futureTick?.ts),
    scanLatest(ctx, services),
    listKeys(s3, facts.rawBucket, 'raw/').then((keys) => keys.filter((k) => k.endsWith('.json.gz'))),
    listKeys(s3, facts.rawBucket, 'quarantine/'),
    listKeys(s3, facts.processedBucket, 'processed/').then((keys) => keys.filter((k) => k.endsWith('.parquet'))),
  ]);
  ctx.checkAbort();

  let rawLines = 0;
  const quarantine: { key: string; code: string; reason: string; partitionKey: string; data: string }[] = [];
  const mirror = ctx.options.keep ? ctx.outDir : await mkdtemp(path.join(os.tmpdir(), 'stockwx-demo-mirror-'));
  if (ctx.options.keep)
    await rm(path.join(ctx.outDir, 'processed'), { recursive: true, force: true }); // no stale files from an earlier --keep run
  else ctx.cleanup.addDir(mirror);
  await Promise.all([
    ...rawKeys.map((key) =>
      download(async () => {
        const text = gunzipSync(await getBytes(s3, facts.rawBucket, key)).toString('utf8');
        for (let i = text.indexOf('\n'), from = 0; ; i = text.indexOf('\n', from)) {
          const end = i === -1 ? text.length : i;
          if (end > from) rawLines += 1;
          if (i === -1) break;
          from = i + 1;
        }
      }),
    ),
    ...quarantineKeys.map((key) =>
      download(async () => {
        const q = JSON.parse((await getBytes(s3, facts.rawBucket, key)).toString('utf8')) as {
          code: string;
          reason: string;
          partitionKey: string;
          data: string;
        };
        quarantine.push({ key, code: q.code, reason: q.reason, partitionKey: q.partitionKey, data: q.data });
      }),
    ),
    ...processedKeys.map((key) =>
      download(async () => {
        const file = path.join(mirror, key);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, await getBytes(s3, facts.processedBucket, key));
      }),
    ),
  ]);
  quarantine.sort((a, b) => (a.code + a.reason < b.code + b.reason ? -1 : 1));
  ctx.checkAbort();

  const proofQueries = [
    { name: 'proof-stocks', sql: "SELECT symbol AS entity, strftime(ts, '%Y-%m-%dT%H:%M:%S.%g') AS ts, count(*) AS n FROM stocks GROUP BY ALL" },
    { name: 'proof-weather', sql: "SELECT city AS entity, strftime(ts, '%Y-%m-%dT%H:%M:%S.%g') AS ts, count(*) AS n FROM weather GROUP BY ALL" },
  ];
  const queryResults = processedKeys.length > 0 ? await runNamedQueries(mirror, ['stocks', 'weather'], [...NAMED_QUERIES, ...proofQueries]) : [];
  const parquetCounts = new Map<string, number>();
  for (const q of queryResults.filter((r) => r.name.startsWith('proof-'))) {
    const kind = q.name === 'proof-stocks' ? 'STOCK' : 'WEATHER';
    // A dataset with no files has no view: "does not exist" is zero rows, anything else is a failure.
    if (q.error && !/does not exist/i.test(q.error)) throw new Error(`DuckDB ${q.name}: ${q.error}`);
    for (const row of q.rows) parquetCounts.set(`${kind}#${String(row.entity)}|${String(row.ts)}Z`, Number(row.n));
  }
  const parquetRows = [...parquetCounts.values()].reduce((a, b) => a + b, 0);

  const tickKeys: string[] = [];
  for (const [pk, items] of metrics.ticks) for (const item of items) tickKeys.push(`${pk}|${String(item.ts)}`);
  const future = produced.futureTick;
  const futureTick: FutureTickFindings | undefined = future && {
    ...future,
    quarantined: quarantine.filter((q) => q.key.startsWith('quarantine/future-timestamp/')).map((q) => ({ key: q.key, reason: q.reason })),
    metricsItemsAtTs: metrics.atWatchTs,
    ...(latest.ts.get(future.entity) !== undefined ? { latestTs: latest.ts.get(future.entity) } : {}),
    ...(latest.smaTs.get(future.entity) !== undefined ? { latestSmaTs: latest.smaTs.get(future.entity) } : {}),
  };
  const { proof, onFailure } = proveDelivery({
    validEvents: [...ctx.replay.ticks, ...produced.extraValid, ...produced.pollerEvents],
    metricsTickKeys: tickKeys,
    parquetCounts,
    latestTs: latest.ts,
    invalid: produced.invalid,
    quarantined: quarantine,
    onFailure: state.onFailure,
    poisonSymbol: POISON_SYMBOL,
    ...(futureTick ? { futureTick } : {}),
    ...(malformedEvents ? { malformedEvents } : {}),
  });

  // --- series for the dashboard --------------------------------------------------------------
  const stocks: Record<string, StockSeries> = {};
  const weather: Record<string, WeatherSeries> = {};
  for (const [pk, items] of metrics.ticks) {
    items.sort((a, b) => (String(a.ts) < String(b.ts) ? -1 : 1));
    const [, kind, name] = ENTITY_PK.exec(pk)!;
    const t = items.map((i) => Date.parse(String(i.ts)) / 1000);
    if (kind === 'STOCK') {
      const sma = metrics.sma.get(pk);
      stocks[name!] = {
        t,
        price: items.map((i) => Number(i.price)),
        prevClose: items.map((i) => Number(i.prevClose)),
        volume: items.map((i) => Number(i.volume ?? 0)),
        sma5: items.map((i) => num(sma?.get(String(i.ts))?.sma5)),
        sma20: items.map((i) => num(sma?.get(String(i.ts))?.sma20)),
      };
    } else {
      weather[name!] = {
        t,
        tempC: items.map((i) => Number(i.tempC)),
        windKph: items.map((i) => Number(i.windKph)),
        precipMm: items.map((i) => Number(i.precipMm)),
      };
    }
  }

  return {
    stores: {
      metricsItems: metrics.items,
      metricsTickItems: tickKeys.length,
      metricsAggregateItems: metrics.items - tickKeys.length,
      latestEntities: [...latest.ts.keys()].filter((pk) => ENTITY_PK.test(pk)).length,
      rawObjects: rawKeys.length,
      rawLines,
      processedObjects: processedKeys.length,
      parquetRows,
      quarantined: quarantine.length,
    },
    quarantine: quarantine.map((q) => ({ code: q.code, reason: q.reason })),
    queries: queryResults.filter((q) => !q.name.startsWith('proof-')),
    proof,
    onFailure,
    stocks,
    weather,
  };
}

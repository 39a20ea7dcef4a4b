/**
 * Phase 2: what goes into the stream, while the consumers run.
 *
 * 1. The replay ticks through the local `POST /ingest` (the request model and mapping templates
 *    of streaming.yaml, ingest-server.ts), up to the model's maxItems per request, in date order.
 *    `--speed d` paces them: trading day i is posted at `start + i/d` seconds (a timer, not a poll).
 * 2. The poller once against demo/recorded/ with a fixed clock (by default only without --replay).
 * 3. With --faults: producer resends of every third delivery, bad records straight into the
 *    stream, out-of-order ticks, and last a poison record — last in its shard, so the batch Lambda
 *    sends to the on-failure destination (from the failed record on) holds only the poison.
 *
 * When it returns (or throws), the Kinesis feed is closed: the consumers drain what is there and end.
 */
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createHandler as createPoller } from '../../../handlers/poller/index';
import { parseCities } from '../../../handlers/poller/config';
import { createDocumentClient } from '../../../handlers/lib/dynamo';
import type { DemoContext } from './context';
import { futureTick, invalidRecords, type InvalidRecord } from './faults';
import { startIngestServer } from './ingest-server';
import { readRecordedManifest, recordedFetch } from './recorded-fetch';
import { POISON_SYMBOL, quietObservability, type Services } from './start-services';

export const OUT_OF_ORDER_SYMBOL = 'OOO';

export interface Produced {
  /** Valid events besides the replay ticks (poller events, out-of-order ticks). */
  readonly pollerEvents: readonly Record<string, unknown>[];
  readonly extraValid: readonly Record<string, unknown>[];
  readonly invalid: readonly InvalidRecord[];
  /** With faults: records the fault run added. */
  readonly faultRecords?: Readonly<Record<string, number>>;
  /** With faults: the future tick's entity and the real tick posted after it. */
  readonly futureTick?: { readonly entity: string; readonly ts: string; readonly laterTickTs: string };
}

class IngestError extends Error {
  override readonly name = 'IngestError';
}

export async function produce(ctx: DemoContext, services: Services): Promise<Produced> {
  const { facts, state, replay } = ctx;
  const pollerEvents: Record<string, unknown>[] = [];
  const extraValid: Record<string, unknown>[] = [];
  const invalid: InvalidRecord[] = [];
  let resent = 0;
  let futureTickFacts: Produced['futureTick'];
  const putRecords = async (request: { StreamName: string; Records: { Data: string; PartitionKey: string }[] }): Promise<Record<string, unknown>> => {
    const out = await services.kinesis.send(
      new PutRecordsCommand({
        StreamName: request.StreamName,
        Records: request.Records.map((r) => ({ Data: Buffer.from(r.Data, 'base64'), PartitionKey: r.PartitionKey })),
      }),
    );
    return {
      FailedRecordCount: out.FailedRecordCount ?? 0,
      Records: (out.Records ?? []).map((r) =>
        r.ErrorCode ? { ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage } : { SequenceNumber: r.SequenceNumber, ShardId: r.ShardId },
      ),
    };
  };
  const ingest = await startIngestServer(facts.ingest, putRecords);
  ctx.cleanup.addTask('POST /ingest', () => ingest.close().catch(() => undefined));
  ctx.progress.log(`  POST ${ingest.url}/ingest (request model and mapping templates of generated/streaming.yaml)`);

  /** Posts ticks; the lines of the file they came from name a rejected record. */
  const postBatch = async (ticks: readonly object[], lines?: readonly number[]): Promise<void> => {
    let pending = ticks.map((tick, i) => ({ tick, line: lines?.[i] }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const t0 = Date.now();
      const res = await fetch(`${ingest.url}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ records: pending.map((p) => p.tick) }),
      });
      const body = (await res.json()) as { failed?: { index: number; errorCode: string }[]; error?: { code: string; message: string } };
      state.timeline.count('api.requests');
      state.timeline.sample('api.latency', Date.now() - t0);
      if (res.status >= 400) state.timeline.count(res.status >= 500 ? 'api.5xx' : 'api.4xx');
      if (res.status === 200) {
        const failed = new Set((body.failed ?? []).map((f) => f.index));
        state.produced.add(pending.length - failed.size);
        pending = pending.filter((_, i) => failed.has(i));
      } else if (res.status !== 429 && res.status < 500) {
        const where = /\/records\/(\d+)/.exec(body.error?.message ?? '');
        const line = where ? pending[Number(where[1])]?.line : undefined;
        throw new IngestError(
          `POST /ingest answered ${res.status} ${body.error?.code}: ${body.error?.message}${line !== undefined ? ` (${path.basename(ctx.replayFile)} line ${line})` : ''}`,
        );
      }
      if (pending.length > 0) {
        if (attempt >= 5) throw new IngestError(`POST /ingest: ${pending.length} records still rejected after ${attempt} attempts`);
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt)); // the producer's own retry backoff
      }
    }
  };
  const putDirect = async (entries: readonly { partitionKey: string; data: string | Buffer }[]): Promise<void> => {
    const out = await services.kinesis.send(
      new PutRecordsCommand({
        StreamName: facts.stream.streamName,
        Records: entries.map((e) => ({ PartitionKey: e.partitionKey, Data: Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8') })),
      }),
    );
    if ((out.FailedRecordCount ?? 0) > 0) throw new IngestError(`PutRecords: ${out.FailedRecordCount} records rejected by the local stream`);
    state.produced.add(entries.length);
  };

  try {
    // --- the replay --------------------------------------------------------------------------
    const batchSize = Math.min(ctx.options.ingestBatchSize ?? facts.ingestMaxItems, facts.ingestMaxItems);
    const speed = ctx.options.speed ?? 0;
    ctx.progress.log(`feeding ${replay.ticks.length} replay ticks through POST /ingest${speed > 0 ? ` at ${speed} trading days/s` : ''} …`);
    state.firstPostAt = Date.now();
    const chunks: { from: number; to: number; day: number }[] = [];
    if (speed > 0) {
      // One delivery per trading day (or several when a day has more ticks than a request holds).
      let day = -1;
      let lastDate = '';
      for (let i = 0; i < replay.ticks.length; ) {
        const date = replay.ticks[i]!.ts.slice(0, 10);
        if (date !== lastDate) {
          day += 1;
          lastDate = date;
        }
        let j = i;
        while (j < replay.ticks.length && j - i < batchSize && replay.ticks[j]!.ts.startsWith(date)) j++;
        chunks.push({ from: i, to: j, day });
        i = j;
      }
    } else {
      for (let i = 0; i < replay.ticks.length; i += batchSize) chunks.push({ from: i, to: Math.min(i + batchSize, replay.ticks.length), day: 0 });
    }
    for (const [delivery, chunk] of chunks.entries()) {
      ctx.checkAbort();
      if (speed > 0) {
        const due = state.firstPostAt + (chunk.day / speed) * 1000;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        ctx.checkAbort();
      }
      const ticks = replay.ticks.slice(chunk.from, chunk.to);
      const lines = replay.lines.slice(chunk.from, chunk.to);
      await postBatch(ticks, lines);
      // --faults: the producer resends every third delivery (duplicates of the same events).
      if (ctx.faults && (ctx.options.producerResends ?? true) && delivery % 3 === 0) {
        await postBatch(ticks, lines);
        resent += ticks.length;
      }
    }

    // --- the poller --------------------------------------------------------------------------
    if (ctx.poller) {
      const recordedDir = path.join(ctx.rootDir, 'demo/recorded');
      const manifest = readRecordedManifest(recordedDir);
      const problems: string[] = [];
      const cities = parseCities(Object.keys(manifest.cities).join(','), problems);
      if (problems.length > 0) throw new Error(`demo/recorded/manifest.json: ${problems.join('; ')}`);
      const pollerKinesis = services.newKinesisClient();
      const pollerDdb: DynamoDBClient = services.newDynamoClient();
      pollerKinesis.middlewareStack.add(
        (next, context) => async (args) => {
          const result = await next(args);
          if (context.commandName === 'PutRecordsCommand') {
            for (const r of (args.input as { Records: { Data: Uint8Array }[] }).Records)
              pollerEvents.push(JSON.parse(Buffer.from(r.Data).toString('utf8')) as Record<string, unknown>);
          }
          return result;
        },
        { step: 'initialize', name: 'demoPollerCapture' },
      );
      const served = recordedFetch(recordedDir, manifest);
      const poller = createPoller({
        config: {
          streamName: facts.stream.streamName,
          symbols: Object.keys(manifest.symbols),
          cities,
          marketDataSecretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:demo-market-data',
          provider: manifest.provider,
          leaseTableName: facts.latestTable.tableName,
        },
        kinesis: pollerKinesis,
        doc: createDocumentClient(pollerDdb),
        secrets: { get: async () => JSON.stringify({ apiKey: 'recorded-responses-need-no-key' }), invalidate: () => undefined },
        fetch: served.fetch,
        now: () => new Date(manifest.clock),
        sleep: async () => undefined,
        random: () => 0.5,
        obs: quietObservability('poller', ctx.options.debug ?? false),
      });
      const t0 = Date.now();
      state.timeline.count('lambda.invocations.poller');
      const summary = await poller({ source: 'demo' }, { awsRequestId: 'demo-poll-1' });
      state.timeline.sample('lambda.duration.poller', Date.now() - t0);
      state.produced.add(summary.written);
      const trouble = [...summary.failed, ...summary.noData, ...summary.rateLimited];
      ctx.progress.log(
        `poller (recorded ${manifest.provider} + open-meteo at ${manifest.clock}): ${summary.written} events from ${summary.requests} requests${trouble.length > 0 ? `, problems: ${trouble.map((r) => `${r.entity} ${r.reason}`).join('; ')}` : ''}`,
      );
    }

    // --- faults ------------------------------------------------------------------------------
    if (ctx.faults) {
      ctx.progress.log('faults: bad records, out-of-order ticks, then a poison record, straight into the stream …');
      invalid.push(...invalidRecords(replay.symbols[0] ?? 'DEMO'));
      await putDirect(invalid.map((r) => ({ partitionKey: r.partitionKey, data: r.data })));
      const base = Date.parse('2024-03-01T00:00:00.000Z');
      const order = [1, 0, 3, 2, 5, 4, 7, 6];
      const ooo = order.map((d) => ({
        schemaVersion: 1,
        type: 'stock',
        symbol: OUT_OF_ORDER_SYMBOL,
        ts: new Date(base + d * 86_400_000).toISOString(),
        price: 50 + d,
        open: 50,
        high: 60,
        low: 40,
        prevClose: 50,
        volume: 100 + d,
        source: 'faults',
      }));
      await postBatch(ooo);
      extraValid.push(...ooo);
      // A tick dated 2999 through /ingest, then the symbol's next real day: the first must be
      // quarantined (future-timestamp) and never freeze the symbol, the second must move LatestTable.
      const symbol = replay.symbols[0] ?? 'DEMO';
      const last = replay.ticks.filter((t) => t.symbol === symbol).at(-1);
      const price = last?.price ?? 100;
      const future = futureTick(symbol, price);
      await postBatch([future]);
      invalid.push({ label: 'a tick dated 2999 (through /ingest)', partitionKey: symbol, data: JSON.stringify(future), expectedCode: 'future-timestamp' });
      const laterTickTs = new Date(Date.parse(last?.ts ?? '2024-03-01T00:00:00.000Z') + 86_400_000).toISOString();
      const later = {
        schemaVersion: 1,
        type: 'stock',
        symbol,
        ts: laterTickTs,
        price,
        open: price,
        high: price,
        low: price,
        prevClose: price,
        volume: 1,
        source: 'faults',
      };
      await postBatch([later]);
      extraValid.push(later);
      futureTickFacts = { entity: `STOCK#${symbol}`, ts: String(future.ts), laterTickTs };
      await postBatch([
        {
          schemaVersion: 1,
          type: 'stock',
          symbol: POISON_SYMBOL,
          ts: '2024-03-01T00:00:00.000Z',
          price: 1,
          open: 1,
          high: 1,
          low: 1,
          prevClose: 1,
          volume: 1,
          source: 'faults',
        },
      ]);
    }
  } finally {
    services.kinesisFeed.close();
    await ingest.close().catch(() => undefined);
  }
  return {
    pollerEvents,
    extraValid,
    invalid,
    ...(ctx.faults
      ? { faultRecords: { resent, invalid: invalid.length, 'out-of-order': extraValid.filter((e) => e.symbol === OUT_OF_ORDER_SYMBOL).length, poison: 1 } }
      : {}),
    ...(futureTickFacts ? { futureTick: futureTickFacts } : {}),
  };
}

/**
 * Validator/enricher pure core: decide, for a Kinesis batch, what lands where. No SDK, no env,
 * `now` passed in. index.ts does the I/O this plan describes.
 *
 * ## Why S3 objects hold only the batch's committed prefix
 * With `ReportBatchItemFailures`, Lambda checkpoints everything before the *lowest* failed
 * sequence number and redelivers from there (with bisect on, it splits there too). So a record
 * at or after the first failure comes back in a batch whose first sequence number is the failed
 * one — a different raw/processed key. If the first attempt's objects held those records too,
 * the Parquet rows would be duplicated. Hence:
 *
 * | outcome of this invocation                       | records in raw/processed objects      | next delivery starts at | key of next objects | duplicates? |
 * | ------------------------------------------------ | ------------------------------------- | ----------------------- | ------------------- | ----------- |
 * | every record ok (valid or quarantined)           | all valid records                     | next batch              | new                 | no          |
 * | record k fails (DynamoDB/quarantine write)       | valid records before k                | k                       | `<shard>-<seq k>`   | no (disjoint ranges) |
 * | first record fails                               | none written                          | record 0                | same key            | no          |
 * | zone write (S3) fails                            | maybe some objects written            | record 0 (all reported) | same keys: overwrite| no          |
 * | whole invocation crashes/times out after writing | written objects stay                  | record 0, or bisected   | same first key: overwritten by the first half | only until the first half succeeds* |
 *
 * *If after a crash the first half of a bisected batch keeps failing until it is sent to the
 * on-failure queue, its stale object can still hold rows of the second half: the DLQ replay
 * tool must rewrite by key, and that is the one known window for a duplicate row.
 *
 * DynamoDB writes are idempotent per record (conditional put keyed `pk`/`ts`; LatestTable only
 * moves forward), so redelivering a record that was already written changes nothing.
 *
 * A producer resend (same entity and `ts`, another sequence number) finds the MetricsTable item
 * written by the first copy: its raw line is kept (the raw zone is what arrived) but it owns no
 * Parquet row, so every tick is exactly once in the processed zone (`zoneObjects`).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS } from '../../contracts/values';
import { decodeRecord, DEFAULT_MAX_RECORD_BYTES, type QuarantineCode } from '../lib/decode';
import { batchClock, enrich, type BatchClock, type EnrichedEvent, type EnrichedStock, type EnrichedWeather } from '../lib/enrich';
import { processedKey, quarantineKey, rawKey, shardIdOf } from '../lib/keys';
import type { QuarantineObject } from '../lib/s3';

export interface PlanOptions {
  /** Records above this many bytes are quarantined as `oversized`. @default 65536 */
  readonly maxRecordBytes?: number;
  /** MetricsTable items expire this many days after their `ts`. @default 30 */
  readonly ttlDays?: number;
  /**
   * A tick whose `ts` is more than this many seconds after its Kinesis arrival is quarantined as
   * `future-timestamp`: it never becomes a latest value, a MetricsTable item or a TTL. The Lambda
   * reads it from MAX_CLOCK_SKEW_SECONDS (required). @default DEFAULT_MAX_CLOCK_SKEW_SECONDS (300, contracts/values.ts)
   */
  readonly maxClockSkewSeconds?: number;
}

export type PlannedRecord = ValidRecord | QuarantinedRecord;

export interface ValidRecord {
  readonly kind: 'valid';
  readonly sequenceNumber: string;
  readonly enriched: EnrichedEvent;
  /** The payload exactly as received (one raw NDJSON line). */
  readonly text: string;
}

export interface QuarantinedRecord {
  readonly kind: 'quarantine';
  readonly sequenceNumber: string;
  readonly code: QuarantineCode;
  readonly key: string;
  readonly object: QuarantineObject;
}

export interface BatchPlan {
  readonly shardId: string;
  readonly firstSequence: string;
  /** One per Kinesis record, in delivery order. */
  readonly records: readonly PlannedRecord[];
}

/** @param now the batch's processing time; a {@link BatchClock} avoids formatting it per record */
export function planRecord(
  record: KinesisStreamRecord,
  now: Date | BatchClock,
  options: PlanOptions = {},
  batchShardId?: string,
): ValidRecord | QuarantinedRecord {
  const shardId = batchShardId ?? shardIdOf(record.eventID);
  const { sequenceNumber, approximateArrivalTimestamp } = record.kinesis;
  const decoded = decodeRecord(record, {
    maxRecordBytes: options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    maxSkewMs: (options.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS) * 1000,
  });
  if (!decoded.ok) {
    const arrivalIso = new Date(Math.round(approximateArrivalTimestamp * 1000)).toISOString();
    return {
      kind: 'quarantine',
      sequenceNumber,
      code: decoded.code,
      key: quarantineKey(decoded.code, arrivalIso, shardId, sequenceNumber),
      object: {
        code: decoded.code,
        reason: decoded.reason,
        eventID: record.eventID,
        shardId,
        sequenceNumber,
        partitionKey: record.kinesis.partitionKey,
        approximateArrivalTimestamp,
        quarantinedAt: now instanceof Date ? now.toISOString() : now.iso,
        data: record.kinesis.data,
      },
    };
  }
  const enriched = enrich(decoded.event, { shardId, sequenceNumber, approximateArrivalTimestamp }, now);
  return { kind: 'valid', sequenceNumber, enriched, text: decoded.text };
}

/**
 * Decodes, validates and enriches every record of a batch. Every valid tick then moves
 * LatestTable in arrival order (index.ts), so its stream carries each tick and the rules engine
 * judges each one: updating only an entity's newest tick per batch would hide a drop on an
 * earlier tick of the same batch.
 */
export function planBatch(records: readonly KinesisStreamRecord[], now: Date, options: PlanOptions = {}): BatchPlan {
  const clock = batchClock(now);
  // A Kinesis batch comes from one shard: derive its ID once.
  const shardId = records[0] ? shardIdOf(records[0].eventID) : 'none';
  const planned = records.map((r) => planRecord(r, clock, options, shardId));
  const first = records[0];
  return {
    shardId,
    firstSequence: first?.kinesis.sequenceNumber ?? '0',
    records: planned,
  };
}

/**
 * The MetricsTable item of an enriched event (pk entity, sk ts, TTL `expiresAt`): the event's
 * fields, derived fields and lineage with times as ISO strings (`ingestTs`, `processTs`).
 */
export function metricsItem(e: EnrichedEvent, ttlDays = 30): Record<string, unknown> {
  const { dataset: _dataset, tsMs, ingestMs: _ingestMs, processMs: _processMs, ...item } = e;
  return { ...item, expiresAt: Math.floor(tsMs / 1000) + ttlDays * 86_400 };
}

/** The enricher-owned LatestTable attributes (contracts.ts LatestItem), `ts` excluded (it is the version). */
export function latestAttributes(e: EnrichedEvent): Record<string, unknown> {
  const lineage = { source: e.source, schemaVersion: e.schemaVersion, ingestTs: e.ingestTs, processTs: e.processTs, sequenceNumber: e.sequenceNumber };
  if (e.type === 'stock') {
    return {
      type: e.type,
      symbol: e.symbol,
      price: e.price,
      prevClose: e.prevClose,
      change: e.change,
      changePct: e.changePct,
      open: e.open,
      high: e.high,
      low: e.low,
      volume: e.volume,
      ...lineage,
    };
  }
  return { type: e.type, city: e.city, tempC: e.tempC, humidity: e.humidity, windKph: e.windKph, precipMm: e.precipMm, pressureHpa: e.pressureHpa, ...lineage };
}

/**
 * How many records, from the start of the batch, Lambda will consider done: everything before
 * the first failed sequence number (see the decision table above).
 */
export function committedPrefixLength(plan: BatchPlan, failedSequenceNumbers: ReadonlySet<string>): number {
  const i = plan.records.findIndex((r) => failedSequenceNumbers.has(r.sequenceNumber));
  return i === -1 ? plan.records.length : i;
}

export interface RawObject {
  readonly key: string;
  readonly lines: readonly string[];
}

export type ProcessedObject =
  | { readonly key: string; readonly dataset: 'stocks'; readonly rows: readonly EnrichedStock[] }
  | { readonly key: string; readonly dataset: 'weather'; readonly rows: readonly EnrichedWeather[] };

/**
 * The raw and processed objects of the first `committed` records: one per dataset and UTC day
 * of `ts`, all named after the batch's shard and first sequence number.
 */
export function zoneObjects(
  plan: BatchPlan,
  committed: number,
  producerDuplicates: ReadonlySet<string> = new Set(),
): { raw: RawObject[]; processed: ProcessedObject[] } {
  const groups = new Map<string, { dataset: 'stocks' | 'weather'; day: string; lines: string[]; rows: EnrichedEvent[] }>();
  // Consecutive records almost always share a group: reuse it without building its id.
  let last: { dataset: 'stocks' | 'weather'; day: string; lines: string[]; rows: EnrichedEvent[] } | undefined;
  const end = Math.min(committed, plan.records.length);
  for (let i = 0; i < end; i++) {
    const r = plan.records[i]!;
    if (r.kind !== 'valid') continue;
    let g = last;
    if (g === undefined || g.dataset !== r.enriched.dataset || !r.enriched.ts.startsWith(g.day)) {
      const day = r.enriched.ts.slice(0, 10);
      const id = `${r.enriched.dataset}/${day}`;
      g = groups.get(id);
      if (!g) groups.set(id, (g = { dataset: r.enriched.dataset, day, lines: [], rows: [] }));
      last = g;
    }
    g.lines.push(r.text); // raw keeps what arrived, resends included
    // A producer resend (same entity and ts, another sequence number) owns no Parquet row: the
    // record that first wrote MetricsTable does (RELIABILITY 2).
    if (!producerDuplicates.has(r.sequenceNumber)) g.rows.push(r.enriched);
  }
  const ordered = [...groups.values()].sort((a, b) => (a.dataset + a.day < b.dataset + b.day ? -1 : 1));
  return {
    raw: ordered.map((g) => ({ key: rawKey(g.dataset, g.day, plan.shardId, plan.firstSequence), lines: g.lines })),
    processed: ordered
      .filter((g) => g.rows.length > 0)
      .map((g) =>
        g.dataset === 'stocks'
          ? { key: processedKey('stocks', g.day, plan.shardId, plan.firstSequence), dataset: 'stocks', rows: g.rows as EnrichedStock[] }
          : { key: processedKey('weather', g.day, plan.shardId, plan.firstSequence), dataset: 'weather', rows: g.rows as EnrichedWeather[] },
      ),
  };
}

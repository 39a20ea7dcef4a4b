/**
 * The end-of-run proof of `npm run demo -- --faults` (DESIGN §9): from what went in and what the
 * stores hold, decide whether anything was lost, double-counted or misplaced. Pure: run.ts
 * gathers the inputs (scans, S3 listings, a DuckDB count per (entity, ts)).
 *
 * | check                                   | passes when                                                   |
 * | --------------------------------------- | ------------------------------------------------------------- |
 * | MetricsTable                            | tick items = the distinct valid (entity, ts) that went in     |
 * | Parquet rows                            | every valid (entity, ts) exactly once, nothing else           |
 * | LatestTable                             | each entity holds its newest ts (out-of-order ticks never win) |
 * | quarantine                              | every injected invalid record, by code; nothing else          |
 * | on-failure destinations                 | empty, or only the injected poison record                     |
 * | poison                                  | never in MetricsTable (all its writes fail)                   |
 */
import type { FailedBatch } from './event-source';

export interface OnFailureEntry {
  readonly consumer: 'enricher' | 'aggregator' | 'rules';
  readonly condition: FailedBatch<unknown>['condition'];
  /** `<partitionKey>@<sequence>` (Kinesis) or `<pk>@<sequence>` (LatestTable stream). */
  readonly keys: readonly string[];
  readonly lastError?: string;
  readonly attempts: number;
  /** Why this entry is expected, or undefined when it is not. */
  readonly explanation?: string;
}

export interface Proof {
  readonly ok: boolean;
  readonly validRecords: number;
  readonly missingFromMetrics: readonly string[];
  readonly unexpectedInMetrics: readonly string[];
  readonly missingFromParquet: readonly string[];
  readonly duplicatedInParquet: readonly { key: string; count: number }[];
  readonly unexpectedInParquet: readonly string[];
  readonly latestNotNewest: readonly string[];
  readonly invalidInjected: number;
  readonly quarantinedByCode: Readonly<Record<string, number>>;
  readonly quarantineMissing: readonly string[];
  readonly onFailureUnexplained: number;
  /** One line per failed check; empty when `ok`. */
  readonly problems: readonly string[];
}

export interface ProofInput {
  /** Every valid event that went in (duplicates allowed: they count once). */
  readonly validEvents: readonly { type?: unknown; symbol?: unknown; city?: unknown; ts?: unknown }[];
  /** MetricsTable tick items as `<pk>|<ts>`. */
  readonly metricsTickKeys: readonly string[];
  /** Parquet rows per `<pk>|<ts>`. */
  readonly parquetCounts: ReadonlyMap<string, number>;
  /** LatestTable `ts` per entity pk. */
  readonly latestTs: ReadonlyMap<string, string | undefined>;
  readonly invalid: readonly { readonly expectedCode: string }[];
  readonly quarantined: readonly { readonly code: string }[];
  readonly onFailure: readonly OnFailureEntry[];
  /** Symbol of the injected poison record, if any. */
  readonly poisonSymbol?: string;
}

/** `STOCK#AAPL|2024-03-01T00:00:00.000Z`: the entity pk and the millisecond-ISO ts, as the stores key them. */
export function eventKey(e: { type?: unknown; symbol?: unknown; city?: unknown; ts?: unknown }): string {
  const pk = e.type === 'weather' ? `WEATHER#${String(e.city)}` : `STOCK#${String(e.symbol)}`;
  return `${pk}|${new Date(Date.parse(String(e.ts))).toISOString()}`;
}

const sample = (list: readonly string[]): string => list.slice(0, 3).join(', ');

export function proveDelivery(input: ProofInput): { proof: Proof; onFailure: OnFailureEntry[] } {
  const expected = new Set(input.validEvents.map(eventKey));
  const inMetrics = new Set(input.metricsTickKeys);
  const missingFromMetrics = [...expected].filter((k) => !inMetrics.has(k));
  const unexpectedInMetrics = [...inMetrics].filter((k) => !expected.has(k));
  const missingFromParquet = [...expected].filter((k) => !input.parquetCounts.has(k));
  const duplicatedInParquet = [...input.parquetCounts].filter(([, n]) => n > 1).map(([key, count]) => ({ key, count }));
  const unexpectedInParquet = [...input.parquetCounts.keys()].filter((k) => !expected.has(k));

  const newest = new Map<string, string>();
  for (const key of expected) {
    const [pk, ts] = key.split('|') as [string, string];
    if ((newest.get(pk) ?? '') < ts) newest.set(pk, ts);
  }
  const latestNotNewest = [...newest]
    .filter(([pk, ts]) => input.latestTs.get(pk) !== ts)
    .map(([pk, ts]) => `${pk}: latest ${String(input.latestTs.get(pk))} ≠ newest ${ts}`);

  const quarantinedByCode: Record<string, number> = {};
  for (const q of input.quarantined) quarantinedByCode[q.code] = (quarantinedByCode[q.code] ?? 0) + 1;
  const expectedByCode: Record<string, number> = {};
  for (const r of input.invalid) expectedByCode[r.expectedCode] = (expectedByCode[r.expectedCode] ?? 0) + 1;
  const quarantineMissing = Object.entries(expectedByCode)
    .filter(([code, n]) => (quarantinedByCode[code] ?? 0) < n)
    .map(([code, n]) => `${code}: ${quarantinedByCode[code] ?? 0} of ${n}`);

  const poisonPk = input.poisonSymbol ? `STOCK#${input.poisonSymbol}` : undefined;
  const isPoison = (k: string): boolean =>
    poisonPk !== undefined && (k.startsWith(`${input.poisonSymbol}@`) || k.startsWith(`${poisonPk}@`) || k.startsWith(`${poisonPk}#`));
  const onFailure = input.onFailure.map(
    (entry): OnFailureEntry =>
      entry.keys.length > 0 && entry.keys.every(isPoison)
        ? {
            ...entry,
            explanation: `the injected poison record (every write for ${poisonPk} fails): ${entry.condition} after ${entry.attempts} attempts, as the ESM's MaximumRetryAttempts says`,
          }
        : entry,
  );
  const unexplained = onFailure.filter((e) => !e.explanation).length;
  const poisonInMetrics = poisonPk !== undefined && [...inMetrics].some((k) => k.startsWith(`${poisonPk}|`));

  const problems: string[] = [];
  if (missingFromMetrics.length > 0) problems.push(`${missingFromMetrics.length} valid records missing from MetricsTable (e.g. ${sample(missingFromMetrics)})`);
  if (unexpectedInMetrics.length > 0) problems.push(`${unexpectedInMetrics.length} unexpected MetricsTable items (e.g. ${sample(unexpectedInMetrics)})`);
  if (missingFromParquet.length > 0)
    problems.push(`${missingFromParquet.length} valid records missing from the Parquet rows (e.g. ${sample(missingFromParquet)})`);
  if (duplicatedInParquet.length > 0)
    problems.push(
      `${duplicatedInParquet.length} records more than once in the Parquet rows (e.g. ${sample(duplicatedInParquet.map((d) => `${d.key} ×${d.count}`))})`,
    );
  if (unexpectedInParquet.length > 0) problems.push(`${unexpectedInParquet.length} unexpected Parquet rows (e.g. ${sample(unexpectedInParquet)})`);
  if (latestNotNewest.length > 0) problems.push(`LatestTable does not hold the newest tick: ${latestNotNewest.slice(0, 3).join('; ')}`);
  if (quarantineMissing.length > 0) problems.push(`invalid records not quarantined: ${quarantineMissing.join(', ')}`);
  if (input.quarantined.length > input.invalid.length)
    problems.push(`${input.quarantined.length - input.invalid.length} records quarantined that were not injected as invalid`);
  if (unexplained > 0) problems.push(`${unexplained} on-failure entries not explained by an injected poison record`);
  if (poisonInMetrics) problems.push('the poison record reached MetricsTable although every write for it fails');

  return {
    proof: {
      ok: problems.length === 0,
      validRecords: expected.size,
      missingFromMetrics,
      unexpectedInMetrics,
      missingFromParquet,
      duplicatedInParquet,
      unexpectedInParquet,
      latestNotNewest,
      invalidInjected: input.invalid.length,
      quarantinedByCode,
      quarantineMissing,
      onFailureUnexplained: unexplained,
      problems,
    },
    onFailure,
  };
}

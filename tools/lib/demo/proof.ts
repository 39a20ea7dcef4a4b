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
 * | future tick (ts 2999, through /ingest)  | exactly one `quarantine/future-timestamp/` object with its reason; no MetricsTable item at its ts; the entity's LatestTable `ts`/`smaTs` not at it, and at the later real tick |
 * | malformed Lambda events                 | each rejects with MalformedEventError, a one-line `<fn>: malformed <Kind> event: …`, and the stores unchanged |
 */
import type { FailedBatch } from './event-source';
import { malformedEventProblem, type FutureTickFindings, type MalformedEventOutcome } from './faults';

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
  /** With faults: the future tick's checks (empty `problems` when all hold). */
  readonly futureTick?: FutureTickFindings & { readonly problems: readonly string[] };
  /** With faults: each malformed event's outcome and what is wrong with it (undefined when nothing). */
  readonly malformedEvents?: readonly (MalformedEventOutcome & { readonly problem?: string })[];
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
  /** With faults: what the stores say about the injected future tick. */
  readonly futureTick?: FutureTickFindings;
  /** With faults: how each function answered its malformed events. */
  readonly malformedEvents?: readonly MalformedEventOutcome[];
}

/** The future tick's checks (see the table above), one line per failure. */
export function futureTickProblems(f: FutureTickFindings): string[] {
  const problems: string[] = [];
  const year = f.ts.slice(0, 4);
  if (f.quarantined.length !== 1)
    problems.push(`${f.quarantined.length} objects under quarantine/future-timestamp/ for the future tick ${f.ts} (expected exactly 1)`);
  for (const q of f.quarantined) if (!q.reason.includes(f.ts)) problems.push(`${q.key}: its reason does not name the tick's ts ${f.ts} ('${q.reason}')`);
  if (f.metricsItemsAtTs > 0) problems.push(`${f.metricsItemsAtTs} MetricsTable items with the future tick's ts ${f.ts}`);
  if (f.latestTs?.startsWith(year)) problems.push(`LatestTable ${f.entity} ts is the future tick's ${f.latestTs}`);
  if (f.latestSmaTs?.startsWith(year)) problems.push(`LatestTable ${f.entity} smaTs is the future tick's ${f.latestSmaTs}`);
  if (f.latestTs !== f.laterTickTs || f.latestSmaTs !== f.laterTickTs)
    problems.push(
      `the real tick ${f.laterTickTs} after the future one did not move LatestTable ${f.entity} (ts ${String(f.latestTs)}, smaTs ${String(f.latestSmaTs)})`,
    );
  return problems;
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
  const futureTick = input.futureTick ? { ...input.futureTick, problems: futureTickProblems(input.futureTick) } : undefined;
  if (futureTick) problems.push(...futureTick.problems.map((p) => `future tick: ${p}`));
  const malformedEvents = input.malformedEvents?.map((o) => {
    const problem = malformedEventProblem(o);
    return problem === undefined ? o : { ...o, problem };
  });
  for (const o of malformedEvents ?? []) if ('problem' in o && o.problem) problems.push(`malformed event: ${o.problem}`);

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
      ...(futureTick ? { futureTick } : {}),
      ...(malformedEvents ? { malformedEvents } : {}),
      problems,
    },
    onFailure,
  };
}

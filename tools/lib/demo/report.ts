/**
 * What `npm run demo` prints after a run: the named queries as tables, the alerts (and what the
 * notifier would post to Slack), the summary, and with --faults the proof.
 */
import path from 'node:path';
import { formatTable } from './athena-local';
import type { DemoResult } from './run';

/** The printed report: queries as tables, alerts, summary, and (with faults) the proof. */
export function formatReport(result: DemoResult, options: { quiet?: boolean; faults?: boolean; rootDir?: string } = {}): string[] {
  const out: string[] = [];
  const rel = (p: string) => (options.rootDir ? path.relative(options.rootDir, p) || p : p);
  if (!options.quiet) {
    for (const q of result.queries) {
      out.push('', `Athena named query ${q.name} (DuckDB over the processed zone):`);
      out.push(
        q.error
          ? `  error: ${q.error}`
          : formatTable(q.columns, q.rows)
              .split('\n')
              .map((l) => `  ${l}`)
              .join('\n'),
      );
    }
    out.push('', `Alerts (${result.alerts.length}), written to ${rel(result.alertsFile)}:`);
    for (const a of result.alerts) out.push(`  ${a.rule.padEnd(13)} ${a.entity.padEnd(18)} ${a.ts}  ${a.message}`);
    if (result.slackPosts.length > 0) {
      out.push('', `Slack (the notifier would post ${result.slackPosts.length}):`);
      for (const p of result.slackPosts) out.push(`  ${p.split('\n')[0]}`);
    }
  }
  const s = result.stores;
  const byRule: Record<string, number> = {};
  for (const a of result.alerts) byRule[a.rule] = (byRule[a.rule] ?? 0) + 1;
  const byCode: Record<string, number> = {};
  for (const q of result.quarantine) byCode[q.code] = (byCode[q.code] ?? 0) + 1;
  out.push(
    '',
    'Summary',
    `  records in               ${result.recordsIn} (replay ${result.replayTicks.length}${result.skippedRows.length > 0 ? ` of ${result.replayTicks.length + result.skippedRows.length} rows` : ''}, poller ${result.pollerEvents.length}${Object.entries(
      result.faultRecords ?? {},
    )
      .map(([k, v]) => `, ${k} ${v}`)
      .join('')})`,
    `  MetricsTable items       ${s.metricsItems} (${s.metricsTickItems} ticks, ${s.metricsAggregateItems} aggregates)`,
    `  LatestTable entities     ${s.latestEntities}`,
    `  raw zone                 ${s.rawObjects} objects, ${s.rawLines} lines`,
    `  processed zone           ${s.processedObjects} Parquet objects, ${s.parquetRows} rows`,
    `  quarantined              ${s.quarantined}${
      s.quarantined > 0
        ? ` (${Object.entries(byCode)
            .map(([c, n]) => `${c}: ${n}`)
            .join(', ')})`
        : ''
    }`,
    ...result.quarantine.map((q) => `    - ${q.code}: ${q.reason}`),
    `  alerts by rule           ${
      Object.entries(byRule)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ') || 'none'
    } (${rel(result.alertsFile)})`,
    `  on-failure queue         ${result.onFailure.length} entr${result.onFailure.length === 1 ? 'y' : 'ies'}`,
    ...result.onFailure.map(
      (e) =>
        `    - ${e.consumer}: ${e.keys.length} record(s) ${e.keys.slice(0, 3).join(', ')}: ${e.explanation ?? `UNEXPLAINED (${e.lastError ?? e.condition})`}`,
    ),
    `  event-source mappings    ${Object.entries(result.esm)
      .map(
        ([n, e]) =>
          `${n} ${e.invocations} invocations/${e.retries} retries/${e.bisections} bisections/${Math.round(result.handlerBusyMs[n] ?? 0)} ms in the handler`,
      )
      .join('; ')}`,
    `  end-to-end latency       p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms (Kinesis arrival → MetricsTable write, ${result.latencyMs.samples} records)`,
    `  throughput               ${Math.round(result.throughputPerSecond)} replay ticks/s end to end (first POST /ingest until enricher, aggregator and rules engine drained: ${(result.replayMs / 1000).toFixed(2)} s)`,
    `  wall time                ${(result.elapsedMs / 1000).toFixed(1)} s (${Object.entries(result.phaseMs)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
      .join(', ')})`,
    `  dashboard                ${rel(result.dashboardFile)}`,
  );
  if (result.faults)
    out.push(
      `  faults injected          ${Object.entries(result.faults)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  const p = result.proof;
  if (options.faults || !p.ok) {
    out.push(
      '',
      `Proof (${p.ok ? 'PASSED' : 'FAILED'})`,
      `  valid records            ${p.validRecords}`,
      `  missing from MetricsTable ${p.missingFromMetrics.length}, unexpected ${p.unexpectedInMetrics.length}`,
      `  missing from Parquet     ${p.missingFromParquet.length}, duplicated ${p.duplicatedInParquet.length}, unexpected ${p.unexpectedInParquet.length}`,
      `  LatestTable not newest   ${p.latestNotNewest.length}`,
      `  invalid injected         ${p.invalidInjected}, quarantined ${Object.values(p.quarantinedByCode).reduce((a, b) => a + b, 0)} (${
        Object.entries(p.quarantinedByCode)
          .map(([c, n]) => `${c}: ${n}`)
          .join(', ') || 'none'
      })`,
      `  on-failure unexplained   ${p.onFailureUnexplained}`,
      ...(p.futureTick
        ? [
            `  future tick ${p.futureTick.ts} ${p.futureTick.problems.length === 0 ? 'ok' : 'FAILED'}: ${p.futureTick.quarantined.length} quarantine/future-timestamp/ object, ${p.futureTick.metricsItemsAtTs} MetricsTable items at its ts, LatestTable ${p.futureTick.entity} ts ${String(p.futureTick.latestTs)} smaTs ${String(p.futureTick.latestSmaTs)} (the later real tick ${p.futureTick.laterTickTs})`,
          ]
        : []),
      ...(p.malformedEvents ?? []).map(
        (o) =>
          `  malformed event ${o.problem ? 'FAILED' : 'ok'}: ${o.fn}(${o.label}) → ${o.errorName ?? 'resolved'}${o.message ? `: ${o.message.split('\n')[0]}` : ''}${o.storeChanges.length > 0 ? ` [stores: ${o.storeChanges.join('; ')}]` : ' [stores unchanged]'}`,
      ),
      ...p.problems.map((x) => `  ✗ ${x}`),
    );
  }
  return out;
}

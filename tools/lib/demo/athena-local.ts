/**
 * Runs the Athena named queries of analytics.yaml on DuckDB over the Parquet files of a local
 * processed zone, the way Athena sees them: one view per dataset (`stocks`, `weather`, the
 * folder names the Glue crawler turns into tables), hive partitions year/month/day typed
 * explicitly (DuckDB would otherwise read `month=03` as VARCHAR; DESIGN §11). The session setup
 * and the views are templates-src/lib/named-queries.ts's (DUCKDB_SESSION_SETUP, duckdbViewSql):
 * one definition for the demo, the tests and the analytics stack.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { DUCKDB_SESSION_SETUP, duckdbViewSql, type ProcessedDataset } from '../../../templates-src/lib/named-queries';

/**
 * DuckDB's memory cap for the session. Without one it lets its buffers grow to 80 % of the
 * machine's memory, and reading many small Parquet files grows them fast: 9,153 files (113,400
 * rows: three copies of a 3-year × 50-symbol replay's processed zone) peaked at 1,142 MiB of RSS
 * uncapped and at 406 MiB with this cap, in the same time. The loaded tables of such a replay need
 * about 40 MiB; beyond the cap DuckDB spills into a folder inside `processedRoot` (removed after
 * the queries, and with the mirror by the demo's cleanup) instead of failing.
 */
export const DUCKDB_MEMORY_LIMIT = '128MB';

export interface NamedQuery {
  readonly name: string;
  readonly description?: string;
  readonly sql: string;
}

export interface QueryResult {
  readonly name: string;
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
  readonly error?: string;
}

/**
 * @param processedRoot directory holding `processed/<dataset>/year=…/month=…/day=…/*.parquet`
 *   (i.e. the bucket's content mirrored to disk)
 * @param datasets dataset folder names to expose as views
 */
export async function runNamedQueries(processedRoot: string, datasets: readonly string[], queries: readonly NamedQuery[]): Promise<QueryResult[]> {
  const spill = path.join(processedRoot, '.duckdb-spill');
  await mkdir(spill, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const statement of DUCKDB_SESSION_SETUP) await connection.run(statement);
    await connection.run(`SET memory_limit = '${DUCKDB_MEMORY_LIMIT}'`);
    await connection.run(`SET temp_directory = '${spill.replace(/'/g, "''")}'`);
    // One thread: a replayed history is thousands of small Parquet files (one per day and batch),
    // and each DuckDB thread reading them holds its own buffers: on 2 cores, 2 threads took 2.5x
    // the memory (740 vs 297 MiB for 2,148 files) and were not faster.
    await connection.run('SET threads = 1');
    for (const dataset of datasets) {
      if (!existsSync(path.join(processedRoot, 'processed', dataset))) continue;
      await connection.run(duckdbViewSql(dataset as ProcessedDataset, processedRoot));
      // Read the files once: every query would otherwise open each of the (many, small) Parquet
      // files again. The view keeps its name and columns, so the queries run unchanged.
      await connection.run(`CREATE TABLE loaded_${dataset} AS SELECT * FROM ${dataset}`);
      await connection.run(`CREATE OR REPLACE VIEW ${dataset} AS SELECT * FROM loaded_${dataset}`);
    }
    const results: QueryResult[] = [];
    for (const q of queries) {
      try {
        const reader = await connection.runAndReadAll(q.sql);
        results.push({ name: q.name, columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] });
      } catch (error) {
        results.push({ name: q.name, columns: [], rows: [], error: (error as Error).message.split('\n')[0] ?? String(error) });
      }
    }
    return results;
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(spill, { recursive: true, force: true });
  }
}

/** A plain-text table: header, rule, rows; numbers right-aligned and rounded to 4 decimals. */
export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[], maxRows = 20): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/\.?0+$/, '');
    const n =
      typeof v === 'string' && /^-?\d+\.\d{5,}$/.test(v)
        ? Number(v)
            .toFixed(4)
            .replace(/\.?0+$/, '')
        : String(v);
    return n;
  };
  const shown = rows.slice(0, maxRows).map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...shown.map((r) => r[i]!.length)));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === 'number' || /^-?\d+(\.\d+)?$/.test(String(r[c]))));
  const line = (cells: readonly string[]) =>
    cells
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...shown.map(line)];
  if (rows.length > maxRows) out.push(`… ${rows.length - maxRows} more rows`);
  return out.join('\n');
}

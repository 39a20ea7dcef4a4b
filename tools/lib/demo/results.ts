/**
 * Phase 5: the run's files in `.demo/`, and what a failed run leaves there.
 *
 * | outcome                          | alerts.ndjson, dashboard.html | run.json                                  |
 * | -------------------------------- | ----------------------------- | ----------------------------------------- |
 * | before the run starts            | removed (an older run's files never pass for this one's) | removed        |
 * | finished, proof passed           | written                       | `{ "status": "ok", … }`                   |
 * | finished, proof failed (exit 1)  | written, the dashboard says FAILED | `{ "status": "failed", "problems": … }` |
 * | broke or interrupted             | not written (or removed)      | `{ "status": "failed" \| "interrupted", "error": … }` |
 *
 * Files are written to a temporary name and renamed, so a run stopped mid-write never leaves half
 * a file under the real name.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Alert } from '../../../handlers/lib/contracts';

export const RESULT_FILES = { alerts: 'alerts.ndjson', dashboard: 'dashboard.html', run: 'run.json', summary: 'summary.json' } as const;

export async function writeAtomic(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

/** Removes an earlier run's result files (not a --keep mirror: that is replaced when written). */
export async function clearResults(outDir: string): Promise<void> {
  await Promise.all(Object.values(RESULT_FILES).map((f) => rm(path.join(outDir, f), { force: true })));
}

/** One JSON object per alert (DESIGN §8): rule, entity, ts, the values that triggered it, the message. */
export function alertsNdjson(alerts: readonly Alert[]): string {
  return (
    alerts.map((a) => JSON.stringify({ rule: a.rule, entity: a.entity, ts: a.ts, values: a.values, message: a.message })).join('\n') +
    (alerts.length > 0 ? '\n' : '')
  );
}

export interface RunRecord {
  readonly status: 'ok' | 'failed' | 'interrupted';
  readonly replayFile: string;
  readonly finishedAt: string;
  readonly error?: string;
  readonly problems?: readonly string[];
  readonly alerts?: number;
}

export async function writeRunRecord(outDir: string, record: RunRecord): Promise<void> {
  await writeAtomic(path.join(outDir, RESULT_FILES.run), `${JSON.stringify(record, null, 2)}\n`);
}

/** After a run broke: no alerts or dashboard that could pass for its results, and a run.json saying why. */
export async function markFailed(outDir: string, record: RunRecord): Promise<void> {
  await rm(path.join(outDir, RESULT_FILES.alerts), { force: true });
  await rm(path.join(outDir, RESULT_FILES.dashboard), { force: true });
  await writeRunRecord(outDir, record);
}

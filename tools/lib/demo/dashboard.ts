import path from 'node:path';
import type { DemoContext } from './context';
import { RESULT_FILES, writeAtomic } from './results';
import type { DemoResult } from './run';

export async function writeDashboard(ctx: DemoContext, result: DemoResult): Promise<string> {
  const file = path.join(ctx.outDir, RESULT_FILES.dashboard);
  await writeAtomic(file, `<!doctype html><title>demo</title><pre>${result.alerts.length} alerts</pre>`);
  return file;
}

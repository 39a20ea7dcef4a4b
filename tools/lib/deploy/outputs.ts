/** Stack outputs: written to `.deploy/<stack>-outputs.json` (sorted) and printed. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Output as StackOutput } from '@aws-sdk/client-cloudformation';

export function outputsRecord(outputs: readonly StackOutput[] | undefined): Record<string, string> {
  const pairs: [string, string][] = (outputs ?? []).filter((o) => o.OutputKey).map((o) => [o.OutputKey!, o.OutputValue ?? '']);
  return Object.fromEntries(pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export async function writeOutputs(dir: string, stackName: string, outputs: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${stackName}-outputs.json`);
  await writeFile(file, `${JSON.stringify(outputs, null, 2)}\n`);
  return file;
}

export function formatOutputs(outputs: Record<string, string>): string {
  const keys = Object.keys(outputs);
  if (keys.length === 0) return 'Outputs: (none)\n';
  const width = Math.max(...keys.map((k) => k.length));
  return `Outputs:\n${keys.map((k) => `  ${k.padEnd(width)}  ${outputs[k]}`).join('\n')}\n`;
}

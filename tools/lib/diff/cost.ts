/**
 * The monthly cost delta of a template change, for the diff report: both sides estimated with
 * the same parameter files (from the working tree) by the cost engine, compared with costDelta.
 * A side that cannot be estimated (a base from before the templates had what the parameter file
 * sets) gives a one-line reason instead of failing the diff.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { costDelta, estimate, renderDelta, rootValuesOf, type CostDelta } from '../cost';
import type { Json } from '../grade/tree';
import { deploysSecondary } from '../params';

export interface CostSection {
  /** The parameter file, as named in the report (`parameters/dev.json`). */
  readonly params: string;
  readonly region?: string;
  readonly delta?: CostDelta;
  /** Why there is no delta. */
  readonly error?: string;
}

/** Every `parameters/*.json` but the schema, sorted; none when the directory does not exist. */
export async function defaultParameterFiles(cwd: string): Promise<string[]> {
  const entries = await readdir(path.join(cwd, 'parameters')).catch(() => [] as string[]);
  return entries
    .filter((f) => f.endsWith('.json') && f !== 'schema.json')
    .sort()
    .map((f) => path.join('parameters', f));
}

export async function costSections(
  cwd: string,
  before: ReadonlyMap<string, Json>,
  after: ReadonlyMap<string, Json>,
  parameterFiles: readonly string[],
): Promise<CostSection[]> {
  const out: CostSection[] = [];
  for (const params of parameterFiles) {
    try {
      const { file, displayName, values } = await rootValuesOf({ params, cwd });
      const side = (templates: ReadonlyMap<string, Json>) =>
        estimate({
          templates,
          rootValues: values,
          region: file.regions.primary,
          stackName: file.stackName,
          secondaryFile: deploysSecondary(file) && templates.has('secondary.yaml') ? 'secondary.yaml' : false,
        });
      if (!before.has('root.yaml') || !after.has('root.yaml')) {
        out.push({ params: displayName, error: 'no root.yaml on both sides' });
        continue;
      }
      out.push({ params: displayName, region: file.regions.primary, delta: costDelta(side(before), side(after)) });
    } catch (error) {
      out.push({ params, error: (error as Error).message.split('\n')[0]! });
    }
  }
  return out;
}

/** The report's cost section as lines (Markdown or plain text). */
export function renderCostSections(sections: readonly CostSection[], markdown: boolean): string[] {
  if (sections.length === 0) return [];
  const lines = [markdown ? '### Monthly cost (offline estimate, list prices, `npm run cost`)' : 'monthly cost (offline estimate, list prices):', ''];
  for (const s of sections) {
    if (!s.delta) {
      lines.push(`${markdown ? '- ' : '  '}${markdown ? `**${s.params}**` : s.params}: not estimated (${s.error})`);
      continue;
    }
    const [total, ...rest] = renderDelta(s.delta, { markdown });
    const unchanged = s.delta.lines.length === 0 && s.delta.newlyUnpriced.length === 0;
    lines.push(
      `${markdown ? `**${s.params}** (${s.region})` : `${s.params} (${s.region})`}: ${unchanged ? `no change (${total!.replace(/^.*→ /, '').replace(/;.*$/, '')}/month)` : total}`,
    );
    lines.push(...rest.map((l) => (markdown ? l : `  ${l}`)));
    lines.push('');
  }
  while (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

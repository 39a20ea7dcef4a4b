/** Shared by the cost tests: the generated templates, once per file, and parameter files as root values. */
import path from 'node:path';
import { loadTemplates, rootValuesOf } from '../../../tools/lib/cost';
import type { Json } from '../../../tools/lib/grade/tree';

const REPO = path.resolve(__dirname, '../../..');
let generated: Promise<Map<string, Json>> | undefined;

/** generated/*.yaml, parsed (a fresh deep copy each call, so tests may edit it). */
export async function generatedTemplates(): Promise<Map<string, Json>> {
  generated ??= loadTemplates(path.join(REPO, 'generated'));
  const t = await generated;
  return new Map([...t].map(([k, v]) => [k, structuredClone(v)]));
}

/** The root values of parameters/<name>.json as the deploy tool resolves them. */
export async function rootValues(name: string, overrides: string[] = []): Promise<Record<string, string>> {
  return (await rootValuesOf({ params: name, cwd: REPO, overrides })).values;
}

export { REPO };

/**
 * The cost engine as a library: `npm run cost`, `npm run diff:templates` and (later) the deploy
 * tool's change report all go through here.
 *
 * ```ts
 * const run = await estimateParameterFile({ params: 'dev.json' });      // estimate + top drivers
 * const delta = costDelta(before, after);                                // two estimates → lines
 * renderDelta(delta);                                                    // "+$65.70/month: 2 NAT gateways in AppVpc"
 * ```
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { deploysSecondary, displayPath, loadParameterFile, parseOverrides, resolveParameterFile, resolveRootParameters, type ParameterFile } from '../params';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import type { Json } from '../grade/tree';
import { ParameterFileError } from '../deploy/errors';
import { BUDGET_PARAMETER, budgetAdvice, type BudgetAdvice } from './budget';
import { topDrivers, type Driver } from './drivers';
import { estimate, type Estimate, type EstimateInput } from './estimate';

export { estimate, pricedTypes, PRICERS, type Estimate, type EstimateInput, type ResourceEstimate, type StackEstimate } from './estimate';
export { topDrivers, fileKeysOf, plural, type Driver, type Remedy } from './drivers';
export { costDelta, renderDelta, type CostDelta, type DeltaLine } from './delta';
export { renderMarkdown, toJson, usd } from './render';
export { ALERT_MARGIN, BUDGET_PARAMETER, budgetAdvice, derivedBudget, type BudgetAdvice } from './budget';
export { PRICE_TABLES, FREE_TYPES, lookupPrice, pricedRegions } from './prices';

/** Every `*.yaml` of a templates directory, parsed, by file name. */
export async function loadTemplates(dir: string): Promise<Map<string, Json>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const out = new Map<string, Json>();
  for (const f of files) out.set(f, parseTemplate(await readFile(path.join(dir, f), 'utf8'), path.join(dir, f)));
  return out;
}

export interface ParameterFileOptions {
  /** `--params` as given: a path, or a file name in parameters/. */
  readonly params: string;
  /** Region of the root stack. @default the file's regions.primary */
  readonly region?: string;
  /** `--parameter Key=Value` flags. @default [] */
  readonly overrides?: readonly string[];
  /**
   * Estimate the secondary-region stack too; false leaves it out whatever the file says.
   * @default the file's toggles.secondaryStack (deploysSecondary)
   */
  readonly secondary?: boolean;
  /** Templates (file → parsed); read from `templatesDir` when absent. */
  readonly templates?: ReadonlyMap<string, Json>;
  /** @default generated */
  readonly templatesDir?: string;
  /** @default process.cwd() */
  readonly cwd?: string;
  /** Drivers to rank. @default 5 */
  readonly drivers?: number;
}

export interface CostRun {
  readonly file: ParameterFile;
  /** How the parameter file is named in messages. */
  readonly displayName: string;
  readonly input: EstimateInput;
  readonly estimate: Estimate;
  readonly drivers: readonly Driver[];
  /** MonthlyBudgetUsd for this deployment: the file's or a flag's, else derived from the estimate. */
  readonly budget: BudgetAdvice;
}

/** The root parameter values a parameter file (and flags) give, validated; errors list every problem. */
export async function rootValuesOf(
  options: Pick<ParameterFileOptions, 'params' | 'overrides' | 'cwd'>,
): Promise<{ file: ParameterFile; displayName: string; values: Record<string, string> }> {
  const cwd = options.cwd ?? process.cwd();
  const resolved = await resolveParameterFile(options.params, cwd);
  const displayName = displayPath(resolved, cwd);
  const file = await loadParameterFile(resolved, displayName);
  const { values: overrides, problems } = parseOverrides(options.overrides ?? []);
  if (problems.length > 0) throw new ParameterFileError(problems);
  const { values } = resolveRootParameters(file, { overrides, displayName });
  return { file, displayName, values: { ...values } };
}

/** Estimates a parameter file's deployment from the templates on disk (or given ones). */
export async function estimateParameterFile(options: ParameterFileOptions): Promise<CostRun> {
  const cwd = options.cwd ?? process.cwd();
  const { file, displayName, values } = await rootValuesOf(options);
  const templates = options.templates ?? (await loadTemplates(path.resolve(cwd, options.templatesDir ?? 'generated')));
  const withSecondary = options.secondary !== false && deploysSecondary(file);
  const input: EstimateInput = {
    templates,
    rootValues: values,
    region: options.region ?? file.regions.primary,
    stackName: file.stackName,
    secondaryFile: withSecondary && templates.has('secondary.yaml') ? 'secondary.yaml' : false,
  };
  const e = estimate(input);
  const setBy =
    parseOverrides(options.overrides ?? []).values[BUDGET_PARAMETER] !== undefined ? `--parameter ${BUDGET_PARAMETER}` : `${displayName} monthlyBudgetUsd`;
  return {
    file,
    displayName,
    input,
    estimate: e,
    drivers: topDrivers(e, input, options.drivers ?? 5),
    budget: budgetAdvice(e.monthly.total, values[BUDGET_PARAMETER], setBy),
  };
}

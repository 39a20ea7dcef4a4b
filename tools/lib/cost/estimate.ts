/**
 * The monthly estimate of a deployment: every resource root and its nested stacks (and the
 * secondary stack) create, priced from the committed table, split into fixed (idle) and usage
 * cost, per stack and per resource. Resources whose Condition is false cost nothing and are listed
 * as excluded with the condition; types without a price and prices missing for a region are
 * listed as unpriced, never counted as zero.
 */
import type { Json } from '../grade/tree';
import { EvaluationError } from './evaluate';
import { instantiate, secondaryFeeds, type Deployment } from './deployment';
import { computeFlows, includedResources, Linker } from './flows';
import { FREE_TYPES, lookupPrice, type MissingPrice, type Price } from './prices';
import type { CostItem, CostKind, Pricer, PricerResult, PricingContext } from './pricer';
import { computePricers } from './pricers/compute';
import { datastorePricers } from './pricers/datastores';
import { governancePricers } from './pricers/governance';
import { networkPricers } from './pricers/network';
import { observabilityPricers } from './pricers/observability';
import { storagePricers } from './pricers/storage';
import { streamingPricers } from './pricers/streaming';
import { assumptionList, type Assumption } from './workload';
import { ToolError } from '../errors';

export const PRICERS: readonly Pricer[] = [
  ...networkPricers,
  ...streamingPricers,
  ...computePricers,
  ...datastorePricers,
  ...storagePricers,
  ...observabilityPricers,
  ...governancePricers,
];

const PRICER_BY_TYPE: ReadonlyMap<string, Pricer> = new Map(PRICERS.flatMap((p) => p.types.map((t) => [t, p] as const)));

/** The resource types the engine can price (a pricer or an explicit free entry). */
export function pricedTypes(): { priced: string[]; free: string[] } {
  return { priced: [...PRICER_BY_TYPE.keys()].sort(), free: Object.keys(FREE_TYPES).sort() };
}

export interface PricedItem extends CostItem {
  readonly region: string;
  /** US dollars a month; undefined when the price is missing for the region. */
  readonly usd?: number;
  readonly price?: Price;
  readonly missing?: MissingPrice;
}

export interface ResourceEstimate {
  readonly logicalId: string;
  readonly type: string;
  readonly fixed: number;
  readonly usage: number;
  /** Every line has a price (or the type is free). */
  readonly priced: boolean;
  readonly noun: string;
  readonly count: number;
  readonly where: string;
  readonly condition?: string;
  /** Root parameters the resource's condition depends on. */
  readonly conditionDeps: readonly string[];
  readonly free?: string;
  readonly note?: string;
  readonly items: readonly PricedItem[];
}

export interface StackEstimate {
  readonly stack: string;
  readonly file: string;
  readonly logicalId?: string;
  readonly region: string;
  readonly fixed: number;
  readonly usage: number;
  readonly resources: readonly ResourceEstimate[];
}

export interface UnpricedEntry {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** The line that has no price, when the type itself is priced. */
  readonly line?: string;
  readonly region: string;
  readonly reason: string;
}

export interface ExcludedEntry {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly condition: string;
  readonly deps: readonly string[];
}

export interface Estimate {
  readonly region: string;
  readonly secondaryRegion?: string;
  readonly currency: 'USD';
  readonly monthly: { readonly fixed: number; readonly usage: number; readonly total: number };
  readonly stacks: readonly StackEstimate[];
  readonly unpriced: readonly UnpricedEntry[];
  /** Resources not created because their condition is false (nested stacks included). */
  readonly excluded: readonly ExcludedEntry[];
  readonly assumptions: readonly Assumption[];
  /** The root parameter values the estimate used (explicit ones; the rest are template defaults). */
  readonly parameters: Readonly<Record<string, string>>;
}

export interface EstimateInput {
  /** File name → parsed template. */
  readonly templates: ReadonlyMap<string, Json>;
  /** Root parameters the deployment sets (resolveRootParameters' values); the rest keep template defaults. */
  readonly rootValues: Readonly<Record<string, string>>;
  /** Region of the root stack. */
  readonly region: string;
  /** @default stack */
  readonly stackName?: string;
  /**
   * The secondary-region template deployed with it (deploy --secondary), or false for none.
   * Its outputs that name root parameters (ReplicaKmsKeyArn) are fed to root, as the deploy tool does.
   * @default 'secondary.yaml' when the templates have it
   */
  readonly secondaryFile?: string | false;
}

/** The value a secondary output feeds root with offline: the deploy tool passes the real ARN. */
export const SECONDARY_OUTPUT_PLACEHOLDER = '(output of the secondary stack)';

export function estimate(input: EstimateInput): Estimate {
  const secondaryFile =
    input.secondaryFile === false ? undefined : (input.secondaryFile ?? (input.templates.has('secondary.yaml') ? 'secondary.yaml' : undefined));
  const rootValues: Record<string, string> = { ...input.rootValues };
  if (secondaryFile) for (const name of secondaryFeeds(input.templates, secondaryFile)) rootValues[name] ??= SECONDARY_OUTPUT_PLACEHOLDER;
  let deployment: Deployment;
  try {
    deployment = instantiate({
      templates: input.templates,
      rootValues,
      region: input.region,
      ...(input.stackName ? { stackName: input.stackName } : {}),
      ...(secondaryFile ? { secondaryFile } : {}),
    });
  } catch (error) {
    if (error instanceof EvaluationError) throw new ToolError(`cost: ${error.message}`, 1, { cause: error });
    throw error;
  }
  const resources = includedResources(deployment);
  const linker = new Linker(deployment, input.templates, resources);
  const ctx: PricingContext = { deployment, resources, flows: computeFlows(resources, linker), linker };

  const stacks: StackEstimate[] = [];
  const unpriced: UnpricedEntry[] = [];
  const excluded: ExcludedEntry[] = deployment.excludedStacks.map((s) => ({
    stack: 'root',
    logicalId: s.logicalId,
    type: 'AWS::CloudFormation::Stack',
    condition: s.condition,
    deps: [...s.deps].sort(),
  }));
  for (const stack of deployment.stacks) {
    const out: ResourceEstimate[] = [];
    for (const [logicalId, raw] of Object.entries(stack.scope.section('Resources'))) {
      const r = resources.get(`${stack.name}#${logicalId}`);
      const type = String((raw as Json).Type);
      if (!r) {
        const condition = String((raw as Json).Condition);
        excluded.push({ stack: stack.name, logicalId, type, condition, deps: [...stack.scope.condition(condition).deps].sort() });
        continue;
      }
      const conditionDeps = r.condition ? [...stack.scope.condition(r.condition).deps].sort() : [];
      const base = { logicalId, type, ...(r.condition ? { condition: r.condition } : {}), conditionDeps };
      const free = FREE_TYPES[type];
      const pricer = PRICER_BY_TYPE.get(type);
      if (!pricer) {
        if (free === undefined)
          unpriced.push({
            stack: stack.name,
            logicalId,
            type,
            region: stack.region,
            reason: 'no pricer and no free entry for this resource type (tools/lib/cost/pricers, prices/free.json)',
          });
        out.push({
          ...base,
          fixed: 0,
          usage: 0,
          priced: free !== undefined,
          noun: type.split('::').pop()!,
          count: 1,
          where: stack.name,
          ...(free !== undefined ? { free } : {}),
          items: [],
        });
        continue;
      }
      const result: PricerResult = pricer.price(r, ctx);
      const items = result.items.map((i): PricedItem => {
        const region = i.region ?? stack.region;
        const lookup = lookupPrice(region, i.priceKey);
        if (lookup.ok) return { ...i, region, usd: i.quantity * lookup.price.usd, price: lookup.price };
        // Nothing of it is used: zero whatever the price (the line still says the price is missing).
        if (i.quantity === 0) return { ...i, region, usd: 0, missing: lookup.missing };
        unpriced.push({ stack: stack.name, logicalId, type, line: i.label, region, reason: lookup.missing.reason });
        return { ...i, region, missing: lookup.missing };
      });
      const sum = (kind: CostKind): number => items.filter((i) => i.kind === kind).reduce((n, i) => n + (i.usd ?? 0), 0);
      out.push({
        ...base,
        fixed: sum('fixed'),
        usage: sum('usage'),
        priced: items.every((i) => i.usd !== undefined),
        noun: result.noun,
        count: result.count ?? 1,
        where: result.where ?? stack.name,
        ...(result.note ? { note: result.note } : {}),
        items,
      });
    }
    stacks.push({
      stack: stack.name,
      file: stack.file,
      ...(stack.logicalId ? { logicalId: stack.logicalId } : {}),
      region: stack.region,
      fixed: out.reduce((n, r) => n + r.fixed, 0),
      usage: out.reduce((n, r) => n + r.usage, 0),
      resources: out,
    });
  }
  const fixed = stacks.reduce((n, s) => n + s.fixed, 0);
  const usage = stacks.reduce((n, s) => n + s.usage, 0);
  return {
    region: deployment.region,
    ...(deployment.secondaryRegion ? { secondaryRegion: deployment.secondaryRegion } : {}),
    currency: 'USD',
    monthly: { fixed, usage, total: fixed + usage },
    stacks,
    unpriced,
    excluded,
    assumptions: assumptionList(),
    parameters: rootValues,
  };
}

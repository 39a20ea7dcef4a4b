/**
 * What a pricer is: one per resource type family (cdk-nag style, one concern per file under
 * pricers/), a pure function from an evaluated resource and the deployment's flows to cost
 * items. An item names its price key; the engine looks the price up for the region, so a
 * missing regional price makes the item unpriced instead of zero.
 */
import type { Deployment } from './deployment';
import type { Flows, Linker } from './flows';
import type { ResourceView } from './view';

export type CostKind = 'fixed' | 'usage';

export interface CostItem {
  /** What is billed, e.g. `NAT gateway-hours`. */
  readonly label: string;
  /** fixed: billed while the resource exists, idle or not; usage: grows with the workload. */
  readonly kind: CostKind;
  /** Units of the price a month. */
  readonly quantity: number;
  readonly priceKey: string;
  /** Region whose price applies. @default the resource's stack region */
  readonly region?: string;
  /** Root parameters (and `AWS::Region`) the quantity depends on. */
  readonly sizedBy: ReadonlySet<string>;
  /** How the quantity was reached, in words (`2 AZs × 730 h`). */
  readonly basis: string;
}

export interface PricerResult {
  readonly items: readonly CostItem[];
  /** What the resource is, singular, for drivers and deltas (`NAT gateway`, `Kinesis shard`). */
  readonly noun: string;
  /** How many of `noun` the resource is (a 2-shard stream is 2 Kinesis shards). @default 1 */
  readonly count?: number;
  /** Where it is, for a delta line (`AppVpc`). @default the stack */
  readonly where?: string;
  /** A remark shown with the resource (why it costs nothing, what is not estimated). */
  readonly note?: string;
}

export interface PricingContext {
  readonly deployment: Deployment;
  readonly resources: ReadonlyMap<string, ResourceView>;
  readonly flows: Flows;
  readonly linker: Linker;
}

export interface Pricer {
  readonly types: readonly string[];
  price(resource: ResourceView, ctx: PricingContext): PricerResult;
}

export const GB = 1024 ** 3;

/** Builds an item; `deps` are unioned into sizedBy. */
export function item(label: string, kind: CostKind, quantity: number, priceKey: string, basis: string, ...deps: ReadonlyArray<ReadonlySet<string>>): CostItem {
  const sizedBy = new Set<string>();
  for (const d of deps) for (const x of d) sizedBy.add(x);
  return { label, kind, quantity: Number.isFinite(quantity) ? quantity : 0, priceKey, sizedBy, basis };
}

/** `12,345` / `1.2 million` for bases. */
export function count(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} million`;
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return Number(n.toFixed(2)).toString();
}

export function gb(bytes: number): string {
  const g = bytes / GB;
  return g >= 1 ? `${g.toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(2)} MB`;
}

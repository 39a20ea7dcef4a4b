/**
 * S3 buckets: storage in the estimate's month under the bucket's lifecycle rules, PUTs,
 * lifecycle transitions, and the transfer of replicated objects to another region.
 *
 * | lifecycle rule                        | what the estimate does                                    |
 * |---------------------------------------|-----------------------------------------------------------|
 * | ExpirationInDays E                    | objects older than E days are gone                        |
 * | Transitions at T days                 | objects older than T days are billed in that class        |
 * | objects < 128 KiB, no size filter     | not transitioned: S3's default minimum object size for    |
 * |                                       | transitions since September 2024 (lifecycle-configuration-examples, "allowing objects smaller than 128 KB to be transitioned") |
 * | Glacier Flexible Retrieval            | +40 KiB per object (32 KiB Glacier + 8 KiB Standard metadata) |
 */
import { EMPTY_DEPS, unionDeps } from '../evaluate';
import { GB, count, gb, item, type CostItem, type Pricer, type PricingContext } from '../pricer';
import { isRecord } from '../../grade/tree';
import type { ResourceView } from '../view';
import { ASSUMPTIONS } from '../workload';

const MIN_TRANSITION_BYTES = 128 * 1024;
const GLACIER_OVERHEAD_BYTES = 40 * 1024;
const DAYS_PER_MONTH = 30.4;

interface StorageClasses {
  standard: number;
  standardIa: number;
  glacier: number;
  toIa: number;
  toGlacier: number;
}

export interface BucketStorage {
  /** Bytes stored in the estimate's month, all classes. */
  readonly bytes: number;
  /** Bytes written a month. */
  readonly monthlyBytes: number;
  readonly classes: StorageClasses;
  readonly deps: ReadonlySet<string>;
  readonly basis: string;
}

/** What a bucket stores in month `storageMonth` and the transitions it makes a month. */
export function bucketStoredBytes(bucket: ResourceView, ctx: PricingContext): BucketStorage {
  const flow = ctx.flows.buckets.get(bucket.key);
  const none: StorageClasses = { standard: 0, standardIa: 0, glacier: 0, toIa: 0, toGlacier: 0 };
  if (!flow || flow.putsPerMonth === 0) return { bytes: 0, monthlyBytes: 0, classes: none, deps: EMPTY_DEPS, basis: 'no writer found in the templates' };
  const rules = bucket.list('LifecycleConfiguration.Rules');
  const rule = rules.value.filter(isRecord).find((r) => r.Status === 'Enabled' && (r.Prefix === undefined || r.Prefix === ''));
  const expiration = rule && Number.isFinite(Number(rule.ExpirationInDays)) ? Number(rule.ExpirationInDays) : Infinity;
  const horizon = ASSUMPTIONS.storageMonth.value * DAYS_PER_MONTH;
  const age = Math.min(horizon, expiration);
  const objects = (flow.putsPerMonth * age) / DAYS_PER_MONTH;
  const minSize =
    rule && isRecord(rule.Filter) && Number.isFinite(Number(rule.Filter.ObjectSizeGreaterThan))
      ? Number(rule.Filter.ObjectSizeGreaterThan)
      : MIN_TRANSITION_BYTES;
  const transitions = rule && Array.isArray(rule.Transitions) && flow.objectBytes >= minSize ? rule.Transitions.filter(isRecord) : [];
  const at = (cls: string): number => {
    const t = transitions.find((x) => x.StorageClass === cls);
    return t ? Number(t.TransitionInDays) : Infinity;
  };
  const toIa = Math.min(at('STANDARD_IA'), age);
  const toGlacier = Math.min(at('GLACIER'), age);
  const share = (from: number, to: number): number => Math.max(0, to - from) / age;
  const classes: StorageClasses = {
    standard: objects * share(0, Math.min(toIa, toGlacier)) * flow.objectBytes,
    standardIa: objects * share(toIa, toGlacier) * flow.objectBytes,
    glacier: objects * share(toGlacier, age) * (flow.objectBytes + GLACIER_OVERHEAD_BYTES),
    toIa: at('STANDARD_IA') < age ? flow.putsPerMonth : 0,
    toGlacier: at('GLACIER') < age ? flow.putsPerMonth : 0,
  };
  const size = flow.objectBytes >= 1024 ? `${(flow.objectBytes / 1024).toFixed(1)} KiB` : `${Math.round(flow.objectBytes)} B`;
  const lifecycle =
    transitions.length === 0 && rule && Array.isArray(rule.Transitions) && rule.Transitions.length > 0
      ? `they stay in STANDARD: lifecycle transitions skip objects under 128 KiB`
      : transitions.length > 0
        ? 'tiered by the lifecycle rule'
        : 'no transitions';
  return {
    bytes: classes.standard + classes.standardIa + classes.glacier,
    monthlyBytes: flow.bytesPerMonth,
    classes,
    deps: unionDeps(flow.deps, rules.deps),
    basis: `${count(objects)} objects of ${size} after ${Math.round(age / DAYS_PER_MONTH)} months${Number.isFinite(expiration) ? ` (expire after ${expiration} days)` : ''}; ${lifecycle}`,
  };
}

export const s3Bucket: Pricer = {
  types: ['AWS::S3::Bucket'],
  price(r, ctx) {
    const flow = ctx.flows.buckets.get(r.key);
    const stored = bucketStoredBytes(r, ctx);
    const deps = flow?.deps ?? EMPTY_DEPS;
    const writers = flow ? flow.writers.filter((w, i, all) => all.indexOf(w) === i).join(', ') : 'no writer found in the templates';
    const items: CostItem[] = [
      item('storage (Standard)', 'usage', stored.classes.standard / GB, 's3.standard.gbMonth', `${gb(stored.classes.standard)}: ${stored.basis}`, stored.deps),
      item(
        'PUT requests',
        'usage',
        (flow?.putsPerMonth ?? 0) / 1000,
        's3.put.thousand',
        `${count(flow?.putsPerMonth ?? 0)} objects a month (${writers})`,
        deps,
      ),
    ];
    if (stored.classes.standardIa > 0)
      items.push(item('storage (Standard-IA)', 'usage', stored.classes.standardIa / GB, 's3.standardIa.gbMonth', gb(stored.classes.standardIa), stored.deps));
    if (stored.classes.glacier > 0)
      items.push(
        item('storage (Glacier Flexible Retrieval)', 'usage', stored.classes.glacier / GB, 's3.glacier.gbMonth', gb(stored.classes.glacier), stored.deps),
      );
    if (stored.classes.toIa > 0)
      items.push(
        item(
          'transitions to Standard-IA',
          'usage',
          stored.classes.toIa / 1000,
          's3.transitionIa.thousand',
          `${count(stored.classes.toIa)} objects a month`,
          stored.deps,
        ),
      );
    if (stored.classes.toGlacier > 0)
      items.push(
        item(
          'transitions to Glacier',
          'usage',
          stored.classes.toGlacier / 1000,
          's3.transitionGlacier.thousand',
          `${count(stored.classes.toGlacier)} objects a month`,
          stored.deps,
        ),
      );
    const destination = ctx.flows.replication.get(r.key);
    if (destination && flow) {
      const replica = ctx.resources.get(destination)!;
      items.push(
        item(
          `replication to ${replica.stack.region}`,
          'usage',
          flow.bytesPerMonth / GB,
          'dataTransfer.interRegion.gb',
          `${gb(flow.bytesPerMonth)} a month copied to ${replica.logicalId}`,
          deps,
        ),
      );
    }
    return { noun: 'S3 bucket', items };
  },
};

export const storagePricers: readonly Pricer[] = [s3Bucket];

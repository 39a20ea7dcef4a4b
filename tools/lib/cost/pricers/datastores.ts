/**
 * DynamoDB tables (global tables bill every write as a replicated write in each replica), DAX
 * nodes, and AWS Backup plans (recovery points of the tables and buckets they select).
 */
import { EMPTY_DEPS, unionDeps } from '../evaluate';
import { rawProp } from '../flows';
import { GB, count, gb, item, type CostItem, type Pricer, type PricingContext } from '../pricer';
import { HOURS_PER_MONTH, runsPerMonth } from '../schedule';
import { isRecord } from '../../grade/tree';
import type { ResourceView } from '../view';
import { ASSUMPTIONS, recordSizes } from '../workload';
import { bucketStoredBytes } from './storage';

/** DynamoDB adds 100 bytes of indexing overhead to every stored item. */
const ITEM_OVERHEAD_BYTES = 100;

/** Bytes a table stores in the estimate's month: TTL-bounded appends plus entity-keyed items. */
export function tableStoredBytes(table: ResourceView, ctx: PricingContext): { bytes: number; deps: ReadonlySet<string>; basis: string } {
  const flow = ctx.flows.tables.get(table.key);
  if (!flow) return { bytes: 0, deps: EMPTY_DEPS, basis: 'no writer found in the templates' };
  const ttl = table.prop('TimeToLiveSpecification.Enabled').value === true;
  const days = Math.min(ttl ? recordSizes().ttlDays : Infinity, ASSUMPTIONS.storageMonth.value * 30.4);
  const items = (flow.newItemsPerMonth * days) / 30.4 + flow.entityItems;
  const bytes = items * (flow.itemBytes + ITEM_OVERHEAD_BYTES);
  return {
    bytes,
    deps: flow.deps,
    basis: `${count(items)} items × ${Math.round(flow.itemBytes + ITEM_OVERHEAD_BYTES)} B (${ttl ? `TTL ${recordSizes().ttlDays} days` : 'no TTL'})`,
  };
}

/** The regions a table has replicas in (a table without Replicas lives in its stack's region). */
function replicaRegions(table: ResourceView): { regions: { region: string; pitr: boolean }[]; deps: ReadonlySet<string> } {
  const replicas = table.list('Replicas');
  // What decides how many replicas there are (HasReplica), not what is in each.
  const { deps } = table.size('Replicas');
  if (replicas.value.length === 0)
    return { regions: [{ region: table.stack.region, pitr: table.prop('PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled').value === true }], deps };
  return {
    regions: replicas.value.filter(isRecord).map((r) => ({
      region: String(r.Region),
      pitr: isRecord(r.PointInTimeRecoverySpecification) && r.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled === true,
    })),
    deps,
  };
}

export const dynamoTable: Pricer = {
  types: ['AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table'],
  price(r, ctx) {
    const flow = ctx.flows.tables.get(r.key);
    const writes = flow?.writeUnits ?? 0;
    const reads = flow?.readUnits ?? 0;
    const deps = flow?.deps ?? EMPTY_DEPS;
    const billing = r.str('BillingMode').value ?? 'PROVISIONED';
    const { regions, deps: replicaDeps } = replicaRegions(r);
    const stored = tableStoredBytes(r, ctx);
    const items: CostItem[] = [];
    const global = r.type === 'AWS::DynamoDB::GlobalTable' && regions.length > 1;
    if (billing !== 'PAY_PER_REQUEST') {
      return { noun: 'DynamoDB table', items: [], note: 'provisioned capacity is not estimated (our tables are on-demand)' };
    }
    for (const { region, pitr } of regions) {
      const local = region === r.stack.region;
      const where = local ? '' : ` in ${region}`;
      // A global table bills each write once per replica as a replicated write (global-tables-billing).
      if (global)
        items.push({
          ...item(
            `replicated writes${where}`,
            'usage',
            writes / 1e6,
            'dynamodb.onDemand.replicatedWriteMillion',
            `${count(writes)} write units in each of ${regions.length} replicas`,
            deps,
            replicaDeps,
          ),
          region,
        });
      else items.push(item('writes', 'usage', writes / 1e6, 'dynamodb.onDemand.writeMillion', `${count(writes)} write units`, deps));
      if (local)
        items.push(item('reads', 'usage', reads / 1e6, 'dynamodb.onDemand.readMillion', `${count(reads)} read units (stream reads by Lambda are free)`, deps));
      items.push({
        ...item(`storage${where}`, 'usage', stored.bytes / GB, 'dynamodb.storage.gbMonth', `${gb(stored.bytes)}: ${stored.basis}`, stored.deps, replicaDeps),
        region,
      });
      if (pitr)
        items.push({
          ...item(
            `point-in-time recovery${where}`,
            'usage',
            stored.bytes / GB,
            'dynamodb.pitr.gbMonth',
            `PITR on ${gb(stored.bytes)}`,
            stored.deps,
            replicaDeps,
          ),
          region,
        });
      if (!local) {
        const bytes = writes * (flow?.itemBytes ?? 0);
        items.push(
          item(
            `replication to ${region}`,
            'usage',
            bytes / GB,
            'dataTransfer.interRegion.gb',
            `${gb(bytes)} of writes copied across regions`,
            deps,
            replicaDeps,
          ),
        );
      }
    }
    return { noun: 'DynamoDB table', items };
  },
};

export const daxCluster: Pricer = {
  types: ['AWS::DAX::Cluster'],
  price(r) {
    const nodes = r.num('ReplicationFactor', 1);
    const type = r.str('NodeType');
    return {
      noun: 'DAX node',
      count: nodes.value,
      items: [
        item(
          `${type.value ?? 'node'} node-hours`,
          'fixed',
          nodes.value * HOURS_PER_MONTH,
          `dax.${type.value}.nodeHour`,
          `${nodes.value} node(s) (ReplicationFactor) × ${HOURS_PER_MONTH} h`,
          nodes.deps,
          type.deps,
        ),
      ],
    };
  },
};

export const backupPlan: Pricer = {
  types: ['AWS::Backup::BackupPlan'],
  price(r, ctx) {
    // Recovery points kept at once: runs a month × days kept ÷ days in a month, per rule.
    const rules = r.list('BackupPlan.BackupPlanRule');
    let points = 0;
    let copies = 0;
    let copyRuns = 0;
    const parts: string[] = [];
    for (const rule of rules.value.filter(isRecord)) {
      const runs = runsPerMonth(String(rule.ScheduleExpression)) ?? 0;
      const keep = isRecord(rule.Lifecycle) ? Number(rule.Lifecycle.DeleteAfterDays) : Number.NaN;
      const kept = Number.isFinite(keep) ? (runs * keep) / 30.4 : runs * ASSUMPTIONS.storageMonth.value;
      points += kept;
      if (Array.isArray(rule.CopyActions) && rule.CopyActions.length > 0) {
        copies += kept;
        copyRuns += runs;
      }
      parts.push(`${String(rule.RuleName)}: ${kept.toFixed(1)}`);
    }
    const selections = [...ctx.resources.values()].filter((s) => s.type === 'AWS::Backup::BackupSelection' && s.stack === r.stack);
    let tableBytes = 0;
    let bucketBytes = 0;
    let bucketMonthly = 0;
    let deps: ReadonlySet<string> = rules.deps;
    for (const selection of selections) {
      for (const key of ctx.linker.resolve(selection, rawProp(selection, 'BackupSelection.Resources'))) {
        const target = ctx.resources.get(key)!;
        if (/^AWS::DynamoDB::/.test(target.type)) {
          const s = tableStoredBytes(target, ctx);
          tableBytes += s.bytes;
          deps = unionDeps(deps, s.deps);
        } else if (target.type === 'AWS::S3::Bucket') {
          const s = bucketStoredBytes(target, ctx);
          bucketBytes += s.bytes;
          bucketMonthly += s.monthlyBytes;
          deps = unionDeps(deps, s.deps);
        }
      }
    }
    const secondary = ctx.deployment.secondaryRegion;
    const items: CostItem[] = [
      // DynamoDB backups are full copies; each kept recovery point stores the whole table.
      item(
        'DynamoDB recovery points',
        'usage',
        (tableBytes * points) / GB,
        'dynamodb.backup.gbMonth',
        `${points.toFixed(1)} points kept (${parts.join(', ')}) × ${gb(tableBytes)} of tables`,
        deps,
      ),
      // S3 backups are incremental after the first: about one copy of the buckets.
      item('S3 recovery points', 'usage', bucketBytes / GB, 'backup.s3.gbMonth', `incremental: about one copy of ${gb(bucketBytes)} of buckets`, deps),
    ];
    if (copies > 0 && secondary) {
      items.push({
        ...item(
          `copies in ${secondary}`,
          'usage',
          (tableBytes * copies) / GB,
          'dynamodb.backup.gbMonth',
          `${copies.toFixed(1)} copied points × ${gb(tableBytes)}`,
          deps,
        ),
        region: secondary,
      });
      const sent = tableBytes * copyRuns + bucketMonthly;
      items.push(
        item(
          `copy transfer to ${secondary}`,
          'usage',
          sent / GB,
          'dataTransfer.interRegion.gb',
          `${copyRuns.toFixed(1)} full table copies a month plus the buckets' new data: ${gb(sent)}`,
          deps,
        ),
      );
    }
    return { noun: 'backup plan', items };
  },
};

export const datastorePricers: readonly Pricer[] = [dynamoTable, daxCluster, backupPlan];

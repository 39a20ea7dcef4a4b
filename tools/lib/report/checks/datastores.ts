/** Step 5 (datastores.yaml), 10.2 (multi-region tables) and 10.4 (AWS Backup). */
import { allText, alternatives, isRecord, properties, section, type Json, type ResourceRef, type TemplateTree } from '../model';
import { dataBuckets } from './storage';
import { fail, ids, isTrue, named, pass, where, type BulletCheck, type CheckResult } from './types';

/** The replica lists a GlobalTable can deploy with (one per `!If` alternative), elements unwrapped. */
export function replicaSets(table: ResourceRef): Json[][] {
  const sets = alternatives(properties(table.resource).Replicas).filter(Array.isArray) as unknown[][];
  return sets.flatMap((set) => {
    const required: Json[] = [];
    const optional: Json[] = [];
    for (const e of set) {
      if (isRecord(e) && 'Fn::If' in e) optional.push(...alternatives(e).filter(isRecord));
      else if (isRecord(e)) required.push(e);
    }
    return optional.length > 0 ? [required, [...required, ...optional]] : [required];
  });
}

function globalTable(tree: TemplateTree, pattern: RegExp, label: string): ResourceRef | CheckResult {
  return named(tree.resources('AWS::DynamoDB::GlobalTable'), pattern)[0] ?? fail(`no DynamoDB global table ${label} (AWS::DynamoDB::GlobalTable)`);
}

function tableCheck(pattern: RegExp, label: string, viewType?: string): BulletCheck {
  return ({ tree }) => {
    const table = globalTable(tree, pattern, label);
    if ('ok' in table) return table;
    const p = properties(table.resource);
    const sets = replicaSets(table);
    const max = Math.max(0, ...sets.map((s) => s.length));
    if (max < 2) return fail(`${where(table)}: at most ${max} replica(s); a second region replica is needed`);
    const replicas = sets.flat();
    const noPitr = replicas.filter((r) => !isTrue(section(r, 'PointInTimeRecoverySpecification').PointInTimeRecoveryEnabled));
    if (noPitr.length > 0) return fail(`${where(table)}: point-in-time recovery is not enabled on every replica`);
    const view = section(p, 'StreamSpecification').StreamViewType;
    if (view === undefined) return fail(`${where(table)}: no stream (StreamSpecification), which multi-region replication needs`);
    if (viewType !== undefined && view !== viewType) return fail(`${where(table)}: StreamViewType is ${String(view)}, expected ${viewType}`);
    const sse = section(p, 'SSESpecification');
    if (!isTrue(sse.SSEEnabled) || sse.SSEType !== 'KMS') return fail(`${where(table)}: not encrypted with a KMS key (SSESpecification SSEEnabled + SSEType KMS)`);
    const keyed = replicas.some((r) => tree.resolveType(table.file, section(r, 'SSESpecification').KMSMasterKeyId, 'AWS::KMS::Key'));
    if (!keyed) return fail(`${where(table)}: no replica's SSESpecification.KMSMasterKeyId resolves to our CMK`);
    const conditional = sets.length > 1 ? ' (second replica conditional)' : '';
    return pass(`${where(table)}: ${max} replicas${conditional}, PITR, stream ${String(view)}, KMS`);
  };
}

export const metricsTable = tableCheck(/metric/i, 'MetricsTable');
export const latestTable = tableCheck(/latest/i, 'LatestTable', 'NEW_AND_OLD_IMAGES');

export const dax: BulletCheck = ({ tree }) => {
  const clusters = tree.resources('AWS::DAX::Cluster');
  if (clusters.length === 0) return fail('no DAX cluster (AWS::DAX::Cluster)');
  const c = clusters[0]!;
  const p = properties(c.resource);
  if (c.resource.Condition === undefined) return fail(`${where(c)} is not optional (no Condition)`);
  if (!isTrue(section(p, 'SSESpecification').SSEEnabled)) return fail(`${where(c)}: encryption at rest is off (SSESpecification)`);
  if (p.ClusterEndpointEncryptionType !== 'TLS') return fail(`${where(c)}: ClusterEndpointEncryptionType is not TLS`);
  return pass(`${where(c)} under condition ${String(c.resource.Condition)}, encrypted at rest and in transit`);
};

export const multiRegionTables: BulletCheck = ({ tree }) => {
  const tables = tree.resources('AWS::DynamoDB::GlobalTable');
  if (tables.length < 2) return fail(`${tables.length} global table(s); MetricsTable and LatestTable should both be global`);
  for (const t of tables) {
    const regions = replicaSets(t).flat().map((r) => r.Region);
    const secondary = regions.some((r) => /secondary|replica/i.test(tree.rootParameters(t.file, r).join(' ') + allText(r)));
    if (!secondary) return fail(`${where(t)}: no replica in the secondary region (a Region derived from SecondaryRegion)`);
  }
  return pass(`${ids(tables)} replicate to the secondary region`);
};

export const backups: BulletCheck = ({ tree }) => {
  const plans = tree.resources('AWS::Backup::BackupPlan');
  const vaults = tree.resources('AWS::Backup::BackupVault');
  const selections = tree.resources('AWS::Backup::BackupSelection');
  if (plans.length === 0) return fail('no AWS Backup plan (AWS::Backup::BackupPlan)');
  if (vaults.length === 0) return fail('no backup vault (AWS::Backup::BackupVault)');
  const plain = vaults.filter((v) => !tree.resolveType(v.file, properties(v.resource).EncryptionKeyArn, 'AWS::KMS::Key'));
  if (plain.length > 0) return fail(`${ids(plain)}: EncryptionKeyArn does not resolve to our CMK`);
  const covered = selections.flatMap((s) => tree.resolve(s.file, section(properties(s.resource), 'BackupSelection').Resources));
  const text = selections.map((s) => allText(section(properties(s.resource), 'BackupSelection').Resources)).join(' ');
  const { raw, processed } = dataBuckets(tree);
  const hasS3 = covered.some((r) => r.type === 'AWS::S3::Bucket') || /:s3:::/.test(text);
  const hasDynamo = covered.some((r) => /AWS::DynamoDB::(Global)?Table/.test(r.type)) || /:dynamodb:/.test(text);
  if (!hasS3) return fail(`no backup selection covers an S3 bucket (${[raw, processed].filter(Boolean).map((b) => b!.logicalId).join(', ') || 'the data buckets'})`);
  if (!hasDynamo) return fail('no backup selection covers a DynamoDB table');
  return pass(`plan ${ids(plans)}, vault ${ids(vaults)}, selections ${ids(selections)} over S3 and DynamoDB`);
};

/** Step 2 (data-lake.yaml) and 10.1 (CRR to the secondary region). */
import { allText, alternatives, isRecord, properties, type Json, type ResourceRef, type TemplateTree } from '../model';
import { fail, isTrue, nameOf, pass, securityFiles, where, type BulletCheck, type CheckResult } from './types';

/** The raw and processed data buckets (not replicas, log or query-result buckets). */
export function dataBuckets(tree: TemplateTree): { raw?: ResourceRef; processed?: ResourceRef } {
  const buckets = tree.resources('AWS::S3::Bucket').filter((b) => !/replica|log|athena|result|artifact/i.test(nameOf(b)));
  return { raw: buckets.find((b) => /raw/i.test(nameOf(b))), processed: buckets.find((b) => /processed/i.test(nameOf(b))) };
}

function bothBuckets(tree: TemplateTree, check: (b: ResourceRef) => CheckResult): CheckResult {
  const { raw, processed } = dataBuckets(tree);
  if (!raw) return fail('no raw data bucket (an AWS::S3::Bucket named …raw…)');
  if (!processed) return fail('no processed data bucket (an AWS::S3::Bucket named …processed…)');
  const details: string[] = [];
  for (const b of [raw, processed]) {
    const r = check(b);
    if (!r.ok) return fail(`${b.logicalId}: ${r.reason}`);
    details.push(`${b.logicalId}: ${r.detail}`);
  }
  return pass(details.join('; '));
}

function bucketExists(label: 'raw' | 'processed'): BulletCheck {
  return ({ tree }) => {
    const b = dataBuckets(tree)[label];
    if (!b) return fail(`no ${label} data bucket (an AWS::S3::Bucket named …${label}…)`);
    const p = properties(b.resource);
    if (!isRecord(p.PublicAccessBlockConfiguration) || !Object.values(p.PublicAccessBlockConfiguration).every(isTrue)) {
      return fail(`${where(b)} does not block all public access`);
    }
    return pass(`${where(b)}, public access blocked`);
  };
}

export const rawBucket = bucketExists('raw');
export const processedBucket = bucketExists('processed');

/**
 * SSE-KMS with a customer managed key from our tree (not the AWS-managed `aws/s3`) — from the
 * security stack when `keyFiles` names it — and the S3 bucket key on.
 */
export function kmsEncrypted(tree: TemplateTree, b: ResourceRef, keyFiles: readonly string[] = []): CheckResult {
  const config = (properties(b.resource).BucketEncryption as Json | undefined)?.ServerSideEncryptionConfiguration;
  const rule = Array.isArray(config) ? (config[0] as Json | undefined) : undefined;
  const sse = isRecord(rule?.ServerSideEncryptionByDefault) ? rule.ServerSideEncryptionByDefault : undefined;
  if (!sse || sse.SSEAlgorithm !== 'aws:kms') return fail(`not encrypted with SSE-KMS (SSEAlgorithm is ${String(sse?.SSEAlgorithm ?? 'unset')})`);
  const key = tree.resolveType(b.file, sse.KMSMasterKeyID, 'AWS::KMS::Key');
  if (!key) return fail('KMSMasterKeyID does not resolve to a customer managed key (AWS::KMS::Key) in the tree');
  if (keyFiles.length > 0 && !keyFiles.includes(key.file)) return fail(`the key ${where(key)} is not a CMK of the security stack (${keyFiles.join(', ')})`);
  if (!isTrue(rule?.BucketKeyEnabled)) return fail('BucketKeyEnabled is not true (every object would call KMS)');
  return pass(`SSE-KMS with ${where(key)}, bucket key`);
}

export const versionedAndEncrypted: BulletCheck = (ctx) =>
  bothBuckets(ctx.tree, (b) => {
    const tree = ctx.tree;
    const status = (properties(b.resource).VersioningConfiguration as Json | undefined)?.Status;
    if (status !== 'Enabled') return fail(`versioning is ${String(status ?? 'not configured')}`);
    const enc = kmsEncrypted(tree, b, securityFiles(ctx));
    return enc.ok ? pass(`versioned, ${enc.detail}`) : enc;
  });

const COLD_CLASSES = ['GLACIER', 'GLACIER_IR', 'DEEP_ARCHIVE'];

export const lifecycle: BulletCheck = ({ tree }) =>
  bothBuckets(tree, (b) => {
    const rules = (properties(b.resource).LifecycleConfiguration as Json | undefined)?.Rules;
    const enabled = (Array.isArray(rules) ? rules : []).filter((r): r is Json => isRecord(r) && r.Status === 'Enabled');
    const classes = enabled.flatMap((r) => (Array.isArray(r.Transitions) ? r.Transitions : []).map((t) => (isRecord(t) ? t.StorageClass : undefined)));
    if (!classes.includes('STANDARD_IA')) return fail('no enabled lifecycle transition to STANDARD_IA');
    if (!classes.some((c) => COLD_CLASSES.includes(String(c)))) return fail('no enabled lifecycle transition to a Glacier class');
    return pass(`transitions ${classes.join(' → ')}`);
  });

/** The replication configuration's alternatives that actually replicate (an `!If` may switch it off). */
function replicationRules(b: ResourceRef): Json[] {
  return alternatives(properties(b.resource).ReplicationConfiguration)
    .filter(isRecord)
    .flatMap((c) => (Array.isArray(c.Rules) ? c.Rules : []).flatMap(alternatives).filter(isRecord));
}

export const replication: BulletCheck = ({ tree }) =>
  bothBuckets(tree, (b) => {
    const config = alternatives(properties(b.resource).ReplicationConfiguration).find(isRecord);
    const rules = replicationRules(b).filter((r) => r.Status === 'Enabled');
    if (!config || rules.length === 0) return fail('no enabled replication rule (ReplicationConfiguration)');
    if (!tree.resolveType(b.file, config.Role, 'AWS::IAM::Role')) return fail('the replication Role does not resolve to an IAM role in the tree');
    const rule = rules[0]!;
    const kmsObjects = (isRecord(rule.SourceSelectionCriteria) ? (rule.SourceSelectionCriteria.SseKmsEncryptedObjects as Json | undefined) : undefined)?.Status;
    if (kmsObjects !== 'Enabled') return fail('SourceSelectionCriteria.SseKmsEncryptedObjects is not Enabled: SSE-KMS objects would not replicate');
    const destination = isRecord(rule.Destination) ? rule.Destination : {};
    if (!isRecord(destination.EncryptionConfiguration) || destination.EncryptionConfiguration.ReplicaKmsKeyID === undefined) {
      return fail('Destination.EncryptionConfiguration.ReplicaKmsKeyID is missing (replicas need a key in the destination region)');
    }
    return pass(`${rules.length} enabled rule(s), KMS objects replicated`);
  });

export const replicationToSecondary: BulletCheck = (ctx) => {
  const base = replication(ctx);
  if (!base.ok) return base;
  return bothBuckets(ctx.tree, (b) => {
    const destination = replicationRules(b).map((r) => r.Destination).find(isRecord);
    const params = ctx.tree.rootParameters(b.file, destination?.Bucket);
    const text = allText(destination?.Bucket).replace(/^Fn::\w+\n/, '');
    if (!/secondary|replica/i.test([...params, text].join(' '))) {
      return fail(`the replication destination ${text.replace(/\s+/g, ' ').slice(0, 100)} is not derived from the secondary region`);
    }
    return pass(`replicates to ${text.replace(/\s+/g, ' ').slice(0, 100)}`);
  });
};

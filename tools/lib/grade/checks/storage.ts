/** Step 2 – Storage foundations, and 10.1 (replication to the secondary region). */
import {
  allText,
  alternatives,
  ev,
  found,
  foundIf,
  isRecord,
  keyUse,
  missed,
  nameOf,
  partly,
  properties,
  section,
  type BulletCheck,
  type Json,
  type Part,
  type ResourceRef,
  type TemplateTree,
} from './kit';

/** Buckets that are not the data zones: replicas, logs, query results, artifacts, trails. */
const NOT_DATA = /replica|log|athena|result|artifact|trail|config|backup|deploy|code/i;

/** The raw and processed zone buckets, found by name (logical ID, BucketName or Name tag). */
export function dataBuckets(tree: TemplateTree): { raw?: ResourceRef; processed?: ResourceRef } {
  const buckets = tree.resources('AWS::S3::Bucket').filter((b) => !NOT_DATA.test(nameOf(b)) || /raw|processed|curated/i.test(b.logicalId));
  const raw = buckets.find((b) => /raw|landing|bronze/i.test(nameOf(b)));
  const processed = buckets.find((b) => b !== raw && /processed|curated|parquet|silver|clean/i.test(nameOf(b)));
  return { ...(raw ? { raw } : {}), ...(processed ? { processed } : {}) };
}

function zoneBuckets(tree: TemplateTree): [string, ResourceRef][] {
  const { raw, processed } = dataBuckets(tree);
  return [...(raw ? [['raw', raw] as [string, ResourceRef]] : []), ...(processed ? [['processed', processed] as [string, ResourceRef]] : [])];
}

const NO_ZONES = 'a raw and a processed bucket to apply it to (bullets 2.1 and 2.2)';

export const rawBucket: BulletCheck = ({ tree }) => {
  const { raw } = dataBuckets(tree);
  return {
    parts: [foundIf('raw zone bucket', raw ? [ev(tree, raw)] : [], 'an AWS::S3::Bucket for the raw zone, named …Raw… (logical ID or BucketName)')],
    note: 'the gzip JSON format is written by the code, not the template: not graded',
  };
};

export const processedBucket: BulletCheck = ({ tree }) => {
  const { processed } = dataBuckets(tree);
  return {
    parts: [
      foundIf(
        'processed zone bucket',
        processed ? [ev(tree, processed)] : [],
        'an AWS::S3::Bucket for the processed zone, named …Processed… (logical ID or BucketName)',
      ),
    ],
    note: 'the Parquet layout is written by the code, not the template: not graded',
  };
};

/** SSE-KMS with a customer managed key: a key of the submission, or one passed in (not the AWS managed aws/s3). */
function kmsPart(tree: TemplateTree, zone: string, b: ResourceRef): Part {
  const label = `${zone} bucket encrypted with a KMS CMK`;
  const configs = alternatives(section(properties(b.resource), 'BucketEncryption').ServerSideEncryptionConfiguration)
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter(isRecord);
  const sse = configs.map((c) => section(c, 'ServerSideEncryptionByDefault')).find((s) => /^aws:kms/.test(String(s.SSEAlgorithm)));
  const property = 'Properties.BucketEncryption.ServerSideEncryptionConfiguration';
  if (!sse) return missed(label, `SSE-KMS on ${b.logicalId} (${property} with SSEAlgorithm aws:kms and KMSMasterKeyID)`);
  const use = keyUse(tree, b.file, sse.KMSMasterKeyID);
  switch (use.kind) {
    case 'cmk':
      return found(label, [
        ev(tree, b, `${property}[].ServerSideEncryptionByDefault.KMSMasterKeyID`, sse.KMSMasterKeyID, `key ${use.key.logicalId} (${use.key.file})`),
      ]);
    case 'passed-in':
      return found(label, [ev(tree, b, `${property}[].ServerSideEncryptionByDefault.KMSMasterKeyID`, sse.KMSMasterKeyID, `key from ${use.via}`)]);
    case 'aws-managed':
      return partly(label, 0.5, [ev(tree, b, property)], `a customer managed key on ${b.logicalId}: ${use.alias} is the AWS managed key`);
    default:
      return partly(label, 0.5, [ev(tree, b, property)], `KMSMasterKeyID on ${b.logicalId}: without it S3 uses the AWS managed aws/s3 key, not a CMK`);
  }
}

export const versionedAndEncrypted: BulletCheck = ({ tree }) => {
  const zones = zoneBuckets(tree);
  if (zones.length === 0) return { parts: [missed('versioning', NO_ZONES), missed('KMS CMK encryption', NO_ZONES)] };
  return {
    parts: zones.flatMap(([zone, b]) => {
      const status = alternatives(section(properties(b.resource), 'VersioningConfiguration').Status);
      const versioning = status.includes('Enabled')
        ? found(`${zone} bucket versioned`, [
            ev(tree, b, 'Properties.VersioningConfiguration.Status', section(properties(b.resource), 'VersioningConfiguration').Status),
          ])
        : missed(`${zone} bucket versioned`, `VersioningConfiguration: {Status: Enabled} on ${b.logicalId}`);
      return [versioning, kmsPart(tree, zone, b)];
    }),
  };
};

const IA_CLASSES = ['STANDARD_IA', 'ONEZONE_IA'];
const GLACIER_CLASSES = ['GLACIER', 'GLACIER_IR', 'DEEP_ARCHIVE'];

function transitionClasses(b: ResourceRef): string[] {
  const rules = alternatives(section(properties(b.resource), 'LifecycleConfiguration').Rules)
    .flatMap((v) => (Array.isArray(v) ? v.flatMap(alternatives) : [v]))
    .filter(isRecord);
  return rules
    .filter((r) => r.Status === 'Enabled')
    .flatMap((r) => [...(Array.isArray(r.Transitions) ? r.Transitions : []), r.Transition].filter(isRecord).map((t) => String((t as Json).StorageClass)));
}

export const lifecycle: BulletCheck = ({ tree }) => {
  const zones = zoneBuckets(tree);
  if (zones.length === 0) return { parts: [missed('transition to IA', NO_ZONES), missed('transition to Glacier', NO_ZONES)] };
  return {
    parts: zones.flatMap(([zone, b]) => {
      const classes = transitionClasses(b);
      const e = [ev(tree, b, 'Properties.LifecycleConfiguration.Rules', undefined, `transitions ${classes.join(' → ') || 'none'}`)];
      return [
        classes.some((c) => IA_CLASSES.includes(c))
          ? found(`${zone} bucket → IA`, e)
          : missed(`${zone} bucket → IA`, `an enabled lifecycle rule on ${b.logicalId} with a transition to STANDARD_IA`),
        classes.some((c) => GLACIER_CLASSES.includes(c))
          ? found(`${zone} bucket → Glacier`, e)
          : missed(`${zone} bucket → Glacier`, `an enabled lifecycle rule on ${b.logicalId} with a transition to GLACIER (or GLACIER_IR, DEEP_ARCHIVE)`),
      ];
    }),
  };
};

/** The enabled replication rules of a bucket, through `!If` (a condition may switch replication off). */
export function replicationRules(b: ResourceRef): { config: Json; rule: Json }[] {
  return alternatives(properties(b.resource).ReplicationConfiguration)
    .filter(isRecord)
    .flatMap((config) =>
      alternatives(config.Rules)
        .flatMap((v) => (Array.isArray(v) ? v.flatMap(alternatives) : [v]))
        .filter(isRecord)
        .map((rule) => ({ config, rule })),
    )
    .filter((x) => x.rule.Status === 'Enabled');
}

function replicationPart(tree: TemplateTree, zone: string, b: ResourceRef): Part {
  const label = `${zone} bucket replicated`;
  const rules = replicationRules(b);
  const value = properties(b.resource).ReplicationConfiguration;
  if (rules.length === 0) return missed(label, `a ReplicationConfiguration on ${b.logicalId} with an enabled rule, a Destination bucket and a Role`);
  const { config, rule } = rules[0]!;
  if (config.Role === undefined)
    return partly(
      label,
      0.5,
      [ev(tree, b, 'Properties.ReplicationConfiguration', value)],
      `the IAM Role S3 replicates with (ReplicationConfiguration.Role on ${b.logicalId})`,
    );
  if (!isRecord(rule.Destination) || rule.Destination.Bucket === undefined)
    return partly(label, 0.5, [ev(tree, b, 'Properties.ReplicationConfiguration', value)], `the Destination bucket of the replication rule on ${b.logicalId}`);
  return found(label, [ev(tree, b, 'Properties.ReplicationConfiguration.Rules', value)]);
}

export const replication: BulletCheck = ({ tree }) => {
  const zones = zoneBuckets(tree);
  if (zones.length === 0) return { parts: [missed('replication', NO_ZONES)] };
  return { parts: zones.map(([zone, b]) => replicationPart(tree, zone, b)), advice: 'replication also needs versioning on both buckets' };
};

/** The destination of a rule names another region: a secondary/replica/DR name or a region parameter other than AWS::Region. */
function destinationElsewhere(tree: TemplateTree, b: ResourceRef, destination: unknown): boolean {
  const text = allText(destination).replace(/AWS::Region/g, '');
  const params = tree.rootParameters(b.file, destination).join(' ');
  return /secondary|replica|\bdr\b|disaster|failover|standby|region/i.test(`${text} ${params}`);
}

export const replicationToSecondary: BulletCheck = ({ tree }) => {
  const zones = zoneBuckets(tree);
  if (zones.length === 0) return { parts: [missed('replication to the secondary region', NO_ZONES)] };
  return {
    parts: zones.map(([zone, b]) => {
      const label = `${zone} bucket replicated to the secondary region`;
      const rules = replicationRules(b);
      if (rules.length === 0) return missed(label, `replication on ${b.logicalId} (bullet 2.5) to a bucket in the secondary region`);
      const destination = section(rules[0]!.rule, 'Destination').Bucket;
      const e = [
        ev(
          tree,
          b,
          'Properties.ReplicationConfiguration.Rules[].Destination.Bucket',
          properties(b.resource).ReplicationConfiguration,
          `to ${allText(destination).replace(/\s+/g, ' ').slice(0, 80)}`,
        ),
      ];
      return destinationElsewhere(tree, b, destination)
        ? found(label, e)
        : partly(label, 0.5, e, `a destination bucket of ${b.logicalId} named for the secondary region (e.g. from a SecondaryRegion parameter)`);
    }),
  };
};

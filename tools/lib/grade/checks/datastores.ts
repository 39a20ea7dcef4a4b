/** Step 5 – Datastores, 10.2 (multi-region tables) and 10.4 (AWS Backup). */
import { dataBuckets } from './storage';
import {
  allText,
  alternatives,
  ev,
  found,
  foundIf,
  isRecord,
  missed,
  named,
  partly,
  properties,
  section,
  type BulletCheck,
  type Evidence,
  type Json,
  type Part,
  type ResourceRef,
  type TemplateTree,
} from './kit';

/** The replica lists a global table can deploy with (one per `!If` alternative, items unwrapped). */
export function replicaSets(table: ResourceRef): Json[][] {
  const sets = alternatives(properties(table.resource).Replicas).filter(Array.isArray) as unknown[][];
  return sets.flatMap((set) => {
    const always: Json[] = [];
    const optional: Json[] = [];
    for (const e of set) {
      if (isRecord(e) && 'Fn::If' in e) optional.push(...alternatives(e).filter(isRecord));
      else if (isRecord(e)) always.push(e);
    }
    return optional.length > 0 ? [always, [...always, ...optional]] : [always];
  });
}

/** Regions of a global table's replicas other than the stack's own (`!Ref AWS::Region`). */
function otherRegions(table: ResourceRef): Json[] {
  return replicaSets(table)
    .flat()
    .filter((r) => !(isRecord(r.Region) && r.Region.Ref === 'AWS::Region'));
}

function findTable(tree: TemplateTree, pattern: RegExp): ResourceRef | undefined {
  const tables = tree.resources(/^AWS::DynamoDB::(Global)?Table$/);
  return (
    named(
      tables.filter((t) => t.type === 'AWS::DynamoDB::GlobalTable'),
      pattern,
    )[0] ?? named(tables, pattern)[0]
  );
}

function tableBullet(pattern: RegExp, name: string): BulletCheck {
  return ({ tree }) => {
    const table = findTable(tree, pattern);
    if (!table)
      return {
        parts: [
          missed(`table ${name}`, `a DynamoDB table named …${name}… (AWS::DynamoDB::GlobalTable)`),
          missed('global (multi-region)', 'replicas in two regions'),
        ],
      };
    const exists = found(`table ${name}`, [ev(tree, table)]);
    if (table.type !== 'AWS::DynamoDB::GlobalTable')
      return {
        parts: [
          exists,
          missed(
            'global (multi-region)',
            `AWS::DynamoDB::GlobalTable for ${table.logicalId} with a replica in the secondary region (an AWS::DynamoDB::Table is single-region)`,
          ),
        ],
      };
    const max = Math.max(0, ...replicaSets(table).map((s) => s.length));
    const e = [ev(tree, table, 'Properties.Replicas', properties(table.resource).Replicas, `${max} replica(s)`)];
    return {
      parts: [
        exists,
        max >= 2
          ? found('global table with 2+ replicas', e)
          : partly(
              'global table with 2+ replicas',
              0.5,
              e,
              `a second replica of ${table.logicalId} (Replicas: [{Region: !Ref AWS::Region}, {Region: <secondary>}])`,
            ),
      ],
    };
  };
}

export const metricsTable = tableBullet(/metric/i, 'MetricsTable');
export const latestTable = tableBullet(/latest/i, 'LatestTable');

export const dax: BulletCheck = ({ tree }) => ({
  parts: [
    foundIf(
      'DAX cluster',
      tree.resources('AWS::DAX::Cluster').map((c) => ev(tree, c)),
      'an AWS::DAX::Cluster (with a subnet group) in front of the tables',
    ),
  ],
});

export const multiRegionTables: BulletCheck = ({ tree }) => {
  const named = [findTable(tree, /metric/i), findTable(tree, /latest/i)].filter((t): t is ResourceRef => t !== undefined);
  const tables = named.length > 0 ? named : tree.resources('AWS::DynamoDB::GlobalTable');
  if (tables.length === 0)
    return {
      parts: [
        missed(
          'tables replicated to another region',
          'AWS::DynamoDB::GlobalTable resources (MetricsTable, LatestTable) with a replica in the secondary region',
        ),
      ],
    };
  return {
    parts: tables.map((t): Part => {
      const label = `${t.logicalId} replicated to another region`;
      if (t.type !== 'AWS::DynamoDB::GlobalTable')
        return missed(label, `${t.logicalId} as an AWS::DynamoDB::GlobalTable with a replica in the secondary region`);
      const others = otherRegions(t);
      return others.length > 0
        ? found(label, [
            ev(
              tree,
              t,
              'Properties.Replicas[].Region',
              properties(t.resource).Replicas,
              `replica in ${others.map((r) => allText(r.Region).split('\n').pop()).join(', ')}`,
            ),
          ])
        : missed(label, `a replica of ${t.logicalId} whose Region is the secondary region (a parameter or a literal other than !Ref AWS::Region)`);
    }),
  };
};

/** Resources a backup selection covers: its ARNs (resolved or as text) and, for tag conditions, the resources carrying the tag. */
function covered(tree: TemplateTree, selection: ResourceRef): { resources: ResourceRef[]; text: string } {
  const body = section(properties(selection.resource), 'BackupSelection');
  const resources = tree.resolve(selection.file, body.Resources);
  const tags = [
    ...(Array.isArray(body.ListOfTags) ? body.ListOfTags : []),
    ...alternatives(section(body, 'Conditions').StringEquals).flatMap((v) => (Array.isArray(v) ? v : [])),
  ].filter(isRecord);
  for (const t of tags) {
    const key = String(t.ConditionKey ?? '').replace(/^aws:ResourceTag\//, '');
    const value = allText(t.ConditionValue);
    for (const r of tree.resources(/^AWS::(S3::Bucket|DynamoDB::(Global)?Table)$/)) {
      const rTags =
        r.type === 'AWS::DynamoDB::GlobalTable'
          ? replicaSets(r)
              .flat()
              .flatMap((x) => (Array.isArray(x.Tags) ? x.Tags : []))
          : Array.isArray(properties(r.resource).Tags)
            ? (properties(r.resource).Tags as unknown[])
            : [];
      if (rTags.some((x) => isRecord(x) && x.Key === key && allText(x.Value) === value)) resources.push(r);
    }
  }
  return { resources, text: allText(body.Resources) };
}

export const backups: BulletCheck = ({ tree }) => {
  const plans = tree.resources('AWS::Backup::BackupPlan');
  const vaults = tree.resources('AWS::Backup::BackupVault');
  const selections = tree.resources('AWS::Backup::BackupSelection');
  const coverage = selections.map((s) => ({ s, ...covered(tree, s) }));
  const s3 = coverage.filter((c) => c.resources.some((r) => r.type === 'AWS::S3::Bucket') || /:s3:::/.test(c.text));
  const dynamo = coverage.filter((c) => c.resources.some((r) => /DynamoDB/.test(r.type)) || /:dynamodb:/.test(c.text));
  const selectionEvidence = (list: typeof coverage, what: RegExp): Evidence[] =>
    list.map((c) =>
      ev(
        tree,
        c.s,
        'Properties.BackupSelection.Resources',
        undefined,
        c.resources
          .filter((r) => what.test(r.type))
          .map((r) => r.logicalId)
          .join(', ') || undefined,
      ),
    );
  const { raw, processed } = dataBuckets(tree);
  return {
    parts: [
      foundIf(
        'backup plan',
        plans.map((p) => ev(tree, p, 'Properties.BackupPlan.BackupPlanRule')),
        'an AWS::Backup::BackupPlan with a rule (schedule, lifecycle)',
      ),
      foundIf(
        'backup vault',
        vaults.map((v) => ev(tree, v)),
        'an AWS::Backup::BackupVault (encrypted with a CMK) the plan writes to',
      ),
      foundIf(
        'S3 covered by a backup selection',
        selectionEvidence(s3, /S3::Bucket/),
        `an AWS::Backup::BackupSelection naming the S3 buckets (${
          [raw, processed]
            .filter(Boolean)
            .map((b) => b!.logicalId)
            .join(', ') || 'the data buckets'
        })`,
      ),
      foundIf('DynamoDB covered by a backup selection', selectionEvidence(dynamo, /DynamoDB/), 'an AWS::Backup::BackupSelection naming the DynamoDB tables'),
    ],
  };
};

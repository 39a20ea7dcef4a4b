/**
 * datastores.yaml (roadmap steps 5 and 10): the MetricsTable and LatestTable global tables with a
 * replica in the secondary region, the optional DAX cluster in the data VPC, and AWS Backup for
 * the tables and the data-lake buckets with copies to the secondary region's vault.
 *
 * Decision table for the secondary region:
 * | ReplicaKmsKeyArn | table replicas          | backup copies                     |
 * | ---------------- | ----------------------- | --------------------------------- |
 * | empty            | primary region only     | none (no secondary vault exists)  |
 * | set (HasReplica) | primary + SecondaryRegion | each rule copies to `${NamePrefix}-secondary` |
 * A non-empty ReplicaKmsKeyArn means secondary.yaml has been deployed: it creates both the key and the vault.
 */
import { backupPlan } from './lib/backup';
import { COMMON_INPUTS, IS_PROD, newStackTemplate, SECONDARY_REGION_INPUT } from './lib/common';
import { daxCluster, globalTable } from './lib/dynamodb';
import { AWS, equals, getAtt, ifThen, not, ref, sub } from './lib/fn';
import { NAMES, physicalName } from './lib/names';
import type { StackDefinition } from './lib/stack';
import { anchored, REGION } from '../contracts/values';
import { booleanParameter } from './lib/template';

/** Logical IDs other modules and tests refer to. */
export const DATASTORES_IDS = {
  metricsTable: 'MetricsTable',
  latestTable: 'LatestTable',
  dax: 'DaxCluster',
  backup: 'Backup',
} as const;

/** One table's shape, shared with the local demo (dynalite tables are created from it). */
export interface TableShape {
  /** Logical ID, also the output prefix (`<id>Name`, `<id>Arn`). */
  readonly id: 'MetricsTable' | 'LatestTable';
  /** Physical name suffix: `${NamePrefix}-<suffix>`. */
  readonly nameSuffix: string;
  /** Partition key attribute (S). */
  readonly partitionKey: string;
  /** Sort key attribute (S), if any. */
  readonly sortKey?: string;
  /** TTL attribute (epoch seconds). */
  readonly ttlAttribute: string;
}

/** The two tables (DESIGN §4): enriched ticks and aggregates by entity and time; the latest state by entity. */
export const TABLES: readonly TableShape[] = [
  { id: 'MetricsTable', nameSuffix: NAMES.metricsTable, partitionKey: 'pk', sortKey: 'ts', ttlAttribute: 'expiresAt' },
  { id: 'LatestTable', nameSuffix: NAMES.latestTable, partitionKey: 'pk', ttlAttribute: 'expiresAt' },
];

/** Retention of the backup rules (days). */
export const BACKUP_RULES = [
  { name: 'daily', schedule: 'cron(0 3 * * ? *)', deleteAfterDays: 35 },
  { name: 'weekly', schedule: 'cron(0 4 ? * SUN *)', deleteAfterDays: 90 },
] as const;

/** Name of the vault secondary.yaml creates in the secondary region. */
export const SECONDARY_VAULT_SUFFIX = 'secondary';

export const datastores: StackDefinition = {
  id: 'Datastores',
  file: 'datastores.yaml',
  source: 'templates-src/datastores.ts',
  steps: [5, 10],
  inputs: {
    ...COMMON_INPUTS,
    SecondaryRegion: SECONDARY_REGION_INPUT,
    ReplicaKmsKeyArn: { parameter: 'ReplicaKmsKeyArn' },
    EnableDax: { parameter: 'EnableDax' },
    TablesKeyArn: { output: ['Security', 'TablesKeyArn'] },
    DataPrivateSubnetIds: { output: ['Networking', 'DataPrivateSubnetIds'] },
    DaxSecurityGroupId: { output: ['Networking', 'DaxSecurityGroupId'] },
    RawBucketArn: { output: ['DataLake', 'RawBucketArn'] },
    ProcessedBucketArn: { output: ['DataLake', 'ProcessedBucketArn'] },
  },
  outputs: [
    'MetricsTableName',
    'MetricsTableArn',
    'LatestTableName',
    'LatestTableArn',
    'LatestTableStreamArn',
    'DaxClusterEndpoint',
    'BackupVaultArn',
    'BackupPlanId',
  ],
  build() {
    const t = newStackTemplate(
      'datastores',
      'DynamoDB global tables (MetricsTable, LatestTable), optional DAX cluster and AWS Backup plan (roadmap steps 5 and 10)',
    );
    t.parameter('SecondaryRegion', {
      Type: 'String',
      Description: 'Region of the table replicas and backup copies',
      AllowedPattern: anchored(REGION),
      ConstraintDescription: REGION.description,
    });
    t.parameter('ReplicaKmsKeyArn', {
      Type: 'String',
      Description: 'CMK in the secondary region (secondary.yaml output); empty: no replicas, no backup copies',
      Default: '',
    });
    t.parameter('EnableDax', booleanParameter('Deploy the DAX cluster', 'false'));
    t.parameter('TablesKeyArn', { Type: 'String', Description: 'DynamoDB CMK in this region (Security stack)' });
    t.parameter('DataPrivateSubnetIds', { Type: 'CommaDelimitedList', Description: 'Private subnets of the data VPC for DAX (Networking stack)' });
    t.parameter('DaxSecurityGroupId', { Type: 'String', Description: 'Security group of the DAX cluster (Networking stack)' });
    t.parameter('RawBucketArn', { Type: 'String', Description: 'Raw zone bucket, protected by the backup plan (DataLake stack)' });
    t.parameter('ProcessedBucketArn', { Type: 'String', Description: 'Processed zone bucket, protected by the backup plan (DataLake stack)' });
    t.parameter('DaxNodeType', { Type: 'String', Description: 'DAX node type', Default: 'dax.t3.small', AllowedPattern: '^dax\\.[a-z0-9]+\\.[a-z0-9]+$' });
    const hasReplica = t.condition('HasReplica', not(equals(ref('ReplicaKmsKeyArn'), '')));
    const daxEnabled = t.condition('DaxEnabled', equals(ref('EnableDax'), 'true'));

    const tables = TABLES;
    for (const table of tables) {
      t.resource(
        table.id,
        globalTable({
          tableName: physicalName(table.nameSuffix),
          partitionKey: table.partitionKey,
          ...(table.sortKey ? { sortKey: table.sortKey } : {}),
          ttlAttribute: table.ttlAttribute,
          primary: { region: AWS.region, kmsKeyArn: ref('TablesKeyArn') },
          secondary: { region: ref('SecondaryRegion'), kmsKeyArn: ref('ReplicaKmsKeyArn'), condition: hasReplica },
          deletionProtection: ifThen(IS_PROD, true, false),
        }),
      );
      t.output(`${table.id}Name`, { description: `${table.id} name`, value: ref(table.id) });
      t.output(`${table.id}Arn`, { description: `${table.id} ARN (this region's replica)`, value: getAtt(table.id, 'Arn') });
    }
    t.output('LatestTableStreamArn', {
      description: "LatestTable stream in this region (the rules engine's event source)",
      value: getAtt(DATASTORES_IDS.latestTable, 'StreamArn'),
    });
    t.implements('5.1', DATASTORES_IDS.metricsTable);
    t.implements('5.2', DATASTORES_IDS.latestTable);
    t.implements('10.2', DATASTORES_IDS.metricsTable, DATASTORES_IDS.latestTable);

    const tableArns = tables.map((x) => getAtt(x.id, 'Arn'));
    const dax = t.add(
      daxCluster({
        id: DATASTORES_IDS.dax,
        condition: daxEnabled,
        namePrefix: 'NamePrefix',
        subnetIds: ref('DataPrivateSubnetIds'),
        securityGroupId: ref('DaxSecurityGroupId'),
        tableArns: [...tableArns, ...tables.map((x) => sub(`\${${x.id}.Arn}/index/*`))],
        tablesKeyArn: ref('TablesKeyArn'),
        nodeType: ref('DaxNodeType'),
      }),
    );
    // Always declared (empty without DAX): root re-exports every promised output unconditionally.
    t.output('DaxClusterEndpoint', {
      description: 'DAX discovery endpoint (daxs://, TLS); empty when EnableDax is false',
      value: ifThen(daxEnabled, getAtt(DATASTORES_IDS.dax, 'ClusterDiscoveryEndpointURL'), ''),
    });
    t.implements('5.3', ...dax);

    // Copying DynamoDB recovery points to another region needs AWS Backup's "advanced features for
    // DynamoDB" opted in once per account (Backup console → Settings; no CloudFormation resource).
    // Vault key: the tables CMK, not the data-lake CMK. The data-lake key is granted to many
    // readers (crawler, Athena users, the analytics role, the enricher) through S3; the tables
    // key only to DynamoDB's writers. Recovery points hold both datasets, so the key with the
    // smaller set of principals able to decrypt protects them.
    const backup = t.add(
      backupPlan({
        id: DATASTORES_IDS.backup,
        vaultName: physicalName('primary'),
        planName: physicalName('tables-and-data-lake'),
        kmsKeyArn: ref('TablesKeyArn'),
        rules: BACKUP_RULES,
        copyTo: {
          condition: hasReplica,
          vaultArn: sub(`arn:\${AWS::Partition}:backup:\${SecondaryRegion}:\${AWS::AccountId}:backup-vault:\${NamePrefix}-${SECONDARY_VAULT_SUFFIX}`),
        },
        resources: [...tableArns, ref('RawBucketArn'), ref('ProcessedBucketArn')],
      }),
    );
    t.output('BackupVaultArn', { description: 'Backup vault in this region', value: getAtt(`${DATASTORES_IDS.backup}Vault`, 'BackupVaultArn') });
    t.output('BackupPlanId', { description: 'Backup plan ID', value: ref(`${DATASTORES_IDS.backup}Plan`) });
    t.implements('10.4', ...backup);
    return t.toDocument();
  },
};

/**
 * DynamoDB global tables and the optional DAX cluster in front of them. Secure by default:
 * our CMK per replica, point-in-time recovery per replica, deletion protection (prod), TTL and a
 * NEW_AND_OLD_IMAGES stream (global tables need one; the rules engine reads LatestTable's).
 */
import ParameterGroup from 'cloudform-types/types/dax/parameterGroup';
import DaxCluster from 'cloudform-types/types/dax/cluster';
import SubnetGroup from 'cloudform-types/types/dax/subnetGroup';
import GlobalTable, { type ReplicaSpecification } from 'cloudform-types/types/dynamoDb/globalTable';
import { getAtt, ifThen, ref, sub, type List, type Value } from './fn';
import { tagMap, tags } from './names';
import { allow, role } from './policy';
import { retained, when } from './resources';
import type { Fragment } from './template';

export interface ReplicaProps {
  readonly region: Value<string>;
  /** ARN of the CMK in that region. */
  readonly kmsKeyArn: Value<string>;
}

export interface GlobalTableProps {
  readonly tableName: Value<string>;
  /** Partition key attribute (type S). */
  readonly partitionKey: string;
  /** Sort key attribute (type S). @default none */
  readonly sortKey?: string;
  /** TTL attribute (epoch seconds). @default expiresAt */
  readonly ttlAttribute?: string;
  /** The replica in the stack's own region. */
  readonly primary: ReplicaProps;
  /** The replica in the secondary region, created only when `secondaryCondition` is true. @default none */
  readonly secondary?: ReplicaProps & { readonly condition: string };
  /** Deletion protection (per replica), e.g. `!If [IsProd, true, false]`. @default true */
  readonly deletionProtection?: Value<boolean>;
}

function replica(r: ReplicaProps, deletionProtection: Value<boolean>): ReplicaSpecification {
  return {
    Region: r.region,
    SSESpecification: { KMSMasterKeyId: r.kmsKeyArn },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    DeletionProtectionEnabled: deletionProtection,
    TableClass: 'STANDARD',
    Tags: tags(),
  };
}

/**
 * An on-demand global table with string keys, retained on delete and replacement. The replica
 * list is `!If [condition, [primary, secondary], [primary]]` so a deployment without a secondary
 * region (no replica key yet) is still a valid single-region global table.
 */
export function globalTable(props: GlobalTableProps): GlobalTable {
  const keys = [props.partitionKey, ...(props.sortKey ? [props.sortKey] : [])];
  const protection = props.deletionProtection ?? true;
  const primary = replica(props.primary, protection);
  return retained(
    new GlobalTable({
      TableName: props.tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: keys.map((AttributeName, i) => ({ AttributeName, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      // Table level says "KMS"; each replica names its own regional CMK.
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { Enabled: true, AttributeName: props.ttlAttribute ?? 'expiresAt' },
      Replicas: props.secondary ? ifThen(props.secondary.condition, [primary, replica(props.secondary, protection)], [primary]) : [primary],
    }),
  );
}

/** Read and write actions DAX performs on the tables on behalf of its clients. */
export const DAX_TABLE_ACTIONS = [
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export interface DaxProps {
  /** Logical ID prefix: `<id>`, `<id>Role`, `<id>SubnetGroup`, `<id>ParameterGroup`. */
  readonly id: string;
  /** Stack condition the whole fragment is created under. */
  readonly condition: string;
  readonly namePrefix: string;
  /** Private subnets of the data VPC (a `CommaDelimitedList` parameter). */
  readonly subnetIds: List<Value<string>>;
  readonly securityGroupId: Value<string>;
  /** ARNs of the tables DAX fronts. */
  readonly tableArns: readonly Value<string>[];
  /** CMK the tables are encrypted with (DAX reads them through DynamoDB). */
  readonly tablesKeyArn: Value<string>;
  /** @default dax.t3.small */
  readonly nodeType?: Value<string>;
  /** Nodes: one per AZ in prod for availability. @default 3 in prod, 1 otherwise (needs an IsProd condition) */
  readonly replicationFactor?: Value<number>;
  /**
   * Item and query cache TTL in milliseconds. The enricher writes to DynamoDB directly (not
   * through DAX), so the cache can only be this stale. @default 10000
   */
  readonly cacheTtlMillis?: number;
}

/**
 * A DAX cluster encrypted at rest and in transit (TLS endpoint), in private subnets, with a
 * role scoped to the given tables. ClusterName is left to CloudFormation: DAX allows only 20
 * characters, fewer than `NamePrefix` may have.
 */
export function daxCluster(props: DaxProps): Fragment {
  const { id, condition } = props;
  const ttl = String(props.cacheTtlMillis ?? 10000);
  const daxRole = role({
    description: 'DAX reads and writes the metrics and latest tables on behalf of its clients',
    services: ['dax.amazonaws.com'],
    statements: [
      allow(DAX_TABLE_ACTIONS, [...props.tableArns]),
      // The tables use our CMK; DAX reaches it only through DynamoDB.
      allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], props.tablesKeyArn, {
        StringEquals: { 'kms:ViaService': sub('dynamodb.${AWS::Region}.amazonaws.com') },
      }),
    ],
  });
  return {
    [`${id}Role`]: when(condition, daxRole),
    [`${id}SubnetGroup`]: when(
      condition,
      new SubnetGroup({ SubnetGroupName: sub(`\${${props.namePrefix}}-dax`), Description: 'Private subnets of the data VPC', SubnetIds: props.subnetIds }),
    ),
    [`${id}ParameterGroup`]: when(
      condition,
      new ParameterGroup({
        ParameterGroupName: sub(`\${${props.namePrefix}}-dax`),
        Description: 'Short TTLs: writers bypass DAX, so cached items may be stale for at most this long',
        ParameterNameValues: { 'record-ttl-millis': ttl, 'query-ttl-millis': ttl },
      }),
    ),
    [id]: when(
      condition,
      new DaxCluster({
        Description: 'Read cache for the metrics and latest tables',
        NodeType: props.nodeType ?? 'dax.t3.small',
        ReplicationFactor: props.replicationFactor ?? ifThen('IsProd', 3, 1),
        IAMRoleARN: getAtt(`${id}Role`, 'Arn'),
        SubnetGroupName: ref(`${id}SubnetGroup`),
        ParameterGroupName: ref(`${id}ParameterGroup`),
        SecurityGroupIds: [props.securityGroupId],
        SSESpecification: { SSEEnabled: true },
        ClusterEndpointEncryptionType: 'TLS',
        Tags: tagMap(),
      }),
    ),
  };
}

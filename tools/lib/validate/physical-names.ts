/**
 * Physical names: which properties of a resource type carry a name the deployer chooses, and how
 * far that name must be unique. The validator's name rules and the side-by-side scenario test
 * (test/templates/side-by-side.test.ts) read this one table.
 *
 * How far a name must be unique comes from the type's ARN in the CloudFormation specification
 * (`arnTemplate`): an ARN with `${Region}` names a regional resource (API Gateway's ARNs carry no
 * account, yet its names are per account), one without `${Region}` but with `${Account}` an
 * account-wide resource, one with neither (`arn:aws:s3:::bucket`) a resource global to all of
 * AWS. A few types need a word the ARN cannot say, recorded with the reason in SCOPE_OVERRIDES.
 *
 * | scope                 | unique within                    | examples                                  |
 * | --------------------- | -------------------------------- | ----------------------------------------- |
 * | `aws`                 | every account and region         | S3 bucket names                           |
 * | `account`             | every region of one account      | IAM roles, CloudWatch dashboards, budgets |
 * | `region-all-accounts` | one region, every account        | Cognito hosted-UI domain prefixes         |
 * | `region`              | one account and region           | functions, queues, tables, log groups     |
 * | `label`               | nothing: duplicates are allowed  | user pool names, named-query names        |
 *
 * A name with a `parent` is unique only among resources with the same parent within its scope
 * (a stage in its API, a schedule in its group, a record in its hosted zone).
 */
import { EvaluationError, evaluate, NO_VALUE, resourceExists, type EvaluationContext } from './evaluate';
import { isRecord, resourcesOf } from './model';
import type { SpecIndex } from './spec';

export type NameScope = 'aws' | 'account' | 'region-all-accounts' | 'region' | 'label';

export interface NameProperty {
  /** Dotted property path, e.g. `DatabaseInput.Name`. */
  readonly path: string;
  /** Properties naming the parent: the name is unique only among resources with the same values. @default none */
  readonly parent?: readonly string[];
  /** The name is only a label (duplicates are allowed). @default false */
  readonly label?: true;
}

/**
 * Name-bearing properties of every resource type the templates use (and the common IAM ones).
 * `[]`: the type has no name the deployer sets. A type missing here fails the side-by-side test.
 */
export const NAME_PROPERTIES: Readonly<Record<string, readonly NameProperty[]>> = {
  'AWS::ApiGateway::Account': [],
  'AWS::ApiGateway::Authorizer': [{ path: 'Name', parent: ['RestApiId'] }],
  'AWS::ApiGateway::BasePathMapping': [{ path: 'BasePath', parent: ['DomainName'] }],
  'AWS::ApiGateway::Deployment': [],
  'AWS::ApiGateway::DomainName': [{ path: 'DomainName' }],
  'AWS::ApiGateway::GatewayResponse': [],
  'AWS::ApiGateway::Method': [],
  'AWS::ApiGateway::Model': [{ path: 'Name', parent: ['RestApiId'] }],
  'AWS::ApiGateway::RequestValidator': [{ path: 'Name', parent: ['RestApiId'] }],
  'AWS::ApiGateway::Resource': [{ path: 'PathPart', parent: ['ParentId'] }],
  // Duplicates are allowed, but CloudWatch keys the API's metrics (and our alarms) by ApiName.
  'AWS::ApiGateway::RestApi': [{ path: 'Name' }],
  'AWS::ApiGateway::Stage': [{ path: 'StageName', parent: ['RestApiId'] }],
  'AWS::Athena::DataCatalog': [{ path: 'Name' }],
  'AWS::Athena::NamedQuery': [{ path: 'Name', label: true }],
  'AWS::Athena::WorkGroup': [{ path: 'Name' }],
  'AWS::Backup::BackupPlan': [{ path: 'BackupPlan.BackupPlanName' }],
  'AWS::Backup::BackupSelection': [{ path: 'BackupSelection.SelectionName', parent: ['BackupPlanId'] }],
  'AWS::Backup::BackupVault': [{ path: 'BackupVaultName' }],
  'AWS::Budgets::Budget': [{ path: 'Budget.BudgetName' }],
  'AWS::CE::AnomalyMonitor': [{ path: 'MonitorName' }],
  'AWS::CE::AnomalySubscription': [{ path: 'SubscriptionName' }],
  'AWS::CloudFormation::Stack': [],
  'AWS::CloudFormation::WaitConditionHandle': [],
  'AWS::CloudTrail::Trail': [{ path: 'TrailName' }],
  'AWS::CloudWatch::Alarm': [{ path: 'AlarmName' }],
  'AWS::CloudWatch::Dashboard': [{ path: 'DashboardName' }],
  'AWS::Cognito::UserPool': [{ path: 'UserPoolName', label: true }],
  'AWS::Cognito::UserPoolClient': [{ path: 'ClientName', label: true }],
  'AWS::Cognito::UserPoolDomain': [{ path: 'Domain' }],
  'AWS::Cognito::UserPoolResourceServer': [
    { path: 'Identifier', parent: ['UserPoolId'] },
    { path: 'Name', label: true },
  ],
  'AWS::Config::ConfigRule': [{ path: 'ConfigRuleName' }],
  'AWS::Config::ConfigurationRecorder': [{ path: 'Name' }],
  'AWS::Config::DeliveryChannel': [{ path: 'Name' }],
  'AWS::DAX::Cluster': [{ path: 'ClusterName' }],
  'AWS::DAX::ParameterGroup': [{ path: 'ParameterGroupName' }],
  'AWS::DAX::SubnetGroup': [{ path: 'SubnetGroupName' }],
  'AWS::DynamoDB::GlobalTable': [{ path: 'TableName' }],
  'AWS::DynamoDB::Table': [{ path: 'TableName' }],
  'AWS::EC2::EIP': [],
  'AWS::EC2::FlowLog': [],
  'AWS::EC2::InternetGateway': [],
  'AWS::EC2::NatGateway': [],
  'AWS::EC2::Route': [],
  'AWS::EC2::RouteTable': [],
  'AWS::EC2::SecurityGroup': [{ path: 'GroupName', parent: ['VpcId'] }],
  'AWS::EC2::Subnet': [],
  'AWS::EC2::SubnetRouteTableAssociation': [],
  'AWS::EC2::VPC': [],
  'AWS::EC2::VPCEndpoint': [],
  'AWS::EC2::VPCGatewayAttachment': [],
  'AWS::EC2::VPCPeeringConnection': [],
  'AWS::Events::Rule': [{ path: 'Name', parent: ['EventBusName'] }],
  'AWS::Glue::Crawler': [{ path: 'Name' }],
  'AWS::Glue::Database': [{ path: 'DatabaseInput.Name' }],
  'AWS::Glue::SecurityConfiguration': [{ path: 'Name' }],
  'AWS::Glue::Table': [{ path: 'TableInput.Name', parent: ['DatabaseName'] }],
  'AWS::GuardDuty::Detector': [],
  'AWS::IAM::Group': [{ path: 'GroupName' }],
  'AWS::IAM::InstanceProfile': [{ path: 'InstanceProfileName' }],
  'AWS::IAM::ManagedPolicy': [{ path: 'ManagedPolicyName' }],
  'AWS::IAM::Policy': [{ path: 'PolicyName', parent: ['Roles'] }],
  'AWS::IAM::Role': [{ path: 'RoleName' }],
  'AWS::IAM::User': [{ path: 'UserName' }],
  'AWS::KMS::Alias': [{ path: 'AliasName' }],
  'AWS::KMS::Key': [],
  'AWS::Kinesis::Stream': [{ path: 'Name' }],
  'AWS::Lambda::EventInvokeConfig': [],
  'AWS::Lambda::EventSourceMapping': [],
  'AWS::Lambda::Function': [{ path: 'FunctionName' }],
  'AWS::Lambda::Permission': [],
  'AWS::Logs::LogGroup': [{ path: 'LogGroupName' }],
  'AWS::QuickSight::Dashboard': [{ path: 'DashboardId' }, { path: 'Name', label: true }],
  'AWS::QuickSight::DataSet': [{ path: 'DataSetId' }, { path: 'Name', label: true }],
  'AWS::QuickSight::DataSource': [{ path: 'DataSourceId' }, { path: 'Name', label: true }],
  'AWS::QuickSight::RefreshSchedule': [{ path: 'Schedule.ScheduleId', parent: ['DataSetId'] }],
  'AWS::Route53::HealthCheck': [],
  // A record is unique by zone, name, type and set identifier: the zone is the parent.
  'AWS::Route53::RecordSet': [{ path: 'Name', parent: ['HostedZoneId', 'Type', 'SetIdentifier'] }],
  'AWS::S3::Bucket': [{ path: 'BucketName' }],
  'AWS::S3::BucketPolicy': [],
  'AWS::SNS::Subscription': [],
  'AWS::SNS::Topic': [{ path: 'TopicName' }],
  'AWS::SNS::TopicPolicy': [],
  'AWS::SQS::Queue': [{ path: 'QueueName' }],
  'AWS::SQS::QueuePolicy': [],
  'AWS::Scheduler::Schedule': [{ path: 'Name', parent: ['GroupName'] }],
  'AWS::Scheduler::ScheduleGroup': [{ path: 'Name' }],
  'AWS::SecretsManager::RotationSchedule': [],
  'AWS::SecretsManager::Secret': [{ path: 'Name' }],
  'AWS::SecurityHub::Hub': [],
  'AWS::SecurityHub::Standard': [],
  'AWS::WAFv2::LoggingConfiguration': [],
  'AWS::WAFv2::WebACL': [{ path: 'Name', parent: ['Scope'] }],
  'AWS::WAFv2::WebACLAssociation': [],
};

/** Scopes the ARN template does not say, with the reason. */
export const SCOPE_OVERRIDES: Readonly<Record<string, { readonly scope: NameScope; readonly reason: string }>> = {
  'AWS::Cognito::UserPoolDomain': {
    scope: 'region-all-accounts',
    reason: 'a hosted-UI prefix is <prefix>.auth.<region>.amazoncognito.com: unique in the region across all accounts',
  },
  'AWS::Config::ConfigurationRecorder': { scope: 'region', reason: 'one recorder per account and region' },
  'AWS::Config::DeliveryChannel': { scope: 'region', reason: 'one delivery channel per account and region' },
  'AWS::DAX::ParameterGroup': { scope: 'region', reason: 'DAX names are per account and region' },
  'AWS::DAX::SubnetGroup': { scope: 'region', reason: 'DAX names are per account and region' },
  'AWS::Glue::SecurityConfiguration': { scope: 'region', reason: 'Glue names are per account and region' },
  'AWS::Scheduler::ScheduleGroup': { scope: 'region', reason: 'Scheduler names are per account and region' },
  'AWS::SecretsManager::Secret': { scope: 'region', reason: 'secret names are per account and region (and in each replica region)' },
  'AWS::ApiGateway::DomainName': {
    scope: 'region',
    reason: 'a regional custom domain is per region: the failover pair uses one name in two regions on purpose',
  },
  'AWS::Route53::RecordSet': { scope: 'account', reason: 'hosted zones are global: a record is the same from every region' },
  // The ARN has no region, but the name is not account-wide: each replica takes it in its own
  // region (and must: the shared name is what makes the replicas one table).
  'AWS::DynamoDB::GlobalTable': {
    scope: 'region',
    reason: 'a global table takes its name in each replica region (ALSO_IN_REGIONS), and all replicas share it by design',
  },
};

/** The scope of a type's unique (not label, not parent) names; undefined when the type is not known. */
export function nameScope(type: string, spec: Pick<SpecIndex, 'resources'>): NameScope | undefined {
  const override = SCOPE_OVERRIDES[type];
  if (override) return override.scope;
  const arn = spec.resources[type]?.arnTemplate;
  if (arn === undefined) return NAME_PROPERTIES[type] ? 'region' : undefined;
  // API Gateway's ARNs name the region but no account: the region decides first.
  const [, , , region, account] = arn.split(':');
  if (region?.includes('${Region}')) return 'region';
  return account?.includes('${Account}') ? 'account' : 'aws';
}

/** The scope of one name property: `label` or the type's. */
export function propertyScope(type: string, property: NameProperty, spec: Pick<SpecIndex, 'resources'>): NameScope {
  if (property.label) return 'label';
  return nameScope(type, spec) ?? 'region';
}

/** Pseudo parameters a name must contain to be unique across its scope. */
export const REQUIRED_IN_NAME: Readonly<Partial<Record<NameScope, readonly string[]>>> = {
  aws: ['AWS::AccountId', 'AWS::Region'],
  account: ['AWS::Region'],
  'region-all-accounts': ['AWS::AccountId'],
};

/** Types whose names share one namespace (a table is a table, global or not). @default `<type>.<property>` */
const NAMESPACES: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table.TableName': 'dynamodb table',
  'AWS::DynamoDB::GlobalTable.TableName': 'dynamodb table',
};

/** Where a type's name is also taken in other regions: the list of regions, as a path into the evaluated properties. */
const ALSO_IN_REGIONS: Readonly<Record<string, { readonly list: string; readonly region: string }>> = {
  'AWS::SecretsManager::Secret': { list: 'ReplicaRegions', region: 'Region' },
  'AWS::DynamoDB::GlobalTable': { list: 'Replicas', region: 'Region' },
};

/** One physical name a stack instance would create. */
export interface PhysicalName {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly property: string;
  readonly scope: NameScope;
  readonly account: string;
  readonly region: string;
  /** Evaluated parent values (`parent` properties), in order. */
  readonly parents: readonly string[];
  readonly name: string;
}

function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.'))
    current = current !== null && typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, unknown>)[key] : undefined;
  return current;
}

/**
 * Every chosen physical name of the resources that exist for the context's parameters (names
 * CloudFormation generates are unique and skipped). Throws for a resource type NAME_PROPERTIES
 * does not list, and for a name that does not evaluate to a string.
 */
export function physicalNamesOf(ctx: EvaluationContext, spec: Pick<SpecIndex, 'resources'>): PhysicalName[] {
  const out: PhysicalName[] = [];
  for (const [logicalId, resource] of resourcesOf(ctx.doc)) {
    if (!resourceExists(resource, ctx)) continue;
    const type = String(resource.Type);
    const properties = NAME_PROPERTIES[type];
    if (!properties)
      throw new EvaluationError(
        `${ctx.stack}: ${logicalId}: resource type ${type} is not in NAME_PROPERTIES (tools/lib/validate/physical-names.ts); add its name-bearing properties, or [] if it has none`,
      );
    const props = isRecord(resource.Properties) ? resource.Properties : {};
    for (const property of properties) {
      const [first] = property.path.split('.');
      const raw = props[first!];
      if (raw === undefined) continue;
      const name = at({ [first!]: evaluate(raw, ctx, `${logicalId}.${first}`) }, property.path);
      if (name === undefined || name === NO_VALUE) continue;
      if (typeof name !== 'string') throw new EvaluationError(`${ctx.stack}: ${logicalId}.${property.path} evaluates to ${JSON.stringify(name)}, not a name`);
      const parents = (property.parent ?? []).map((p) => JSON.stringify(props[p] === undefined ? null : evaluate(props[p], ctx, `${logicalId}.${p}`)));
      const base = {
        stack: ctx.stack,
        logicalId,
        type,
        property: property.path,
        scope: propertyScope(type, property, spec),
        account: ctx.account,
        parents,
        name,
      };
      out.push({ ...base, region: ctx.region });
      const also = ALSO_IN_REGIONS[type];
      const replicas = also && props[also.list] !== undefined ? evaluate(props[also.list], ctx, `${logicalId}.${also.list}`) : undefined;
      if (Array.isArray(replicas)) {
        for (const region of new Set(replicas.map((r) => String(at(r, also!.region))))) if (region !== ctx.region) out.push({ ...base, region });
      }
    }
  }
  return out;
}

/** The key two names collide on: namespace, the scope's account and region, the parents, the name. Undefined for labels. */
export function collisionKey(n: PhysicalName): string | undefined {
  const namespace = NAMESPACES[`${n.type}.${n.property}`] ?? `${n.type}.${n.property}`;
  const where: Record<NameScope, readonly string[] | undefined> = {
    aws: [],
    account: [n.account],
    'region-all-accounts': [n.region],
    region: [n.account, n.region],
    label: undefined,
  };
  const scope = where[n.scope];
  return scope === undefined ? undefined : JSON.stringify([namespace, ...scope, ...n.parents, n.name]);
}

/**
 * AWS SAM resources as the CloudFormation resources the SAM transform turns them into, so a
 * SAM template is graded like its deployed form. Follows the transform's naming (the SAM
 * specification's "generated resources"): a function `F` becomes `F` (AWS::Lambda::Function) and
 * `FRole` (unless it names a Role), each event `E` of kind Kinesis/DynamoDB/SQS becomes an event
 * source mapping `FE`, Schedule a rule `FE`, ScheduleV2 a schedule `FE`, SNS a subscription `FE`,
 * an Api event a method on its API; `AWS::Serverless::Api` A becomes A (RestApi), `A<Stage>Stage`
 * and its Cognito authorizers; SimpleTable a table; HttpApi an ApiGatewayV2 API; Application a
 * nested stack. `Globals` are merged into each function, API and table first.
 *
 * This is a model of the transform for grading, not a replacement of it: properties the checks do
 * not read may be dropped, and SAM policy templates become the IAM actions they grant.
 */
import { isRecord, section, type Json } from './tree';

export interface SamExpansion {
  /** The template with every `AWS::Serverless::*` resource replaced by its CloudFormation resources. */
  readonly template: Json;
  /** Expanded logical ID → `AWS::Serverless::<Kind> <LogicalId>`. */
  readonly expandedFrom: ReadonlyMap<string, string>;
  /** SAM types this model does not expand (kept as they are, so they count for nothing). */
  readonly unexpanded: readonly string[];
}

/** True when the template uses the SAM transform or any AWS::Serverless resource. */
export function usesSam(template: Json): boolean {
  const transform = template.Transform;
  const transforms = Array.isArray(transform) ? transform : [transform];
  if (transforms.some((t) => typeof t === 'string' && t.startsWith('AWS::Serverless'))) return true;
  return Object.values(section(template, 'Resources')).some((r) => isRecord(r) && typeof r.Type === 'string' && r.Type.startsWith('AWS::Serverless::'));
}

/** SAM policy templates → the actions they grant (subset: the services the roadmap uses). */
const POLICY_TEMPLATES: Readonly<Record<string, { readonly actions: readonly string[]; readonly resource: (args: Json) => unknown }>> = {
  DynamoDBCrudPolicy: {
    actions: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:BatchWriteItem',
      'dynamodb:BatchGetItem',
    ],
    resource: (a) => tableArn(a.TableName),
  },
  DynamoDBWritePolicy: { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'], resource: (a) => tableArn(a.TableName) },
  DynamoDBReadPolicy: { actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem'], resource: (a) => tableArn(a.TableName) },
  DynamoDBStreamReadPolicy: {
    actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
    resource: (a) => tableArn(a.TableName),
  },
  S3CrudPolicy: { actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'], resource: (a) => bucketArn(a.BucketName) },
  S3WritePolicy: { actions: ['s3:PutObject', 's3:PutObjectAcl'], resource: (a) => bucketArn(a.BucketName) },
  S3ReadPolicy: { actions: ['s3:GetObject', 's3:ListBucket'], resource: (a) => bucketArn(a.BucketName) },
  KinesisStreamReadPolicy: {
    actions: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStream', 'kinesis:ListShards'],
    resource: (a) => ({ 'Fn::Sub': ['arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${n}', { n: a.StreamName }] }),
  },
  KinesisCrudPolicy: {
    actions: ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:GetRecords', 'kinesis:DescribeStream'],
    resource: (a) => ({ 'Fn::Sub': ['arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${n}', { n: a.StreamName }] }),
  },
  SQSSendMessagePolicy: {
    actions: ['sqs:SendMessage'],
    resource: (a) => ({ 'Fn::Sub': ['arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${n}', { n: a.QueueName }] }),
  },
  SNSPublishMessagePolicy: {
    actions: ['sns:Publish'],
    resource: (a) => ({ 'Fn::Sub': ['arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${n}', { n: a.TopicName }] }),
  },
  AWSSecretsManagerGetSecretValuePolicy: { actions: ['secretsmanager:GetSecretValue'], resource: (a) => a.SecretArn },
  KMSDecryptPolicy: {
    actions: ['kms:Decrypt'],
    resource: (a) => ({ 'Fn::Sub': ['arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${k}', { k: a.KeyId }] }),
  },
};

function tableArn(name: unknown): unknown {
  return { 'Fn::Sub': ['arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${t}', { t: name }] };
}

function bucketArn(name: unknown): unknown {
  return [{ 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${b}', { b: name }] }, { 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${b}/*', { b: name }] }];
}

/** A SAM `Policies` value → IAM role `Policies` and `ManagedPolicyArns`. */
function rolePolicies(policies: unknown): { inline: Json[]; managed: unknown[] } {
  const inline: Json[] = [];
  const managed: unknown[] = [];
  const list = Array.isArray(policies) ? policies : policies === undefined ? [] : [policies];
  list.forEach((p, i) => {
    if (typeof p === 'string') {
      managed.push(p.startsWith('arn:') ? p : { 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${p}` });
      return;
    }
    if (!isRecord(p)) return;
    if ('Statement' in p) {
      inline.push({ PolicyName: `Policy${i}`, PolicyDocument: p });
      return;
    }
    const [name] = Object.keys(p);
    const template = name !== undefined ? POLICY_TEMPLATES[name] : undefined;
    if (template) {
      const args = isRecord(p[name!]) ? (p[name!] as Json) : {};
      inline.push({
        PolicyName: `${name}${i}`,
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...template.actions], Resource: template.resource(args) }] },
      });
    } else if (isRecord(p) && Object.keys(p).length === 1 && (name === 'Ref' || name?.startsWith('Fn::'))) {
      managed.push(p);
    }
  });
  return { inline, managed };
}

/** Shallow merge of Globals into a resource's properties; `Environment.Variables` and `Tags` merge one level deeper. */
function withGlobals(globals: Json, props: Json): Json {
  const out: Json = { ...globals, ...props };
  for (const key of ['Environment', 'Tags']) {
    if (isRecord(globals[key]) && isRecord(props[key])) {
      out[key] =
        key === 'Environment'
          ? { ...globals[key], ...props[key], Variables: { ...section(globals[key] as Json, 'Variables'), ...section(props[key] as Json, 'Variables') } }
          : { ...(globals[key] as Json), ...(props[key] as Json) };
    }
  }
  return out;
}

/** Copies the resource attributes that survive the transform (Condition, DependsOn, policies, Metadata). */
function attributes(resource: Json): Json {
  const out: Json = {};
  for (const key of ['Condition', 'DependsOn', 'DeletionPolicy', 'UpdateReplacePolicy', 'Metadata']) if (resource[key] !== undefined) out[key] = resource[key];
  return out;
}

function pick(props: Json, keys: readonly string[]): Json {
  return Object.fromEntries(keys.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
}

const FUNCTION_PASSTHROUGH = [
  'FunctionName',
  'Description',
  'Handler',
  'Runtime',
  'MemorySize',
  'Timeout',
  'Environment',
  'VpcConfig',
  'KmsKeyArn',
  'Layers',
  'ReservedConcurrentExecutions',
  'Architectures',
  'LoggingConfig',
  'EphemeralStorage',
  'ImageConfig',
  'PackageType',
  'Tags',
  'FileSystemConfigs',
  'SnapStart',
  'RuntimeManagementConfig',
  'RecursiveLoop',
];
const MAPPING_PASSTHROUGH = [
  'BatchSize',
  'StartingPosition',
  'StartingPositionTimestamp',
  'FunctionResponseTypes',
  'BisectBatchOnFunctionError',
  'MaximumRetryAttempts',
  'MaximumRecordAgeInSeconds',
  'MaximumBatchingWindowInSeconds',
  'ParallelizationFactor',
  'TumblingWindowInSeconds',
  'FilterCriteria',
  'Enabled',
  'ScalingConfig',
];

interface Out {
  readonly resources: Json;
  readonly from: Map<string, string>;
  readonly methods: Json[];
}

function expandFunction(id: string, resource: Json, globals: Json, out: Out): void {
  const p = withGlobals(section(globals, 'Function'), section(resource, 'Properties'));
  const label = `AWS::Serverless::Function ${id}`;
  const add = (logicalId: string, value: Json): void => {
    out.resources[logicalId] = value;
    out.from.set(logicalId, label);
  };
  const fn: Json = pick(p, FUNCTION_PASSTHROUGH);
  fn.Code = p.CodeUri ?? p.InlineCode ?? p.ImageUri ?? '';
  if (p.Tracing !== undefined) fn.TracingConfig = { Mode: p.Tracing };
  const dlq = section(p, 'DeadLetterQueue');
  if (dlq.TargetArn !== undefined) fn.DeadLetterConfig = { TargetArn: dlq.TargetArn };
  if (p.Role !== undefined) fn.Role = p.Role;
  else {
    const { inline, managed } = rolePolicies(p.Policies);
    const role: Json = {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      },
      ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }, ...managed],
    };
    if (inline.length > 0) role.Policies = inline;
    if (p.PermissionsBoundary !== undefined) role.PermissionsBoundary = p.PermissionsBoundary;
    add(`${id}Role`, { Type: 'AWS::IAM::Role', ...attributes(resource), Properties: role });
    fn.Role = { 'Fn::GetAtt': [`${id}Role`, 'Arn'] };
  }
  add(id, { Type: 'AWS::Lambda::Function', ...attributes(resource), Properties: fn });
  const invoke = section(p, 'EventInvokeConfig');
  if (Object.keys(invoke).length > 0) {
    add(`${id}EventInvokeConfig`, {
      Type: 'AWS::Lambda::EventInvokeConfig',
      ...attributes(resource),
      Properties: {
        FunctionName: { Ref: id },
        Qualifier: '$LATEST',
        ...pick(invoke, ['MaximumEventAgeInSeconds', 'MaximumRetryAttempts', 'DestinationConfig']),
      },
    });
  }
  for (const [eventId, event] of Object.entries(section(p, 'Events'))) {
    if (!isRecord(event)) continue;
    const ep = section(event, 'Properties');
    const logicalId = `${id}${eventId}`;
    switch (event.Type) {
      case 'Kinesis':
      case 'DynamoDB':
      case 'SQS':
      case 'MSK': {
        const mapping: Json = { FunctionName: { Ref: id }, EventSourceArn: ep.Stream ?? ep.Queue, ...pick(ep, MAPPING_PASSTHROUGH) };
        const onFailure = section(section(ep, 'DestinationConfig'), 'OnFailure');
        if (onFailure.Destination !== undefined) mapping.DestinationConfig = { OnFailure: { Destination: onFailure.Destination } };
        add(logicalId, { Type: 'AWS::Lambda::EventSourceMapping', ...attributes(resource), Properties: mapping });
        break;
      }
      case 'Schedule':
        add(logicalId, {
          Type: 'AWS::Events::Rule',
          ...attributes(resource),
          Properties: {
            ScheduleExpression: ep.Schedule,
            State: ep.Enabled === false ? 'DISABLED' : 'ENABLED',
            Targets: [
              {
                Id: `${logicalId}LambdaTarget`,
                Arn: { 'Fn::GetAtt': [id, 'Arn'] },
                ...(isRecord(ep.DeadLetterConfig) ? { DeadLetterConfig: { Arn: ep.DeadLetterConfig.Arn } } : {}),
                ...(isRecord(ep.RetryPolicy) ? { RetryPolicy: ep.RetryPolicy } : {}),
              },
            ],
          },
        });
        break;
      case 'ScheduleV2':
        add(logicalId, {
          Type: 'AWS::Scheduler::Schedule',
          ...attributes(resource),
          Properties: {
            ScheduleExpression: ep.ScheduleExpression,
            FlexibleTimeWindow: ep.FlexibleTimeWindow ?? { Mode: 'OFF' },
            Target: {
              Arn: { 'Fn::GetAtt': [id, 'Arn'] },
              RoleArn: ep.RoleArn ?? { 'Fn::GetAtt': [`${logicalId}Role`, 'Arn'] },
              ...(isRecord(ep.DeadLetterConfig) ? { DeadLetterConfig: { Arn: ep.DeadLetterConfig.Arn } } : {}),
              ...(isRecord(ep.RetryPolicy) ? { RetryPolicy: ep.RetryPolicy } : {}),
            },
          },
        });
        break;
      case 'SNS':
        add(logicalId, {
          Type: 'AWS::SNS::Subscription',
          ...attributes(resource),
          Properties: { TopicArn: ep.Topic, Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': [id, 'Arn'] } },
        });
        break;
      case 'Api':
        out.methods.push({ functionId: id, eventId, label, attributes: attributes(resource), props: ep });
        break;
      default:
        break;
    }
  }
}

/** Expands every AWS::Serverless resource of a template (the template itself is not modified). */
export function expandSam(template: Json): SamExpansion {
  const globals = section(template, 'Globals');
  const out: Out = { resources: {}, from: new Map(), methods: [] };
  const unexpanded: string[] = [];
  const apis = new Map<string, { authorizers: Json; defaultAuthorizer?: unknown }>();
  for (const [id, resource] of Object.entries(section(template, 'Resources'))) {
    if (!isRecord(resource) || typeof resource.Type !== 'string' || !resource.Type.startsWith('AWS::Serverless::')) {
      out.resources[id] = resource;
      continue;
    }
    const label = `${resource.Type} ${id}`;
    const add = (logicalId: string, value: Json): void => {
      out.resources[logicalId] = value;
      out.from.set(logicalId, label);
    };
    switch (resource.Type) {
      case 'AWS::Serverless::Function':
        expandFunction(id, resource, globals, out);
        break;
      case 'AWS::Serverless::Api': {
        const p = withGlobals(section(globals, 'Api'), section(resource, 'Properties'));
        const auth = section(p, 'Auth');
        add(id, {
          Type: 'AWS::ApiGateway::RestApi',
          ...attributes(resource),
          Properties: pick(p, ['Name', 'Description', 'EndpointConfiguration', 'BinaryMediaTypes', 'MinimumCompressionSize', 'Body', 'DefinitionBody', 'Tags']),
        });
        const stage = typeof p.StageName === 'string' ? p.StageName : 'Prod';
        add(`${id}${stage.replace(/[^A-Za-z0-9]/g, '')}Stage`, {
          Type: 'AWS::ApiGateway::Stage',
          ...attributes(resource),
          Properties: {
            RestApiId: { Ref: id },
            StageName: p.StageName ?? stage,
            ...pick(p, ['TracingEnabled', 'MethodSettings', 'AccessLogSetting', 'Variables']),
          },
        });
        const authorizers = section(auth, 'Authorizers');
        for (const [name, a] of Object.entries(authorizers)) {
          if (!isRecord(a) || a.UserPoolArn === undefined) continue;
          add(`${id}${name}Authorizer`, {
            Type: 'AWS::ApiGateway::Authorizer',
            ...attributes(resource),
            Properties: {
              RestApiId: { Ref: id },
              Name: name,
              Type: 'COGNITO_USER_POOLS',
              ProviderARNs: Array.isArray(a.UserPoolArn) ? a.UserPoolArn : [a.UserPoolArn],
            },
          });
        }
        apis.set(id, { authorizers, defaultAuthorizer: auth.DefaultAuthorizer });
        break;
      }
      case 'AWS::Serverless::HttpApi': {
        const p = withGlobals(section(globals, 'HttpApi'), section(resource, 'Properties'));
        add(id, {
          Type: 'AWS::ApiGatewayV2::Api',
          ...attributes(resource),
          Properties: { ProtocolType: 'HTTP', ...pick(p, ['Name', 'Description', 'Body', 'DefinitionBody', 'Tags']) },
        });
        for (const [name, a] of Object.entries(section(section(p, 'Auth'), 'Authorizers'))) {
          if (!isRecord(a)) continue;
          add(`${id}${name}Authorizer`, {
            Type: 'AWS::ApiGatewayV2::Authorizer',
            ...attributes(resource),
            Properties: {
              ApiId: { Ref: id },
              Name: name,
              AuthorizerType: isRecord(a.JwtConfiguration) ? 'JWT' : 'REQUEST',
              ...(isRecord(a.JwtConfiguration) ? { JwtConfiguration: a.JwtConfiguration } : {}),
            },
          });
        }
        break;
      }
      case 'AWS::Serverless::SimpleTable': {
        const p = withGlobals(section(globals, 'SimpleTable'), section(resource, 'Properties'));
        const key = section(p, 'PrimaryKey');
        const name = typeof key.Name === 'string' ? key.Name : 'id';
        const type = key.Type === 'Number' ? 'N' : key.Type === 'Binary' ? 'B' : 'S';
        const table: Json = {
          KeySchema: [{ AttributeName: name, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: name, AttributeType: type }],
          ...(p.ProvisionedThroughput !== undefined ? { ProvisionedThroughput: p.ProvisionedThroughput } : { BillingMode: 'PAY_PER_REQUEST' }),
          ...pick(p, ['TableName', 'SSESpecification', 'Tags', 'PointInTimeRecoverySpecification']),
        };
        add(id, { Type: 'AWS::DynamoDB::Table', ...attributes(resource), Properties: table });
        break;
      }
      case 'AWS::Serverless::LayerVersion':
        add(id, {
          Type: 'AWS::Lambda::LayerVersion',
          ...attributes(resource),
          Properties: {
            Content: section(resource, 'Properties').ContentUri ?? '',
            ...pick(section(resource, 'Properties'), ['LayerName', 'CompatibleRuntimes', 'Description']),
          },
        });
        break;
      case 'AWS::Serverless::Application': {
        const p = section(resource, 'Properties');
        add(id, {
          Type: 'AWS::CloudFormation::Stack',
          ...attributes(resource),
          Properties: {
            TemplateURL: typeof p.Location === 'string' ? p.Location : '',
            ...pick(p, ['Parameters', 'NotificationARNs', 'Tags', 'TimeoutInMinutes']),
          },
        });
        break;
      }
      case 'AWS::Serverless::StateMachine': {
        const p = section(resource, 'Properties');
        add(id, {
          Type: 'AWS::StepFunctions::StateMachine',
          ...attributes(resource),
          Properties: pick(p, ['Definition', 'DefinitionUri', 'Name', 'Role', 'Type', 'Logging', 'Tracing', 'Tags']),
        });
        break;
      }
      default:
        out.resources[id] = resource;
        unexpanded.push(`${resource.Type} ${id}`);
    }
  }
  // Api events become methods on their API (the implicit ServerlessRestApi when none is named).
  for (const m of out.methods) {
    const p = m.props as Json;
    const apiRef = p.RestApiId;
    const apiId = isRecord(apiRef) && typeof apiRef.Ref === 'string' ? apiRef.Ref : 'ServerlessRestApi';
    if (!(apiId in out.resources)) {
      out.resources[apiId] = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: { Ref: 'AWS::StackName' } } };
      out.from.set(apiId, `${String(m.label)} (implicit API)`);
    }
    const api = apis.get(apiId);
    const authorizer = section(p, 'Auth').Authorizer ?? api?.defaultAuthorizer;
    const cognito =
      typeof authorizer === 'string' && isRecord(api?.authorizers[authorizer]) && (api!.authorizers[authorizer] as Json).UserPoolArn !== undefined;
    const authorizationType =
      authorizer === 'AWS_IAM' ? 'AWS_IAM' : cognito ? 'COGNITO_USER_POOLS' : authorizer === undefined || authorizer === 'NONE' ? 'NONE' : 'CUSTOM';
    const method: Json = {
      RestApiId: { Ref: apiId },
      HttpMethod: String(p.Method ?? 'ANY').toUpperCase(),
      ResourcePath: p.Path,
      AuthorizationType: authorizationType,
      ...(cognito ? { AuthorizerId: { Ref: `${apiId}${String(authorizer)}Authorizer` } } : {}),
      Integration: {
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        Uri: { 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${String(m.functionId)}.Arn}/invocations` },
      },
    };
    const logicalId = `${String(m.functionId)}${String(m.eventId)}Method`;
    out.resources[logicalId] = { Type: 'AWS::ApiGateway::Method', ...(m.attributes as Json), Properties: method };
    out.from.set(logicalId, String(m.label));
  }
  const expanded: Json = { ...template, Resources: out.resources };
  delete expanded.Globals;
  return { template: expanded, expandedFrom: out.from, unexpanded };
}

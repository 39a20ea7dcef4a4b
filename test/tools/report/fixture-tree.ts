/**
 * A small nested template tree in CloudFormation's JSON form, complete enough for the bullets
 * 1.4, 2.1–2.3, 3.3, 4.1, 5.1, 8.3 and 11.1 to pass, and for the diagram to show the flow
 * API → Kinesis → enricher → table/bucket and rules → topic. Tests plant gaps in a copy.
 */
import type { TemplateFile } from '../../../tools/lib/grade/tree';

type Json = Record<string, unknown>;

const ref = (id: string) => ({ Ref: id });
const getAtt = (id: string, attr: string) => ({ 'Fn::GetAtt': [id, attr] });
const sub = (text: string) => ({ 'Fn::Sub': text });
const roadmap = (entries: Record<string, string[]>) => ({
  Roadmap: Object.fromEntries(Object.entries(entries).map(([id, r]) => [id, { Text: `bullet ${id}`, Resources: r }])),
});

function stack(file: string, parameters: Json = {}): Json {
  return {
    Type: 'AWS::CloudFormation::Stack',
    Properties: { TemplateURL: `./${file}`, Parameters: { NamePrefix: sub('${ProjectName}-${Environment}'), ...parameters } },
  };
}

const key = { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true, KeyPolicy: { Version: '2012-10-17', Statement: [] } } };

function topic(name: string): Json {
  return { Type: 'AWS::SNS::Topic', Properties: { TopicName: sub(`\${NamePrefix}-${name}`), KmsMasterKeyId: getAtt('StreamingKey', 'Arn') } };
}

function bucket(purpose: string): Json {
  return {
    Type: 'AWS::S3::Bucket',
    DeletionPolicy: 'Retain',
    Properties: {
      BucketName: sub(`\${NamePrefix}-${purpose}-\${AWS::AccountId}-\${AWS::Region}`),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: ref('DataLakeKeyArn') }, BucketKeyEnabled: true },
        ],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
    },
  };
}

function endpoint(service: string, type: 'Gateway' | 'Interface'): Json {
  return {
    Type: 'AWS::EC2::VPCEndpoint',
    Properties: {
      VpcId: ref('AppVpc'),
      ServiceName: sub(`com.amazonaws.\${AWS::Region}.${service}`),
      VpcEndpointType: type,
      ...(type === 'Interface' ? { PrivateDnsEnabled: true } : {}),
    },
  };
}

function replica(region: unknown): Json {
  return { Region: region, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, SSESpecification: { KMSMasterKeyId: ref('TablesKeyArn') } };
}

export function fixtureTree(): TemplateFile[] {
  const files: Record<string, Json> = {
    'root.yaml': {
      Metadata: roadmap({ '11.1': ['Security', 'Networking', 'Streaming', 'DataLake', 'Datastores', 'Compute'] }),
      Parameters: {
        ProjectName: { Type: 'String' },
        Environment: { Type: 'String' },
        Symbols: { Type: 'String' },
        Cities: { Type: 'String' },
        StockDropPercent: { Type: 'Number' },
      },
      Resources: {
        Security: stack('security.yaml'),
        Networking: stack('networking.yaml'),
        Streaming: stack('streaming.yaml', {
          StreamingKeyArn: getAtt('Security', 'Outputs.StreamingKeyArn'),
          WebAclArn: getAtt('Security', 'Outputs.WebAclArn'),
        }),
        DataLake: stack('data-lake.yaml', { DataLakeKeyArn: getAtt('Security', 'Outputs.DataLakeKeyArn') }),
        Datastores: stack('datastores.yaml', { TablesKeyArn: getAtt('Security', 'Outputs.TablesKeyArn') }),
        Compute: stack('compute.yaml', {
          StreamArn: getAtt('Streaming', 'Outputs.StreamArn'),
          MetricsTableName: getAtt('Datastores', 'Outputs.MetricsTableName'),
          RawBucketName: getAtt('DataLake', 'Outputs.RawBucketName'),
          MarketAlertsTopicArn: getAtt('Security', 'Outputs.MarketAlertsTopicArn'),
          StockDropPercent: ref('StockDropPercent'),
        }),
      },
    },
    'security.yaml': {
      Metadata: roadmap({ '8.3': ['OpsAlertsTopic', 'MarketAlertsTopic', 'WeatherAlertsTopic', 'FinOpsAlertsTopic'] }),
      Parameters: { NamePrefix: { Type: 'String' } },
      Resources: {
        DataLakeKey: key,
        TablesKey: key,
        StreamingKey: key,
        OpsAlertsTopic: topic('ops-alerts'),
        MarketAlertsTopic: topic('market-alerts'),
        WeatherAlertsTopic: topic('weather-alerts'),
        FinOpsAlertsTopic: topic('finops-alerts'),
        WebAcl: { Type: 'AWS::WAFv2::WebACL', Properties: { Scope: 'REGIONAL', DefaultAction: { Allow: {} }, Rules: [] } },
      },
      Outputs: {
        DataLakeKeyArn: { Value: getAtt('DataLakeKey', 'Arn') },
        TablesKeyArn: { Value: getAtt('TablesKey', 'Arn') },
        StreamingKeyArn: { Value: getAtt('StreamingKey', 'Arn') },
        MarketAlertsTopicArn: { Value: ref('MarketAlertsTopic') },
        WebAclArn: { Value: getAtt('WebAcl', 'Arn') },
      },
    },
    'networking.yaml': {
      Metadata: roadmap({ '1.4': ['S3Endpoint', 'DynamoDbEndpoint', 'LogsEndpoint', 'StsEndpoint', 'KmsEndpoint', 'SecretsEndpoint'] }),
      Parameters: { NamePrefix: { Type: 'String' } },
      Resources: {
        AppVpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
        S3Endpoint: endpoint('s3', 'Gateway'),
        DynamoDbEndpoint: endpoint('dynamodb', 'Gateway'),
        LogsEndpoint: endpoint('logs', 'Interface'),
        StsEndpoint: endpoint('sts', 'Interface'),
        KmsEndpoint: endpoint('kms', 'Interface'),
        SecretsEndpoint: endpoint('secretsmanager', 'Interface'),
      },
    },
    'streaming.yaml': {
      Metadata: roadmap({ '3.1': ['Api', 'UserPool', 'Authorizer', 'WebAclAssociation'], '3.3': ['Stream', 'IngestMethod'] }),
      Parameters: { NamePrefix: { Type: 'String' }, StreamingKeyArn: { Type: 'String' }, WebAclArn: { Type: 'String' } },
      Resources: {
        UserPool: { Type: 'AWS::Cognito::UserPool', Properties: {} },
        Authorizer: {
          Type: 'AWS::ApiGateway::Authorizer',
          Properties: { RestApiId: ref('Api'), Type: 'COGNITO_USER_POOLS', ProviderARNs: [getAtt('UserPool', 'Arn')] },
        },
        Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: ref('Api'), StageName: 'v1' } },
        WebAclAssociation: {
          Type: 'AWS::WAFv2::WebACLAssociation',
          Properties: { WebACLArn: ref('WebAclArn'), ResourceArn: sub('arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Stage}') },
        },
        Stream: { Type: 'AWS::Kinesis::Stream', Properties: { StreamEncryption: { EncryptionType: 'KMS', KeyId: ref('StreamingKeyArn') } } },
        Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: sub('${NamePrefix}-ingest') } },
        IngestMethod: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            RestApiId: ref('Api'),
            HttpMethod: 'POST',
            AuthorizationType: 'COGNITO_USER_POOLS',
            Integration: {
              Type: 'AWS',
              Uri: sub('arn:${AWS::Partition}:apigateway:${AWS::Region}:kinesis:action/PutRecords'),
              RequestTemplates: {
                'application/json': sub(
                  '{"StreamName": "${Stream}", "Records": [#foreach($e in $input.path(\'$\'))#set($pk = "$!{e.symbol}$!{e.city}"){"Data": "$util.base64Encode($input.json(\'$\'))", "PartitionKey": "$pk"}#end]}',
                ),
              },
            },
          },
        },
      },
      Outputs: { StreamArn: { Value: getAtt('Stream', 'Arn') } },
    },
    'data-lake.yaml': {
      Metadata: roadmap({ '2.1': ['RawBucket'], '2.2': ['ProcessedBucket'], '2.3': ['RawBucket', 'ProcessedBucket'] }),
      Parameters: { NamePrefix: { Type: 'String' }, DataLakeKeyArn: { Type: 'String' } },
      Resources: { RawBucket: bucket('raw'), ProcessedBucket: bucket('processed') },
      Outputs: { RawBucketName: { Value: ref('RawBucket') } },
    },
    'datastores.yaml': {
      Metadata: roadmap({ '5.1': ['MetricsTable'] }),
      Parameters: { NamePrefix: { Type: 'String' }, TablesKeyArn: { Type: 'String' }, SecondaryRegion: { Type: 'String' } },
      Conditions: { HasSecondaryRegion: { 'Fn::Not': [{ 'Fn::Equals': [ref('SecondaryRegion'), ''] }] } },
      Resources: {
        MetricsTable: {
          Type: 'AWS::DynamoDB::GlobalTable',
          DeletionPolicy: 'Retain',
          Properties: {
            TableName: sub('${NamePrefix}-metrics'),
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
            Replicas: { 'Fn::If': ['HasSecondaryRegion', [replica(ref('AWS::Region')), replica(ref('SecondaryRegion'))], [replica(ref('AWS::Region'))]] },
          },
        },
      },
      Outputs: { MetricsTableName: { Value: ref('MetricsTable') } },
    },
    'compute.yaml': {
      Metadata: roadmap({ '4.1': ['EnricherFunction', 'EnricherMapping'] }),
      Parameters: {
        NamePrefix: { Type: 'String' },
        StreamArn: { Type: 'String' },
        MetricsTableName: { Type: 'String' },
        RawBucketName: { Type: 'String' },
        MarketAlertsTopicArn: { Type: 'String' },
        StockDropPercent: { Type: 'Number' },
      },
      Resources: {
        EnricherFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: { Environment: { Variables: { METRICS_TABLE: ref('MetricsTableName'), RAW_BUCKET: ref('RawBucketName') } } },
        },
        EnricherMapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: ref('StreamArn'), FunctionName: ref('EnricherFunction') } },
        RulesFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: { Environment: { Variables: { MARKET_ALERTS_TOPIC_ARN: ref('MarketAlertsTopicArn'), STOCK_DROP_PERCENT: ref('StockDropPercent') } } },
        },
      },
    },
  };
  return Object.entries(files).map(([file, template]) => ({ file, template: structuredClone(template) }));
}

/** The fixture's registry view: nested stacks in root order. */
export const FIXTURE_NESTED = [
  { id: 'Security', file: 'security.yaml', steps: [8, 9] },
  { id: 'Networking', file: 'networking.yaml' },
  { id: 'Streaming', file: 'streaming.yaml' },
  { id: 'DataLake', file: 'data-lake.yaml' },
  { id: 'Datastores', file: 'datastores.yaml' },
  { id: 'Compute', file: 'compute.yaml' },
] as const;

/** The template of `file` in a fixture copy, for planting gaps. */
export function templateOf(files: TemplateFile[], file: string): Record<string, any> {
  const f = files.find((x) => x.file === file);
  if (!f) throw new Error(`fixture has no ${file}`);
  return f.template as Record<string, any>;
}

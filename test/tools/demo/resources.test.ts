import { localResources, ON_DEMAND_SHARDS, resolveName, TemplateResolutionError, type LocalNames } from '../../../tools/lib/demo/resources';
import { parseTemplate } from '../../../templates-src/lib/yaml';

const names: LocalNames = { NamePrefix: 'stockwx-demo', 'AWS::AccountId': '000000000000', 'AWS::Region': 'us-east-1' };

const datastores = parseTemplate(`
Resources:
  MetricsTable:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      TableName: !Sub \${NamePrefix}-metrics
      KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: ts, KeyType: RANGE}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: ts, AttributeType: S}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
      TimeToLiveSpecification: {AttributeName: expiresAt, Enabled: true}
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: !Sub \${NamePrefix}-events
      ShardCount: !If [OnDemand, !Ref AWS::NoValue, !Ref StreamShardCount]
      RetentionPeriodHours: 168
  RawBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub \${NamePrefix}-raw-\${AWS::AccountId}-\${AWS::Region}
  OtherBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: other
`);

describe('localResources', () => {
  test('takes key schemas, stream settings and names from the template', () => {
    expect(localResources({ 'datastores.yaml': datastores }, names, ['RawBucket'])).toEqual({
      tables: [
        {
          logicalId: 'MetricsTable',
          tableName: 'stockwx-demo-metrics',
          keySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'ts', KeyType: 'RANGE' },
          ],
          attributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'ts', AttributeType: 'S' },
          ],
          streamViewType: 'NEW_AND_OLD_IMAGES',
          ttlAttribute: 'expiresAt',
        },
      ],
      streams: [{ logicalId: 'Stream', streamName: 'stockwx-demo-events', shardCount: ON_DEMAND_SHARDS, retentionHours: 168 }],
      buckets: [{ logicalId: 'RawBucket', bucketName: 'stockwx-demo-raw-000000000000-us-east-1' }],
    });
  });
});

describe('resolveName', () => {
  test.each([
    ['literal', 'x', 'x'],
    ['Ref', { Ref: 'NamePrefix' }, 'stockwx-demo'],
    ['Sub with explicit variables', { 'Fn::Sub': ['${A}-x', { A: { Ref: 'AWS::Region' } }] }, 'us-east-1-x'],
  ])('%s', (_n, value, expected) => {
    expect(resolveName(value, names, 'f')).toBe(expected);
  });

  test('names the place and the variable it cannot resolve', () => {
    expect(() => resolveName({ 'Fn::Sub': '${Unknown}-x' }, names, 'datastores.yaml: T')).toThrow(
      new TemplateResolutionError('datastores.yaml: T: cannot resolve ${Unknown} locally'),
    );
  });
});

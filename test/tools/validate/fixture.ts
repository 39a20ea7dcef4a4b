/**
 * A small, compliant template set (root + two children) written the way the generator writes
 * templates, for tests that plant one mistake at a time. `fixture()` returns fresh parsed copies.
 */
import { parseTemplate } from '../../../templates-src/lib/yaml';
import type { TemplateFile, ValidationRegistry } from '../../../tools/lib/validate';

const ROOT = `
AWSTemplateFormatVersion: '2010-09-09'
Description: fixture root
Parameters:
  Environment:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
Mappings:
  RegionPairs:
    us-east-1:
      Secondary: us-west-2
    us-west-2:
      Secondary: us-east-1
Conditions:
  IsProd: !Equals [!Ref Environment, prod]
Resources:
  Storage:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./storage.yaml
      Parameters:
        NamePrefix: !Sub 'fixture-\${Environment}'
        Environment: !Ref Environment
  Compute:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./compute.yaml
      Parameters:
        NamePrefix: !Sub 'fixture-\${Environment}'
        StreamArn: !GetAtt Storage.Outputs.StreamArn
        DlqArn: !GetAtt Storage.Outputs.DlqArn
        SecondaryRegion: !FindInMap [RegionPairs, !Ref 'AWS::Region', Secondary]
Outputs:
  DataBucketName:
    Description: data bucket
    Value: !GetAtt Storage.Outputs.DataBucketName
  Mode:
    Description: environment mode
    Value: !If [IsProd, production, development]
`;

const STORAGE = `
AWSTemplateFormatVersion: '2010-09-09'
Description: fixture storage
Parameters:
  NamePrefix:
    Type: String
  Environment:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Environment, prod]
Resources:
  DataKey:
    Type: AWS::KMS::Key
    DeletionPolicy: RetainExceptOnCreate
    UpdateReplacePolicy: Retain
    Properties:
      Description: data key
      EnableKeyRotation: true
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Sid: RootAdmin
            Effect: Allow
            Principal:
              AWS: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root'
            Action: kms:*
            Resource: '*'
          - Sid: Logs
            Effect: Allow
            Principal:
              Service: !Sub 'logs.\${AWS::Region}.amazonaws.com'
            Action: [kms:Encrypt, kms:Decrypt, kms:GenerateDataKey*]
            Resource: '*'
  LogsBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: RetainExceptOnCreate
    UpdateReplacePolicy: Retain
    Properties:
      BucketName: !Sub '\${NamePrefix}-logs-\${AWS::AccountId}-\${AWS::Region}'
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
  LogsBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref LogsBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyInsecureTransport
            Effect: Deny
            Principal: '*'
            Action: s3:*
            Resource: [!GetAtt LogsBucket.Arn, !Sub '\${LogsBucket.Arn}/*']
            Condition:
              Bool:
                aws:SecureTransport: 'false'
  DataBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: RetainExceptOnCreate
    UpdateReplacePolicy: Retain
    Properties:
      BucketName: !Sub '\${NamePrefix}-data-\${AWS::AccountId}-\${AWS::Region}'
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt DataKey.Arn
            BucketKeyEnabled: true
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      VersioningConfiguration:
        Status: Enabled
      LoggingConfiguration:
        DestinationBucketName: !Ref LogsBucket
        LogFilePrefix: data/
      Tags:
        - Key: Project
          Value: fixture
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyInsecureTransport
            Effect: Deny
            Principal: '*'
            Action: s3:*
            Resource: [!GetAtt DataBucket.Arn, !Sub '\${DataBucket.Arn}/*']
            Condition:
              Bool:
                aws:SecureTransport: 'false'
  Stream:
    Type: AWS::Kinesis::Stream
    DeletionPolicy: RetainExceptOnCreate
    UpdateReplacePolicy: Retain
    Properties:
      ShardCount: 1
      RetentionPeriodHours: !If [IsProd, 168, 24]
      StreamEncryption:
        EncryptionType: KMS
        KeyId: !GetAtt DataKey.Arn
  Table:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: RetainExceptOnCreate
    UpdateReplacePolicy: Retain
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
      SSESpecification:
        SSEEnabled: true
        SSEType: KMS
        KMSMasterKeyId: !GetAtt DataKey.Arn
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: true
  EnricherDlq:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '\${NamePrefix}-enricher-dlq'
      KmsMasterKeyId: !GetAtt DataKey.Arn
      MessageRetentionPeriod: 1209600
  EnricherDlqDepthAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: messages in the enricher DLQ
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions:
        - Name: QueueName
          Value: !GetAtt EnricherDlq.QueueName
      Statistic: Maximum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      AlarmActions: [!Ref AlertsTopic]
  AlertsTopic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub '\${NamePrefix}-alerts'
      KmsMasterKeyId: !Ref DataKey
Outputs:
  DataBucketName:
    Description: data bucket
    Value: !Ref DataBucket
  StreamArn:
    Description: stream
    Value: !GetAtt Stream.Arn
  DlqArn:
    Description: enricher DLQ
    Value: !GetAtt EnricherDlq.Arn
`;

const COMPUTE = `
AWSTemplateFormatVersion: '2010-09-09'
Description: fixture compute
Parameters:
  NamePrefix:
    Type: String
  StreamArn:
    Type: String
  DlqArn:
    Type: String
  SecondaryRegion:
    Type: String
    Default: ''
Resources:
  EnricherRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: enricher
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [kinesis:GetRecords, kinesis:GetShardIterator, kinesis:DescribeStream, kinesis:ListShards]
                Resource: !Ref StreamArn
              - Effect: Allow
                Action: [sqs:SendMessage]
                Resource: !Ref DlqArn
              - Effect: Allow
                Action: [s3:GetObject]
                Resource: !Sub 'arn:\${AWS::Partition}:s3:::\${NamePrefix}-data-\${AWS::AccountId}-\${SecondaryRegion}/*'
  EnricherLogGroup:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: RetainExceptOnCreate
    UpdateReplacePolicy: Retain
    Properties:
      LogGroupName: !Sub '/aws/lambda/\${NamePrefix}-enricher'
      RetentionInDays: 90
      KmsKeyId: !Sub 'arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/fixture'
  EnricherFunction:
    Type: AWS::Lambda::Function
    DependsOn: EnricherLogGroup
    Properties:
      FunctionName: !Sub '\${NamePrefix}-enricher'
      Code: ../dist/handlers/enricher.zip
      Handler: index.handler
      Runtime: nodejs22.x
      Architectures: [arm64]
      Role: !GetAtt EnricherRole.Arn
      TracingConfig:
        Mode: Active
      Environment:
        Variables:
          LITERAL: \${!NotAVariable}
  EnricherMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref EnricherFunction
      EventSourceArn: !Ref StreamArn
      StartingPosition: LATEST
      BatchSize: 100
      FunctionResponseTypes: [ReportBatchItemFailures]
      BisectBatchOnFunctionError: true
      MaximumRetryAttempts: 3
      MaximumRecordAgeInSeconds: 3600
      DestinationConfig:
        OnFailure:
          Destination: !Ref DlqArn
  EndpointSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: VPC endpoint, HTTPS from the VPC only
      VpcId: vpc-0123456789abcdef0
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.0.0.0/16
          Description: HTTPS from the VPC
Outputs:
  EnricherFunctionArn:
    Description: enricher
    Value: !GetAtt EnricherFunction.Arn
  Escaped:
    Description: escape check
    Value: !Sub '\${!Literal}-\${EnricherFunction}'
`;

export const REGISTRY: ValidationRegistry = {
  root: { file: 'root.yaml' },
  stacks: [
    { id: 'Storage', file: 'storage.yaml', outputs: ['DataBucketName', 'StreamArn', 'DlqArn'] },
    { id: 'Compute', file: 'compute.yaml', outputs: ['EnricherFunctionArn'] },
  ],
};

/** Parsed template, loosely typed so tests can plant mistakes anywhere. */
export type Doc = Record<string, any>;

export interface FixtureSet {
  readonly files: TemplateFile[];
  readonly root: Doc;
  readonly storage: Doc;
  readonly compute: Doc;
}

/** Fresh parsed copies of the compliant fixture set. */
export function fixture(): FixtureSet {
  const root = parseTemplate(ROOT, 'root.yaml');
  const storage = parseTemplate(STORAGE, 'storage.yaml');
  const compute = parseTemplate(COMPUTE, 'compute.yaml');
  return {
    files: [
      { file: 'root.yaml', doc: root },
      { file: 'storage.yaml', doc: storage },
      { file: 'compute.yaml', doc: compute },
    ],
    root,
    storage,
    compute,
  };
}

import { cmk, serviceUsesKey } from '../../../templates-src/lib/kms';
import { alarm, logGroup } from '../../../templates-src/lib/observability';
import { allow, role } from '../../../templates-src/lib/policy';
import { encryptedBucket, lifecycleRules } from '../../../templates-src/lib/s3';
import { canonicalize } from '../../../templates-src/lib/yaml';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const plain = (fragment: object): Json => canonicalize({ Resources: fragment }).Resources as Json;

describe('encryptedBucket', () => {
  const fragment = plain(
    encryptedBucket('RawBucket', { bucketName: 'raw', encryption: { kmsKeyArn: 'arn:key' }, accessLogs: { bucket: 'logs', prefix: 'raw/' } }),
  );
  const bucket = fragment.RawBucket;

  test('is private, versioned, SSE-KMS with a bucket key, logged and retained by default', () => {
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:key' }, BucketKeyEnabled: true },
    ]);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: 'logs', LogFilePrefix: 'raw/' });
    expect(bucket.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
  });

  test('comes with a TLS-only bucket policy', () => {
    expect(fragment.RawBucketPolicy.Properties.PolicyDocument.Statement[0]).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [{ 'Fn::GetAtt': ['RawBucket', 'Arn'] }, { 'Fn::Sub': '${RawBucket.Arn}/*' }],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  test.each([
    ['no access logs without a reason', { accessLogs: false as const }, 'encryptedBucket(B): accessLogs is false; say why in noAccessLogsBecause'],
    ['replication without versioning', { versioned: false, replication: { Role: 'r', Rules: [] } }, 'encryptedBucket(B): replication needs versioning'],
  ])('refuses %s', (_name, override, message) => {
    expect(() => encryptedBucket('B', { bucketName: 'b', encryption: { kmsKeyArn: 'k' }, accessLogs: { bucket: 'l', prefix: 'p' }, ...override })).toThrow(
      message,
    );
  });
});

describe('lifecycleRules', () => {
  test('tiers to IA then Glacier, expires noncurrent versions and aborts multipart uploads', () => {
    expect(lifecycleRules()).toEqual([
      {
        Id: 'tiering-and-expiry',
        Status: 'Enabled',
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
          { StorageClass: 'GLACIER', TransitionInDays: 90 },
        ],
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
  });

  test('rejects Glacier before IA, repeating the values', () => {
    expect(() => lifecycleRules({ infrequentAccessAfterDays: 60, glacierAfterDays: 30 })).toThrow(
      'glacierAfterDays (30) must be greater than infrequentAccessAfterDays (60)',
    );
  });
});

describe('cmk', () => {
  const fragment = plain(cmk('DataKey', { description: 'd', alias: 'data', statements: [serviceUsesKey('S3', 's3.amazonaws.com')] }));

  test('rotates, is retained and has an alias under the name prefix', () => {
    expect(fragment.DataKey.Properties.EnableKeyRotation).toBe(true);
    expect(fragment.DataKey.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(fragment.DataKeyAlias.Properties).toEqual({
      AliasName: { 'Fn::Sub': 'alias/${NamePrefix}-data' },
      TargetKeyId: { 'Fn::GetAtt': ['DataKey', 'Arn'] },
    });
  });

  test('key policy: account root administers, services get usage actions only', () => {
    const [root, service] = fragment.DataKey.Properties.KeyPolicy.Statement;
    expect(root.Principal).toEqual({ AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } });
    expect(service.Principal).toEqual({ Service: 's3.amazonaws.com' });
    expect(service.Action).not.toContain('kms:*');
    expect(service.Action).toContain('kms:GenerateDataKey');
  });
});

describe('role, logGroup, alarm', () => {
  test('role trusts the named service and carries one inline least-privilege policy', () => {
    const r = plain({ R: role({ description: 'd', services: ['lambda.amazonaws.com'], statements: [allow(['s3:GetObject'], ['arn:b/*'])] }) }).R;
    expect(r.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
    });
    expect(r.Properties.Policies).toEqual([
      {
        PolicyName: 'least-privilege',
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:b/*'] }] },
      },
    ]);
  });

  test('logGroup defaults to 90 days, encrypted, retained', () => {
    const g = plain({ G: logGroup({ logGroupName: '/x', kmsKeyArn: 'k' }) }).G;
    expect(g.Properties).toEqual({ LogGroupName: '/x', RetentionInDays: 90, KmsKeyId: 'k' });
    expect(g.DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  test('alarm notifies on ALARM and OK and ignores missing data', () => {
    const a = plain({
      A: alarm({ description: 'd', namespace: 'AWS/SQS', metricName: 'M', dimensions: { QueueName: 'q' }, threshold: 0, actions: ['topic'] }),
    }).A;
    expect(a.Properties).toMatchObject({
      Dimensions: [{ Name: 'QueueName', Value: 'q' }],
      Statistic: 'Sum',
      Period: 60,
      TreatMissingData: 'notBreaching',
      AlarmActions: ['topic'],
      OKActions: ['topic'],
    });
  });
});

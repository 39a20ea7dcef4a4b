import { dataLake } from '../../templates-src/data-lake';
import { ROADMAP } from '../../templates-src/roadmap';
import { canonicalize } from '../../templates-src/lib/yaml';

type Json = Record<string, any>;
const doc = canonicalize(dataLake.build()) as Json;
const resources = doc.Resources as Record<string, Json>;
const props = (id: string): Json => resources[id]!.Properties;
const replicationStatements = (): Json[] => props('ReplicationRole').Policies[0].PolicyDocument.Statement;
const sub = (text: string) => ({ 'Fn::Sub': text });

describe('data-lake.yaml', () => {
  describe.each(['RawBucket', 'ProcessedBucket'])('%s', (id) => {
    const p = props(id);

    test('is versioned and retained on delete and replacement', () => {
      expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(resources[id]!.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(resources[id]!.UpdateReplacePolicy).toBe('Retain');
    });

    test('is SSE-KMS with the DataLake CMK and an S3 bucket key', () => {
      expect(p.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: 'DataLakeKeyArn' } }, BucketKeyEnabled: true },
      ]);
    });

    test('blocks every kind of public access', () => {
      expect(p.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    });

    test('has a bucket policy denying requests without TLS', () => {
      const deny = props(`${id}Policy`).PolicyDocument.Statement.find((s: Json) => s.Effect === 'Deny');
      expect(props(`${id}Policy`).Bucket).toEqual({ Ref: id });
      expect(deny).toMatchObject({ Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      expect(deny.Resource).toEqual([{ 'Fn::GetAtt': [id, 'Arn'] }, sub(`\${${id}.Arn}/*`)]);
    });

    test('logs server access to the access-logs bucket', () => {
      expect(p.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: 'AccessLogsBucket' });
      expect(p.LoggingConfiguration.LogFilePrefix).toMatch(/\/$/);
    });

    test('moves to STANDARD_IA then an archive tier, expires old versions and aborts stale uploads', () => {
      const [rule, ...rest] = p.LifecycleConfiguration.Rules;
      expect(rest).toEqual([]);
      // Athena (and so QuickSight) skips GLACIER objects: the zone it queries archives to Instant Retrieval.
      expect(rule.Transitions).toEqual([
        { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
        { StorageClass: id === 'ProcessedBucket' ? 'GLACIER_IR' : 'GLACIER', TransitionInDays: 90 },
      ]);
      expect(rule.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: { 'Fn::If': ['IsProd', 90, 30] } });
      expect(rule.AbortIncompleteMultipartUpload).toEqual({ DaysAfterInitiation: 7 });
      expect(rule.ExpirationInDays).toBeUndefined();
    });

    test('replicates KMS-encrypted objects and delete markers to the secondary region only under HasReplica', () => {
      const [condition, config, otherwise] = p.ReplicationConfiguration['Fn::If'];
      expect(condition).toBe('HasReplica');
      expect(otherwise).toEqual({ Ref: 'AWS::NoValue' });
      expect(config.Role).toEqual({ 'Fn::GetAtt': ['ReplicationRole', 'Arn'] });
      const purpose = id === 'RawBucket' ? 'raw' : 'processed';
      expect(config.Rules).toEqual([
        {
          Id: `replicate-${purpose}`,
          Status: 'Enabled',
          Priority: 1,
          Filter: { Prefix: '' },
          DeleteMarkerReplication: { Status: 'Enabled' },
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          Destination: {
            Bucket: sub(`arn:\${AWS::Partition}:s3:::\${NamePrefix}-${purpose}-\${AWS::AccountId}-\${SecondaryRegion}`),
            EncryptionConfiguration: { ReplicaKmsKeyID: { Ref: 'ReplicaKmsKeyArn' } },
          },
        },
      ]);
    });
  });

  test.each([
    ['RawBucket', 'raw', /^gzip NDJSON/],
    ['ProcessedBucket', 'processed', /^Parquet/],
  ])('%s is tagged with its zone and format (S3 tag characters only)', (id, zone, format) => {
    const tags = Object.fromEntries(props(id).Tags.map((t: Json) => [t.Key, t.Value]));
    expect(tags.DataZone).toBe(zone);
    expect(tags.DataFormat).toMatch(format);
    expect(tags.DataFormat).toMatch(/^[\w .:/=+\-@]+$/);
  });

  test('only the processed bucket sends EventBridge notifications', () => {
    expect(props('ProcessedBucket').NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(props('RawBucket').NotificationConfiguration).toBeUndefined();
  });

  test('the access-logs bucket is SSE-S3 (log delivery cannot use KMS) and lets only the logging service write our buckets’ logs', () => {
    const p = props('AccessLogsBucket');
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(p.LoggingConfiguration).toBeUndefined();
    expect(p.PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(true);
    const allow = props('AccessLogsBucketPolicy').PolicyDocument.Statement.find((s: Json) => s.Effect === 'Allow');
    expect(allow).toEqual({
      Sid: 'AllowServerAccessLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: sub('${AccessLogsBucket.Arn}/*'),
      Condition: {
        ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:s3:::${NamePrefix}-*') },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
  });

  test('the replication condition is decided in the stack from the replica key parameter', () => {
    expect(doc.Conditions.HasReplica).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ReplicaKmsKeyArn' }, ''] }] });
    expect(doc.Parameters.ReplicaKmsKeyArn.Default).toBe('');
    expect(resources.ReplicationRole!.Condition).toBe('HasReplica');
  });

  describe('replication role (least privilege)', () => {
    const byAction = (action: string): Json[] => replicationStatements().filter((s) => s.Action.includes(action));
    const source = ['raw', 'processed'].map((p) => sub(`arn:\${AWS::Partition}:s3:::\${NamePrefix}-${p}-\${AWS::AccountId}-\${AWS::Region}`));
    const replica = ['raw', 'processed'].map((p) => sub(`arn:\${AWS::Partition}:s3:::\${NamePrefix}-${p}-\${AWS::AccountId}-\${SecondaryRegion}/*`));

    test('is assumable by S3 only', () => {
      expect(props('ReplicationRole').AssumeRolePolicyDocument.Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: ['s3.amazonaws.com'] }, Action: 'sts:AssumeRole' },
      ]);
    });

    test.each([
      ['s3:GetReplicationConfiguration', source],
      ['s3:ListBucket', source],
      ['s3:GetObjectVersionForReplication', source.map((s) => sub(`${s['Fn::Sub']}/*`))],
      ['s3:GetObjectVersionAcl', source.map((s) => sub(`${s['Fn::Sub']}/*`))],
      ['s3:GetObjectVersionTagging', source.map((s) => sub(`${s['Fn::Sub']}/*`))],
      ['s3:ReplicateObject', replica],
      ['s3:ReplicateDelete', replica],
      ['s3:ReplicateTags', replica],
    ])('allows %s only on the expected buckets', (action, resources) => {
      const s = byAction(action);
      expect(s).toHaveLength(1);
      expect(s[0]!.Resource).toEqual(resources);
    });

    test('decrypts with the source key only through S3 in this region', () => {
      const [s, ...rest] = byAction('kms:Decrypt');
      expect(rest).toEqual([]);
      expect(s!.Resource).toEqual([{ Ref: 'DataLakeKeyArn' }]);
      expect(s!.Condition.StringEquals).toEqual({ 'kms:ViaService': sub('s3.${AWS::Region}.amazonaws.com') });
      expect(s!.Condition.ArnLike['kms:EncryptionContext:aws:s3:arn']).toEqual(expect.arrayContaining(source));
    });

    test('encrypts with the replica key only through S3 in the secondary region', () => {
      const [s, ...rest] = byAction('kms:Encrypt');
      expect(rest).toEqual([]);
      expect(s!.Action).toEqual(['kms:Encrypt']);
      expect(s!.Resource).toEqual([{ Ref: 'ReplicaKmsKeyArn' }]);
      expect(s!.Condition.StringEquals).toEqual({ 'kms:ViaService': sub('s3.${SecondaryRegion}.amazonaws.com') });
    });

    test('has no wildcard action', () => {
      for (const s of replicationStatements()) for (const a of s.Action) expect(a).not.toContain('*');
    });
  });

  test('wires every parameter without a default and promises the contract outputs', () => {
    for (const [name, p] of Object.entries(doc.Parameters as Record<string, Json>)) {
      if (p.Default === undefined) expect(Object.keys(dataLake.inputs)).toContain(name);
    }
    expect(dataLake.outputs).toEqual(
      expect.arrayContaining(['RawBucketName', 'RawBucketArn', 'ProcessedBucketName', 'ProcessedBucketArn', 'AccessLogsBucketName']),
    );
    for (const o of dataLake.outputs) expect(doc.Outputs[o]).toBeDefined();
    expect(dataLake.inputs.DataLakeKeyArn).toEqual({ output: ['Security', 'DataLakeKeyArn'] });
  });

  test('Metadata.Roadmap maps every bullet of step 2 and the S3 CRR bullet of step 10', () => {
    const expected = [...ROADMAP.find((s) => s.step === 2)!.bullets.map((b) => b.id), '10.1'];
    expect(Object.keys(doc.Metadata.Roadmap)).toEqual(expect.arrayContaining(expected));
    for (const id of expected) for (const r of doc.Metadata.Roadmap[id].Resources) expect(resources[r]).toBeDefined();
  });
});

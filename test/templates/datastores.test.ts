import { datastores } from '../../templates-src/datastores';
import { canonicalize } from '../../templates-src/lib/yaml';

type Json = Record<string, any>;
const doc = canonicalize(datastores.build()) as Json;
const resources = doc.Resources as Record<string, Json>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('datastores.yaml', () => {
  test.each([
    [
      'MetricsTable',
      '${NamePrefix}-metrics',
      [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'ts', KeyType: 'RANGE' },
      ],
    ],
    ['LatestTable', '${NamePrefix}-latest', [{ AttributeName: 'pk', KeyType: 'HASH' }]],
  ])('%s is an on-demand, KMS-encrypted global table with stream and TTL', (id, name, keySchema) => {
    const table = resources[id]!;
    expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    const p = table.Properties;
    expect(p.TableName).toEqual({ 'Fn::Sub': name });
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.KeySchema).toEqual(keySchema);
    expect(p.AttributeDefinitions).toEqual(keySchema.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' })));
    expect(p.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(p.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(p.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: 'expiresAt' });
  });

  test.each(['MetricsTable', 'LatestTable'])('%s has a replica per region with its own CMK, PITR and prod deletion protection', (id) => {
    const [condition, withSecondary, primaryOnly] = resources[id]!.Properties.Replicas['Fn::If'];
    expect(condition).toBe('HasReplica');
    expect(primaryOnly).toHaveLength(1);
    expect(withSecondary).toHaveLength(2);
    const [primary, secondary] = withSecondary;
    expect(primaryOnly[0]).toEqual(primary);
    expect(primary.Region).toEqual({ Ref: 'AWS::Region' });
    expect(primary.SSESpecification).toEqual({ KMSMasterKeyId: { Ref: 'TablesKeyArn' } });
    expect(secondary.Region).toEqual({ Ref: 'SecondaryRegion' });
    expect(secondary.SSESpecification).toEqual({ KMSMasterKeyId: { Ref: 'ReplicaKmsKeyArn' } });
    for (const replica of [primary, secondary]) {
      expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(replica.DeletionProtectionEnabled).toEqual({ 'Fn::If': ['IsProd', true, false] });
    }
  });

  test('HasReplica is true exactly when a replica key is given', () => {
    expect(doc.Conditions.HasReplica).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ReplicaKmsKeyArn' }, ''] }] });
    expect(doc.Parameters.ReplicaKmsKeyArn.Default).toBe('');
  });

  describe('DAX', () => {
    const dax = ['DaxCluster', 'DaxClusterRole', 'DaxClusterSubnetGroup', 'DaxClusterParameterGroup'];
    test.each(dax)('%s exists only under DaxEnabled', (id) => {
      expect(resources[id]!.Condition).toBe('DaxEnabled');
    });
    test('the condition follows EnableDax', () => {
      expect(doc.Conditions.DaxEnabled).toEqual({ 'Fn::Equals': [{ Ref: 'EnableDax' }, 'true'] });
    });
    test('the cluster is encrypted at rest and in transit, in the data VPC', () => {
      const p = resources.DaxCluster!.Properties;
      expect(p.SSESpecification).toEqual({ SSEEnabled: true });
      expect(p.ClusterEndpointEncryptionType).toBe('TLS');
      expect(p.SecurityGroupIds).toEqual([{ Ref: 'DaxSecurityGroupId' }]);
      expect(p.SubnetGroupName).toEqual({ Ref: 'DaxClusterSubnetGroup' });
      expect(resources.DaxClusterSubnetGroup!.Properties.SubnetIds).toEqual({ Ref: 'DataPrivateSubnetIds' });
      expect(doc.Parameters.DataPrivateSubnetIds.Type).toBe('CommaDelimitedList');
    });
    test('the DAX role reaches only the two tables, with explicit actions', () => {
      const statements = resources.DaxClusterRole!.Properties.Policies[0].PolicyDocument.Statement as Json[];
      const tableStatement = statements.find((s) => s.Action.includes('dynamodb:GetItem'))!;
      expect(tableStatement.Resource).toEqual(expect.arrayContaining([{ 'Fn::GetAtt': ['MetricsTable', 'Arn'] }, { 'Fn::GetAtt': ['LatestTable', 'Arn'] }]));
      for (const s of statements) for (const a of s.Action) expect(a).not.toMatch(/\*/);
    });
    test('the endpoint output is empty without DAX so root can always read it', () => {
      expect(doc.Outputs.DaxClusterEndpoint.Value).toEqual({
        'Fn::If': ['DaxEnabled', { 'Fn::GetAtt': ['DaxCluster', 'ClusterDiscoveryEndpointURL'] }, ''],
      });
    });
  });

  describe('AWS Backup', () => {
    test('the vault is encrypted with the tables CMK and retained', () => {
      const [[, vault]] = ofType('AWS::Backup::BackupVault') as [[string, Json]];
      expect(vault.Properties.EncryptionKeyArn).toEqual({ Ref: 'TablesKeyArn' });
      expect(vault.DeletionPolicy).toBe('RetainExceptOnCreate');
    });
    test.each([
      ['daily', 35],
      ['weekly', 90],
    ])('rule %s keeps %i days and copies to the secondary vault under HasReplica', (name, days) => {
      const rules = resources.BackupPlan!.Properties.BackupPlan.BackupPlanRule as Json[];
      const rule = rules.find((r) => r.RuleName === name)!;
      expect(rule.Lifecycle).toEqual({ DeleteAfterDays: days });
      expect(rule.TargetBackupVault).toEqual({ Ref: 'BackupVault' });
      const [condition, copies, none] = rule.CopyActions['Fn::If'];
      expect(condition).toBe('HasReplica');
      expect(none).toEqual({ Ref: 'AWS::NoValue' });
      expect(copies).toEqual([
        {
          DestinationBackupVaultArn: {
            'Fn::Sub': 'arn:${AWS::Partition}:backup:${SecondaryRegion}:${AWS::AccountId}:backup-vault:${NamePrefix}-secondary',
          },
          Lifecycle: { DeleteAfterDays: days },
        },
      ]);
    });
    test('the selection covers both tables and both data buckets', () => {
      const selection = resources.BackupSelection!.Properties.BackupSelection;
      expect(selection.Resources).toEqual([
        { 'Fn::GetAtt': ['MetricsTable', 'Arn'] },
        { 'Fn::GetAtt': ['LatestTable', 'Arn'] },
        { Ref: 'RawBucketArn' },
        { Ref: 'ProcessedBucketArn' },
      ]);
      expect(selection.IamRoleArn).toEqual({ 'Fn::GetAtt': ['BackupRole', 'Arn'] });
    });
    test('the backup role uses the managed backup, restore and S3 policies', () => {
      const arns = resources.BackupRole!.Properties.ManagedPolicyArns.map((a: Json) => a['Fn::Sub']);
      expect(arns).toEqual([
        'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
        'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
        'arn:${AWS::Partition}:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup',
        'arn:${AWS::Partition}:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore',
      ]);
    });
  });

  test('declares every promised output and takes only wired parameters', () => {
    for (const o of datastores.outputs) expect(doc.Outputs).toHaveProperty(o);
    for (const [name, p] of Object.entries(doc.Parameters as Record<string, Json>)) {
      if (p.Default === undefined) expect(datastores.inputs).toHaveProperty(name);
    }
  });

  test.each([
    ['5.1', ['MetricsTable']],
    ['5.2', ['LatestTable']],
    ['5.3', ['DaxCluster']],
    ['10.2', ['MetricsTable', 'LatestTable']],
    ['10.4', ['BackupVault', 'BackupPlan', 'BackupSelection']],
  ])('roadmap bullet %s maps to %j', (bullet, ids) => {
    expect(doc.Metadata.Roadmap[bullet].Resources).toEqual(expect.arrayContaining(ids));
  });
});

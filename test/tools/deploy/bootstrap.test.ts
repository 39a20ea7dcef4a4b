import { CreateChangeSetCommand, DeleteChangeSetCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from '../../../templates-src/bootstrap';
import { bootstrapTemplate, parseBootstrapArgs, runBootstrapCommand } from '../../../tools/lib/deploy/bootstrap';
import { fakeClock } from '../../../tools/lib/deploy/clock';
import { fakeCloudFormation, memoryOutput, resourceChange, T0, type Scenario } from './fake-cloudformation';

type Res = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

describe('bootstrap template', () => {
  const doc = JSON.parse(JSON.stringify(build())) as { Resources: Record<string, Res>; Outputs: Record<string, unknown> };
  const bucket = doc.Resources.ArtifactsBucket!;

  test('the artifacts bucket is KMS-encrypted with its own key, versioned, private and retained', () => {
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['ArtifactsKey', 'Arn'] } });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(doc.Resources.ArtifactsKey!.Properties.EnableKeyRotation).toBe(true);
  });

  test('TLS-only bucket policy', () => {
    const statements = doc.Resources.ArtifactsBucketPolicy!.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  test('lifecycle expires old and noncurrent artifacts and never moves them to Glacier', () => {
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'expire-old-artifacts', Status: 'Enabled', ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
    ]);
  });

  test('outputs the bucket name and key ARN the packager reads', () => {
    expect(Object.keys(doc.Outputs)).toEqual(['ArtifactsBucketName', 'ArtifactsKmsKeyArn']);
  });

  test('emits as a template body under the 51,200-byte TemplateBody limit', () => {
    expect(Buffer.byteLength(bootstrapTemplate())).toBeLessThan(51_200);
  });
});

describe('runBootstrapCommand', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bootstrap-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  function run(scenario: Scenario) {
    const clock = fakeClock(T0);
    const cfn = fakeCloudFormation(clock, scenario);
    const sts = new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    mockClient(sts).on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/me' });
    const out = memoryOutput();
    const code = runBootstrapCommand(parseBootstrapArgs(['--region', 'eu-west-1', '--yes']), {
      out,
      clock,
      confirm: async () => true,
      interactive: false,
      clients: (region) => ({ region, cfn: cfn.client, sts, s3: new S3Client({ region }) }),
      outputsDir: dir,
      env: {},
    });
    return { code, cfn, out };
  }

  test('creates the stack from the template body when absent', async () => {
    const t = run({
      stack: { name: 'stockwx-bootstrap', id: 'arn:bootstrap', on: { execute: [{ at: 0, status: 'CREATE_IN_PROGRESS' }, { at: 30_000, status: 'CREATE_COMPLETE' }] }, outputs: [{ OutputKey: 'ArtifactsBucketName', OutputValue: 'stockwx-artifacts-111122223333-eu-west-1' }] },
      changeSet: { id: 'cs', name: 'deploy-x', statuses: ['CREATE_COMPLETE'], changes: [resourceChange('Add', 'ArtifactsBucket', 'AWS::S3::Bucket')] },
    });
    expect(await t.code).toBe(0);
    const input = t.cfn.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ StackName: 'stockwx-bootstrap', ChangeSetType: 'CREATE', Parameters: [{ ParameterKey: 'NamePrefix', ParameterValue: 'stockwx' }] });
    expect(input.TemplateBody).toBe(bootstrapTemplate());
    expect(input.TemplateURL).toBeUndefined();
  });

  test('is idempotent: a second run with nothing to change exits 0 and deletes the empty change set', async () => {
    const t = run({
      stack: { name: 'stockwx-bootstrap', id: 'arn:bootstrap', status: 'CREATE_COMPLETE', outputs: [{ OutputKey: 'ArtifactsBucketName', OutputValue: 'b' }] },
      changeSet: { id: 'cs', name: 'deploy-x', statuses: ['FAILED'], reason: "The submitted information didn't contain changes. Submit different information to create a change set." },
    });
    expect(await t.code).toBe(0);
    expect(t.cfn.mock.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(t.cfn.mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(t.out.text()).toContain('no changes: stockwx-bootstrap is up to date');
  });
});

import { CreateChangeSetCommand, DeleteChangeSetCommand, DeleteStackCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
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
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { 'Fn::GetAtt': ['ArtifactsKey', 'Arn'] },
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(doc.Resources.ArtifactsKey!.Properties.EnableKeyRotation).toBe(true);
  });

  test('TLS-only bucket policy', () => {
    const statements = doc.Resources.ArtifactsBucketPolicy!.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  test('lifecycle expires old and noncurrent artifacts and never moves them to Glacier', () => {
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'expire-old-artifacts',
        Status: 'Enabled',
        ExpirationInDays: 365,
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
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

  function run(scenario: Scenario, flags: string[] = [], afterDelete?: (stack: Scenario['stack']) => void) {
    const clock = fakeClock(T0);
    const cfn = fakeCloudFormation(clock, scenario);
    const sts = new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    mockClient(sts).on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/me' });
    const s3 = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const s3mock = mockClient(s3);
    s3mock.on(HeadBucketCommand).resolves({});
    const out = memoryOutput();
    if (afterDelete) {
      // Runs once DeleteStack was sent (the fake records calls synchronously).
      const original = cfn.client.send.bind(cfn.client);
      cfn.client.send = (async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
        const result = await (original as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
        if (command.constructor.name === 'DeleteStackCommand') afterDelete(scenario.stack);
        return result;
      }) as typeof cfn.client.send;
    }
    const code = runBootstrapCommand(parseBootstrapArgs(['--region', 'eu-west-1', '--yes', ...flags]), {
      out,
      clock,
      confirm: async () => true,
      interactive: false,
      clients: (region) => ({ region, cfn: cfn.client, sts, s3 }),
      outputsDir: dir,
      env: {},
    });
    return { code, cfn, out, s3mock };
  }

  test('creates the stack from the template body when absent', async () => {
    const t = run({
      stack: {
        name: 'stockwx-bootstrap',
        id: 'arn:bootstrap',
        on: {
          execute: [
            { at: 0, status: 'CREATE_IN_PROGRESS' },
            { at: 30_000, status: 'CREATE_COMPLETE' },
          ],
        },
        outputs: [
          { OutputKey: 'ArtifactsBucketName', OutputValue: 'stockwx-artifacts-111122223333-eu-west-1' },
          { OutputKey: 'ArtifactsKmsKeyArn', OutputValue: 'arn:aws:kms:eu-west-1:111122223333:key/k' },
        ],
      },
      changeSet: { id: 'cs', name: 'deploy-x', statuses: ['CREATE_COMPLETE'], changes: [resourceChange('Add', 'ArtifactsBucket', 'AWS::S3::Bucket')] },
    });
    expect(await t.code).toBe(0);
    const input = t.cfn.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      StackName: 'stockwx-bootstrap',
      ChangeSetType: 'CREATE',
      Parameters: [{ ParameterKey: 'NamePrefix', ParameterValue: 'stockwx' }],
    });
    expect(input.TemplateBody).toBe(bootstrapTemplate());
    expect(input.TemplateURL).toBeUndefined();
  });

  const BOTH = [
    { OutputKey: 'ArtifactsBucketName', OutputValue: 'b' },
    { OutputKey: 'ArtifactsKmsKeyArn', OutputValue: 'arn:aws:kms:eu-west-1:111122223333:key/k' },
  ];

  test('a stack that exists without its bucket output is no success: the message names the stack, the outputs and --recreate', async () => {
    const t = run({
      stack: {
        name: 'stockwx-bootstrap',
        id: 'arn:bootstrap',
        status: 'CREATE_COMPLETE',
        outputs: [],
        declaredOutputs: ['ArtifactsBucketName', 'ArtifactsKmsKeyArn'],
      },
      changeSet: {
        id: 'cs',
        name: 'deploy-x',
        statuses: ['FAILED'],
        reason: "The submitted information didn't contain changes. Submit different information to create a change set.",
      },
    });
    await expect(t.code).rejects.toThrow(
      'stockwx-bootstrap: CloudFormation does not confirm the deploy: stockwx-bootstrap lacks 2 outputs its template declares: ArtifactsBucketName, ArtifactsKmsKeyArn. The template is unchanged, so an update cannot repair this: re-run npm run bootstrap -- --region eu-west-1 with --recreate',
    );
    expect(t.s3mock.commandCalls(HeadBucketCommand)).toHaveLength(0);
  });

  test('--recreate repairs it: delete, wait, create, confirmed with both outputs and HeadBucket as the caller', async () => {
    const t = run(
      {
        stack: {
          name: 'stockwx-bootstrap',
          id: 'arn:bootstrap',
          status: 'CREATE_COMPLETE',
          on: {
            delete: [{ at: 0, status: 'DELETE_COMPLETE' }],
            execute: [
              { at: 0, status: 'CREATE_IN_PROGRESS' },
              { at: 5_000, status: 'CREATE_COMPLETE' },
            ],
          },
          outputs: [],
          declaredOutputs: ['ArtifactsBucketName', 'ArtifactsKmsKeyArn'],
        },
        changeSet: { id: 'cs', name: 'deploy-x', statuses: ['CREATE_COMPLETE'], changes: [resourceChange('Add', 'ArtifactsBucket', 'AWS::S3::Bucket')] },
      },
      ['--recreate'],
      (stack) => {
        // After the delete, the re-created stack reports its outputs.
        (stack.outputs as unknown[]).push(...BOTH);
      },
    );
    expect(await t.code.catch((e: Error) => `${e.message}\n${t.out.text()}`)).toBe(0);
    expect(t.cfn.mock.commandCalls(DeleteStackCommand)).toHaveLength(1);
    expect(t.cfn.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType).toBe('CREATE');
    expect(t.s3mock.commandCalls(HeadBucketCommand)[0]!.args[0].input).toEqual({ Bucket: 'b', ExpectedBucketOwner: '111122223333' });
  });

  test('is idempotent: a second run with nothing to change exits 0 and deletes the empty change set', async () => {
    const t = run({
      stack: { name: 'stockwx-bootstrap', id: 'arn:bootstrap', status: 'CREATE_COMPLETE', outputs: BOTH },
      changeSet: {
        id: 'cs',
        name: 'deploy-x',
        statuses: ['FAILED'],
        reason: "The submitted information didn't contain changes. Submit different information to create a change set.",
      },
    });
    expect(await t.code).toBe(0);
    expect(t.cfn.mock.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(t.cfn.mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(t.out.text()).toContain('no changes: stockwx-bootstrap has the template and parameters of this deploy');
    expect(t.s3mock.commandCalls(HeadBucketCommand)[0]!.args[0].input).toEqual({ Bucket: 'b', ExpectedBucketOwner: '111122223333' });
  });
});

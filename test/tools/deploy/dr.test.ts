import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CreateChangeSetCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { parseDeployArgs, runDeployCommand } from '../../../tools/lib/deploy/cli';
import { fakeClock } from '../../../tools/lib/deploy/clock';
import { guardReplication, replicationDependents } from '../../../tools/lib/deploy/dr';
import { makeProject } from '../package/fixture';
import { fakeCloudFormation, memoryOutput, resourceChange, T0, type Scenario } from './fake-cloudformation';

const REPO = path.resolve(__dirname, '..', '..', '..');
const KEY = 'arn:aws:kms:us-west-2:111122223333:key/live';

describe('replicationDependents (read from generated/)', () => {
  test('names what an empty ReplicaKmsKeyArn removes or changes, per nested stack', async () => {
    const list = await replicationDependents(path.join(REPO, 'generated'));
    // Resources under the HasReplica condition are removed; Fn::If on it changes properties.
    expect(list).toContain('DataLake/ReplicationRole (AWS::IAM::Role): removed');
    expect(list).toContain('Datastores/MetricsTable (AWS::DynamoDB::GlobalTable): Replicas change');
    expect(list.every((l) => /^[A-Za-z]+\/[A-Za-z0-9]+ \(AWS::[A-Za-z0-9:]+\): /.test(l))).toBe(true);
  });
});

describe('guardReplication', () => {
  const base = {
    stackName: 'stockwx-prod',
    region: 'us-east-1',
    secondary: { outputs: {}, seen: 'no stack stockwx-prod-secondary in us-west-2' },
    allowRemoval: false,
    templateDir: path.join(REPO, 'generated'),
  };
  const primary = (value: string) =>
    ({
      StackName: 'stockwx-prod',
      StackStatus: 'UPDATE_COMPLETE',
      CreationTime: new Date(),
      Parameters: [{ ParameterKey: 'ReplicaKmsKeyArn', ParameterValue: value }],
    }) as never;

  test.each([
    ['no stack yet', undefined, ''],
    ['not replicating today', primary(''), ''],
    ['a key again', primary(KEY), KEY],
    ['a new key', primary(KEY), 'arn:aws:kms:us-west-2:111122223333:key/other'],
  ])('%s: allowed', async (_name, stack, next) => {
    await expect(guardReplication({ ...base, primary: stack, next })).resolves.toBeUndefined();
  });

  test('replicating today, empty now: refused, naming the secondary it looked for and what would go', async () => {
    await expect(guardReplication({ ...base, primary: primary(KEY), next: undefined })).rejects.toThrow(
      /^stockwx-prod in us-east-1 replicates with ReplicaKmsKeyArn=arn:aws:kms:us-west-2:111122223333:key\/live, but this deploy would send '' \(no stack stockwx-prod-secondary in us-west-2\), which removes: .*DataLake\/ReplicationRole \(AWS::IAM::Role\): removed.*--allow-dr-removal/,
    );
  });

  test('--allow-dr-removal: a warning line instead', async () => {
    await expect(guardReplication({ ...base, primary: primary(KEY), next: '', allowRemoval: true })).resolves.toMatch(
      /^--allow-dr-removal: stockwx-prod in us-east-1 stops replicating/,
    );
  });
});

describe('runDeployCommand reads the secondary from CloudFormation, not from .deploy/', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeProject();
    await mkdir(path.join(dir, 'parameters'));
    await copyFile(path.join(REPO, 'parameters', 'prod.json'), path.join(dir, 'parameters', 'prod.json'));
    await copyFile(path.join(REPO, 'generated', 'data-lake.yaml'), path.join(dir, 'generated', 'data-lake.yaml'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  function run(secondary: Scenario['stack'] | undefined, primaryParameters: Record<string, string>, flags: string[] = []) {
    const clock = fakeClock(T0);
    const primary = fakeCloudFormation(clock, {
      stack: {
        name: 'stockwx-prod',
        id: 'arn:primary',
        status: 'UPDATE_COMPLETE',
        lastUpdated: new Date(T0 - 1000),
        parameters: primaryParameters,
        on: {
          execute: [
            { at: 0, status: 'UPDATE_IN_PROGRESS' },
            { at: 10_000, status: 'UPDATE_COMPLETE' },
          ],
        },
        outputs: [],
      },
      changeSet: { id: 'cs', name: 'deploy-x', statuses: ['CREATE_COMPLETE'], changes: [resourceChange('Modify', 'DataLake', 'AWS::CloudFormation::Stack')] },
    });
    const second = fakeCloudFormation(clock, { stack: secondary ?? { name: 'stockwx-prod-secondary', id: 'arn:secondary' } });
    const sts = new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    mockClient(sts).on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/deployer' });
    const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const s3mock = mockClient(s3);
    s3mock.on(HeadObjectCommand).resolves({});
    s3mock.on(HeadBucketCommand).resolves({});
    const out = memoryOutput();
    const result = runDeployCommand(parseDeployArgs(['--params', 'prod', '--yes', '--bucket', 'artifacts', '--no-build', ...flags]), {
      repoRoot: dir,
      out,
      clock,
      confirm: async () => true,
      interactive: false,
      clients: (region) => ({ region, cfn: region === 'us-west-2' ? second.client : primary.client, sts, s3 }),
      env: {},
    });
    return { result, primary, out };
  }

  test('the live secondary output wins over a stale .deploy file', async () => {
    await mkdir(path.join(dir, '.deploy'));
    await writeFile(
      path.join(dir, '.deploy', 'stockwx-prod-secondary-outputs.json'),
      JSON.stringify({ ReplicaKmsKeyArn: 'arn:aws:kms:us-west-2:111122223333:key/stale' }),
    );
    const t = run(
      { name: 'stockwx-prod-secondary', id: 'arn:secondary', status: 'UPDATE_COMPLETE', outputs: [{ OutputKey: 'ReplicaKmsKeyArn', OutputValue: KEY }] },
      { ReplicaKmsKeyArn: KEY },
    );
    expect(await t.result).toBe(0);
    expect(t.primary.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.Parameters).toContainEqual({
      ParameterKey: 'ReplicaKmsKeyArn',
      ParameterValue: KEY,
    });
    expect(t.out.text()).toContain('using ReplicaKmsKeyArn from stockwx-prod-secondary in us-west-2 is UPDATE_COMPLETE');
  });

  test('a .deploy file alone (no secondary stack) is not believed: the deploy that would empty replication is refused before any change set', async () => {
    await mkdir(path.join(dir, '.deploy'));
    await writeFile(path.join(dir, '.deploy', 'stockwx-prod-secondary-outputs.json'), JSON.stringify({ ReplicaKmsKeyArn: KEY }));
    const t = run(undefined, { ReplicaKmsKeyArn: KEY });
    await expect(t.result).rejects.toThrow(/would send '' \(no stack stockwx-prod-secondary in us-west-2\).*--allow-dr-removal/);
    expect(t.primary.mock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  test('--allow-dr-removal deploys it and says what goes', async () => {
    const t = run(undefined, { ReplicaKmsKeyArn: KEY }, ['--allow-dr-removal']);
    expect(await t.result).toBe(0);
    expect(t.out.text()).toContain('--allow-dr-removal: stockwx-prod in us-east-1 stops replicating');
    expect(t.primary.mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });
});

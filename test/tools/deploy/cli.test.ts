import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CreateChangeSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { parseDeployArgs, runDeployCommand, secondaryParameters, feedFromSecondary } from '../../../tools/lib/deploy/cli';
import { fakeClock } from '../../../tools/lib/deploy/clock';
import { DeployError, ParameterFileError, ToolError } from '../../../tools/lib/deploy/errors';
import { checkIdentity, createClients, explainCredentialError, resolveRegion } from '../../../tools/lib/deploy/preflight';
import { resolveEndpoints } from '../../../tools/lib/deploy/endpoints';
import { makeProject } from '../package/fixture';
import { fakeCloudFormation, memoryOutput, resourceChange, T0, type Scenario } from './fake-cloudformation';

const REPO = path.resolve(__dirname, '..', '..', '..');

function scenario(name: string, id: string, outputs: { OutputKey: string; OutputValue: string }[]): Scenario {
  return {
    stack: {
      name,
      id,
      on: {
        execute: [
          { at: 0, status: 'CREATE_IN_PROGRESS' },
          { at: 10_000, status: 'CREATE_COMPLETE' },
        ],
      },
      outputs,
    },
    changeSet: { id: `${id}-cs`, name: 'deploy-x', statuses: ['CREATE_COMPLETE'], changes: [resourceChange('Add', 'Thing', 'AWS::SNS::Topic')] },
    events: [],
  };
}

function sts(account = '111122223333') {
  const client = new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const mock = mockClient(client);
  mock.on(GetCallerIdentityCommand).resolves({ Account: account, Arn: `arn:aws:iam::${account}:user/deployer` });
  return { client, mock };
}

function s3() {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  mockClient(client).on(HeadObjectCommand).resolves({}); // every artifact already uploaded
  return client;
}

describe('runDeployCommand', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeProject();
    await mkdir(path.join(dir, 'parameters'));
    await copyFile(path.join(REPO, 'parameters', 'prod.json'), path.join(dir, 'parameters', 'prod.json'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const deps = (clients: (region: string) => { region: string; cfn: any; sts: any; s3: any }, interactive = false) => ({
    repoRoot: dir,
    out: memoryOutput(),
    clock: fakeClock(T0),
    confirm: async () => true,
    interactive,
    clients,
    env: {},
  });

  test('RELIABILITY 13: an invalid parameter file fails before any AWS call, listing every problem', async () => {
    const data = JSON.parse(await readFile(path.join(dir, 'parameters', 'prod.json'), 'utf8'));
    data.thresholds.stockDropPercent = 150;
    data.toggels = {};
    await writeFile(path.join(dir, 'parameters', 'prod.json'), JSON.stringify(data));
    const clients = jest.fn();
    const error = (await runDeployCommand(parseDeployArgs(['--params', 'prod.json', '--yes', '--parameter', 'Bogus=1']), deps(clients)).catch(
      (e: unknown) => e,
    )) as ParameterFileError;
    expect(error).toBeInstanceOf(ParameterFileError);
    expect(error.exitCode).toBe(2);
    expect(error.problems).toEqual([
      'parameters/prod.json: toggels is not a known key; did you mean toggles?',
      'parameters/prod.json: thresholds.stockDropPercent must be between 0.1 and 100 (got 150)',
      '--parameter Bogus: not a root template parameter; see generated/root.yaml Parameters',
    ]);
    expect(clients).not.toHaveBeenCalled();
  });

  test('RELIABILITY 14: credentials that fail sts:GetCallerIdentity stop the deploy before CloudFormation', async () => {
    const stsClient = new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    mockClient(stsClient)
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }));
    const { client: cfn, mock } = fakeCloudFormation(fakeClock(T0), scenario('stockwx-prod', 'arn:root', []));
    const error = (await runDeployCommand(
      parseDeployArgs(['--params', 'prod', '--yes', '--bucket', 'b', '--no-build', '--profile', 'prod']),
      deps(() => ({ region: 'us-east-1', cfn, sts: stsClient, s3: s3() })),
    ).catch((e: unknown) => e)) as DeployError;
    expect(error).toBeInstanceOf(DeployError);
    expect(error.message).toBe('the AWS credentials of profile prod have expired: refresh them (aws sso login --profile prod) and retry');
    expect(mock.calls()).toHaveLength(0);
  });

  test('without a terminal and without --yes, it refuses before any AWS call', async () => {
    const clients = jest.fn();
    await expect(runDeployCommand(parseDeployArgs(['--params', 'prod']), deps(clients))).rejects.toThrow('stdin is not a terminal');
    expect(clients).not.toHaveBeenCalled();
  });

  test('--secondary without generated/secondary.yaml says so and deploys nothing', async () => {
    const clients = jest.fn();
    await expect(runDeployCommand(parseDeployArgs(['--params', 'prod', '--yes', '--secondary']), deps(clients))).rejects.toThrow(
      '--secondary: generated/secondary.yaml does not exist (the secondary-region template is not built yet)',
    );
    expect(clients).not.toHaveBeenCalled();
  });

  test('--secondary deploys the secondary region first and feeds its outputs to the primary', async () => {
    await writeFile(
      path.join(dir, 'generated', 'secondary.yaml'),
      [
        "AWSTemplateFormatVersion: '2010-09-09'",
        'Parameters:',
        '  NamePrefix: {Type: String}',
        '  Environment: {Type: String}',
        '  PrimaryRegion: {Type: String}',
        'Resources:',
        '  ReplicaKey:',
        '    Type: AWS::KMS::Key',
        '    Properties: {}',
        '',
      ].join('\n'),
    );
    const clock = fakeClock(T0);
    const secondary = fakeCloudFormation(
      clock,
      scenario('stockwx-prod-secondary', 'arn:secondary', [
        { OutputKey: 'ReplicaKmsKeyArn', OutputValue: 'arn:aws:kms:us-west-2:111122223333:key/k1' },
        { OutputKey: 'NotAParameter', OutputValue: 'x' },
      ]),
    );
    const primary = fakeCloudFormation(clock, scenario('stockwx-prod', 'arn:primary', [{ OutputKey: 'ApiUrl', OutputValue: 'https://api' }]));
    const order: string[] = [];
    const d = {
      ...deps((region) => {
        order.push(region);
        return { region, cfn: region === 'us-west-2' ? secondary.client : primary.client, sts: sts().client, s3: s3() };
      }),
      clock,
    };
    const code = await runDeployCommand(
      parseDeployArgs(['--params', 'prod', '--yes', '--secondary', '--bucket', 'primary-artifacts', '--secondary-bucket', 'secondary-artifacts', '--no-build']),
      d,
    );
    expect(code).toBe(0);
    expect(order).toEqual(['us-west-2', 'us-east-1']);
    const secondaryInput = secondary.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(secondaryInput.StackName).toBe('stockwx-prod-secondary');
    expect(secondaryInput.Parameters).toEqual([
      { ParameterKey: 'Environment', ParameterValue: 'prod' },
      { ParameterKey: 'NamePrefix', ParameterValue: 'stockwx-prod' },
      { ParameterKey: 'PrimaryRegion', ParameterValue: 'us-east-1' },
    ]);
    expect(secondaryInput.TemplateURL).toMatch(/^https:\/\/secondary-artifacts\.s3\.us-west-2\.amazonaws\.com\/templates\/[0-9a-f]{64}\.yaml$/);
    const primaryInput = primary.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(primaryInput.Parameters).toContainEqual({ ParameterKey: 'ReplicaKmsKeyArn', ParameterValue: 'arn:aws:kms:us-west-2:111122223333:key/k1' });
    expect(primaryInput.Parameters!.find((p) => p.ParameterKey === 'NotAParameter')).toBeUndefined();
    expect(primaryInput.TemplateURL).toMatch(/^https:\/\/primary-artifacts\.s3\.us-east-1\.amazonaws\.com\/templates\//);
    expect(primaryInput.Tags).toEqual([
      { Key: 'CostCenter', Value: 'analytics' },
      { Key: 'Environment', Value: 'prod' },
      { Key: 'ManagedBy', Value: 'stock-weather-cfn' },
      { Key: 'Owner', Value: 'platform-team' },
    ]);
    // A later primary-only deploy reuses the saved secondary outputs instead of switching replication off.
    expect(JSON.parse(await readFile(path.join(dir, '.deploy', 'stockwx-prod-secondary-outputs.json'), 'utf8')).ReplicaKmsKeyArn).toBe(
      'arn:aws:kms:us-west-2:111122223333:key/k1',
    );
    expect(JSON.parse(await readFile(path.join(dir, '.deploy', 'stockwx-prod-outputs.json'), 'utf8'))).toEqual({ ApiUrl: 'https://api' });
    expect(secondary.mock.commandCalls(DescribeStacksCommand).length).toBeGreaterThan(0);
  });
});

describe('preflight', () => {
  test.each([
    [
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      undefined,
      'no AWS credentials found (the default credential chain): set AWS_PROFILE or pass --profile, run aws sso login, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    ],
    [
      Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }),
      'dev',
      'the AWS credentials of profile dev have expired: refresh them (aws sso login --profile dev) and retry',
    ],
    [
      Object.assign(new Error('The security token included in the request is invalid.'), { name: 'InvalidClientTokenId' }),
      undefined,
      'the AWS credentials of the default credential chain were rejected (InvalidClientTokenId): check the access key, or that eu-south-2 is enabled for the account',
    ],
    [
      Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' }),
      undefined,
      'sts:GetCallerIdentity in eu-south-2 did not answer (TimeoutError: Connection timed out after 5000 ms): check the network, the region name, or --endpoint-url',
    ],
  ])('%s → one line with the fix', (error, profile, message) => {
    expect(explainCredentialError(error, 'eu-south-2', profile)).toBe(message);
  });

  test('--endpoint-url points every client at the custom endpoint, S3 path-style', async () => {
    const clients = createClients('us-east-1', { endpoints: resolveEndpoints('http://localhost:4566', {}) });
    for (const c of [clients.cfn, clients.sts, clients.s3]) expect((await c.config.endpoint!()).hostname).toBe('localhost');
    expect(clients.s3.config.forcePathStyle).toBe(true);
  });

  test('checkIdentity returns the account and ARN', async () => {
    const { client } = sts('444455556666');
    await expect(checkIdentity(client, 'us-east-1')).resolves.toEqual({ account: '444455556666', arn: 'arn:aws:iam::444455556666:user/deployer' });
  });

  test.each([
    ['eu-west-1', 'us-east-1', { AWS_REGION: 'ap-south-1' }, 'eu-west-1'],
    [undefined, 'us-east-1', { AWS_REGION: 'ap-south-1' }, 'us-east-1'],
    [undefined, undefined, { AWS_REGION: 'ap-south-1' }, 'ap-south-1'],
    [undefined, undefined, { AWS_DEFAULT_REGION: 'sa-east-1' }, 'sa-east-1'],
  ])('region: flag %s, file %s, env %j → %s', (flag, file, env, expected) => {
    expect(resolveRegion(flag, file, env)).toBe(expected);
  });

  test('no region anywhere is a one-line error', () => {
    expect(() => resolveRegion(undefined, undefined, {})).toThrow('no AWS region: pass --region, set AWS_REGION, or set regions.primary in the parameter file');
  });
});

describe('parseDeployArgs', () => {
  test('defaults and durations', () => {
    const a = parseDeployArgs([
      '--params',
      'prod.json',
      '--wait-timeout',
      '30m',
      '--continue-rollback',
      '--skip-resources',
      'A, B',
      '-y',
      '--parameter',
      'X=1',
      '--parameter',
      'Y=2',
    ]);
    expect(a).toMatchObject({
      params: 'prod.json',
      waitTimeoutMs: 1_800_000,
      executeTimeoutMs: 7_200_000,
      skipResources: ['A', 'B'],
      yes: true,
      parameter: ['X=1', 'Y=2'],
      bootstrapStack: 'stockwx-bootstrap',
    });
  });

  test.each([
    [['--yes'], '--params is required'],
    [['--params', 'p', '--bogus'], "Unknown option '--bogus'"],
    [['--params', 'p', '--wait-timeout', 'soon'], '--wait-timeout: "soon" is not a duration; use e.g. 90s, 30m or 1h'],
    [['--params', 'p', '--skip-resources', 'A'], '--skip-resources only applies with --continue-rollback'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseDeployArgs(argv)).toThrow(ToolError);
    expect(() => parseDeployArgs(argv)).toThrow(message);
  });
});

describe('multi-region helpers', () => {
  test('secondaryParameters fills declared parameters from root values and the primary region', () => {
    const text =
      'Parameters:\n  NamePrefix: {Type: String}\n  Environment: {Type: String}\n  PrimaryRegion: {Type: String}\n  Unknown: {Type: String}\nResources: {}\n';
    expect(secondaryParameters(text, { Environment: 'dev', Symbols: 'AAPL' }, 'us-east-1')).toEqual({
      Environment: 'dev',
      NamePrefix: 'stockwx-dev',
      PrimaryRegion: 'us-east-1',
    });
  });

  test('feedFromSecondary keeps non-empty outputs that are root parameters', () => {
    expect(feedFromSecondary({ ReplicaKmsKeyArn: 'arn:k', Other: 'x', SecondaryRegion: '' })).toEqual({ ReplicaKmsKeyArn: 'arn:k' });
  });
});

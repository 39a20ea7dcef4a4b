/**
 * The account preflight with mocked SDK clients: the runner (adapt, a `--parameter` that wins,
 * warnings, stops with exit 2), how failed reads are told apart, and the checks whose API moto
 * does not implement (Lambda GetAccountSettings, QuickSight DescribeAccountSubscription, Cost
 * Explorer) or whose failure cases moto cannot produce (AccessDenied). The calls moto answers are
 * tested against it in test/integration/preflight-moto.test.ts.
 */
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { CloudFormationClient, CreateChangeSetCommand, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, DescribeConfigurationRecordersCommand } from '@aws-sdk/client-config-service';
import { CostExplorerClient, ListCostAllocationTagsCommand } from '@aws-sdk/client-cost-explorer';
import { GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeAccountSubscriptionCommand, QuickSightClient } from '@aws-sdk/client-quicksight';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { runAccountChecks, ACCOUNT_CHECKS } from '../../../tools/lib/deploy/account-checks';
import { createAccountClients, COST_EXPLORER_REGION } from '../../../tools/lib/deploy/account-checks/clients';
import { costAllocationTagCheck } from '../../../tools/lib/deploy/account-checks/cost-allocation-tag';
import { guardDutyCheck } from '../../../tools/lib/deploy/account-checks/guardduty';
import { keyRotationCheck } from '../../../tools/lib/deploy/account-checks/key-rotation';
import { lambdaConcurrencyCheck } from '../../../tools/lib/deploy/account-checks/lambda-concurrency';
import { generatedLoader, planDeployment } from '../../../tools/lib/deploy/account-checks/plan';
import { quickSightCheck } from '../../../tools/lib/deploy/account-checks/quicksight';
import { readReason } from '../../../tools/lib/deploy/account-checks/read';
import type { AccountCheck, Outcome, Target } from '../../../tools/lib/deploy/account-checks/types';
import { parseDeployArgs, runDeployCommand } from '../../../tools/lib/deploy/cli';
import { fakeClock } from '../../../tools/lib/deploy/clock';
import { ACCOUNT_SERVICES, resolveEndpoints, SERVICES } from '../../../tools/lib/deploy/endpoints';
import { DeployError } from '../../../tools/lib/deploy/errors';
import { FILE_KEYS_NOT_PARAMETERS, loadParameterFile, resolveRootParameters } from '../../../tools/lib/params';
import { FILE_FIELDS, fileKeyOf } from '../../../tools/lib/params-schema';
import { makeProject } from '../package/fixture';
import { fakeCloudFormation, memoryOutput, resourceChange, T0 } from './fake-cloudformation';

const REPO = path.resolve(__dirname, '..', '..', '..');
const ACCOUNT = '111122223333';
const load = generatedLoader(REPO);
/** Nothing listens there: a call that no mock answers fails at once instead of reaching AWS. */
const NOWHERE = Object.fromEntries(ACCOUNT_SERVICES.map((s) => [s, 'http://127.0.0.1:9']));
const credentials = async () => ({ accessKeyId: 'test', secretAccessKey: 'test' });
const accountClients = (region: string) => createAccountClients(region, { credentials, endpoints: NOWHERE });

const sdkError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: 'client' });

async function prodTarget(overrides: Record<string, string> = {}, region = 'us-east-1'): Promise<Target> {
  const file = await loadParameterFile(path.join(REPO, 'parameters', 'prod.json'), 'parameters/prod.json');
  const resolved = resolveRootParameters(file, { overrides });
  return {
    kind: 'root',
    stackName: 'stockwx-prod',
    region,
    parameters: resolved.values,
    fromFlag: new Set(Object.keys(overrides)),
    overridable: () => true,
    origin: (k) => (k in overrides ? '--parameter' : 'parameters/prod.json'),
    fileKey: fileKeyOf,
    secondaryRegion: 'us-west-2',
    plan: planDeployment({ load, top: 'root.yaml', parameters: resolved.values, region, account: ACCOUNT, stackName: 'stockwx-prod' }),
  };
}

/** CloudFormation where the stack does not exist yet (a first deploy). */
function noStack(): CloudFormationClient {
  const cfn = new CloudFormationClient({ region: 'us-east-1', credentials });
  mockClient(cfn)
    .on(DescribeStacksCommand)
    .rejects(sdkError('ValidationError', 400, 'Stack with id stockwx-prod does not exist'));
  return cfn;
}

async function run(target: Target, checks: readonly AccountCheck[], cfn = noStack()) {
  const lines: string[] = [];
  const result = await runAccountChecks({ target, account: ACCOUNT, clients: accountClients, cfn, checks, say: (l) => lines.push(l) }).catch((e: unknown) => e);
  return { result, lines };
}

/** A check that reads nothing and decides `outcomes`. */
const fixed = (outcomes: Outcome[], o: Partial<AccountCheck> = {}): AccountCheck => ({
  id: 'fixed',
  subject: 'the fixture',
  whenUnreadable: 'warn',
  consequence: () => 'nothing is adapted',
  applies: () => true,
  read: async () => undefined,
  decide: () => outcomes,
  ...o,
});

const mocks: { restore(): void }[] = [];
const mock = <T>(m: T & { restore(): void }): T => {
  mocks.push(m);
  return m;
};
afterEach(() => {
  while (mocks.length) mocks.pop()!.restore();
});

describe('runAccountChecks', () => {
  test('an adaptation is applied, printed with where the old value came from, and how to override it', async () => {
    const { result, lines } = await run(await prodTarget(), [
      fixed([{ kind: 'adapt', set: { EnableGuardDuty: 'false' }, because: 'using the existing detector d1' }]),
    ]);
    expect(result).toMatchObject({
      adapted: { EnableGuardDuty: 'false' },
      parameters: expect.objectContaining({ EnableGuardDuty: 'false', EnableSecurityHub: 'true' }),
    });
    expect(lines).toEqual([
      'preflight: EnableGuardDuty=false (parameters/prod.json: true): using the existing detector d1; --parameter EnableGuardDuty=true overrides this',
      'preflight: stockwx-prod in us-east-1: 1 check, 1 parameter set (EnableGuardDuty=false), 0 warnings',
    ]);
  });

  test('a --parameter flag wins over an adaptation and is said to', async () => {
    const { result, lines } = await run(await prodTarget({ EnableGuardDuty: 'true' }), [
      fixed([{ kind: 'adapt', set: { EnableGuardDuty: 'false' }, because: 'using the existing detector d1' }]),
    ]);
    expect(result).toMatchObject({ adapted: {}, parameters: expect.objectContaining({ EnableGuardDuty: 'true' }) });
    expect(lines[0]).toBe(
      'preflight: EnableGuardDuty=true from --parameter wins over the preflight, which would set EnableGuardDuty=false: using the existing detector d1',
    );
  });

  test('every stop of every check comes in one error, exit 2, after the other lines', async () => {
    const { result, lines } = await run(await prodTarget(), [
      fixed([{ kind: 'stop', problem: 'the VPC quota is full', fix: 'request more' }]),
      fixed([{ kind: 'warn', message: 'the tag is inactive' }]),
      fixed([{ kind: 'stop', problem: 'no QuickSight', fix: 'sign up' }]),
    ]);
    expect(result).toBeInstanceOf(DeployError);
    expect((result as DeployError).exitCode).toBe(2);
    expect((result as DeployError).message.split('\n')).toEqual([
      'preflight: the VPC quota is full: request more',
      'preflight: no QuickSight: sign up',
      'preflight: nothing was created in stockwx-prod in us-east-1; fix the above and re-run (--no-preflight deploys without these checks)',
    ]);
    expect(lines).toEqual(['preflight: warning: the tag is inactive', 'preflight: stockwx-prod in us-east-1: 3 checks, 0 parameters set, 1 warning, 2 stops']);
  });

  test('a check that does not apply is not run or counted', async () => {
    const read = jest.fn();
    const { lines } = await run(await prodTarget(), [fixed([], { applies: () => false, read })]);
    expect(read).not.toHaveBeenCalled();
    expect(lines).toEqual(['preflight: stockwx-prod in us-east-1: 0 checks, 0 parameters set, 0 warnings']);
  });

  test('an unreadable account is a warning naming the permission, or a stop where the check says so', async () => {
    const gd = mock(mockClient(GuardDutyClient));
    gd.on(ListDetectorsCommand).rejects(
      sdkError('AccessDeniedException', 403, 'User: arn:aws:iam::111122223333:user/ci is not authorized to perform: guardduty:ListDetectors'),
    );
    const { result, lines } = await run(await prodTarget(), [guardDutyCheck]);
    expect(result).toMatchObject({ adapted: {} });
    expect(lines[0]).toBe(
      'preflight: warning: cannot check the GuardDuty detector in us-east-1: not allowed to call guardduty:ListDetectors (AccessDeniedException: User: arn:aws:iam::111122223333:user/ci is not authorized to perform: guardduty:ListDetectors (HTTP 403)); EnableGuardDuty stays true',
    );

    const sm = mock(mockClient(SecretsManagerClient));
    sm.on(DescribeSecretCommand).rejects(sdkError('AccessDeniedException', 400, 'not authorized to perform: secretsmanager:DescribeSecret'));
    const stopped = await run(await prodTarget({ EnableKeyRotation: 'true' }), [keyRotationCheck]);
    expect(stopped.result).toBeInstanceOf(DeployError);
    expect((stopped.result as DeployError).exitCode).toBe(2);
    expect((stopped.result as DeployError).message).toMatch(
      /^preflight: cannot check the market-data key before rotation in us-east-1: not allowed to call secretsmanager:DescribeSecret .*grant the permission, or set toggles\.keyRotation to false$/m,
    );
  });

  test('an endpoint that does not implement the call (moto answers HTML) is said so, not called a denial', async () => {
    const gd = mock(mockClient(GuardDutyClient));
    gd.on(ListDetectorsCommand).rejects(
      Object.assign(new SyntaxError('Unexpected token \'<\', "<!doctype "... is not valid JSON\n  Deserialization error: to see the raw response…'), {
        $metadata: { httpStatusCode: 404 },
      }),
    );
    const { lines } = await run(await prodTarget(), [guardDutyCheck]);
    expect(lines[0]).toBe(
      'preflight: warning: cannot check the GuardDuty detector in us-east-1: the endpoint does not implement guardduty:ListDetectors (HTTP 404 with a body that is not an AWS answer); EnableGuardDuty stays true',
    );
  });

  test('our own singleton is told apart through the deployed stack: root → Security → GuardDutyDetector, one listing each', async () => {
    const gd = mock(mockClient(GuardDutyClient));
    gd.on(ListDetectorsCommand).resolves({ DetectorIds: ['d-ours'] });
    const cfn = new CloudFormationClient({ region: 'us-east-1', credentials });
    const cf = mockClient(cfn);
    cf.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'stockwx-prod', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    const summary = (LogicalResourceId: string, PhysicalResourceId: string, ResourceType: string) => ({
      LogicalResourceId,
      PhysicalResourceId,
      ResourceType,
      ResourceStatus: 'CREATE_COMPLETE' as const,
      LastUpdatedTimestamp: new Date(),
    });
    cf.on(ListStackResourcesCommand, { StackName: 'stockwx-prod' }).resolves({
      StackResourceSummaries: [summary('Security', 'arn:security-stack', 'AWS::CloudFormation::Stack')],
    });
    cf.on(ListStackResourcesCommand, { StackName: 'arn:security-stack' }).resolves({
      StackResourceSummaries: [summary('GuardDutyDetector', 'd-ours', 'AWS::GuardDuty::Detector')],
    });
    const { result } = await run(await prodTarget(), [guardDutyCheck], cfn);
    expect(result).toMatchObject({ adapted: {} });

    gd.on(ListDetectorsCommand).resolves({ DetectorIds: ['d-org'] });
    expect((await run(await prodTarget(), [guardDutyCheck], cfn)).result).toMatchObject({ adapted: { EnableGuardDuty: 'false' } });
  });

  test('ACCOUNT_CHECKS has every check once', () => {
    const ids = ACCOUNT_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        'guardduty',
        'security-hub',
        'config-recorder',
        'cloudtrail',
        'api-gateway-account',
        'cost-allocation-tag',
        'lambda-concurrency',
        'vpc-quota',
        'certificates',
        'quicksight',
        'key-rotation',
      ]),
    );
  });
});

describe('readReason', () => {
  test.each([
    ['AccessDeniedException', 403, 'denied'],
    ['AccessDeniedException', 401, 'denied'], // QuickSight says 401
    ['UnauthorizedOperation', 403, 'denied'], // EC2
    ['AccessDenied', 403, 'denied'],
    ['SomethingElse', 403, 'denied'],
    ['UnknownOperationException', 400, 'unavailable'],
    ['InvalidAction', 400, 'unavailable'],
    ['NotImplemented', 501, 'unavailable'],
    ['ThrottlingException', 400, 'failed'],
    ['InternalFailure', 500, 'failed'],
  ])('%s (HTTP %s) is %s', (name, status, expected) => {
    expect(readReason(sdkError(name, status))).toBe(expected);
  });
});

describe('checks moto does not implement, with mocks', () => {
  test('Lambda: a quota of 10 stops the deploy that reserves; 103 is exactly enough (docs/deploy.md: "≥ 103")', async () => {
    const lambda = mock(mockClient(LambdaClient));
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    const stopped = await run(await prodTarget(), [lambdaConcurrencyCheck]);
    expect((stopped.result as DeployError).message).toContain('the Lambda concurrency quota in us-east-1 is 10 (lambda:GetAccountSettings)');
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 102, UnreservedConcurrentExecutions: 102 } });
    expect((await run(await prodTarget(), [lambdaConcurrencyCheck])).result).toBeInstanceOf(DeployError);
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 103, UnreservedConcurrentExecutions: 103 } });
    expect((await run(await prodTarget(), [lambdaConcurrencyCheck])).result).toMatchObject({ adapted: {} });
  });

  test('Lambda: without lambda:GetAccountSettings the Service Quotas value is used; without both, a warning', async () => {
    mock(mockClient(LambdaClient)).on(GetAccountSettingsCommand).rejects(sdkError('AccessDeniedException', 403));
    const sq = mock(mockClient(ServiceQuotasClient));
    sq.on(GetServiceQuotaCommand, { ServiceCode: 'lambda', QuotaCode: 'L-B99A9384' }).resolves({ Quota: { Value: 50 } });
    const stopped = await run(await prodTarget(), [lambdaConcurrencyCheck]);
    expect((stopped.result as DeployError).message).toContain('is 50 (Service Quotas L-B99A9384)');
    sq.on(GetServiceQuotaCommand).rejects(sdkError('AccessDeniedException', 403));
    const { result, lines } = await run(await prodTarget(), [lambdaConcurrencyCheck]);
    expect(result).toMatchObject({ adapted: {} });
    expect(lines[0]).toMatch(/^preflight: warning: cannot check the Lambda concurrency quota in us-east-1: not allowed to call lambda:GetAccountSettings/);
  });

  test('Lambda: the check does not run when nothing is reserved', async () => {
    const lambda = mock(mockClient(LambdaClient));
    await run(await prodTarget({ EnableReservedConcurrency: 'false' }), [lambdaConcurrencyCheck]);
    expect(lambda.calls()).toHaveLength(0);
  });

  test('QuickSight: no subscription (ResourceNotFoundException) stops; a subscription passes; AccessDenied (401) warns', async () => {
    const qs = mock(mockClient(QuickSightClient));
    qs.on(DescribeAccountSubscriptionCommand).rejects(sdkError('ResourceNotFoundException', 404, 'Account 111122223333 does not exist'));
    const on = { EnableQuickSight: 'true', QuickSightPrincipalArn: `arn:aws:quicksight:us-east-1:${ACCOUNT}:user/default/me` };
    const stopped = await run(await prodTarget(on), [quickSightCheck]);
    expect((stopped.result as DeployError).message).toMatch(
      /^preflight: EnableQuickSight=true, but the account has no QuickSight subscription, .*: sign up for QuickSight/,
    );
    expect(qs.commandCalls(DescribeAccountSubscriptionCommand)[0]!.args[0].input).toEqual({ AwsAccountId: ACCOUNT });

    qs.on(DescribeAccountSubscriptionCommand).resolves({ AccountInfo: { AccountSubscriptionStatus: 'ACCOUNT_CREATED', Edition: 'ENTERPRISE' } });
    expect((await run(await prodTarget(on), [quickSightCheck])).result).toMatchObject({ adapted: {} });

    qs.on(DescribeAccountSubscriptionCommand).rejects(sdkError('AccessDeniedException', 401));
    const warned = await run(await prodTarget(on), [quickSightCheck]);
    expect(warned.lines[0]).toMatch(
      /^preflight: warning: cannot check the QuickSight subscription in us-east-1: not allowed to call quicksight:DescribeAccountSubscription/,
    );
  });

  test('Cost Explorer: an active Project tag turns ProjectTagActive on, asked in us-east-1 whatever the deploy region', async () => {
    const ce = mock(mockClient(CostExplorerClient));
    ce.on(ListCostAllocationTagsCommand).resolves({ CostAllocationTags: [{ TagKey: 'Project', Type: 'UserDefined', Status: 'Active' }] });
    const { result } = await run(await prodTarget({}, 'eu-west-1'), [costAllocationTagCheck]);
    expect(result).toMatchObject({ adapted: { ProjectTagActive: 'true' } });
    expect(ce.commandCalls(ListCostAllocationTagsCommand)[0]!.args[0].input).toEqual({ TagKeys: ['Project'], Type: 'UserDefined' });
    expect(await accountClients('eu-west-1').costExplorer().config.region()).toBe(COST_EXPLORER_REGION);
  });

  test('key rotation reads the secret the templates rotate, without its value', async () => {
    const sm = mock(mockClient(SecretsManagerClient));
    sm.on(DescribeSecretCommand).resolves({ Name: 'stockwx-prod/market-data-api-key', VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    const stopped = await run(await prodTarget({ EnableKeyRotation: 'true' }), [keyRotationCheck]);
    expect((stopped.result as DeployError).message).toContain(
      'the secret stockwx-prod/market-data-api-key still holds only the value CloudFormation generated (1 version)',
    );
    // docs/deploy.md names the secret <project>-<env>/market-data-api-key; the check found it through the RotationSchedule's SecretId.
    expect(sm.commandCalls(DescribeSecretCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: 'stockwx-prod/market-data-api-key' }]);
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] } });
    expect((await run(await prodTarget({ EnableKeyRotation: 'true' }), [keyRotationCheck])).result).toMatchObject({ adapted: {} });
  });
});

describe('what the templates say (the plan)', () => {
  test.each([['dev.json'], ['prod.json']])('%s creates the two VPCs of issue 12 point 7, in Networking', async (name) => {
    const file = await loadParameterFile(path.join(REPO, 'parameters', name), name);
    const plan = planDeployment({
      load,
      top: 'root.yaml',
      parameters: resolveRootParameters(file).values,
      region: 'us-east-1',
      account: ACCOUNT,
      stackName: file.stackName,
    });
    expect(plan.resources('AWS::EC2::VPC').map((r) => `${r.stack.path.join('/')}/${r.logicalId}`)).toEqual(['Networking/AppVpc', 'Networking/DataVpc']);
  });

  test('the secondary template creates no VPC, so its region needs no room', () => {
    const plan = planDeployment({
      load,
      top: 'secondary.yaml',
      parameters: { NamePrefix: 'stockwx-prod', Environment: 'prod', PrimaryRegion: 'us-east-1' },
      region: 'us-west-2',
      account: ACCOUNT,
      stackName: 'stockwx-prod-secondary',
    });
    expect(plan.resources('AWS::EC2::VPC')).toEqual([]);
    expect(plan.defaultOf('ManageStandbyApiGatewayAccount')).toBe('true');
  });
});

describe('npm run deploy with the preflight (mocked account, fake CloudFormation)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeProject();
    await mkdir(path.join(dir, 'parameters'));
    await copyFile(path.join(REPO, 'parameters', 'prod.json'), path.join(dir, 'parameters', 'prod.json'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** An account where the organization runs GuardDuty; nothing else exists. */
  function account() {
    const gd = mock(mockClient(GuardDutyClient));
    gd.on(ListDetectorsCommand).resolves({ DetectorIds: ['d-org'] });
    mock(mockClient(SecurityHubClient))
      .on(DescribeHubCommand)
      .rejects(sdkError('InvalidAccessException', 401, 'Account 111122223333 is not subscribed to AWS Security Hub'));
    mock(mockClient(ConfigServiceClient)).on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [] });
    mock(mockClient(CloudTrailClient)).on(DescribeTrailsCommand).resolves({ trailList: [] });
    mock(mockClient(CostExplorerClient)).on(ListCostAllocationTagsCommand).resolves({ CostAllocationTags: [] });
    return gd;
  }

  async function deploy(extra: string[]) {
    const clock = fakeClock(T0);
    const cfn = fakeCloudFormation(clock, {
      stack: {
        name: 'stockwx-prod',
        id: 'arn:root',
        on: {
          execute: [
            { at: 0, status: 'CREATE_IN_PROGRESS' },
            { at: 10_000, status: 'CREATE_COMPLETE' },
          ],
        },
        outputs: [],
      },
      changeSet: { id: 'arn:root-cs', name: 'deploy-x', statuses: ['CREATE_COMPLETE'], changes: [resourceChange('Add', 'Thing', 'AWS::SNS::Topic')] },
      events: [],
    });
    const sts = new STSClient({ region: 'us-east-1', credentials });
    mock(mockClient(sts))
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/deployer` });
    const s3 = new S3Client({ region: 'us-east-1', credentials });
    mock(mockClient(s3)).on(HeadObjectCommand).resolves({});
    const out = memoryOutput();
    const code = await runDeployCommand(parseDeployArgs(['--params', 'prod', '--yes', '--bucket', 'b', '--no-build', ...extra]), {
      repoRoot: dir,
      out,
      clock,
      confirm: async () => true,
      interactive: false,
      clients: (region) => ({ region, cfn: cfn.client, sts, s3, account: accountClients(region) }),
      env: {},
    });
    const sent = Object.fromEntries(
      (cfn.mock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    return { code, text: out.text(), sent };
  }

  test('the adapted toggle is what the change set receives, and the line says so', async () => {
    account();
    const r = await deploy([]);
    expect(r.code).toBe(0);
    expect(r.sent).toMatchObject({ EnableGuardDuty: 'false', EnableSecurityHub: 'true' });
    expect(r.text).toContain('preflight: EnableGuardDuty=false (parameters/prod.json: true): using the existing detector d-org');
  });

  test('--parameter keeps its value against the preflight', async () => {
    account();
    const r = await deploy(['--parameter', 'EnableGuardDuty=true']);
    expect(r.sent).toMatchObject({ EnableGuardDuty: 'true' });
    expect(r.text).toContain('preflight: EnableGuardDuty=true from --parameter wins over the preflight');
  });

  test('--secondary: the secondary stack gets its own adaptation in its region (ManageStandbyApiGatewayAccount)', async () => {
    account();
    await copyFile(path.join(REPO, 'generated', 'secondary.yaml'), path.join(dir, 'generated', 'secondary.yaml'));
    const apigw = mock(mockClient(APIGatewayClient));
    apigw.on(GetAccountCommand).resolves({ cloudwatchRoleArn: `arn:aws:iam::${ACCOUNT}:role/org-apigateway-logs` });
    const clock = fakeClock(T0);
    const stackOf = (name: string, id: string) =>
      fakeCloudFormation(clock, {
        stack: {
          name,
          id,
          on: {
            execute: [
              { at: 0, status: 'CREATE_IN_PROGRESS' },
              { at: 10_000, status: 'CREATE_COMPLETE' },
            ],
          },
          outputs: [],
        },
        changeSet: { id: `${id}-cs`, name: 'deploy-x', statuses: ['CREATE_COMPLETE'], changes: [resourceChange('Add', 'Thing', 'AWS::SNS::Topic')] },
        events: [],
      });
    const secondary = stackOf('stockwx-prod-secondary', 'arn:secondary');
    const primary = stackOf('stockwx-prod', 'arn:primary');
    const sts = new STSClient({ region: 'us-east-1', credentials });
    mock(mockClient(sts))
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/deployer` });
    const s3 = new S3Client({ region: 'us-east-1', credentials });
    mock(mockClient(s3)).on(HeadObjectCommand).resolves({});
    const out = memoryOutput();
    const code = await runDeployCommand(
      parseDeployArgs(['--params', 'prod', '--yes', '--secondary', '--bucket', 'b', '--secondary-bucket', 'b2', '--no-build']),
      {
        repoRoot: dir,
        out,
        clock,
        confirm: async () => true,
        interactive: false,
        clients: (region) => ({ region, cfn: region === 'us-west-2' ? secondary.client : primary.client, sts, s3, account: accountClients(region) }),
        env: {},
      },
    );
    expect(code).toBe(0);
    const sent = Object.fromEntries(
      (secondary.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    expect(sent).toMatchObject({ ManageStandbyApiGatewayAccount: 'false', NamePrefix: 'stockwx-prod', PrimaryRegion: 'us-east-1' });
    expect(out.text()).toContain(
      `preflight: ManageStandbyApiGatewayAccount=false (the template default: true): API Gateway in us-west-2 already logs through arn:aws:iam::${ACCOUNT}:role/org-apigateway-logs (one setting per account and region; setting ours would replace it); only --no-preflight keeps ManageStandbyApiGatewayAccount=true (a parameter of secondary.yaml, not of the root)`,
    );
    expect(out.text()).toContain('preflight: stockwx-prod-secondary in us-west-2: 1 check, 1 parameter set (ManageStandbyApiGatewayAccount=false), 0 warnings');
  });

  test('--no-preflight reads nothing, deploys the parameters as given, and warns', async () => {
    const gd = account();
    const r = await deploy(['--no-preflight']);
    expect(r.code).toBe(0);
    expect(gd.calls()).toHaveLength(0);
    expect(r.sent).toMatchObject({ EnableGuardDuty: 'true' });
    expect(r.text).toContain('preflight: warning: --no-preflight: the account is not read for stockwx-prod in us-east-1');
  });
});

describe('docs/deploy.md', () => {
  test('the parameter-file table has a row for every key the file maps (FILE_FIELDS) and every other key', async () => {
    const text = await readFile(path.join(REPO, 'docs', 'deploy.md'), 'utf8');
    const table = text.slice(text.indexOf('| key | required |'), text.indexOf('\n\n', text.indexOf('| key | required |')));
    const documented = new Set<string>();
    for (const row of table.split('\n').slice(2)) {
      for (const [, cell] of (row.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)) {
        const braces = /^(.*)\.\{(.*)\}$/.exec(cell!);
        const keys = braces ? braces[2]!.split(',').map((k) => `${braces[1]}.${k.trim()}`) : [cell!];
        for (const k of keys) documented.add(k.replace(/\[\].*$/, ''));
      }
    }
    const keys = [...FILE_FIELDS.map((f) => f.path), ...Object.keys(FILE_KEYS_NOT_PARAMETERS)];
    expect(keys.filter((k) => !documented.has(k))).toEqual([]);
  });

  test('an account service endpoint variable reaches its client (AWS_ENDPOINT_URL_GUARDDUTY)', async () => {
    const endpoints = resolveEndpoints(undefined, { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_GUARDDUTY: 'http://guardduty.local:1' }, [
      ...SERVICES,
      ...ACCOUNT_SERVICES,
    ]);
    const c = createAccountClients('eu-west-1', { credentials, endpoints });
    expect((await c.guardDuty().config.endpoint!()).hostname).toBe('guardduty.local');
    expect((await c.ec2().config.endpoint!()).hostname).toBe('localhost');
  });
});

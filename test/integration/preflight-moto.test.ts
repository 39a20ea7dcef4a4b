/**
 * The account preflight of `npm run deploy` against moto_server, for the calls moto implements
 * (GuardDuty ListDetectors, Security Hub DescribeHub with AWS's "not subscribed" error, Config
 * DescribeConfigurationRecorders, CloudTrail DescribeTrails, API Gateway GetAccount, EC2
 * DescribeVpcs, Service Quotas GetServiceQuota, ACM DescribeCertificate, Secrets Manager
 * DescribeSecret, CloudFormation DescribeStackResource). The account's state is set with the SDK,
 * our CLI runs as a user runs it, and each step is judged by what the server holds afterwards:
 * the change set's parameters, the singletons left as they were, no stack where the preflight
 * stopped, the VPCs counted. What moto lacks (Lambda GetAccountSettings, QuickSight, Cost
 * Explorer) and AccessDenied are tested with mocks (test/tools/deploy/preflight-run.test.ts).
 *
 * The suite works in an account of its own (an STS AssumeRole into a random account ID: moto keeps
 * each account's state apart), so a shared server (MOTO_ENDPOINT) that an earlier run or another
 * suite used holds no detector, hub or VPC of ours; each scenario also has a region of its own.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { APIGatewayClient, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import { CloudTrailClient, CreateTrailCommand, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeChangeSetCommand, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { ConfigServiceClient, DescribeConfigurationRecordersCommand, PutConfigurationRecorderCommand } from '@aws-sdk/client-config-service';
import { CreateVpcCommand, DeleteVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, DescribeSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeHubCommand, EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { parseTemplate } from '../../templates-src/lib/yaml';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { cli, CREDENTIALS, exits, makeProject, moto, REPO, type Moto, type Project, motoTest } from './moto/harness';

/** The singletons scenario: everything already enabled by "the organization". */
const ADAPT_REGION = 'eu-west-3';
/** The stops, then a deploy that fits exactly, then one that creates nothing new. */
const STOP_REGION = 'sa-east-1';
/** The market-data key before rotation. */
const ROTATION_REGION = 'ap-northeast-1';

let server: Moto | undefined;
/** The real root with only Networking (what moto builds): the deploys that go through. */
let project: Project;
/** The real root with every nested stack: deploys the preflight stops before anything exists. */
let full: Project;
let skip = '';
/** The suite's own account and its credentials. */
let ACCOUNT = '';
let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  const m = await moto();
  if ('skip' in m) {
    skip = m.skip;
    console.log(`SKIPPED: preflight tests against moto_server: ${skip}`);
    return;
  }
  server = m;
  ACCOUNT = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
  const assumed = await new STSClient({ region: 'us-east-1', endpoint: m.endpoint, credentials: CREDENTIALS }).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/preflight-tests`, RoleSessionName: 'preflight' }),
  );
  credentials = {
    accessKeyId: assumed.Credentials!.AccessKeyId!,
    secretAccessKey: assumed.Credentials!.SecretAccessKey!,
    sessionToken: assumed.Credentials!.SessionToken!,
  };
  env = { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken };
  project = await makeProject(ADAPT_REGION, ['Networking']);
  full = await makeProject(STOP_REGION, fullRoot());
}, 60_000);

afterAll(async () => {
  await project?.remove();
  await full?.remove();
  await server?.stop();
});

const it = (name: string, fn: () => Promise<void>, timeout = 60_000): void =>
  motoTest(
    name,
    async () => {
      if (!server) return void console.log(`skipped (${skip}): ${name}`);
      await fn();
    },
    timeout,
  );

const sdk = (region: string) => ({ region, endpoint: server!.endpoint, credentials, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
const clients = (region: string) => ({ cfn: new CloudFormationClient(sdk(region)), s3: new S3Client({ ...sdk(region), forcePathStyle: true }) });

/** Every nested stack of generated/root.yaml. */
function fullRoot(): string[] {
  const root = parseTemplate(readFileSync(path.join(REPO, 'generated', 'root.yaml'), 'utf8'), 'root.yaml') as { Resources: Record<string, { Type: string }> };
  return Object.entries(root.Resources)
    .filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack')
    .map(([id]) => id);
}

async function bucketIn(region: string): Promise<string> {
  const name = `preflight-${ACCOUNT}-${region}`;
  await clients(region).s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: region as never } }));
  return name;
}

async function vpcIds(region: string): Promise<string[]> {
  return ((await new EC2Client(sdk(region)).send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.VpcId!).sort();
}

async function stackStatus(region: string, name: string): Promise<string | undefined> {
  try {
    return (await clients(region).cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus;
  } catch {
    return undefined;
  }
}

describe('account singletons that already exist are used, not created again', () => {
  it('prod.json in an account where GuardDuty, Security Hub, Config, a trail and the API Gateway role exist: the change set carries the adapted toggles, and the account is untouched', async () => {
    const region = ADAPT_REGION;
    const detector = (await new GuardDutyClient(sdk(region)).send(new CreateDetectorCommand({ Enable: true }))).DetectorId!;
    // Before: Security Hub answers AWS's own "not subscribed" error; then the organization enables it.
    await expect(new SecurityHubClient(sdk(region)).send(new DescribeHubCommand({}))).rejects.toMatchObject({ name: 'InvalidAccessException' });
    await new SecurityHubClient(sdk(region)).send(new EnableSecurityHubCommand({}));
    const hubArn = (await new SecurityHubClient(sdk(region)).send(new DescribeHubCommand({}))).HubArn!;
    await new ConfigServiceClient(sdk(region)).send(
      new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: 'org-recorder', roleARN: `arn:aws:iam::${ACCOUNT}:role/org-config` } }),
    );
    await clients(region).s3.send(
      new CreateBucketCommand({ Bucket: `org-trail-${ACCOUNT}`, CreateBucketConfiguration: { LocationConstraint: region as never } }),
    );
    await new CloudTrailClient(sdk(region)).send(new CreateTrailCommand({ Name: 'org-trail', S3BucketName: `org-trail-${ACCOUNT}`, IsMultiRegionTrail: true }));
    const role = `arn:aws:iam::${ACCOUNT}:role/org-apigateway-logs`;
    await new APIGatewayClient(sdk(region)).send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: role }] }));
    const bucket = await bucketIn(region);

    const r = await cli(
      project,
      'deploy',
      ['--params', 'prod.json', '--region', region, '--endpoint-url', server!.endpoint, '--bucket', bucket, '--no-build', '--no-execute'],
      env,
    );
    exits(r, 0);

    // What the server holds: the change set left for review, with the adapted parameters.
    const { cfn } = clients(region);
    const summaries = (await cfn.send(new ListChangeSetsCommand({ StackName: 'stockwx-prod' }))).Summaries ?? [];
    const mine = summaries.filter((s) => s.StackName === 'stockwx-prod');
    expect(mine).toHaveLength(1);
    const cs = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: mine[0]!.ChangeSetId, StackName: 'stockwx-prod' }));
    const sent = Object.fromEntries((cs.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(sent).toMatchObject({
      EnableGuardDuty: 'false',
      EnableSecurityHub: 'false',
      UseExistingConfigRecorder: 'true',
      EnableConfigRecorder: 'false',
      EnableCloudTrail: 'false',
      ManageApiGatewayAccount: 'false',
      // Untouched by the preflight: prod.json's own values.
      EnableReservedConcurrency: 'true',
      Environment: 'prod',
    });
    // The account's singletons are exactly what they were.
    expect((await new GuardDutyClient(sdk(region)).send(new ListDetectorsCommand({}))).DetectorIds).toEqual([detector]);
    expect((await new SecurityHubClient(sdk(region)).send(new DescribeHubCommand({}))).HubArn).toBe(hubArn);
    expect(
      ((await new ConfigServiceClient(sdk(region)).send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ?? []).map((x) => x.name),
    ).toEqual(['org-recorder']);
    expect(((await new CloudTrailClient(sdk(region)).send(new DescribeTrailsCommand({}))).trailList ?? []).map((x) => x.Name)).toEqual(['org-trail']);
    // Each adaptation is one line naming what it uses.
    expect(r.stdout).toContain(`preflight: EnableGuardDuty=false (parameters/prod.json: true): using the existing detector ${detector}`);
    expect(r.stdout).toContain(`preflight: EnableSecurityHub=false (parameters/prod.json: true): Security Hub is already enabled in ${region} (${hubArn})`);
    expect(r.stdout).toContain(
      'preflight: UseExistingConfigRecorder=true, EnableConfigRecorder=false (parameters/prod.json: false, true): recording with the existing AWS Config recorder org-recorder',
    );
    expect(r.stdout).toContain('preflight: EnableCloudTrail=false (parameters/prod.json: true): the multi-region trail org-trail');
    expect(r.stdout).toContain(`preflight: ManageApiGatewayAccount=false (parameters/prod.json: true): API Gateway in ${region} already logs through ${role}`);
    // moto has no Cost Explorer: said, not blocking.
    expect(r.stdout).toMatch(
      /preflight: warning: cannot check the Project cost-allocation tag in eu-west-3: the endpoint does not implement ce:ListCostAllocationTags/,
    );
    expect(r.stdout).toMatch(/preflight: stockwx-prod in eu-west-3: \d+ checks, 6 parameters set/);
  });
});

describe('preconditions that cannot be adapted stop the deploy before anything is created', () => {
  it('a full VPC quota, certificates of the wrong region and domain, rotation before a key is stored: exit 2, every fix, no stack, no VPC, no secret', async () => {
    const region = STOP_REGION;
    const ec2 = new EC2Client(sdk(region));
    // The default VPC and three more: 4 of moto's 5 (Service Quotas L-F678F1CE) in use, and the templates create 2.
    for (const cidr of ['10.60.0.0/16', '10.61.0.0/16', '10.62.0.0/16']) await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }));
    const before = await vpcIds(region);
    expect(before).toHaveLength(4);
    // The standby certificate: issued (moto issues private-CA certificates at once) in the secondary region, for another domain.
    const standby = (
      await new ACMClient(sdk('us-west-2')).send(
        new RequestCertificateCommand({
          DomainName: 'api.example.org',
          CertificateAuthorityArn: `arn:aws:acm-pca:us-west-2:${ACCOUNT}:certificate-authority/preflight`,
        }),
      )
    ).CertificateArn!;
    const prod = JSON.parse(await readFile(path.join(REPO, 'parameters', 'prod.json'), 'utf8'));
    const file = {
      ...prod,
      toggles: { ...prod.toggles, failover: true, keyRotation: true },
      // The file says us-east-1, as the certificate does; the deploy goes to --region sa-east-1 (only the preflight can see that).
      failover: {
        hostedZoneId: 'Z0PREFLIGHT',
        apiDomainName: 'ingest.example.com',
        certificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/primary`,
        standbyCertificateArn: standby,
      },
    };
    await writeFile(path.join(full.dir, 'failover-prod.json'), JSON.stringify(file, null, 2));

    const r = await cli(full, 'deploy', ['--params', 'failover-prod.json', '--region', region, '--endpoint-url', server!.endpoint, '--no-build', '--yes'], env);
    exits(r, 2);
    const stops = r.stderr.split('\n').filter((l) => l.startsWith('preflight: '));
    expect(stops).toEqual([
      expect.stringMatching(
        /^preflight: sa-east-1 has 4 of its 5 VPCs in use \(VPCs per Region, servicequotas:GetServiceQuota\) and this deploy creates 2 more \(Networking\/AppVpc, Networking\/DataVpc\): request a "VPCs per Region" quota of 6 or more/,
      ),
      expect.stringMatching(
        /^preflight: ApiCertificateArn arn:aws:acm:us-east-1:\d+:certificate\/primary is a certificate of us-east-1, but its API is in sa-east-1 .*: request or import one in sa-east-1, then set failover\.certificateArn/,
      ),
      expect.stringMatching(
        new RegExp(
          `^preflight: StandbyApiCertificateArn ${standby} covers api\\.example\\.org, not ingest\\.example\\.com: set failover\\.standbyCertificateArn`,
        ),
      ),
      expect.stringMatching(
        /^preflight: EnableKeyRotation=true, but the secret stockwx-prod\/market-data-api-key does not exist yet: .*put-secret-value --region sa-east-1/,
      ),
      'preflight: nothing was created in stockwx-prod in sa-east-1; fix the above and re-run (--no-preflight deploys without these checks)',
    ]);
    // Nothing was created: no stack (not even a review one), no VPC, no secret.
    expect(await stackStatus(region, 'stockwx-prod')).toBeUndefined();
    expect(await vpcIds(region)).toEqual(before);
    await expect(new SecretsManagerClient(sdk(region)).send(new DescribeSecretCommand({ SecretId: 'stockwx-prod/market-data-api-key' }))).rejects.toMatchObject(
      { name: 'ResourceNotFoundException' },
    );
  });

  it('once a VPC is freed, a deploy that exactly fits the quota goes through, and the next one counts its own VPCs as in use, not as new', async () => {
    const region = STOP_REGION;
    const ec2 = new EC2Client(sdk(region));
    const extra = ((await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.62.0.0/16'] }] }))).Vpcs ?? [])[0]?.VpcId;
    if (extra) await ec2.send(new DeleteVpcCommand({ VpcId: extra }));
    expect(await vpcIds(region)).toHaveLength(3);
    const bucket = await bucketIn(region);
    const deploy = () =>
      cli(project, 'deploy', ['--params', 'dev.json', '--region', region, '--endpoint-url', server!.endpoint, '--bucket', bucket, '--no-build', '--yes'], env);

    const first = await deploy();
    exits(first, 0);
    expect(await stackStatus(region, 'stockwx-dev')).toBe('CREATE_COMPLETE');
    const after = await vpcIds(region);
    expect(after).toHaveLength(5);

    // 5 of 5 in use now, but both are this stack's own (ListStackResources through Networking): nothing new, no stop.
    const again = await deploy();
    exits(again, 0);
    expect(again.stdout).toContain('no changes');
    expect(again.stdout).not.toMatch(/VPCs in use|cannot check the VPC quota/);
    expect(await vpcIds(region)).toEqual(after);
  });

  it('rotation while the secret holds only its generated value stops; once a key is stored it passes', async () => {
    const region = ROTATION_REGION;
    const sm = new SecretsManagerClient(sdk(region));
    // The secret as security.yaml's GenerateSecretString leaves it: one version.
    await sm.send(
      new CreateSecretCommand({ Name: 'stockwx-dev/market-data-api-key', SecretString: '{"standbyKeys":[],"apiKey":"generatedplaceholder0123456789ab"}' }),
    );
    const diff = () =>
      cli(
        full,
        'deploy',
        [
          '--diff',
          '--params',
          'dev.json',
          '--region',
          region,
          '--endpoint-url',
          server!.endpoint,
          '--no-build',
          '--bucket',
          'unused',
          '--parameter',
          'EnableKeyRotation=true',
        ],
        env,
      );

    const placeholder = await diff();
    exits(placeholder, 2);
    expect(placeholder.stderr).toContain(
      'preflight: EnableKeyRotation=true, but the secret stockwx-dev/market-data-api-key still holds only the value CloudFormation generated (1 version)',
    );
    expect(await stackStatus(region, 'stockwx-dev')).toBeUndefined();

    await sm.send(new PutSecretValueCommand({ SecretId: 'stockwx-dev/market-data-api-key', SecretString: '{"apiKey":"real-key","standbyKeys":["next-key"]}' }));
    const stored = await diff();
    // The preflight passes (no stop, nothing set); the diff then stops at the --bucket that does not exist.
    expect(stored.stdout).toMatch(/preflight: stockwx-dev in ap-northeast-1: \d+ checks, 0 parameters set, \d+ warnings?\n/);
    expect(stored.stderr).not.toContain('preflight:');
    expect(stored.stderr).toContain('--bucket unused does not exist');
  });
});

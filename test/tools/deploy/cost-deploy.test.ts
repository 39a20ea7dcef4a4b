/**
 * `npm run deploy` / `npm run diff` with parameters/dev.json on the committed templates, against the
 * deploy tests' fake CloudFormation: the monthly cost is printed after the change report and
 * before the confirm prompt, MonthlyBudgetUsd is derived from the estimate, and a deployment
 * without a secondary stack (toggles.secondaryStack false) neither reads nor deploys one.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { derivedBudget, estimateParameterFile } from '../../../tools/lib/cost';
import { parseDeployArgs, runDeployCommand } from '../../../tools/lib/deploy/cli';
import { fakeClock } from '../../../tools/lib/deploy/clock';
import { DeployError, ToolError } from '../../../tools/lib/deploy/errors';
import { fakeCloudFormation, memoryOutput, resourceChange, T0, type Scenario } from './fake-cloudformation';

const REPO = path.resolve(__dirname, '..', '..', '..');
const HANDLERS = ['poller', 'enricher', 'aggregator', 'rules', 'notifier', 'rotation'];
const STACK_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/stockwx-dev/root-uuid';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cost-deploy-'));
  await cp(path.join(REPO, 'generated'), path.join(dir, 'generated'), { recursive: true });
  await mkdir(path.join(dir, 'parameters'));
  await cp(path.join(REPO, 'parameters', 'dev.json'), path.join(dir, 'parameters', 'dev.json'));
  await mkdir(path.join(dir, 'dist', 'handlers'), { recursive: true });
  for (const h of HANDLERS) await writeFile(path.join(dir, 'dist', 'handlers', `${h}.zip`), Buffer.from(`PK fake ${h} zip`));
  await writeFile(path.join(dir, 'package.json'), '{}');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function firstDeploy(parameters?: Record<string, string>): Scenario {
  return {
    stack: {
      name: 'stockwx-dev',
      id: STACK_ID,
      ...(parameters ? { status: 'UPDATE_COMPLETE', parameters } : {}),
      on: {
        execute: [
          { at: 0, status: 'CREATE_IN_PROGRESS' },
          { at: 10_000, status: 'CREATE_COMPLETE' },
        ],
      },
    },
    changeSet: {
      id: `${STACK_ID}-cs`,
      name: 'deploy-x',
      statuses: ['CREATE_COMPLETE'],
      changes: [resourceChange('Add', 'Security', 'AWS::CloudFormation::Stack')],
    },
    events: [],
  };
}

/** The fake AWS of one deploy; us-west-2 holds `secondary`, by default no stack at all. */
function aws(scenario: Scenario, secondary: Scenario = { stack: { name: 'stockwx-dev-secondary', id: 'arn:secondary' } }) {
  const clock = fakeClock(T0);
  const cfn = fakeCloudFormation(clock, scenario);
  const west = fakeCloudFormation(clock, secondary);
  const sts = new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  mockClient(sts).on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/deployer' });
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const s3mock = mockClient(s3);
  s3mock.on(HeadObjectCommand).resolves({}); // every artifact already uploaded
  s3mock.on(HeadBucketCommand).resolves({ BucketRegion: 'us-east-1' });
  const regions: string[] = [];
  const out = memoryOutput();
  /** What the output held when the prompt asked. */
  const atPrompt: string[] = [];
  const deps = {
    repoRoot: dir,
    out,
    clock,
    confirm: async () => {
      atPrompt.push(out.text());
      return true;
    },
    interactive: true,
    clients: (region: string) => {
      regions.push(region);
      return { region, cfn: region === 'us-west-2' ? west.client : cfn.client, sts, s3 };
    },
    env: {},
  };
  return { cfn, deps, regions, out, atPrompt };
}

const args = (...extra: string[]) => parseDeployArgs(['--params', 'dev.json', '--bucket', 'artifacts', '--no-build', ...extra]);

test('a first deploy of dev.json prints the full estimate after the change report, before the prompt, and derives the budget from it', async () => {
  const { cfn, deps, regions, atPrompt } = aws(firstDeploy());
  expect(await runDeployCommand(args(), deps)).toBe(0);
  expect(atPrompt).toHaveLength(1);
  const before = atPrompt[0]!;
  const offline = (await estimateParameterFile({ params: 'dev.json', cwd: dir, templatesDir: 'generated' })).estimate.monthly;
  const report = before.indexOf('Change set deploy-x for stockwx-dev');
  const costAt = before.indexOf('monthly cost of stockwx-dev (offline estimate at list prices, as npm run cost prints it):');
  expect(report).toBeGreaterThanOrEqual(0);
  expect(costAt).toBeGreaterThan(report);
  expect(before).toContain(
    `  first deploy: $${offline.total.toFixed(2)}/month ($${offline.fixed.toFixed(2)} fixed, $${offline.usage.toFixed(2)} usage); the largest parts:`,
  );
  expect(offline.fixed).toBeLessThan(30);
  const budget = derivedBudget(offline.total);
  expect(before).toContain(`budget: MonthlyBudgetUsd $${budget.toFixed(2)}/month, derived from the $${offline.total.toFixed(2)} estimate`);
  const sent = cfn.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.Parameters!;
  expect(sent).toContainEqual({ ParameterKey: 'MonthlyBudgetUsd', ParameterValue: String(budget) });
  // No secondary stack: us-west-2 is only asked whether one is left there (none is), nothing about replication is said.
  expect(new Set(regions)).toEqual(new Set(['us-east-1', 'us-west-2']));
  expect(sent.find((p) => p.ParameterKey === 'ReplicaKmsKeyArn')).toBeUndefined();
  expect(before).not.toMatch(/allow-dr-removal|ReplicaKmsKeyArn|using .* from|note:|warning/);
});

test('npm run diff prints the cost lines too (no prompt)', async () => {
  const { deps, out, atPrompt } = aws(firstDeploy());
  expect(await runDeployCommand(args('--diff'), deps)).toBe(0);
  expect(atPrompt).toEqual([]);
  expect(out.text()).toMatch(
    /monthly cost of stockwx-dev \(offline estimate at list prices, as npm run cost prints it\):\n {2}first deploy: \$\d+\.\d\d\/month/,
  );
});

test('a monthlyBudgetUsd in the file is sent as it is, with a warning when the 80 % alert would fire on the estimate alone', async () => {
  const file = path.join(dir, 'parameters', 'dev.json');
  await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), monthlyBudgetUsd: 25 }));
  const { cfn, deps, out } = aws(firstDeploy());
  expect(await runDeployCommand(args(), deps)).toBe(0);
  expect(cfn.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.Parameters).toContainEqual({ ParameterKey: 'MonthlyBudgetUsd', ParameterValue: '25' });
  expect(out.text()).toMatch(
    /budget: warning: parameters\/dev\.json monthlyBudgetUsd \$25\.00 puts the 80 % alert at \$20\.00, under the \$\d+\.\d\d estimate/,
  );
});

test('--secondary with toggles.secondaryStack false is a usage error before any AWS call', async () => {
  const { deps, regions } = aws(firstDeploy());
  const error = (await runDeployCommand(args('--secondary'), deps).catch((e: unknown) => e)) as ToolError;
  expect(error).toBeInstanceOf(ToolError);
  expect(error.exitCode).toBe(2);
  expect(error.message).toBe(
    '--secondary: parameters/dev.json sets toggles.secondaryStack to false (this deployment has no secondary-region stack); set it to true to deploy one, or drop --secondary',
  );
  expect(regions).toEqual([]);
});

test('a primary that replicates today is still protected: switching to no secondary stack is refused, naming why', async () => {
  const replicating = { ReplicaKmsKeyArn: 'arn:aws:kms:us-west-2:111122223333:key/k1', Environment: 'dev' };
  const { deps, regions } = aws(firstDeploy(replicating));
  const error = (await runDeployCommand(args(), deps).catch((e: unknown) => e)) as DeployError;
  expect(error).toBeInstanceOf(DeployError);
  expect(error.message).toMatch(
    /^stockwx-dev in us-east-1 replicates with ReplicaKmsKeyArn=arn:aws:kms:us-west-2:111122223333:key\/k1, but this deploy would send '' \(no stack stockwx-dev-secondary in us-west-2; parameters\/dev\.json sets toggles\.secondaryStack to false, so none of its outputs are used\), which removes: /,
  );
  expect(regions).toContain('us-west-2');
});

test('a secondary stack left in the cloud is neither used nor passed over in silence: it is still billed', async () => {
  const primary = aws(firstDeploy(), {
    stack: {
      name: 'stockwx-dev-secondary',
      id: 'arn:secondary',
      status: 'CREATE_COMPLETE',
      outputs: [{ OutputKey: 'ReplicaKmsKeyArn', OutputValue: 'arn:aws:kms:us-west-2:111122223333:key/k1' }],
    },
  });
  expect(await runDeployCommand(args(), primary.deps)).toBe(0);
  expect(
    primary.cfn.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.Parameters!.find((p) => p.ParameterKey === 'ReplicaKmsKeyArn'),
  ).toBeUndefined();
  expect(primary.out.text()).toContain(
    'note: stockwx-dev-secondary in us-west-2 is CREATE_COMPLETE, unused while parameters/dev.json sets toggles.secondaryStack to false, and still billed: delete it, or set the toggle to true',
  );
});

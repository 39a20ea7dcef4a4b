/**
 * The monthly cost of a deploy (tools/lib/deploy/cost-line.ts): the deployed side read back from a
 * fake CloudFormation that holds the committed templates as packaging leaves them (TemplateURLs
 * rewritten to S3 URLs, nested stacks under their own IDs), the local side from generated/; the
 * delta of known changes, a first deploy, no change, an unreadable stack, and the budget.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { derivedBudget, estimateParameterFile } from '../../../tools/lib/cost';
import { costLines, DeployCost, readDeployedTree } from '../../../tools/lib/deploy/cost-line';
import { loadParameterFile, resolveRootParameters, type ParameterFile } from '../../../tools/lib/params';
import { parseTemplate } from '../../../templates-src/lib/yaml';

const REPO = path.resolve(__dirname, '..', '..', '..');
const STACK = 'stockwx-dev';
const ROOT_ID = `arn:aws:cloudformation:us-east-1:111122223333:stack/${STACK}/root`;
const nestedId = (logicalId: string) => `arn:aws:cloudformation:us-east-1:111122223333:stack/${STACK}-${logicalId}-ABC/${logicalId.toLowerCase()}`;

/** generated/<file> as text. */
const generated = (file: string): Promise<string> => readFile(path.join(REPO, 'generated', file), 'utf8');

interface Deployed {
  /** Root parameter values the stack was deployed with. */
  readonly values: Record<string, string>;
  /** Edits to the deployed templates' text (an older version of them), by file. */
  readonly edit?: Readonly<Record<string, (text: string) => string>>;
  /** The secondary stack: its template text and parameters. */
  readonly secondary?: { readonly parameters: Record<string, string> };
}

/**
 * A CloudFormation that holds `stockwx-dev` (and `stockwx-dev-secondary`) deployed from the
 * committed templates, or nothing (`deployed` undefined).
 */
async function fakeCfn(deployed?: Deployed, fail?: { readonly getTemplate?: Error }) {
  const client = new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const mock = mockClient(client);
  const notFound = (name: string) => Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
  const text = async (file: string) => (deployed?.edit?.[file] ?? ((t: string) => t))(await generated(file));
  const root = await generated('root.yaml');
  const nested = [
    ...root.matchAll(/^ {2}(\w+):\n {4}Type: AWS::CloudFormation::Stack\n(?: {4}Condition: \w+\n)? {4}Properties:\n {6}TemplateURL: \.\/([\w-]+\.yaml)$/gm),
  ].map((m) => ({ logicalId: m[1]!, file: m[2]! }));
  expect(nested.length).toBeGreaterThanOrEqual(8); // the regex read every nested stack of root.yaml
  const bodies = new Map<string, string>([
    [
      ROOT_ID,
      (await text('root.yaml')).replace(
        /TemplateURL: \.\/([\w-]+)\.yaml/g,
        'TemplateURL: https://artifacts.s3.us-east-1.amazonaws.com/templates/$1-0123abcd.yaml',
      ),
    ],
  ]);
  for (const n of nested) bodies.set(nestedId(n.logicalId), await text(n.file));
  if (deployed?.secondary) bodies.set('arn:secondary', await text('secondary.yaml'));
  const asParameters = (values: Record<string, string>) => Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
  mock.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
    if (!deployed) throw notFound(input.StackName ?? '');
    if (input.StackName === STACK)
      return {
        Stacks: [{ StackName: STACK, StackId: ROOT_ID, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0), Parameters: asParameters(deployed.values) }],
      };
    if (input.StackName === `${STACK}-secondary` && deployed.secondary)
      return {
        Stacks: [
          {
            StackName: `${STACK}-secondary`,
            StackId: 'arn:secondary',
            StackStatus: 'CREATE_COMPLETE',
            CreationTime: new Date(0),
            Parameters: asParameters(deployed.secondary.parameters),
          },
        ],
      };
    throw notFound(input.StackName ?? '');
  });
  mock.on(GetTemplateCommand).callsFake((input: { StackName?: string; TemplateStage?: string }) => {
    if (fail?.getTemplate) throw fail.getTemplate;
    expect(input.TemplateStage).toBe('Original');
    const body = bodies.get(input.StackName ?? '');
    if (!body) throw notFound(input.StackName ?? '');
    return { TemplateBody: body };
  });
  mock.on(ListStackResourcesCommand).callsFake((input: { StackName?: string }) => ({
    StackResourceSummaries:
      input.StackName === ROOT_ID
        ? nested.map((n) => ({
            LogicalResourceId: n.logicalId,
            PhysicalResourceId: nestedId(n.logicalId),
            ResourceType: 'AWS::CloudFormation::Stack',
            ResourceStatus: 'UPDATE_COMPLETE',
          }))
        : [],
  }));
  return { client, mock };
}

let dev: ParameterFile;
let devValues: Record<string, string>;
let cost: DeployCost;
beforeAll(async () => {
  dev = await loadParameterFile(path.join(REPO, 'parameters', 'dev.json'), 'parameters/dev.json');
  devValues = { ...resolveRootParameters(dev).values };
  cost = await DeployCost.load({
    repoRoot: REPO,
    noBuild: true,
    file: dev,
    displayName: 'parameters/dev.json',
    stackName: STACK,
    region: 'us-east-1',
    secondaryStackName: `${STACK}-secondary`,
  });
});

describe('the deployed tree, read back from CloudFormation', () => {
  test('every nested template filed under the local name of its logical ID, the root pointing at it, the stack parameters as root values', async () => {
    const { client } = await fakeCfn({ values: devValues });
    const tree = (await readDeployedTree(client, STACK, parseTemplate(await generated('root.yaml'))))!;
    expect([...tree.templates.keys()].sort()).toEqual([
      'analytics.yaml',
      'compute.yaml',
      'dashboards.yaml',
      'data-lake.yaml',
      'datastores.yaml',
      'networking.yaml',
      'root.yaml',
      'security.yaml',
      'streaming.yaml',
    ]);
    expect((tree.templates.get('root.yaml')!.Resources as any).Networking.Properties.TemplateURL).toBe('./networking.yaml');
    expect(tree.rootValues).toEqual(devValues);
  });

  test('nothing deployed: undefined', async () => {
    const { client } = await fakeCfn();
    await expect(readDeployedTree(client, STACK)).resolves.toBeUndefined();
  });
});

describe('the lines before the confirm prompt', () => {
  test('turning the NAT gateway on: +$32.85 for the gateway (730 h × $0.045) and +$3.65 for its address (730 h × $0.005)', async () => {
    const { client } = await fakeCfn({ values: devValues });
    const lines = await cost.primaryLines(client, { ...devValues, EnableNatGateway: 'true' });
    expect(lines[0]).toBe(`monthly cost of ${STACK} (offline estimate at list prices, as npm run cost prints it):`);
    expect(lines[1]).toMatch(/^ {2}\+\$36\.50\/month \(\$\d+\.\d\d → \$\d+\.\d\d; fixed \+\$36\.50, usage \+\$0\.00\)$/);
    expect(lines.slice(2)).toEqual(['    +$32.85/month: 1 NAT gateway in AppVpc', '    +$3.65/month: 1 public IPv4 address in networking']);
  });

  test('a template change: a dev deployed before the endpoints had a condition loses nine of them, −$131.40 (9 × 2 AZs × 730 h × $0.01)', async () => {
    const { client } = await fakeCfn({ values: devValues, edit: { 'networking.yaml': (t) => t.replace(/\n {4}Condition: HasInterfaceEndpoints/g, '') } });
    const lines = await cost.primaryLines(client, devValues);
    expect(lines[1]).toMatch(/^ {2}−\$131\.40\/month /);
    expect(lines[2]).toBe('    −$131.40/month: 9 interface endpoints removed from AppVpc');
  });

  test('a first deploy shows the full estimate, the figure npm run cost prints', async () => {
    const { client } = await fakeCfn();
    const lines = await cost.primaryLines(client, devValues);
    const offline = (await estimateParameterFile({ params: 'dev.json', cwd: REPO, secondary: false })).estimate.monthly;
    const usd = (n: number) => `$${n.toFixed(2)}`;
    expect(lines[1]).toBe(`  first deploy: ${usd(offline.total)}/month (${usd(offline.fixed)} fixed, ${usd(offline.usage)} usage); the largest parts:`);
    expect(offline.fixed).toBeCloseTo(28.95, 2); // dev.json idles under $30 (test/tools/cost/dev-profile.test.ts works it out)
    expect(lines.slice(2)).toContain('    +$10.95/month: 1 Kinesis shard in streaming');
    // The largest eight, a summary of the rest, and one line for what has no price.
    expect(lines.slice(10)).toEqual([
      expect.stringMatching(/^ {4}… \d+ smaller change\(s\)$/),
      expect.stringMatching(/^ {4}plus \d+ line\(s\) with no price for us-east-1, not in the figure \(npm run cost lists them\)$/),
    ]);
  });

  test('a first deploy of nothing that costs money ends its line there, with no empty list after it', () => {
    const free = {
      region: 'eu-central-1',
      currency: 'USD' as const,
      monthly: { fixed: 0, usage: 0, total: 0 },
      stacks: [],
      unpriced: [],
      excluded: [],
      assumptions: [],
      parameters: {},
    };
    expect(costLines(undefined, free, STACK)).toEqual([
      `monthly cost of ${STACK} (offline estimate at list prices, as npm run cost prints it):`,
      '  first deploy: $0.00/month ($0.00 fixed, $0.00 usage)',
    ]);
  });

  test('the same templates and parameters: no change', async () => {
    const { client } = await fakeCfn({ values: devValues });
    const lines = await cost.primaryLines(client, devValues);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ {2}no change: \$\d+\.\d\d\/month$/);
  });

  test('a stack whose templates cannot be read: one line saying so, and the deploy goes on (no throw)', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: cloudformation:GetTemplate'), { name: 'AccessDenied' });
    const { client } = await fakeCfn({ values: devValues }, { getTemplate: denied });
    await expect(cost.primaryLines(client, devValues)).resolves.toEqual([
      `monthly cost of ${STACK}: not estimated (reading the template of ${STACK}: AccessDenied: User is not authorized to perform: cloudformation:GetTemplate); npm run cost -- --params dev.json estimates it offline`,
    ]);
  });

  test('the secondary stack on its own: its deployed parameters are compared with the ones this deploy passes (EnableWaf true → false: −$9.00)', async () => {
    const { client } = await fakeCfn({
      values: devValues,
      secondary: { parameters: { NamePrefix: 'stockwx-dev', Environment: 'dev', PrimaryRegion: 'us-east-1', EnableWaf: 'true' } },
    });
    const lines = await cost.secondaryLines(client, devValues);
    expect(lines[0]).toBe(`monthly cost of ${STACK}-secondary (offline estimate at list prices, as npm run cost prints it):`);
    expect(lines[1]).toMatch(/^ {2}−\$9\.00\/month \(\$39\.\d\d → \$30\.\d\d; fixed −\$9\.00, /); // standby stream $29.20 + key $1 + alarms and usage (+ WAF $5 + 4 rules)
    expect(lines[2]).toBe('    −$9.00/month: 1 WAF web ACL removed from secondary');
  });
});

describe('MonthlyBudgetUsd', () => {
  test('derived from the estimate of the deployment when the file leaves it out (dev.json, prod.json)', async () => {
    const resolved = resolveRootParameters(dev);
    expect(resolved.sources.MonthlyBudgetUsd).toBe('default');
    const { values, line } = cost.withBudget(resolved);
    const total = (await estimateParameterFile({ params: 'dev.json', cwd: REPO })).estimate.monthly.total;
    expect(values.MonthlyBudgetUsd).toBe(String(derivedBudget(total)));
    // 1.5 × the estimate (the 80 % alert at 20 % over it), rounded up to $5.
    expect(Number(values.MonthlyBudgetUsd)).toBeGreaterThanOrEqual(total * 1.5);
    expect(Number(values.MonthlyBudgetUsd)).toBeLessThan(total * 1.5 + 5);
    expect(line).toMatch(/^budget: MonthlyBudgetUsd \$\d+\.00\/month, derived from the \$\d+\.\d\d estimate/);
    // dev.json's estimate leaves a line unpriced (vended flow logs): the budget says it rests on a lower bound.
    expect(line).toMatch(/; the estimate is a lower bound \(\d+ line\(s\) have no price for us-east-1\)$/);
  });

  test('a file value is kept; one under the estimate is kept with a warning', () => {
    const low = resolveRootParameters({ ...dev, monthlyBudgetUsd: 20 });
    expect(cost.withBudget(low).values.MonthlyBudgetUsd).toBe('20');
    expect(cost.withBudget(low).line).toMatch(
      /^budget: warning: parameters\/dev\.json monthlyBudgetUsd \$20\.00 puts the 80 % alert at \$16\.00, under the \$\d+\.\d\d estimate: FinOpsAlerts would fire every month/,
    );
    const high = resolveRootParameters({ ...dev, monthlyBudgetUsd: 500 });
    expect(cost.withBudget(high)).toEqual({
      values: expect.objectContaining({ MonthlyBudgetUsd: '500' }),
      line: expect.stringMatching(/^budget: MonthlyBudgetUsd \$500\.00\/month from parameters\/dev\.json monthlyBudgetUsd/),
    });
  });

  test('a --parameter flag is named as the source', () => {
    const flagged = resolveRootParameters(dev, { overrides: { MonthlyBudgetUsd: '10' } });
    expect(cost.withBudget(flagged).line).toMatch(/^budget: warning: --parameter MonthlyBudgetUsd \$10\.00/);
  });
});

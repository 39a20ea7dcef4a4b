/**
 * The toggles that let parameters/dev.json idle cheaply (issue 13 point 4), on the committed
 * templates: each one, switched off from the full architecture, removes exactly its resources (or
 * changes exactly its property), parameters/prod.json keeps every one of them on, and root's rules
 * refuse the combinations that cannot work. Evaluated with tools/lib/validate/evaluate.ts, the
 * evaluator the validator uses, not the cost engine's.
 */
import path from 'node:path';
import { loadParameterFile, resolveRootParameters, type ParameterFile } from '../../tools/lib/params';
import type { TemplateFile } from '../../tools/lib/validate';
import { evaluate, NO_VALUE, resourceExists } from '../../tools/lib/validate/evaluate';
import { evaluateDeployment, existingResources, generatedTemplates, REPO, type EvaluatedDeployment } from './deployment';

type Json = Record<string, any>;

let templates: Map<string, TemplateFile>;
let dev: ParameterFile;
let prod: ParameterFile;
beforeAll(async () => {
  templates = await generatedTemplates();
  dev = await loadParameterFile(path.join(REPO, 'parameters', 'dev.json'));
  prod = await loadParameterFile(path.join(REPO, 'parameters', 'prod.json'));
});

const FUNCTIONS = ['PollerFunction', 'EnricherFunction', 'AggregatorFunction', 'RulesFunction', 'NotifierFunction', 'RotationFunction'];
const INTERFACE_ENDPOINTS = [
  'LogsEndpoint',
  'StsEndpoint',
  'KmsEndpoint',
  'SecretsManagerEndpoint',
  'KinesisEndpoint',
  'SnsEndpoint',
  'SqsEndpoint',
  'XRayEndpoint',
  'ExecuteApiEndpoint',
];

function deployment(file: ParameterFile, change: Record<string, string> = {}): EvaluatedDeployment {
  return evaluateDeployment(templates, {
    label: 'env',
    values: { ...resolveRootParameters(file).values, ...change },
    regions: file.regions,
    stackName: file.stackName,
  });
}

const property = (d: EvaluatedDeployment, stack: string, logicalId: string, name: string): unknown => {
  const ctx = d.byId.get(stack)!;
  return evaluate(((ctx.doc.Resources as Json)[logicalId] as Json).Properties[name], ctx, `${stack}/${logicalId}.${name}`);
};

/** Root values with the dev toggles on: the full architecture with dev.json's other settings. */
const FULL: Record<string, string> = {
  FunctionsInVpc: 'true',
  EnableNatGateway: 'true',
  EnableInterfaceEndpoints: 'true',
  EnableWaf: 'true',
  StreamShardCount: '0',
  StreamRetentionHours: '168',
  CrawlerSchedule: 'cron(15 * * * ? *)',
};

describe('each dev toggle, switched off from the full architecture, removes exactly its resources', () => {
  test.each([
    ['EnableInterfaceEndpoints', { EnableInterfaceEndpoints: 'false' }, INTERFACE_ENDPOINTS.map((id) => `Networking/${id}`)],
    // With the functions in the VPC a NAT gateway is required (root rule), so this is the pair dev switches.
    [
      'EnableNatGateway',
      { FunctionsInVpc: 'false', EnableNatGateway: 'false' },
      ['AppNatEip1', 'AppNatGateway1', 'AppPrivateDefaultRoute1', 'AppPrivateDefaultRoute2'].map((id) => `Networking/${id}`),
    ],
    [
      'EnableWaf',
      { EnableWaf: 'false' },
      [
        'Security/WebAcl',
        'Security/WebAclLogGroup',
        'Security/WebAclLogging',
        'Streaming/ApiWebAclAssociation',
        'secondary/WebAcl',
        'secondary/WebAclLogGroup',
        'secondary/WebAclLogging',
        'secondary/StandbyWebAclAssociation',
      ],
    ],
    ['FunctionsInVpc', { FunctionsInVpc: 'false' }, []],
    ['CrawlerSchedule', { CrawlerSchedule: '' }, []],
    ['StreamRetentionHours', { StreamRetentionHours: '24' }, []],
  ] as const)('%s', (_name, off, removed) => {
    const on = existingResources(deployment(dev, FULL));
    const without = existingResources(deployment(dev, { ...FULL, ...off }));
    expect([...without].filter((id) => !on.has(id))).toEqual([]);
    expect([...on].filter((id) => !without.has(id)).sort()).toEqual([...removed].sort());
  });

  test('the S3 and DynamoDB gateway endpoints (free) stay without interface endpoints', () => {
    const d = deployment(dev, { ...FULL, EnableInterfaceEndpoints: 'false' });
    const gateways = ['AppS3Endpoint', 'AppDynamoDbEndpoint', 'DataS3Endpoint', 'DataDynamoDbEndpoint'];
    expect(gateways.filter((id) => existingResources(d).has(`Networking/${id}`))).toEqual(gateways);
    expect(gateways.map((id) => property(d, 'Networking', id, 'VpcEndpointType'))).toEqual(gateways.map(() => 'Gateway'));
  });

  test('FunctionsInVpc=false puts every function outside any VPC with empty lists (which detach one that was inside)', () => {
    const inside = deployment(dev, FULL);
    const outside = deployment(dev, { ...FULL, FunctionsInVpc: 'false' });
    for (const fn of FUNCTIONS) {
      expect([fn, property(outside, 'Compute', fn, 'VpcConfig')]).toEqual([fn, { SubnetIds: [], SecurityGroupIds: [] }]);
      const vpc = property(inside, 'Compute', fn, 'VpcConfig') as Json;
      expect([fn, vpc.SubnetIds.length, vpc.SecurityGroupIds.length]).toEqual([fn, 2, 1]);
    }
  });

  test('CrawlerSchedule="" leaves the crawler without a schedule (it runs when started); a cron expression schedules it', () => {
    expect(property(deployment(dev, { ...FULL, CrawlerSchedule: '' }), 'Analytics', 'ProcessedCrawler', 'Schedule')).toBe(NO_VALUE);
    expect(property(deployment(dev, { ...FULL, CrawlerSchedule: 'cron(15 3 * * ? *)' }), 'Analytics', 'ProcessedCrawler', 'Schedule')).toEqual({
      ScheduleExpression: 'cron(15 3 * * ? *)',
    });
  });

  test('StreamRetentionHours and StreamShardCount size the event stream', () => {
    const d = deployment(dev, { ...FULL, StreamRetentionHours: '24', StreamShardCount: '1' });
    expect(property(d, 'Streaming', 'EventStream', 'RetentionPeriodHours')).toBe('24');
    expect(property(d, 'Streaming', 'EventStream', 'StreamModeDetails')).toEqual({ StreamMode: 'PROVISIONED' });
    expect(property(d, 'Streaming', 'EventStream', 'ShardCount')).toBe('1');
    expect(property(deployment(dev, FULL), 'Streaming', 'EventStream', 'RetentionPeriodHours')).toBe('168');
  });
});

describe('the parameter files', () => {
  test('dev.json switches every dev toggle off and has no secondary stack', () => {
    expect(resolveRootParameters(dev).values).toMatchObject({
      FunctionsInVpc: 'false',
      EnableNatGateway: 'false',
      EnableInterfaceEndpoints: 'false',
      EnableWaf: 'false',
      StreamShardCount: '1',
      StreamRetentionHours: '24',
      CrawlerSchedule: '',
    });
    expect(dev.toggles.secondaryStack).toBe(false);
  });

  test('prod.json keeps the full architecture: every resource a dev toggle removes exists, the functions are in the VPC', () => {
    const d = deployment(prod);
    const existing = existingResources(d);
    const toggled = [
      ...INTERFACE_ENDPOINTS.map((id) => `Networking/${id}`),
      'Networking/AppNatGateway1',
      'Networking/AppNatGateway2',
      'Networking/AppPrivateDefaultRoute1',
      'Security/WebAcl',
      'Streaming/ApiWebAclAssociation',
      'secondary/WebAcl',
    ];
    expect(toggled.filter((id) => !existing.has(id))).toEqual([]);
    expect((property(d, 'Compute', 'PollerFunction', 'VpcConfig') as Json).SubnetIds).toHaveLength(2);
    expect(property(d, 'Analytics', 'ProcessedCrawler', 'Schedule')).toEqual({ ScheduleExpression: 'cron(15 * * * ? *)' });
    expect(property(d, 'Streaming', 'EventStream', 'RetentionPeriodHours')).toBe('168');
    expect(prod.toggles.secondaryStack).toBe(true);
  });

  test('every resource of the templates is still there for dev: toggled ones are conditional, not removed', () => {
    const all = new Set(
      Object.values(Object.fromEntries(templates)).flatMap((t) => Object.keys((t.doc.Resources as Json) ?? {}).map((id) => `${t.file}/${id}`)),
    );
    for (const id of [
      'networking.yaml/AppNatGateway1',
      'networking.yaml/KmsEndpoint',
      'security.yaml/WebAcl',
      'streaming.yaml/ApiWebAclAssociation',
      'analytics.yaml/ProcessedCrawler',
    ])
      expect([id, all.has(id)]).toEqual([id, true]);
  });
});

describe("root's rules refuse toggles that cannot work together", () => {
  /** The rules whose condition holds and whose assertions fail, for these root values. */
  function broken(file: ParameterFile, change: Record<string, string>): string[] {
    const d = deployment(file, change);
    const root = d.byId.get('root')!;
    return Object.entries((root.doc.Rules as Json) ?? {})
      .filter(([, rule]) => rule.RuleCondition === undefined || evaluate(rule.RuleCondition, root) === true)
      .filter(([, rule]) => (rule.Assertions as Json[]).some((a) => evaluate(a.Assert, root) !== true))
      .map(([name]) => name);
  }

  test.each([
    ['dev.json as it is', {}, []],
    ['functions in the VPC without a NAT gateway', { FunctionsInVpc: 'true', EnableNatGateway: 'false' }, ['VpcFunctionsNeedNat']],
    ['DAX with the functions outside the VPC', { EnableDax: 'true' }, ['DaxNeedsVpcFunctions']],
    ['DAX with the functions in the VPC behind a NAT gateway', { EnableDax: 'true', FunctionsInVpc: 'true', EnableNatGateway: 'true' }, []],
    ['a NAT gateway with the functions outside the VPC (allowed, if pointless)', { EnableNatGateway: 'true' }, []],
  ] as const)('%s: %j', (_label, change, rules) => {
    expect(broken(dev, change)).toEqual(rules);
  });

  test('prod.json passes every rule', () => {
    expect(broken(prod, {})).toEqual([]);
  });

  test('every resource check above saw the nested stacks root creates', () => {
    const d = deployment(dev);
    expect([...d.byId.keys()]).toEqual(expect.arrayContaining(['root', 'Security', 'Streaming', 'Networking', 'Compute', 'Analytics']));
    expect(resourceExists((d.byId.get('root')!.doc.Resources as Json).Networking, d.byId.get('root')!)).toBe(true);
  });
});

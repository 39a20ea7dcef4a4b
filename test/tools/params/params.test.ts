import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT_PARAMETERS } from '../../../templates-src/parameters';
import { ParameterFileError } from '../../../tools/lib/deploy/errors';
import {
  checkMapping,
  FILE_TO_ROOT,
  LEFT_TO_DEFAULT,
  loadParameterFile,
  parseOverrides,
  resolveParameterFile,
  resolveRootParameters,
  stackTags,
  validateParameterData,
  type ParameterFile,
} from '../../../tools/lib/params';
import { closest } from '../../../tools/lib/suggest';

const REPO = path.resolve(__dirname, '..', '..', '..');
const FILE = 'parameters/prod.json';

/** A valid parameter file; tests change one thing at a time. */
function validFile(): Record<string, unknown> {
  return {
    stackName: 'stockwx-prod',
    projectName: 'stockwx',
    environment: 'prod',
    regions: { primary: 'us-east-1', secondary: 'us-west-2' },
    symbols: ['AAPL', 'BRK.B'],
    cities: [
      { name: 'Amsterdam', lat: 52.37, lon: 4.89 },
      { name: 'New York', lat: 40.71, lon: -74.01 },
    ],
    pollRateMinutes: 5,
    streamShardCount: 0,
    thresholds: { stockDropPercent: 10, heatC: 35, coldC: -10, windKph: 75, precipMm: 20 },
    alerts: { email: 'oncall@example.com', slackWebhookSecretName: 'stockwx-prod/slack-webhook' },
    toggles: { dax: false, quickSight: false, guardDuty: true, securityHub: true, configRecorder: true, failover: false },
    security: { trustedAccountIds: ['111122223333'], analyticsExternalId: 'ext-id' },
    monthlyBudgetUsd: 100,
    tags: { CostCenter: 'analytics' },
  };
}

function withChange(change: (f: Record<string, any>) => void): Record<string, unknown> {
  const f = validFile() as Record<string, any>;
  change(f);
  return f;
}

describe('validateParameterData', () => {
  test('the committed dev.json and prod.json are valid', async () => {
    for (const name of ['dev.json', 'prod.json']) {
      const data = JSON.parse(await readFile(path.join(REPO, 'parameters', name), 'utf8'));
      expect(validateParameterData(data, name)).toEqual([]);
    }
  });

  test.each([
    ['range', (f: any) => (f.thresholds.stockDropPercent = 150), 'thresholds.stockDropPercent must be between 0.1 and 100 (got 150)'],
    ['range below', (f: any) => (f.cities[1].lat = -91), 'cities[1].lat must be between -90 and 90 (got -91)'],
    ['integer', (f: any) => (f.pollRateMinutes = 2.5), 'pollRateMinutes must be an integer (got 2.5)'],
    ['type', (f: any) => (f.toggles.dax = 'yes'), 'toggles.dax must be a boolean (got "yes")'],
    ['enum', (f: any) => (f.environment = 'staging'), 'environment must be one of "dev", "prod" (got "staging")'],
    ['pattern', (f: any) => (f.symbols[1] = 'aapl'), 'symbols[1] must be a ticker of 1-10 upper-case letters, digits, dots or dashes, e.g. AAPL or BRK.B (got "aapl")'],
    ['region pattern', (f: any) => (f.regions.primary = 'mars-1'), 'regions.primary must be an AWS region name such as us-east-1 (got "mars-1")'],
    ['email', (f: any) => (f.alerts.email = 'not-an-email'), 'alerts.email must be an email address, or "" for no subscription (got "not-an-email")'],
    ['required', (f: any) => delete f.thresholds.heatC, 'thresholds.heatC is required; add it (see parameters/schema.json)'],
    ['required top level', (f: any) => delete f.toggles, 'toggles is required; add it (see parameters/schema.json)'],
    ['minItems', (f: any) => (f.symbols = []), 'symbols must have at least 1 item(s) (got 0)'],
    ['uniqueItems', (f: any) => (f.symbols = ['AAPL', 'AAPL']), 'symbols must not repeat items (items 0 and 1 are both "AAPL")'],
    ['account id', (f: any) => (f.security.trustedAccountIds = ['1234']), 'security.trustedAccountIds[0] must be a 12-digit AWS account ID (got "1234")'],
    ['tag key', (f: any) => (f.tags = { 'aws:owner': 'x' }), 'tags.aws:owner: tag key "aws:owner" must be 1-128 characters of letters, digits, spaces and _.:/=+@- and must not start with aws:'],
    ['unknown key with suggestion', (f: any) => (f.thresholds.stockDropPct = 5), 'thresholds.stockDropPct is not a known key; did you mean thresholds.stockDropPercent?'],
    ['unknown top-level key', (f: any) => (f.toggle = {}), 'toggle is not a known key; did you mean toggles?'],
    ['unknown key without a close match', (f: any) => (f.regions.tertiary = 'eu-west-1'), 'regions.tertiary is not a known key; valid keys here: primary, secondary'],
    ['same regions', (f: any) => (f.regions.secondary = 'us-east-1'), 'regions.secondary must differ from regions.primary (both are "us-east-1"); pick the partner region, e.g. us-west-2 for us-east-1'],
    ['cold above heat', (f: any) => (f.thresholds.coldC = 30) && (f.thresholds.heatC = 20), 'thresholds.coldC must be below thresholds.heatC (got coldC 30, heatC 20)'],
    ['failover without details', (f: any) => (f.toggles.failover = true), 'failover is required when toggles.failover is true; add failover.hostedZoneId, failover.apiDomainName and failover.certificateArn, or set toggles.failover to false'],
    ['quickSight without principal', (f: any) => (f.toggles.quickSight = true), 'quickSightPrincipalArn is required when toggles.quickSight is true; add the QuickSight user or group ARN, or set toggles.quickSight to false'],
    ['failover with details', (f: any) => ((f.toggles.failover = true), (f.failover = { hostedZoneId: 'Z0123456789ABC', apiDomainName: 'ingest.example.com' })), 'failover.certificateArn is required; add it (see parameters/schema.json)'],
    ['duplicate city', (f: any) => (f.cities[1].name = 'amsterdam'), 'cities[1].name repeats cities[0].name ("amsterdam"); city names must be unique'],
  ])('%s', (_name, change, message) => {
    expect(validateParameterData(withChange(change), FILE)).toEqual([`${FILE}: ${message}`]);
  });

  test('every error in one run', () => {
    const data = withChange((f) => {
      f.thresholds.stockDropPercent = 150;
      f.toggles.dax = 'yes';
      f.thresholdz = 1;
      delete f.alerts.email;
      f.regions.secondary = 'us-east-1';
    });
    expect(validateParameterData(data, FILE)).toEqual([
      `${FILE}: thresholdz is not a known key; did you mean thresholds?`,
      `${FILE}: thresholds.stockDropPercent must be between 0.1 and 100 (got 150)`,
      `${FILE}: alerts.email is required; add it (see parameters/schema.json)`,
      `${FILE}: toggles.dax must be a boolean (got "yes")`,
      `${FILE}: regions.secondary must differ from regions.primary (both are "us-east-1"); pick the partner region, e.g. us-west-2 for us-east-1`,
    ]);
  });
});

describe('loadParameterFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'params-'));
    await mkdir(path.join(dir, 'parameters'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('bad JSON names the file, line and column', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{\n  "stackName": "x",\n}\n');
    const error = (await loadParameterFile(file, 'bad.json').catch((e: unknown) => e)) as ParameterFileError;
    expect(error).toBeInstanceOf(ParameterFileError);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^bad\.json: invalid JSON at line 3 column 1: .*; fix the syntax \(trailing commas and comments are not allowed\)$/);
  });

  test('an invalid file throws every problem', async () => {
    const file = path.join(dir, 'invalid.json');
    await writeFile(file, JSON.stringify(withChange((f) => ((f.pollRateMinutes = 0), (f.extra = true)))));
    await expect(loadParameterFile(file, 'invalid.json')).rejects.toThrow(
      'invalid.json: extra is not a known key; valid keys here: stackName, projectName, environment, regions, symbols, cities, marketDataProvider, pollRateMinutes, streamShardCount, thresholds, alerts, toggles, failover, security, quickSightPrincipalArn, athenaDynamoDbConnectorArn, monthlyBudgetUsd, tags\ninvalid.json: pollRateMinutes must be between 1 and 60 (got 0)',
    );
  });

  test.each([
    ['prod.json', 'parameters/prod.json'],
    ['prod', 'parameters/prod.json'],
    ['parameters/prod.json', 'parameters/prod.json'],
    ['custom/mine.json', 'custom/mine.json'],
  ])('--params %s resolves to %s', async (value, expected) => {
    await writeFile(path.join(dir, 'parameters', 'prod.json'), '{}');
    await mkdir(path.join(dir, 'custom'), { recursive: true });
    await writeFile(path.join(dir, 'custom', 'mine.json'), '{}');
    expect(await resolveParameterFile(value, dir)).toBe(path.join(dir, expected));
  });

  test('--params that matches nothing says where it looked', async () => {
    await expect(resolveParameterFile('staging.json', dir)).rejects.toThrow('--params staging.json: no such file (looked for staging.json, parameters/staging.json); pass a path or a file name in parameters/');
  });
});

describe('mapping onto root parameters', () => {
  test('every mapped name exists in ROOT_PARAMETERS', () => {
    expect(checkMapping()).toEqual([]);
    expect(checkMapping(['NoSuchParameter'])).toEqual(['NoSuchParameter']);
  });

  test('every ROOT_PARAMETERS entry is mapped or deliberately left to its default', () => {
    const covered = [...Object.keys(FILE_TO_ROOT), ...Object.keys(LEFT_TO_DEFAULT)].sort();
    expect(covered).toEqual(Object.keys(ROOT_PARAMETERS).sort());
    for (const name of Object.keys(FILE_TO_ROOT)) expect(LEFT_TO_DEFAULT[name]).toBeUndefined();
  });

  test('a project name the schema accepts is one the root template accepts (same pattern)', async () => {
    const schema = JSON.parse(await readFile(path.join(__dirname, '../../../parameters/schema.json'), 'utf8')) as { properties: { projectName: { pattern: string } } };
    expect(schema.properties.projectName.pattern).toBe(ROOT_PARAMETERS.ProjectName!.definition.AllowedPattern);
  });

  test('the file maps to CloudFormation parameter strings that satisfy the root definitions', () => {
    const resolved = resolveRootParameters(validFile() as unknown as ParameterFile);
    expect(resolved.values).toEqual({
      AlertEmail: 'oncall@example.com',
      AnalyticsExternalId: 'ext-id',
      ApiCertificateArn: '',
      ApiDomainName: '',
      Cities: 'Amsterdam:52.37:4.89,New York:40.71:-74.01',
      ColdThresholdC: '-10',
      EnableConfigRecorder: 'true',
      EnableDax: 'false',
      EnableGuardDuty: 'true',
      EnableQuickSight: 'false',
      EnableSecurityHub: 'true',
      Environment: 'prod',
      HeatThresholdC: '35',
      HostedZoneId: '',
      MonthlyBudgetUsd: '100',
      PollRateMinutes: '5',
      PrecipThresholdMm: '20',
      ProjectName: 'stockwx',
      SecondaryRegion: 'us-west-2',
      StockDropPercent: '10',
      StreamShardCount: '0',
      Symbols: 'AAPL,BRK.B',
      TrustedAccountIds: '111122223333',
      WindThresholdKph: '75',
    });
    expect(resolved.sources.ReplicaKmsKeyArn).toBe('default');
    expect(resolved.sources.MarketDataProvider).toBe('default');
  });

  test('precedence: flags > secondary outputs > file > template default', () => {
    const file = validFile() as unknown as ParameterFile;
    const resolved = resolveRootParameters(file, {
      fromSecondary: { ReplicaKmsKeyArn: 'arn:aws:kms:us-west-2:111122223333:key/abc', PollRateMinutes: '7' },
      overrides: { PollRateMinutes: '10' },
    });
    expect(resolved.values.PollRateMinutes).toBe('10');
    expect(resolved.sources.PollRateMinutes).toBe('flag');
    expect(resolved.values.ReplicaKmsKeyArn).toBe('arn:aws:kms:us-west-2:111122223333:key/abc');
    expect(resolved.sources.ReplicaKmsKeyArn).toBe('secondary');
    expect(resolved.sources.Symbols).toBe('file');
    expect(resolved.values.MarketDataProvider).toBeUndefined();
  });

  test('flags are checked against the root definitions, unknown keys get a suggestion, all at once', () => {
    expect(parseOverrides(['PollRateMinute=3', 'PollRateMinutes=90', 'EnableDax=maybe', 'novalue'])).toEqual({
      values: { PollRateMinutes: '90', EnableDax: 'maybe' },
      problems: [
        '--parameter PollRateMinute: not a root template parameter; did you mean PollRateMinutes?',
        '--parameter: PollRateMinutes must be between 1 and 60 (got 90)',
        '--parameter: EnableDax must be one of true, false (got "maybe")',
        '--parameter novalue: expected Key=Value, e.g. --parameter PollRateMinutes=10',
      ],
    });
  });

  test('stack tags: the file\'s plus Environment and ManagedBy, sorted', () => {
    expect(stackTags(validFile() as unknown as ParameterFile)).toEqual([
      { Key: 'CostCenter', Value: 'analytics' },
      { Key: 'Environment', Value: 'prod' },
      { Key: 'ManagedBy', Value: 'stock-weather-cfn' },
    ]);
  });

  test.each([
    ['stockDropPct', ['stockDropPercent', 'heatC'], 'stockDropPercent'],
    ['toggle', ['toggles', 'tags'], 'toggles'],
    ['zzz', ['toggles', 'tags'], undefined],
  ])('closest(%s)', (key, candidates, expected) => {
    expect(closest(key, candidates)).toBe(expected);
  });
});

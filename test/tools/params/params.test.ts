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
import { FILE_FIELDS, parameterFileSchema, parameterSchemaText, type SchemaNode } from '../../../tools/lib/params-schema';
import { parseCities } from '../../../handlers/poller/config';
import { matcher } from '../../../contracts/values';
import Ajv from 'ajv';

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
    [
      'pattern',
      (f: any) => (f.symbols[1] = 'aapl'),
      'symbols[1] must be a ticker of 1-10 upper-case letters, digits, dots or dashes, e.g. AAPL or BRK.B (got "aapl")',
    ],
    ['region pattern', (f: any) => (f.regions.primary = 'mars-1'), 'regions.primary must be an AWS region name such as us-east-1 (got "mars-1")'],
    ['email', (f: any) => (f.alerts.email = 'not-an-email'), 'alerts.email must be an email address, or "" for no subscription (got "not-an-email")'],
    ['required', (f: any) => delete f.thresholds.heatC, 'thresholds.heatC is required; add it (see parameters/schema.json)'],
    ['required top level', (f: any) => delete f.toggles, 'toggles is required; add it (see parameters/schema.json)'],
    ['minItems', (f: any) => (f.symbols = []), 'symbols must have at least 1 item(s) (got 0)'],
    ['uniqueItems', (f: any) => (f.symbols = ['AAPL', 'AAPL']), 'symbols must not repeat items (items 0 and 1 are both "AAPL")'],
    ['account id', (f: any) => (f.security.trustedAccountIds = ['1234']), 'security.trustedAccountIds[0] must be a 12-digit AWS account ID (got "1234")'],
    [
      'tag key',
      (f: any) => (f.tags = { 'aws:owner': 'x' }),
      'tags.aws:owner: tag key "aws:owner" must be 1-128 characters of letters, digits, spaces and _.:/=+@- and must not start with aws:',
    ],
    [
      'unknown key with suggestion',
      (f: any) => (f.thresholds.stockDropPct = 5),
      'thresholds.stockDropPct is not a known key; did you mean thresholds.stockDropPercent?',
    ],
    ['unknown top-level key', (f: any) => (f.toggle = {}), 'toggle is not a known key; did you mean toggles?'],
    [
      'unknown key without a close match',
      (f: any) => (f.regions.tertiary = 'eu-west-1'),
      'regions.tertiary is not a known key; valid keys here: primary, secondary',
    ],
    [
      'same regions',
      (f: any) => (f.regions.secondary = 'us-east-1'),
      'regions.secondary must differ from regions.primary (both are "us-east-1"); pick the partner region, e.g. us-west-2 for us-east-1',
    ],
    [
      'cold above heat',
      (f: any) => {
        f.thresholds.coldC = 30;
        f.thresholds.heatC = 20;
      },
      'thresholds.coldC must be below thresholds.heatC (got coldC 30, heatC 20)',
    ],
    [
      'failover without details',
      (f: any) => (f.toggles.failover = true),
      'failover is required when toggles.failover is true; add failover.hostedZoneId, failover.apiDomainName and failover.certificateArn, or set toggles.failover to false',
    ],
    [
      'quickSight without principal',
      (f: any) => (f.toggles.quickSight = true),
      'quickSightPrincipalArn is required when toggles.quickSight is true; add the QuickSight user or group ARN, or set toggles.quickSight to false',
    ],
    [
      'failover with details',
      (f: any) => {
        f.toggles.failover = true;
        f.failover = { hostedZoneId: 'Z0123456789ABC', apiDomainName: 'ingest.example.com' };
      },
      'failover.certificateArn is required; add it (see parameters/schema.json)',
    ],
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
    await writeFile(
      file,
      JSON.stringify(
        withChange((f) => {
          f.pollRateMinutes = 0;
          f.extra = true;
        }),
      ),
    );
    await expect(loadParameterFile(file, 'invalid.json')).rejects.toThrow(
      'invalid.json: extra is not a known key; valid keys here: stackName, projectName, environment, regions, symbols, cities, marketDataProvider, pollRateMinutes, streamShardCount, streamRetentionHours, crawlerSchedule, maxClockSkewSeconds, thresholds, alerts, toggles, failover, security, quickSightPrincipalArn, athenaDynamoDbConnectorArn, monthlyBudgetUsd, tags\ninvalid.json: pollRateMinutes must be between 1 and 60 (got 0)',
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
    await expect(resolveParameterFile('staging.json', dir)).rejects.toThrow(
      '--params staging.json: no such file (looked for staging.json, parameters/staging.json); pass a path or a file name in parameters/',
    );
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
    const schema = JSON.parse(await readFile(path.join(__dirname, '../../../parameters/schema.json'), 'utf8')) as {
      properties: { projectName: { pattern: string } };
    };
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
      StandbyApiCertificateArn: '',
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

  test("stack tags: the file's plus Environment and ManagedBy, sorted", () => {
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

describe('parameters/schema.json is generated from the root parameters', () => {
  const schema = parameterFileSchema();
  const leaf = (dotted: string): SchemaNode => dotted.split('.').reduce<SchemaNode>((node, key) => node.properties![key]!, schema);

  test('the committed file is the generated one (build:templates --check also fails on a stale file)', async () => {
    expect(await readFile(path.join(REPO, 'parameters', 'schema.json'), 'utf8')).toBe(parameterSchemaText());
  });

  test.each(FILE_FIELDS.filter((f) => f.encoding === 'number').map((f) => [f.path, f.root]))('%s has the bounds and default of root %s', (file, root) => {
    const d = ROOT_PARAMETERS[root]!.definition;
    expect(leaf(file)).toMatchObject({ minimum: d.MinValue, maximum: d.MaxValue, default: d.Default });
  });

  test.each(FILE_FIELDS.filter((f) => f.encoding === 'string').map((f) => [f.path, f.root]))(
    '%s has the pattern or allowed values of root %s',
    (file, root) => {
      const d = ROOT_PARAMETERS[root]!.definition;
      const node = leaf(file);
      if (d.AllowedValues !== undefined) expect(node.enum).toEqual((d.AllowedValues as unknown[]).map(String));
      if (d.AllowedPattern !== undefined) expect([d.AllowedPattern, String(d.AllowedPattern).replace(/^\^\$\|/, '')]).toContain(node.pattern);
    },
  );

  test('a bound changed in templates-src/parameters.ts changes the file validation with it', () => {
    const wind = ROOT_PARAMETERS.WindThresholdKph!.definition;
    expect(
      validateParameterData(
        withChange((f) => (f.thresholds.windKph = Number(wind.MaxValue) + 1)),
        FILE,
      ),
    ).toEqual([`${FILE}: thresholds.windKph must be between ${wind.MinValue} and ${wind.MaxValue} (got ${Number(wind.MaxValue) + 1})`]);
  });
});

describe('one city-name shape for the file, the root template and the poller', () => {
  const fileName = new Ajv({ strict: true }).compile(parameterFileSchema().properties!.cities!.items!.properties!.name!);
  const rootCities = matcher(String(ROOT_PARAMETERS.Cities!.definition.AllowedPattern));
  test.each([
    ['Amsterdam', true],
    ['New York', true],
    ['São Paulo', true],
    ["St. John's", true],
    ['Frankfurt (Main)', false],
    ['Halle/Saale', false],
    [' ', false],
    ['Paris ', false],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
  ])('%j: accepted everywhere = %s', (name, ok) => {
    const problems: string[] = [];
    const poller = parseCities(`${name}:1:2`, problems).length === 1;
    expect({ file: fileName(name), root: rootCities.test(`${name}:1:2`), poller }).toEqual({ file: ok, root: ok, poller: ok });
  });
});

describe('CloudFormation parameter value limit (4,096 bytes)', () => {
  // 25 cities (the file's maximum) with 64-character names of 3-byte letters: valid, and over the limit.
  const manyCities = Array.from({ length: 25 }, (_, i) => ({ name: `${'東京'.repeat(31)}市${String.fromCharCode(0x4e00 + i)}`, lat: 35.6895, lon: 139.6917 }));
  test('a Cities value over 4,096 bytes from the file is an error naming the parameter and the file key', () => {
    const file = withChange((f) => (f.cities = manyCities)) as unknown as ParameterFile;
    expect(validateParameterData(file, FILE)).toEqual([]);
    const bytes = Buffer.byteLength(manyCities.map((c) => `${c.name}:${c.lat}:${c.lon}`).join(','));
    expect(bytes).toBeGreaterThan(4096);
    expect(() => resolveRootParameters(file, { displayName: FILE })).toThrow(
      `${FILE}: Cities (from cities) is ${bytes} bytes; CloudFormation accepts at most 4,096 bytes per parameter value (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html); shorten it`,
    );
  });
  test('a --parameter override over 4,096 bytes is an error too', () => {
    const value = 'A'.repeat(4097);
    expect(parseOverrides([`AnalyticsExternalId=${value}`]).problems).toContain(
      '--parameter: AnalyticsExternalId (from security.analyticsExternalId) is 4097 bytes; CloudFormation accepts at most 4,096 bytes per parameter value (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html); shorten it',
    );
  });
  test('bytes, not characters: 2,049 two-byte characters are over the limit', () => {
    expect(parseOverrides([`Symbols=${'é'.repeat(2049)}`]).problems.some((p) => p.includes('Symbols (from symbols) is 4098 bytes'))).toBe(true);
  });
});

describe('parameter-file text: BOM, duplicate keys, tags the tool sets', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'params-text-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('a UTF-8 byte-order mark is stripped', async () => {
    const file = path.join(dir, 'bom.json');
    await writeFile(file, `\uFEFF${JSON.stringify(validFile())}`);
    await expect(loadParameterFile(file, 'bom.json')).resolves.toMatchObject({ stackName: 'stockwx-prod' });
  });

  test('a duplicate key is an error naming the key and both lines (JSON.parse would keep the last silently)', async () => {
    const file = path.join(dir, 'dup.json');
    const text = JSON.stringify(validFile(), null, 2).replace('"windKph": 75,', '"windKph": 75,\n    "windKph": 90,');
    await writeFile(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('"windKph": 90')) + 1;
    await expect(loadParameterFile(file, 'dup.json')).rejects.toThrow(
      `dup.json: thresholds.windKph appears twice (lines ${line - 1} and ${line}); JSON keeps only the last one, so remove one of them`,
    );
  });

  test('duplicates inside array items are found with their path', async () => {
    const file = path.join(dir, 'dup-city.json');
    await writeFile(file, JSON.stringify(validFile()).replace('{"name":"Amsterdam",', '{"name":"Amsterdam","name":"Berlin",'));
    await expect(loadParameterFile(file, 'dup-city.json')).rejects.toThrow('dup-city.json: cities[].name appears twice (lines 1 and 1)');
  });

  test.each(['Environment', 'ManagedBy'])('tags.%s is an error: the deploy tool sets it on every stack', (key) => {
    const problems = validateParameterData(
      withChange((f) => (f.tags = { [key]: 'x' })),
      FILE,
    );
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(`^${FILE}: tags\\.${key} is set by the deploy tool .* on every stack; remove it from the file \\(it would be overwritten\\)$`),
      ),
    ]);
  });
});

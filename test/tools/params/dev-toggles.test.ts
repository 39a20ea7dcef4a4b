/**
 * The parameter-file keys of the cheap dev profile (issue 13 point 4): each maps onto its root
 * parameter, the schema takes its bounds from templates-src/parameters.ts, the combinations root's
 * rules refuse are refused here first (before any AWS call), and toggles.secondaryStack decides
 * whether a deployment has its secondary-region stack.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { deploysSecondary, FILE_KEYS_NOT_PARAMETERS, resolveRootParameters, validateParameterData, type ParameterFile } from '../../../tools/lib/params';

const REPO = path.resolve(__dirname, '..', '..', '..');
const FILE = 'parameters/dev.json';

let dev: Record<string, any>;
beforeAll(async () => {
  dev = JSON.parse(await readFile(path.join(REPO, FILE), 'utf8'));
});

function changed(change: (f: Record<string, any>) => void): Record<string, any> {
  const f = structuredClone(dev);
  change(f);
  return f;
}

describe('the dev-profile keys map onto root parameters', () => {
  test.each([
    ['toggles.functionsInVpc', (f: any) => (f.toggles.functionsInVpc = false), 'FunctionsInVpc', 'false'],
    [
      'toggles.natGateway',
      (f: any) => {
        f.toggles.functionsInVpc = false;
        f.toggles.natGateway = false;
      },
      'EnableNatGateway',
      'false',
    ],
    ['toggles.interfaceEndpoints', (f: any) => (f.toggles.interfaceEndpoints = false), 'EnableInterfaceEndpoints', 'false'],
    ['toggles.waf', (f: any) => (f.toggles.waf = false), 'EnableWaf', 'false'],
    ['streamRetentionHours', (f: any) => (f.streamRetentionHours = 48), 'StreamRetentionHours', '48'],
    ['crawlerSchedule', (f: any) => (f.crawlerSchedule = 'cron(15 3 * * ? *)'), 'CrawlerSchedule', 'cron(15 3 * * ? *)'],
    ['crawlerSchedule (none)', (f: any) => (f.crawlerSchedule = ''), 'CrawlerSchedule', ''],
  ])('%s', (_key, change, root, value) => {
    const file = changed(change);
    expect(validateParameterData(file, FILE)).toEqual([]);
    expect(resolveRootParameters(file as unknown as ParameterFile).values[root]).toBe(value);
  });

  test('a file without them leaves each root parameter at its default (the full architecture)', () => {
    const file = changed((f) => {
      for (const k of ['functionsInVpc', 'natGateway', 'interfaceEndpoints', 'waf', 'secondaryStack']) delete f.toggles[k];
      delete f.streamRetentionHours;
      delete f.crawlerSchedule;
    });
    expect(validateParameterData(file, FILE)).toEqual([]);
    const values = resolveRootParameters(file as unknown as ParameterFile).values;
    for (const root of ['FunctionsInVpc', 'EnableNatGateway', 'EnableInterfaceEndpoints', 'EnableWaf', 'StreamRetentionHours', 'CrawlerSchedule'])
      expect([root, values[root]]).toEqual([root, undefined]);
    expect(deploysSecondary(file as unknown as ParameterFile)).toBe(true);
  });
});

describe('bounds and shapes come from the root definitions', () => {
  test.each([
    ['retention below Kinesis minimum', (f: any) => (f.streamRetentionHours = 12), 'streamRetentionHours must be between 24 and 8760 (got 12)'],
    ['retention above Kinesis maximum', (f: any) => (f.streamRetentionHours = 9000), 'streamRetentionHours must be between 24 and 8760 (got 9000)'],
    [
      'a rate() expression (Glue crawlers take cron only)',
      (f: any) => (f.crawlerSchedule = 'rate(1 day)'),
      'crawlerSchedule must be a Glue cron expression such as cron(15 3 * * ? *), or empty for no schedule (got "rate(1 day)")',
    ],
    ['a toggle that is no boolean', (f: any) => (f.toggles.waf = 'off'), 'toggles.waf must be a boolean (got "off")'],
    ['secondaryStack that is no boolean', (f: any) => (f.toggles.secondaryStack = 'no'), 'toggles.secondaryStack must be a boolean (got "no")'],
  ])('%s', (_name, change, message) => {
    expect(validateParameterData(changed(change), FILE)).toEqual([`${FILE}: ${message}`]);
  });
});

describe('combinations that cannot work are refused with the keys to change', () => {
  test.each([
    [
      'functions in the VPC without a NAT gateway',
      (f: any) => {
        f.toggles.functionsInVpc = true;
        f.toggles.natGateway = false;
      },
      'toggles.natGateway is false but toggles.functionsInVpc is true: functions in the private subnets reach the market, weather and Slack APIs only through a NAT gateway; set toggles.functionsInVpc to false (they then run outside the VPC) or toggles.natGateway to true',
    ],
    [
      'no NAT gateway while functionsInVpc is left at its default (true)',
      (f: any) => delete f.toggles.functionsInVpc,
      'toggles.natGateway is false but toggles.functionsInVpc is true: functions in the private subnets reach the market, weather and Slack APIs only through a NAT gateway; set toggles.functionsInVpc to false (they then run outside the VPC) or toggles.natGateway to true',
    ],
    [
      'DAX with the functions outside the VPC',
      (f: any) => (f.toggles.dax = true),
      'toggles.dax is true but toggles.functionsInVpc is false: a DAX cluster is reachable only from inside the VPCs; set toggles.functionsInVpc (and toggles.natGateway) to true, or toggles.dax to false',
    ],
    [
      'failover without the secondary stack',
      (f: any) => {
        f.toggles.failover = true;
        f.failover = {
          hostedZoneId: 'Z0123456789ABC',
          apiDomainName: 'ingest.example.com',
          certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/a',
          standbyCertificateArn: 'arn:aws:acm:us-west-2:111122223333:certificate/b',
        };
      },
      'toggles.failover is true but toggles.secondaryStack is false: the SECONDARY failover record and the standby API live in the secondary-region stack; set toggles.secondaryStack to true or toggles.failover to false',
    ],
  ])('%s', (_name, change, message) => {
    expect(validateParameterData(changed(change), FILE)).toEqual([`${FILE}: ${message}`]);
  });

  test('DAX with the functions in the VPC behind a NAT gateway is fine', () => {
    expect(
      validateParameterData(
        changed((f) => Object.assign(f.toggles, { dax: true, functionsInVpc: true, natGateway: true })),
        FILE,
      ),
    ).toEqual([]);
  });
});

describe('toggles.secondaryStack', () => {
  test.each([
    [true, true],
    [false, false],
    [undefined, true],
  ])('%s → the deployment has its secondary stack: %s', (value, expected) => {
    const file = changed((f) => {
      if (value === undefined) delete f.toggles.secondaryStack;
      else f.toggles.secondaryStack = value;
    });
    expect(deploysSecondary(file as unknown as ParameterFile)).toBe(expected);
  });

  test('is no root parameter: documented where it goes instead, and absent from the root values', () => {
    expect(FILE_KEYS_NOT_PARAMETERS['toggles.secondaryStack']).toMatch(/secondary-region stack/);
    expect(Object.keys(resolveRootParameters(dev as ParameterFile).values).some((k) => /secondary/i.test(k) && k !== 'SecondaryRegion')).toBe(false);
  });
});

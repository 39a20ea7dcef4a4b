/**
 * The parameter-file keys issue 12 added: the standby certificate of failover (one certificate
 * per region), and the optional toggles for account singletons, rotation, reserved concurrency
 * and the cost-allocation tag, which leave their root parameter at its default when absent.
 */
import { ROOT_PARAMETERS } from '../../../templates-src/parameters';
import { FILE_TO_ROOT, resolveRootParameters, validateParameterData, type ParameterFile } from '../../../tools/lib/params';

const FILE = 'parameters/prod.json';
const PRIMARY_CERT = 'arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555';
const STANDBY_CERT = 'arn:aws:acm:us-west-2:111122223333:certificate/66666666-7777-8888-9999-000000000000';

function file(change: (f: Record<string, any>) => void = () => undefined): Record<string, any> {
  const f: Record<string, any> = {
    stackName: 'stockwx-prod',
    environment: 'prod',
    regions: { primary: 'us-east-1', secondary: 'us-west-2' },
    symbols: ['AAPL'],
    cities: [{ name: 'Amsterdam', lat: 52.37, lon: 4.89 }],
    thresholds: { stockDropPercent: 10, heatC: 35, coldC: -10, windKph: 75, precipMm: 20 },
    alerts: { email: '' },
    toggles: { dax: false, quickSight: false, guardDuty: false, securityHub: false, configRecorder: false, failover: true },
    failover: { hostedZoneId: 'Z0123456789ABC', apiDomainName: 'ingest.example.com', certificateArn: PRIMARY_CERT, standbyCertificateArn: STANDBY_CERT },
  };
  change(f);
  return f;
}

describe('failover certificates: one per region', () => {
  test('a certificate of each region is valid and reaches ApiCertificateArn and StandbyApiCertificateArn', () => {
    expect(validateParameterData(file(), FILE)).toEqual([]);
    const values = resolveRootParameters(file() as unknown as ParameterFile).values;
    expect([values.ApiCertificateArn, values.StandbyApiCertificateArn]).toEqual([PRIMARY_CERT, STANDBY_CERT]);
  });

  test('the standby certificate is required next to the primary one', () => {
    expect(
      validateParameterData(
        file((f) => delete f.failover.standbyCertificateArn),
        FILE,
      ),
    ).toEqual([
      `${FILE}: failover.standbyCertificateArn is required with failover.certificateArn; add an ACM certificate of the secondary region covering failover.apiDomainName (a regional API domain needs a certificate of its own region)`,
    ]);
  });

  test.each([
    [
      'the primary certificate passed twice',
      (f: Record<string, any>) => (f.failover.standbyCertificateArn = PRIMARY_CERT),
      'failover.standbyCertificateArn is a certificate of us-east-1, but the API it serves is in regions.secondary (us-west-2); request or import one in us-west-2',
    ],
    [
      'the certificates swapped',
      (f: Record<string, any>) => ([f.failover.certificateArn, f.failover.standbyCertificateArn] = [STANDBY_CERT, PRIMARY_CERT]),
      'failover.certificateArn is a certificate of us-west-2, but the API it serves is in regions.primary (us-east-1); request or import one in us-east-1',
    ],
  ])('%s is refused before any AWS call', (_name, change, message) => {
    expect(validateParameterData(file(change), FILE)).toContain(`${FILE}: ${message}`);
  });
});

describe('optional toggles', () => {
  const toggles = {
    existingConfigRecorder: 'UseExistingConfigRecorder',
    cloudTrail: 'EnableCloudTrail',
    apiGatewayAccount: 'ManageApiGatewayAccount',
    keyRotation: 'EnableKeyRotation',
    reservedConcurrency: 'EnableReservedConcurrency',
    projectTagActive: 'ProjectTagActive',
  } as const;

  test.each(Object.entries(toggles))('toggles.%s maps to %s, and leaves it at the root default when absent', (key, parameter) => {
    const absent = resolveRootParameters(file() as unknown as ParameterFile);
    expect(absent.values[parameter]).toBeUndefined();
    expect(absent.sources[parameter]).toBe('default');
    const set = resolveRootParameters(file((f) => (f.toggles[key] = true)) as unknown as ParameterFile);
    expect(set.values[parameter]).toBe('true');
    expect(FILE_TO_ROOT[parameter]).toBeDefined();
    expect(ROOT_PARAMETERS[parameter]!.definition.AllowedValues).toEqual(['true', 'false']);
  });
});

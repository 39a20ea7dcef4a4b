/**
 * The pure halves of the account checks (tools/lib/deploy/account-checks/*): each decision table,
 * row by row, against the real generated templates' parameter defaults and file keys.
 */
import path from 'node:path';
import { decideApiGatewayAccount, roleName } from '../../../tools/lib/deploy/account-checks/api-gateway-account';
import { covers, decideCertificates, regionOfArn } from '../../../tools/lib/deploy/account-checks/certificates';
import { decideCloudTrail } from '../../../tools/lib/deploy/account-checks/cloudtrail';
import { decideConfigRecorder } from '../../../tools/lib/deploy/account-checks/config-recorder';
import { decideCostAllocationTag } from '../../../tools/lib/deploy/account-checks/cost-allocation-tag';
import { decideGuardDuty } from '../../../tools/lib/deploy/account-checks/guardduty';
import { decideKeyRotation } from '../../../tools/lib/deploy/account-checks/key-rotation';
import { decideLambdaConcurrency } from '../../../tools/lib/deploy/account-checks/lambda-concurrency';
import { generatedLoader, planDeployment } from '../../../tools/lib/deploy/account-checks/plan';
import { decideQuickSight } from '../../../tools/lib/deploy/account-checks/quicksight';
import { decideSecurityHub } from '../../../tools/lib/deploy/account-checks/security-hub';
import type { Outcome, Target } from '../../../tools/lib/deploy/account-checks/types';
import { decideVpcQuota } from '../../../tools/lib/deploy/account-checks/vpc-quota';
import { fileKeyOf } from '../../../tools/lib/params-schema';

const REPO = path.resolve(__dirname, '..', '..', '..');
const load = generatedLoader(REPO);

function target(parameters: Record<string, string> = {}, o: { kind?: 'root' | 'secondary'; region?: string; flags?: string[] } = {}): Target {
  const kind = o.kind ?? 'root';
  const region = o.region ?? 'us-east-1';
  return {
    kind,
    stackName: kind === 'root' ? 'stockwx-prod' : 'stockwx-prod-secondary',
    region,
    parameters,
    fromFlag: new Set(o.flags ?? []),
    overridable: () => kind === 'root',
    origin: () => 'parameters/prod.json',
    fileKey: fileKeyOf,
    secondaryRegion: kind === 'root' ? 'us-west-2' : undefined,
    plan: planDeployment({
      load,
      top: kind === 'root' ? 'root.yaml' : 'secondary.yaml',
      parameters,
      region,
      account: '111122223333',
      stackName: 'stockwx-prod',
    }),
  };
}

const kinds = (outcomes: readonly Outcome[]): string[] =>
  outcomes.map((x) =>
    x.kind === 'adapt'
      ? `adapt ${Object.entries(x.set)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      : x.kind,
  );

describe('GuardDuty', () => {
  test.each([
    ['someone else’s detector, toggle on: use it', ['d-org'], [], 'true', ['adapt EnableGuardDuty=false']],
    ['our own detector (the stack made it): keep managing it', ['d-ours'], ['d-ours'], 'true', []],
    ['no detector: create one', [], [], 'true', []],
    ['someone else’s detector, toggle already off: nothing to change', ['d-org'], [], 'false', []],
  ])('%s', (_name, detectorIds, ours, enable, expected) => {
    expect(kinds(decideGuardDuty({ detectorIds, ours }, target({ EnableGuardDuty: enable })))).toEqual(expected);
  });

  test('the adaptation names the detector it uses', () => {
    const [outcome] = decideGuardDuty({ detectorIds: ['12abc'], ours: [] }, target({ EnableGuardDuty: 'true' }));
    expect(outcome).toMatchObject({ kind: 'adapt', because: expect.stringContaining('using the existing detector 12abc') });
  });
});

describe('Security Hub', () => {
  test.each([
    ['enabled by someone else', 'arn:hub/default', [], 'true', ['adapt EnableSecurityHub=false']],
    ['enabled by this stack', 'arn:hub/default', ['arn:hub/default'], 'true', []],
    ['not subscribed', undefined, [], 'true', []],
    ['toggle off', 'arn:hub/default', [], 'false', []],
  ])('%s', (_name, hubArn, ours, enable, expected) => {
    expect(kinds(decideSecurityHub({ hubArn, ours }, target({ EnableSecurityHub: enable })))).toEqual(expected);
  });
});

describe('AWS Config recorder', () => {
  test.each([
    [
      'someone else’s recorder, we would create one',
      ['org'],
      [],
      { EnableConfigRecorder: 'true' },
      ['adapt UseExistingConfigRecorder=true EnableConfigRecorder=false'],
    ],
    [
      'someone else’s recorder, dev creates none: its rules use the existing one',
      ['org'],
      [],
      { EnableConfigRecorder: 'false' },
      ['adapt UseExistingConfigRecorder=true EnableConfigRecorder=false'],
    ],
    ['someone else’s recorder, already told to use it', ['org'], [], { UseExistingConfigRecorder: 'true', EnableConfigRecorder: 'false' }, []],
    ['only our recorder', ['ours'], ['ours'], { EnableConfigRecorder: 'true' }, []],
    ['no recorder, but "use the existing one"', [], [], { UseExistingConfigRecorder: 'true' }, ['stop']],
    ['no recorder, create one', [], [], { EnableConfigRecorder: 'true' }, []],
  ])('%s', (_name, recorders, ours, parameters, expected) => {
    expect(kinds(decideConfigRecorder({ recorders, ours }, target(parameters)))).toEqual(expected);
  });

  test('the stop names both file keys of the fix', () => {
    const [stop] = decideConfigRecorder({ recorders: [], ours: [] }, target({ UseExistingConfigRecorder: 'true' }));
    expect(stop).toMatchObject({
      kind: 'stop',
      fix: expect.stringMatching(/set toggles\.existingConfigRecorder to false and set toggles\.configRecorder to true/),
    });
  });
});

describe('CloudTrail', () => {
  const org = { name: 'org-trail', arn: 'arn:aws:cloudtrail:us-east-1:1:trail/org-trail', homeRegion: 'us-east-1', organization: true };
  test.each([
    ['an organization trail', [org], [], 'true', ['adapt EnableCloudTrail=false']],
    ['our own trail (by name)', [org], ['org-trail'], 'true', []],
    ['our own trail (by ARN)', [org], [org.arn], 'true', []],
    ['no multi-region trail', [], [], 'true', []],
  ])('%s', (_name, trails, ours, enable, expected) => {
    expect(kinds(decideCloudTrail({ multiRegionTrails: trails, ours }, target({ EnableCloudTrail: enable })))).toEqual(expected);
  });
});

describe("API Gateway's CloudWatch Logs role", () => {
  const role = 'arn:aws:iam::111122223333:role/service-role/org-apigw-logs';
  test.each([
    ['someone else’s role, root manages it', role, [], { ManageApiGatewayAccount: 'true' }, 'root', ['adapt ManageApiGatewayAccount=false']],
    ['our role', role, ['org-apigw-logs'], { ManageApiGatewayAccount: 'true' }, 'root', []],
    ['no role and told not to set one', undefined, [], { ManageApiGatewayAccount: 'false' }, 'root', ['stop']],
    ['no role, this deploy sets it', undefined, [], {}, 'root', []],
    ['the secondary stack has its own parameter', role, [], {}, 'secondary', ['adapt ManageStandbyApiGatewayAccount=false']],
  ] as const)('%s', (_name, roleArn, ours, parameters, kind, expected) => {
    expect(kinds(decideApiGatewayAccount({ roleArn, ours }, target({ ...parameters }, { kind, region: kind === 'root' ? 'us-east-1' : 'us-west-2' })))).toEqual(
      expected,
    );
  });

  test('a role’s physical ID is its name, whatever its path', () => {
    expect(roleName('arn:aws:iam::1:role/a/b/name-X1')).toBe('name-X1');
  });
});

describe('Project cost-allocation tag', () => {
  test.each([
    ['active, not yet used', 'Active', 'false', ['adapt ProjectTagActive=true']],
    ['active and used', 'Active', 'true', []],
    ['inactive but said active', 'Inactive', 'true', ['warn']],
    ['never seen by Billing but said active', undefined, 'true', ['warn']],
    ['inactive, not used', 'Inactive', 'false', []],
  ])('%s', (_name, status, active, expected) => {
    expect(kinds(decideCostAllocationTag({ status }, target({ ProjectTagActive: active })))).toEqual(expected);
  });
});

describe('Lambda concurrency', () => {
  const base = { reserved: 3, reservingFunctions: ['NotifierFunction 2', 'PollerFunction 1'], quotaSource: 'lambda:GetAccountSettings', firstCreate: true };
  test.each([
    ['a new account (quota 10)', { quota: 10 }, ['stop']],
    ['one short of 100 unreserved plus ours', { quota: 102 }, ['stop']],
    ['exactly enough', { quota: 103 }, []],
    ['enough quota, but other functions reserve most of it (first create)', { quota: 1000, unreserved: 101 }, ['stop']],
    ['the same on an update: our reservations are already subtracted', { quota: 1000, unreserved: 101, firstCreate: false }, []],
    ['plenty', { quota: 1000, unreserved: 1000 }, []],
  ])('%s', (_name, read, expected) => {
    expect(kinds(decideLambdaConcurrency({ ...base, ...read }, target({ EnableReservedConcurrency: 'true' })))).toEqual(expected);
  });

  test('the stop says what is needed, where, and both fixes', () => {
    const [stop] = decideLambdaConcurrency({ ...base, quota: 10 }, target({ EnableReservedConcurrency: 'true' }));
    expect(stop).toEqual({
      kind: 'stop',
      problem:
        'the Lambda concurrency quota in us-east-1 is 10 (lambda:GetAccountSettings); EnableReservedConcurrency=true reserves 3 (NotifierFunction 2, PollerFunction 1) and Lambda keeps 100 unreserved, so 103 are needed',
      fix: 'request 103 or more for "Concurrent executions" (L-B99A9384) in Service Quotas, or set toggles.reservedConcurrency to false',
    });
  });
});

describe('VPC quota', () => {
  const base = { planned: ['Networking/AppVpc', 'Networking/DataVpc'], existing: 0, quotaSource: 'servicequotas:GetServiceQuota', assumed: false };
  test.each([
    ['default VPC plus two environments: the third does not fit', { inUse: 5, quota: 5 }, ['stop']],
    ['one VPC short', { inUse: 4, quota: 5 }, ['stop']],
    ['exactly room for two', { inUse: 3, quota: 5 }, []],
    ['an update: its VPCs exist already', { inUse: 5, quota: 5, existing: 2 }, []],
    ['the quota could not be read: the default is assumed, so only a warning', { inUse: 5, quota: 5, assumed: true }, ['warn']],
    ['a raised quota', { inUse: 9, quota: 20 }, []],
  ])('%s', (_name, read, expected) => {
    expect(kinds(decideVpcQuota({ ...base, ...read }, target()))).toEqual(expected);
  });

  test('the stop counts from what is in use', () => {
    const [stop] = decideVpcQuota({ ...base, inUse: 4, quota: 5 }, target());
    expect(stop).toMatchObject({
      kind: 'stop',
      problem:
        'us-east-1 has 4 of its 5 VPCs in use (VPCs per Region, servicequotas:GetServiceQuota) and this deploy creates 2 more (Networking/AppVpc, Networking/DataVpc)',
      fix: 'request a "VPCs per Region" quota of 6 or more (L-F678F1CE) in Service Quotas, or delete 1 unused VPC in us-east-1',
    });
  });
});

describe('certificates', () => {
  const failover = { HostedZoneId: 'Z123', ApiDomainName: 'ingest.example.com' };
  const primary = 'arn:aws:acm:us-east-1:111122223333:certificate/p';
  const standby = 'arn:aws:acm:us-west-2:111122223333:certificate/s';
  const issued = (names: string[]) => ({ status: 'ISSUED', names });
  test.each([
    ['both issued in their regions', [{ parameter: 'ApiCertificateArn', arn: primary, region: 'us-east-1', found: issued(['ingest.example.com']) }], []],
    ['a wildcard covers one label', [{ parameter: 'ApiCertificateArn', arn: primary, region: 'us-east-1', found: issued(['*.example.com']) }], []],
    ['the standby ARN is of the primary region', [{ parameter: 'StandbyApiCertificateArn', arn: primary, region: 'us-west-2' }], ['stop']],
    ['not found', [{ parameter: 'ApiCertificateArn', arn: primary, region: 'us-east-1' }], ['stop']],
    [
      'pending validation',
      [{ parameter: 'ApiCertificateArn', arn: primary, region: 'us-east-1', found: { status: 'PENDING_VALIDATION', names: ['ingest.example.com'] } }],
      ['stop'],
    ],
    ['another domain', [{ parameter: 'StandbyApiCertificateArn', arn: standby, region: 'us-west-2', found: issued(['api.example.org']) }], ['stop']],
  ])('%s', (_name, certificates, expected) => {
    expect(
      kinds(
        decideCertificates(
          { domain: 'ingest.example.com', certificates },
          target({ ...failover, ApiCertificateArn: primary, StandbyApiCertificateArn: standby }),
        ),
      ),
    ).toEqual(expected);
  });

  test.each([
    ['ingest.example.com', 'ingest.example.com', true],
    ['*.example.com', 'ingest.example.com', true],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'example.com', false],
    ['INGEST.example.com.', 'ingest.example.com', true],
  ])('%s covers %s: %s', (name, domain, expected) => {
    expect(covers(name, domain)).toBe(expected);
  });

  test('the region of an ACM ARN', () => {
    expect(regionOfArn(standby)).toBe('us-west-2');
    expect(regionOfArn('arn:aws:kms:us-west-2:1:key/x')).toBeUndefined();
  });
});

describe('QuickSight', () => {
  test.each([
    ['subscribed', 'ACCOUNT_CREATED', []],
    ['no subscription', undefined, ['stop']],
    ['unsubscribed', 'UNSUBSCRIBED', ['stop']],
  ])('%s', (_name, status, expected) => {
    expect(kinds(decideQuickSight({ status }, target({ EnableQuickSight: 'true' })))).toEqual(expected);
  });
});

describe('key rotation', () => {
  test.each([
    ['a first deploy: the secret does not exist yet', { name: 'stockwx-prod/market-data-api-key' }, ['stop']],
    ['only the generated placeholder', { name: 'stockwx-prod/market-data-api-key', versions: 1 }, ['stop']],
    ['a stored key (AWSCURRENT and AWSPREVIOUS)', { name: 'stockwx-prod/market-data-api-key', versions: 2 }, []],
  ])('%s', (_name, secret, expected) => {
    expect(kinds(decideKeyRotation({ secrets: [secret] }, target({ EnableKeyRotation: 'true' })))).toEqual(expected);
  });

  test('the fix stores the key with the command and the region', () => {
    const [stop] = decideKeyRotation({ secrets: [{ name: 'stockwx-prod/market-data-api-key', versions: 1 }] }, target({ EnableKeyRotation: 'true' }));
    expect(stop).toMatchObject({
      kind: 'stop',
      fix: expect.stringContaining('aws secretsmanager put-secret-value --region us-east-1 --secret-id stockwx-prod/market-data-api-key'),
    });
    expect(stop).toMatchObject({ fix: expect.stringContaining('or set toggles.keyRotation to false') });
  });
});

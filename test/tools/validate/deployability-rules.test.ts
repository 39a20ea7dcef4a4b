/**
 * The rules for mistakes that pass every syntax check and fail the first deploy into a real
 * account (or a second environment beside it): each is planted into the compliant fixture set
 * and must be reported with its rule, logical ID and path; its compliant form must not be.
 */
import { validateTemplates, type Finding } from '../../../tools/lib/validate';
import { smallestJsonBytes } from '../../../tools/lib/validate/rules/request-body-size';
import { INGEST_BATCH_SCHEMA, MAX_RECORDS_PER_REQUEST } from '../../../templates-src/lib/ingest';
import { fixture, REGISTRY, type Doc, type FixtureSet } from './fixture';

function findings(plant: (set: FixtureSet) => void, rule: string): Finding[] {
  const set = fixture();
  plant(set);
  return validateTemplates(set.files, REGISTRY).findings.filter((f) => f.rule === rule);
}

const props = (doc: Doc, id: string): Doc => doc.Resources[id].Properties;
const add = (doc: Doc, id: string, resource: Doc): void => {
  doc.Resources[id] = resource;
};

describe('retain-except-on-create', () => {
  test('a named bucket with DeletionPolicy Retain is an error: a failed first create keeps it and the retry fails on its name', () => {
    const found = findings((s) => (s.storage.Resources.DataBucket.DeletionPolicy = 'Retain'), 'retain-except-on-create');
    expect(found).toEqual([
      expect.objectContaining({
        file: 'storage.yaml',
        logicalId: 'DataBucket',
        path: 'DeletionPolicy',
        severity: 'error',
        message: expect.stringMatching(/physical name \(BucketName\) and DeletionPolicy Retain/),
      }),
    ]);
  });

  test('an unnamed retained resource (CloudFormation picks a fresh name on retry) is fine', () => {
    expect(
      findings((s) => {
        s.storage.Resources.DataBucket.DeletionPolicy = 'Retain';
        delete props(s.storage, 'DataBucket').BucketName;
      }, 'retain-except-on-create'),
    ).toEqual([]);
  });
});

describe('singleton-condition', () => {
  test.each([
    'AWS::GuardDuty::Detector',
    'AWS::SecurityHub::Hub',
    'AWS::Config::ConfigurationRecorder',
    'AWS::Config::DeliveryChannel',
    'AWS::ApiGateway::Account',
  ])('%s without a Condition is an error', (type) => {
    const found = findings((s) => add(s.storage, 'Singleton', { Type: type, Properties: {} }), 'singleton-condition');
    expect(found).toEqual([
      expect.objectContaining({
        logicalId: 'Singleton',
        path: 'Condition',
        message: expect.stringMatching(/created unconditionally, but .* per account and region/),
      }),
    ]);
  });

  test('under a Condition it is fine', () => {
    expect(
      findings(
        (s) => add(s.storage, 'Singleton', { Type: 'AWS::GuardDuty::Detector', Condition: 'IsProd', Properties: { Enable: true } }),
        'singleton-condition',
      ),
    ).toEqual([]);
  });
});

describe('config-rule-recorder', () => {
  const rule = { Type: 'AWS::Config::ConfigRule', Properties: { Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_PUBLIC_READ_PROHIBITED' } } };
  const recorder = (condition?: string): Doc => ({
    Type: 'AWS::Config::ConfigurationRecorder',
    ...(condition ? { Condition: condition } : {}),
    Properties: { RoleARN: 'arn:aws:iam::111122223333:role/config' },
  });

  test('an unconditional rule beside a conditional recorder is an error (NoAvailableConfigurationRecorderException when it is off)', () => {
    const found = findings((s) => {
      add(s.storage, 'Recorder', recorder('IsProd'));
      add(s.storage, 'PublicReadRule', rule);
    }, 'config-rule-recorder');
    expect(found).toEqual([
      expect.objectContaining({ logicalId: 'PublicReadRule', severity: 'error', message: expect.stringMatching(/recorder exists only under IsProd/) }),
    ]);
  });

  test('an unconditional rule with no recorder in any template is a warning', () => {
    expect(findings((s) => add(s.storage, 'PublicReadRule', rule), 'config-rule-recorder')).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  test('a rule under a condition, or beside an unconditional recorder, is fine', () => {
    expect(findings((s) => add(s.storage, 'PublicReadRule', { ...rule, Condition: 'IsProd' }), 'config-rule-recorder')).toEqual([]);
    expect(
      findings((s) => {
        add(s.storage, 'Recorder', recorder());
        add(s.storage, 'PublicReadRule', rule);
      }, 'config-rule-recorder'),
    ).toEqual([]);
  });
});

describe('physical-name-scope', () => {
  test.each<[string, Doc, RegExp]>([
    [
      'an IAM role named without the region',
      { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Sub': '${NamePrefix}-crawler' }, AssumeRolePolicyDocument: {} } },
      /every region of the account, but this one does not contain \$\{AWS::Region\}/,
    ],
    [
      'a bucket named without account and region',
      { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${NamePrefix}-raw' } } },
      /all of AWS, but this one does not contain \$\{AWS::AccountId\} and \$\{AWS::Region\}/,
    ],
    [
      'a budget (global) named without the region',
      { Type: 'AWS::Budgets::Budget', Properties: { Budget: { BudgetName: 'monthly', BudgetType: 'COST', TimeUnit: 'MONTHLY' } } },
      /does not contain \$\{AWS::Region\}/,
    ],
    [
      'a CloudWatch dashboard (global) named without the region',
      { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardName: { 'Fn::Sub': '${NamePrefix}-pipeline' }, DashboardBody: '{}' } },
      /does not contain \$\{AWS::Region\}/,
    ],
    [
      'a Cognito domain prefix (unique across accounts) without the account',
      { Type: 'AWS::Cognito::UserPoolDomain', Properties: { Domain: { 'Fn::Sub': '${NamePrefix}-ingest' }, UserPoolId: 'p' } },
      /every account of the region, but this one does not contain \$\{AWS::AccountId\}/,
    ],
  ])('%s is an error', (_name, resource, message) => {
    expect(findings((s) => add(s.storage, 'Named', resource), 'physical-name-scope')).toEqual([
      expect.objectContaining({ logicalId: 'Named', severity: 'error', message: expect.stringMatching(message) }),
    ]);
  });

  test.each<[string, Doc]>([
    [
      'an IAM role named with the region',
      { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Sub': '${NamePrefix}-crawler-${AWS::Region}' }, AssumeRolePolicyDocument: {} } },
    ],
    ['an unnamed IAM role', { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } }],
    ['a regional resource (a queue) without the region', { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${NamePrefix}-dlq' } } }],
    [
      'an API Gateway API (its ARN has no account, its names are still regional)',
      { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: { 'Fn::Sub': '${NamePrefix}-api' } } },
    ],
    [
      'a global table (each replica takes the name in its own region, by design)',
      { Type: 'AWS::DynamoDB::GlobalTable', Properties: { TableName: { 'Fn::Sub': '${NamePrefix}-metrics' } } },
    ],
  ])('%s is fine', (_name, resource) => {
    expect(findings((s) => add(s.storage, 'Named', resource), 'physical-name-scope')).toEqual([]);
  });
});

describe('waf-body-size', () => {
  /** A REST API accepting the real /ingest batch model, behind a web ACL with the common rule set. */
  function plantApi(s: FixtureSet, options: { maxItems?: number; countBody?: boolean; crossStack?: boolean } = {}): void {
    const schema = JSON.parse(JSON.stringify(INGEST_BATCH_SCHEMA)) as Doc;
    if (options.maxItems !== undefined) schema.properties.records.maxItems = options.maxItems;
    const api = s.compute;
    add(api, 'Api', { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'ingest' } });
    add(api, 'BatchModel', { Type: 'AWS::ApiGateway::Model', Properties: { RestApiId: { Ref: 'Api' }, ContentType: 'application/json', Schema: schema } });
    add(api, 'IngestMethod', {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        RestApiId: { Ref: 'Api' },
        ResourceId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
        HttpMethod: 'POST',
        AuthorizationType: 'AWS_IAM',
        RequestModels: { 'application/json': { Ref: 'BatchModel' } },
      },
    });
    const acl = {
      Type: 'AWS::WAFv2::WebACL',
      Properties: {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        VisibilityConfig: { MetricName: 'acl', CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true },
        Rules: [
          {
            Name: 'AWSManagedRulesCommonRuleSet',
            Priority: 0,
            OverrideAction: { None: {} },
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: 'AWSManagedRulesCommonRuleSet',
                ...(options.countBody ? { RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }] } : {}),
              },
            },
            VisibilityConfig: { MetricName: 'crs', CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true },
          },
        ],
      },
    };
    const resourceArn = { 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/v1' };
    if (options.crossStack) {
      // The ACL lives in another stack and reaches the API's stack as a parameter (security → streaming).
      add(s.storage, 'WebAcl', acl);
      api.Parameters.WebAclArn = { Type: 'String' };
      add(api, 'Association', { Type: 'AWS::WAFv2::WebACLAssociation', Properties: { ResourceArn: resourceArn, WebACLArn: { Ref: 'WebAclArn' } } });
    } else {
      add(api, 'WebAcl', acl);
      add(api, 'Association', {
        Type: 'AWS::WAFv2::WebACLAssociation',
        Properties: { ResourceArn: resourceArn, WebACLArn: { 'Fn::GetAtt': ['WebAcl', 'Arn'] } },
      });
    }
  }

  test('the common rule set blocking bodies over 8 KB in front of the 500-event batch API is an error', () => {
    const found = findings((s) => plantApi(s), 'waf-body-size');
    expect(found).toEqual([
      expect.objectContaining({
        file: 'compute.yaml',
        logicalId: 'WebAcl',
        severity: 'error',
        message: expect.stringMatching(
          /blocks bodies over 8192 bytes \(SizeRestrictions_BODY\), but compute.yaml: Api POST \(IngestMethod, model BatchModel\) accepts bodies of at least \d+ bytes/,
        ),
      }),
    ]);
  });

  test('found across stacks too: the ACL in one template, the association taking it as a parameter in another', () => {
    expect(findings((s) => plantApi(s, { crossStack: true }), 'waf-body-size')).toEqual([
      expect.objectContaining({ file: 'storage.yaml', logicalId: 'WebAcl' }),
    ]);
  });

  test('with SizeRestrictions_BODY overridden to Count, or a model whose batches stay under 8 KB, it is fine', () => {
    expect(findings((s) => plantApi(s, { countBody: true }), 'waf-body-size')).toEqual([]);
    expect(findings((s) => plantApi(s, { maxItems: 10 }), 'waf-body-size')).toEqual([]);
  });

  test('the smallest body of the largest /ingest batch is a lower bound of a real batch, and over 8 KB', () => {
    const smallestOne = smallestJsonBytes(
      { ...INGEST_BATCH_SCHEMA, properties: { records: { ...INGEST_BATCH_SCHEMA.properties.records, maxItems: 1 } } },
      'max',
    );
    // A real, minimal valid stock tick in a batch of one is at least as long as the bound.
    const real = JSON.stringify({
      records: [
        { schemaVersion: 1, type: 'stock', symbol: 'A', ts: '2026-11-20T14:30:00Z', price: 0, open: 0, high: 0, low: 0, prevClose: 0, volume: 0, source: 'x' },
      ],
    });
    expect(smallestOne).toBeLessThanOrEqual(real.length);
    expect(smallestOne).toBeGreaterThan(100);
    expect(smallestJsonBytes(INGEST_BATCH_SCHEMA, 'max')).toBeGreaterThan(MAX_RECORDS_PER_REQUEST * 100);
  });
});

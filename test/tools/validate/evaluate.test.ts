/** Offline evaluation of intrinsics, and the physical names a stack instance would create. */
import { conditionHolds, evaluate, EvaluationError, parameterValues, type EvaluationContext } from '../../../tools/lib/validate/evaluate';
import { collisionKey, NAME_PROPERTIES, nameScope, physicalNamesOf } from '../../../tools/lib/validate/physical-names';
import { loadSpec } from '../../../tools/lib/validate/spec';

type Json = Record<string, any>;

const doc: Json = {
  Parameters: {
    NamePrefix: { Type: 'String' },
    Environment: { Type: 'String', Default: 'dev' },
    Subnets: { Type: 'CommaDelimitedList', Default: 'a,b' },
  },
  Mappings: { RegionConfig: { 'us-east-1': { Secondary: 'us-west-2' } } },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Environment' }, 'prod'] },
    NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
  },
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${NamePrefix}-dlq' } } },
    ProdOnly: { Type: 'AWS::SQS::Queue', Condition: 'IsProd', Properties: { QueueName: 'prod-only' } },
    Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Sub': '${NamePrefix}-x-${AWS::Region}' } } },
    Unnamed: { Type: 'AWS::SQS::Queue', Properties: {} },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: { 'Fn::Sub': 'API-Gateway-Execution-Logs_${Queue}/v1' } } },
  },
};

function ctx(given: Record<string, string>, region = 'us-east-1'): EvaluationContext {
  return { stack: 'dev/Test', doc, parameters: parameterValues(doc, given, 'test'), region, account: '111122223333' };
}

describe('evaluate', () => {
  const c = ctx({ NamePrefix: 'stockwx-dev' });

  test.each<[string, unknown, unknown]>([
    ['!Sub with parameters and pseudo parameters', { 'Fn::Sub': '${NamePrefix}-${AWS::AccountId}-${AWS::Region}' }, 'stockwx-dev-111122223333-us-east-1'],
    ['!Sub with variables and an escaped ${!literal}', { 'Fn::Sub': ['${X}-${!year}', { X: { Ref: 'Environment' } }] }, 'dev-${year}'],
    ['!Join of !Split', { 'Fn::Join': ['_', { 'Fn::Split': ['-', { Ref: 'NamePrefix' }] }] }, 'stockwx_dev'],
    ['!Select of a CommaDelimitedList', { 'Fn::Select': [1, { Ref: 'Subnets' }] }, 'b'],
    ['!FindInMap', { 'Fn::FindInMap': ['RegionConfig', { Ref: 'AWS::Region' }, 'Secondary'] }, 'us-west-2'],
    ['!If on a condition of a condition', { 'Fn::If': ['NotProd', 'yes', 'no'] }, 'yes'],
    ['AWS::NoValue drops the list element', [1, { 'Fn::If': ['IsProd', 2, { Ref: 'AWS::NoValue' }] }, 3], [1, 3]],
    ['!Ref of a resource is a token unique to the stack', { Ref: 'Queue' }, '<dev/Test:Queue>'],
    ['!GetAtt of a resource attribute is a token', { 'Fn::GetAtt': ['Queue', 'Arn'] }, '<dev/Test:Queue.Arn>'],
  ])('%s', (_name, value, expected) => {
    expect(evaluate(value, c)).toEqual(expected);
  });

  test('conditions follow the parameters', () => {
    expect(conditionHolds('IsProd', ctx({ NamePrefix: 'p', Environment: 'prod' }))).toBe(true);
    expect(conditionHolds('IsProd', c)).toBe(false);
  });

  test('what it cannot evaluate throws, naming where (no silent skip)', () => {
    expect(() => evaluate({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }, c, 'Vpc.Cidr')).toThrow(EvaluationError);
    expect(() => evaluate({ Ref: 'Nope' }, c, 'X.Name')).toThrow(/X.Name: !Ref Nope names no parameter/);
    expect(() => parameterValues(doc, {}, 'test')).toThrow(/parameter NamePrefix has no value and no Default/);
  });
});

describe('physical names', () => {
  const spec = loadSpec();

  test('names of existing resources only, evaluated; unnamed resources skipped', () => {
    const names = physicalNamesOf(ctx({ NamePrefix: 'stockwx-dev' }), spec);
    expect(names.map((n) => [n.logicalId, n.name])).toEqual([
      ['Queue', 'stockwx-dev-dlq'],
      ['Role', 'stockwx-dev-x-us-east-1'],
      ['Logs', 'API-Gateway-Execution-Logs_<dev/Test:Queue>/v1'],
    ]);
  });

  test('the collision key follows the scope: IAM names are account-wide, queue names regional', () => {
    const east = physicalNamesOf(ctx({ NamePrefix: 'p' }, 'us-east-1'), spec);
    const west = physicalNamesOf(ctx({ NamePrefix: 'p' }, 'us-west-2'), spec);
    const key = (names: typeof east, id: string) => collisionKey(names.find((n) => n.logicalId === id)!);
    expect(key(east, 'Queue')).not.toBe(key(west, 'Queue'));
    // Same role name text, but it carries the region: no collision either.
    expect(key(east, 'Role')).not.toBe(key(west, 'Role'));
    expect(nameScope('AWS::IAM::Role', spec)).toBe('account');
    expect(nameScope('AWS::S3::Bucket', spec)).toBe('aws');
    expect(nameScope('AWS::SQS::Queue', spec)).toBe('region');
    expect(nameScope('AWS::ApiGateway::RestApi', spec)).toBe('region');
  });

  test('a type missing from NAME_PROPERTIES fails loudly', () => {
    const unknown: EvaluationContext = { ...ctx({ NamePrefix: 'p' }), doc: { ...doc, Resources: { X: { Type: 'AWS::Foo::Bar', Properties: {} } } } };
    expect(() => physicalNamesOf(unknown, spec)).toThrow(/AWS::Foo::Bar is not in NAME_PROPERTIES/);
  });

  test('every name property names a real property of its type in the CloudFormation specification', () => {
    for (const [type, properties] of Object.entries(NAME_PROPERTIES)) {
      expect(spec.resources[type]).toBeDefined();
      for (const p of properties) {
        const [first] = p.path.split('.');
        expect([type, spec.resources[type]!.properties[first!] !== undefined]).toEqual([type, true]);
        for (const parent of p.parent ?? []) expect([type, parent, spec.resources[type]!.properties[parent] !== undefined]).toEqual([type, parent, true]);
      }
    }
  });
});

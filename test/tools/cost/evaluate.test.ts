import { EvaluationError, ResourceToken, StackScope, Unknown, type Evaluated } from '../../../tools/lib/cost/evaluate';

const given = (value: unknown, ...deps: string[]): Evaluated => ({ value, deps: new Set(deps) });

function scope(template: Record<string, unknown>, params: Record<string, Evaluated> = {}): StackScope {
  return new StackScope({
    stack: 'test',
    template,
    parameters: new Map(Object.entries(params)),
    pseudo: new Map([
      ['AWS::Region', given('eu-west-1', 'AWS::Region')],
      ['AWS::AccountId', given('123456789012')],
    ]),
  });
}

describe('offline evaluation with provenance', () => {
  const template = {
    Mappings: { Pairs: { 'eu-west-1': { Secondary: 'eu-central-1' } } },
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Environment' }, 'prod'] },
      HasZone: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Zone' }, ''] }] },
      Both: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'HasZone' }] },
      Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'HasZone' }] },
    },
    Resources: { Bucket: { Type: 'AWS::S3::Bucket' } },
  };
  const s = scope(template, { Environment: given('dev', 'Environment'), Zone: given('Z1', 'HostedZoneId'), Names: given(['a', 'b', 'c'], 'Symbols') });

  test('conditions combine and remember what they read', () => {
    expect(s.condition('IsProd')).toEqual({ value: false, deps: new Set(['Environment']) });
    expect(s.condition('Both').value).toBe(false);
    expect(s.condition('Either')).toEqual({ value: true, deps: new Set(['Environment', 'HostedZoneId']) });
  });

  test("!If picks the branch and carries the condition's provenance", () => {
    expect(s.evaluate({ 'Fn::If': ['IsProd', 3, 1] })).toEqual({ value: 1, deps: new Set(['Environment']) });
  });

  test('!Sub, !Join, !Split, !Select, !FindInMap and !GetAZs evaluate when their inputs are known', () => {
    expect(s.evaluate({ 'Fn::Sub': 'x-${Environment}-${AWS::Region}-${!Literal}' }).value).toBe('x-dev-eu-west-1-${Literal}');
    expect(s.evaluate({ 'Fn::Sub': ['${A}/${Environment}', { A: { 'Fn::Join': ['+', { Ref: 'Names' }] } }] }).value).toBe('a+b+c/dev');
    expect(s.evaluate({ 'Fn::Select': [1, { 'Fn::Split': [',', 'p,q,r'] }] }).value).toBe('q');
    expect(s.evaluate({ 'Fn::FindInMap': ['Pairs', { Ref: 'AWS::Region' }, 'Secondary'] })).toEqual({ value: 'eu-central-1', deps: new Set(['AWS::Region']) });
    expect(s.evaluate({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }).value).toBe('eu-west-1a');
  });

  test('resources are tokens, unknowable values are Unknown, AWS::NoValue disappears', () => {
    expect(s.evaluate({ Ref: 'Bucket' }).value).toEqual(new ResourceToken('Bucket'));
    expect(s.evaluate({ 'Fn::GetAtt': ['Bucket', 'Arn'] }).value).toEqual(new ResourceToken('Bucket', 'Arn'));
    expect(s.evaluate({ 'Fn::Sub': '${Bucket.Arn}/*' }).value).toBeInstanceOf(Unknown);
    expect(s.evaluate({ 'Fn::ImportValue': 'x' }).value).toBeInstanceOf(Unknown);
    expect(s.evaluate({ a: 1, b: { 'Fn::If': ['IsProd', 2, { Ref: 'AWS::NoValue' }] } }).value).toEqual({ a: 1 });
    expect(s.evaluate([1, { 'Fn::If': ['IsProd', 2, { Ref: 'AWS::NoValue' }] }]).value).toEqual([1]);
  });

  test('a condition that depends on an unknown value is an error, not a guess', () => {
    const t = scope({ Conditions: { C: { 'Fn::Equals': [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, 'x'] } }, Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } });
    expect(() => t.condition('C')).toThrow(EvaluationError);
    expect(() => t.condition('C')).toThrow(/condition C cannot be decided offline/);
  });
});

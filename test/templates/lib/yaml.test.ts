import {
  and,
  az,
  cidr,
  conditionRef,
  equals,
  findInMap,
  getAtt,
  getAZs,
  ifThen,
  join,
  NO_VALUE,
  not,
  or,
  ref,
  select,
  split,
  stackOutput,
  sub,
  base64,
} from '../../../templates-src/lib/fn';
import { canonicalize, CLOUDFORMATION_TAGS, emitTemplate, firstDifference, parseTemplate, READ_ONLY_TAGS, SHORT_TAGS } from '../../../templates-src/lib/yaml';

function emitValue(value: unknown): string {
  const text = emitTemplate({ Resources: { R: { Type: 'AWS::SNS::Topic', Properties: { V: value } } } });
  const line = text.split('\n').findIndex((l) => l.trimStart().startsWith('V:'));
  return text
    .split('\n')
    .slice(line)
    .join('\n')
    .trimEnd()
    .replace(/^\s*V: ?/, '');
}

describe('emitTemplate: short-form intrinsics', () => {
  test.each([
    ['Ref', ref('Bucket'), '!Ref Bucket'],
    ['pseudo parameter', ref('AWS::Region'), '!Ref AWS::Region'],
    ['GetAtt is dotted', getAtt('Key', 'Arn'), '!GetAtt Key.Arn'],
    ['nested stack output', stackOutput('Security', 'LogsKeyArn'), '!GetAtt Security.Outputs.LogsKeyArn'],
    ['Sub without variables is a plain string', sub('${AWS::StackName}-raw'), '!Sub ${AWS::StackName}-raw'],
    ['GetAZs of the current region', getAZs(), "!GetAZs ''"],
    ['Select in flow style', az(1), "!Select [1, !GetAZs '']"],
    ['If in flow style', ifThen('IsProd', ref('A'), NO_VALUE), '!If [IsProd, !Ref A, !Ref AWS::NoValue]'],
    ['Equals', equals(ref('Environment'), 'prod'), '!Equals [!Ref Environment, prod]'],
    ['Not', not(equals(ref('X'), '')), "!Not [!Equals [!Ref X, '']]"],
    ['FindInMap', findInMap('RegionPairs', ref('AWS::Region'), 'Secondary'), '!FindInMap [RegionPairs, !Ref AWS::Region, Secondary]'],
    ['Split', split(',', ref('Ids')), "!Split [',', !Ref Ids]"],
    ['Cidr', cidr('10.0.0.0/16', 4, 8), '!Cidr [10.0.0.0/16, 4, 8]'],
    ['Base64', base64('hello'), '!Base64 hello'],
  ])('%s', (_name, value, expected) => {
    expect(emitValue(value)).toBe(expected);
  });

  test('Sub with variables is a block list with a mapping', () => {
    expect(emitValue(sub('${Name}-x', { Name: ref('P') }))).toBe('!Sub\n        - ${Name}-x\n        - Name: !Ref P');
  });

  test('Join with a long list falls back to block style', () => {
    const value = join(',', [ref('SubnetAAAAAAAAAAAAAAAAAAAA'), ref('SubnetBBBBBBBBBBBBBBBBBBBBBBBBB'), ref('SubnetCCCCCCCCCCCCCCCCC')]);
    expect(emitValue(value).split('\n')[0]).toBe('!Join');
  });

  test('GetAtt whose attribute is an intrinsic keeps the list form', () => {
    expect(emitValue(getAtt('Stack', sub('Outputs.${Name}')))).toBe("!GetAtt [Stack, !Sub 'Outputs.${Name}']");
  });

  test('a Condition reference inside And/Or stays a mapping, never a tag', () => {
    const text = emitValue(and(conditionRef('IsProd'), or(conditionRef('A'), conditionRef('B'))));
    expect(text).toContain('- Condition: IsProd');
    expect(text).not.toContain('!Condition');
  });

  test.each([['yes'], ['No'], ['on'], ['true'], ['123'], ['1e3'], ['2010-09-09'], ['~'], ['0x1F']])('string %s is quoted so no YAML reader retypes it', (s) => {
    expect(emitValue(s)).toBe(`'${s}'`);
  });

  test.each([
    ['DEL', 'a\u007fb', '"a\\u007fb"'],
    ['a C1 control', 'a\u0085b', '"a\\u0085b"'],
    ['U+2028', 'a\u2028b', '"a\\u2028b"'],
    ['the BOM', '\ufeffab', '"\\ufeffab"'],
    ['a C0 control', 'a\u0001b', '"a\\u0001b"'],
  ])('%s is written as an escape in double quotes (YAML 1.2 counts it non-printable)', (_what, text, written) => {
    expect(emitValue(text)).toBe(written);
    expect(parseTemplate(`Description: ${written}\n`)).toEqual({ Description: text });
  });

  test('multi-line strings are literal blocks', () => {
    expect(emitValue('line one\nline two\n')).toBe('|\n        line one\n        line two');
  });
});

describe('emitTemplate: document shape', () => {
  const doc = {
    Resources: { B: { Properties: { Z: 1, A: 2 }, DeletionPolicy: 'Retain', Type: 'AWS::S3::Bucket', Condition: 'C' } },
    Outputs: { O: { Value: ref('B'), Description: 'd' } },
    Parameters: { P: { Default: 'x', Type: 'String', Description: 'p' } },
    Description: 'desc',
    AWSTemplateFormatVersion: '2010-09-09',
    Conditions: {},
  };

  test('top-level, resource, parameter and output keys follow the canonical order; properties keep their order', () => {
    const text = emitTemplate(doc);
    const keys = text
      .split('\n')
      .filter((l) => /^\S/.test(l))
      .map((l) => l.split(':')[0]);
    expect(keys).toEqual(['AWSTemplateFormatVersion', 'Description', 'Parameters', 'Resources', 'Outputs']);
    expect(text).toContain('  B:\n    Type: AWS::S3::Bucket\n    Condition: C\n    DeletionPolicy: Retain\n    Properties:\n      Z: 1\n      A: 2\n');
    expect(text).toContain('  P:\n    Type: String\n    Description: p\n    Default: x\n');
    expect(text).toContain('  O:\n    Description: d\n    Value: !Ref B\n');
  });

  test('empty sections are dropped', () => {
    expect(emitTemplate(doc)).not.toContain('Conditions');
  });

  test('IAM policy documents are ordered Version, Statement and Effect, Principal, Action, Resource, Condition', () => {
    const policy = { Statement: [{ Resource: '*', Condition: { Bool: {} }, Action: 'a:b', Effect: 'Allow', Sid: 'S' }], Version: '2012-10-17' };
    const out = canonicalize({ Resources: { R: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: policy } } } });
    const emitted = (out.Resources as { R: { Properties: { PolicyDocument: { Statement: object[] } } } }).R.Properties.PolicyDocument;
    expect(Object.keys(emitted)).toEqual(['Version', 'Statement']);
    expect(Object.keys(emitted.Statement[0]!)).toEqual(['Sid', 'Effect', 'Action', 'Resource', 'Condition']);
  });

  test('header lines become comments above the document, with LF and a final newline', () => {
    const text = emitTemplate(doc, { header: ['first', 'second'] });
    expect(text.startsWith('# first\n# second\nAWSTemplateFormatVersion:')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('\r');
    expect(text).not.toMatch(/ +\n/);
  });

  test('output is byte-identical on every run', () => {
    expect(emitTemplate(doc)).toBe(emitTemplate(JSON.parse(JSON.stringify(doc))));
  });

  test('round trip: parsing the output gives back the canonical JSON', () => {
    const rich = {
      Resources: {
        R: {
          Type: 'AWS::EC2::Subnet',
          Properties: {
            AvailabilityZone: az(0),
            CidrBlock: select(0, cidr(getAtt('Vpc', 'CidrBlock'), 4, 8)),
            Tags: [{ Key: 'k', Value: sub('${A}-${B}', { A: ref('X'), B: 'y' }) }],
          },
        },
      },
    };
    const text = emitTemplate(rich);
    expect(parseTemplate(text)).toEqual(canonicalize(rich));
  });
});

describe('parseTemplate', () => {
  test('reads long and short forms alike', () => {
    const short = parseTemplate('A: !GetAtt B.Arn\nC: !Ref D\nE: !Sub [x, {y: 1}]\n');
    const long = parseTemplate('A: {"Fn::GetAtt": [B, Arn]}\nC: {Ref: D}\nE: {"Fn::Sub": [x, {y: 1}]}\n');
    expect(short).toEqual(long);
  });

  test('!GetAtt splits at the first dot only (nested stack outputs)', () => {
    expect(parseTemplate('A: !GetAtt Stack.Outputs.Name\n')).toEqual({ A: { 'Fn::GetAtt': ['Stack', 'Outputs.Name'] } });
  });

  test('names the file on syntax errors', () => {
    expect(() => parseTemplate('a: [\n', 'generated/x.yaml')).toThrow(/^generated\/x\.yaml: /);
  });

  test('rejects duplicate keys', () => {
    expect(() => parseTemplate('a: 1\na: 2\n', 'f.yaml')).toThrow(/f\.yaml/);
  });

  test('reads !Condition, which the emitter never writes, as a {Condition} mapping', () => {
    expect(parseTemplate('C: !And [!Condition IsProd, !Not [!Condition IsDev]]\n')).toEqual({
      C: { 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Not': [{ Condition: 'IsDev' }] }] },
    });
  });

  test('the exported tag table is the one the emitter writes and the parser reads', () => {
    const emitted = emitTemplate({
      Resources: {
        R: {
          Type: 'T',
          Properties: Object.fromEntries(Object.keys(SHORT_TAGS).map((long, i) => [`P${i}`, { [long]: long === 'Fn::GetAtt' ? ['A', 'B'] : ['x', 'y'] }])),
        },
      },
    });
    for (const short of Object.values(SHORT_TAGS)) expect(emitted).toContain(` ${short} `);
    expect(emitted).not.toContain('!Condition');
    const tags = new Set(CLOUDFORMATION_TAGS.map((t) => t.tag));
    expect([...tags].sort()).toEqual([...Object.values(SHORT_TAGS), ...Object.values(READ_ONLY_TAGS)].sort());
  });
});

describe('firstDifference', () => {
  test.each([
    [{ a: 1 }, { a: 1 }, undefined],
    [{ a: { b: [1, 2] } }, { a: { b: [1, 3] } }, '/a/b/1'],
    [{ a: 1 }, { a: 1, c: 2 }, '/c'],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(firstDifference(a, b)).toBe(expected);
  });
});

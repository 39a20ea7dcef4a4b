import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readTemplates, validateTemplates } from '../../../tools/lib/validate';
import { REGISTRY } from './fixture';

test.each<[string, Record<string, unknown>]>([
  ['Resources as a list', { Resources: [1, 2] }],
  ['a null resource', { Resources: { A: null } }],
  ['a resource without Type', { Resources: { A: { Properties: {} } } }],
  ['Properties as a string', { Resources: { A: { Type: 'AWS::S3::Bucket', Properties: 'x' } } }],
  ['Properties as an intrinsic', { Resources: { A: { Type: 'AWS::SNS::Topic', Properties: { 'Fn::If': ['C', {}, {}] } } } }],
  ['a policy document as a string', { Resources: { R: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', PolicyDocument: '{"Statement":[]}' } } } }],
  ['a malformed !If', { Resources: { A: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::If': 'x' } } } } }],
  ['a !Sub with a non-string template', { Outputs: { O: { Value: { 'Fn::Sub': [{ Ref: 'X' }, {}] } } } }],
  ['a !GetAtt as a dotted string', { Resources: { B: { Type: 'AWS::S3::Bucket' } }, Outputs: { O: { Value: { 'Fn::GetAtt': 'B.Arn' } } } }],
])('never throws on odd input: %s', (_name, doc) => {
  expect(() => validateTemplates([{ file: 'odd.yaml', doc }], REGISTRY)).not.toThrow();
});

describe('readTemplates', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'validate-read-'));
    await writeFile(path.join(dir, 'good.yaml'), 'Resources:\n  T:\n    Type: AWS::SNS::Topic\n');
    await writeFile(path.join(dir, 'bad.yaml'), 'Resources:\n  T: !Unknown x\n');
    await writeFile(path.join(dir, 'notes.txt'), 'not a template');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  test('parses every .yaml file and turns unparsable ones into parse findings', async () => {
    const { files, findings } = await readTemplates(dir);
    expect(files.map((f) => f.file)).toEqual(['good.yaml']);
    expect(files[0]!.text).toContain('AWS::SNS::Topic');
    expect(findings).toEqual([expect.objectContaining({ file: 'bad.yaml', logicalId: '(template)', rule: 'parse', severity: 'error' })]);
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { emitTemplate, parseTemplate } from '../../../templates-src/lib/yaml';
import { readEmitted, readTemplate } from '../../../tools/lib/report/fast-yaml';
import { fixtureTree } from './fixture-tree';

const GENERATED = path.join(__dirname, '../../../generated');
const generated = existsSync(GENERATED) ? readdirSync(GENERATED).filter((f) => f.endsWith('.yaml')).sort() : [];

describe('fast reader of emitted YAML', () => {
  test.each(generated)('reads generated/%s exactly as parseTemplate does', (file) => {
    const text = readFileSync(path.join(GENERATED, file), 'utf8');
    const fast = readEmitted(text);
    expect(fast).toBeDefined();
    expect(JSON.stringify(fast)).toBe(JSON.stringify(parseTemplate(text)));
  });

  test.each(fixtureTree().map((f) => [f.file, f.template] as const))('round-trips the emitted fixture %s', (_file, template) => {
    const text = emitTemplate(template);
    expect(JSON.stringify(readEmitted(text))).toBe(JSON.stringify(parseTemplate(text)));
  });

  test.each([
    ['strings, numbers, booleans, null, quoting', { A: 'x: y', B: '10', C: 10, D: 1.5, E: true, F: null, G: "it's", H: 'yes', I: '', J: '#x', K: 'a #b' }],
    ['nested sequences and tags', { R: { 'Fn::Join': ['', [{ Ref: 'A' }, { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }]] }, S: [[1, 2], [{ a: 1 }]] }],
    ['multi-line strings', { Body: 'line 1\nline 2\n\n  indented\n# not a comment\n', Strip: 'a\nb' }],
    ['long-form conditions', { C: { 'Fn::If': ['Cond', { 'Fn::Sub': ['${A}-${B}', { A: 'x', B: { Ref: 'B' } }] }, { Ref: 'AWS::NoValue' }] }, Empty: {}, List: [] }],
  ])('round-trips %s', (_label, value) => {
    const text = emitTemplate({ Resources: { X: { Type: 'AWS::S3::Bucket', Properties: value } } });
    expect(readEmitted(text)).toBeDefined();
    expect(JSON.stringify(readTemplate(text, 't'))).toBe(JSON.stringify(parseTemplate(text)));
  });

  test.each([
    ['an anchor', 'A: &a 1\nB: *a\n'],
    ['a flow mapping', 'A: {b: 1}\n'],
    ['a folded scalar', 'A: >\n  text\n'],
    ['a trailing comment', 'A: 1 # one\n'],
    ['a duplicate key', 'A: 1\nA: 2\n'],
    ['a sequence not indented under its key', 'A:\n- 1\n'],
    ['a tab', 'A: x\ty\n'],
  ])('returns undefined for %s (callers fall back to parseTemplate)', (_label, text) => {
    expect(readEmitted(text)).toBeUndefined();
  });
});

/**
 * `generated/` must also work with plain `aws cloudformation package`, which resolves a local
 * property value relative to the directory of the template that contains it. These tests pin
 * that convention for our packager and check the real generated templates follow it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import { isLocalPath, objectUrl, packagerFor, PACKAGERS } from '../../../tools/lib/package/registry';
import { resolveLocalPath } from '../../../tools/lib/package/packager';
import { pLimit } from '../../../tools/lib/package/limit';

const REPO = path.resolve(__dirname, '..', '..', '..');
const GENERATED = path.join(REPO, 'generated');

describe('path conventions shared with aws cloudformation package', () => {
  test.each([
    ['generated/root.yaml', './networking.yaml', 'generated/networking.yaml'],
    ['generated/compute.yaml', '../dist/handlers/enricher.zip', 'dist/handlers/enricher.zip'],
    ['generated/nested/x.yaml', '../../dist/handlers/a.zip', 'dist/handlers/a.zip'],
  ])('in %s, %s is %s', (template, value, expected) => {
    expect(path.relative(REPO, resolveLocalPath(path.join(REPO, template), value))).toBe(expected);
  });

  test('every local path in the real generated templates is relative and follows the convention', async () => {
    const files = (await readdir(GENERATED)).filter((f) => f.endsWith('.yaml'));
    const problems: string[] = [];
    let checked = 0;
    for (const f of files) {
      const doc = parseTemplate(await readFile(path.join(GENERATED, f), 'utf8'), f);
      for (const [id, r] of Object.entries((doc.Resources ?? {}) as Record<string, { Type: string; Properties?: Record<string, unknown> }>)) {
        for (const [prop, value] of Object.entries(r.Properties ?? {})) {
          const p = packagerFor(r.Type, prop);
          if (!p || !isLocalPath(value)) continue;
          checked++;
          const target = path.relative(REPO, resolveLocalPath(path.join(GENERATED, f), value));
          if (p.kind === 'template' && !/^\.\/[a-z0-9-]+\.yaml$/.test(value)) problems.push(`${f} ${id}: TemplateURL ${value} is not ./<sibling>.yaml`);
          if (p.kind === 'template' && !files.includes(path.basename(target))) problems.push(`${f} ${id}: ${value} is not a generated template`);
          if (p.kind === 'zip' && !/^\.\.\/dist\/handlers\/[a-z0-9-]+\.zip$/.test(value))
            problems.push(`${f} ${id}: ${prop} ${value} is not ../dist/handlers/<name>.zip`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  test('the registry covers the properties the CLI packages for our resource types', () => {
    expect(PACKAGERS.map((p) => `${p.resourceType}.${p.property}`)).toEqual(
      expect.arrayContaining(['AWS::Lambda::Function.Code', 'AWS::CloudFormation::Stack.TemplateURL']),
    );
    expect(packagerFor('AWS::Lambda::Function', 'Code')!.rewrite({ bucket: 'b', key: 'k', url: 'u' })).toEqual({ S3Bucket: 'b', S3Key: 'k' });
    expect(packagerFor('AWS::CloudFormation::Stack', 'TemplateURL')!.rewrite({ bucket: 'b', key: 'k', url: 'https://u' })).toBe('https://u');
  });

  test.each([
    ['./x.yaml', true],
    ['../dist/handlers/a.zip', true],
    ['s3://bucket/key', false],
    ['https://bucket.s3.us-east-1.amazonaws.com/k', false],
    [{ S3Bucket: 'b', S3Key: 'k' }, false],
    ['', false],
  ])('isLocalPath(%j) = %s', (value, expected) => {
    expect(isLocalPath(value)).toBe(expected);
  });

  test.each([
    ['b', 'us-east-1', undefined, 'https://b.s3.us-east-1.amazonaws.com/templates/k.yaml'],
    ['b', 'cn-north-1', undefined, 'https://b.s3.cn-north-1.amazonaws.com.cn/templates/k.yaml'],
    ['b', 'us-east-1', 'http://localhost:4566', 'http://localhost:4566/b/templates/k.yaml'],
  ])('objectUrl(%s, %s, endpoint %s)', (bucket, region, endpoint, url) => {
    expect(objectUrl(bucket, region, 'templates/k.yaml', endpoint)).toBe(url);
  });
});

describe('pLimit', () => {
  test('never runs more than the limit at once, and keeps results in order', async () => {
    const limit = pLimit(2);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        limit(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setImmediate(r));
          active--;
          return n * 10;
        }),
      ),
    );
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
  });

  test('rejects a bad concurrency', () => {
    expect(() => pLimit(0)).toThrow('pLimit: concurrency must be a positive integer (got 0)');
  });
});

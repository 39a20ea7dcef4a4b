import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import { packageProject, planPackage, sha256 } from '../../../tools/lib/package/packager';
import { runPackagePipeline } from '../../../tools/lib/package/pipeline';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { startS3rver, type LocalS3 } from '../../helpers/local-aws';
import { makeProject } from './fixture';

const BUCKET = 'artifacts';
const REGION = 'us-east-1';

describe('packageProject against s3rver', () => {
  let s3: LocalS3;
  let dir: string;

  beforeAll(async () => {
    s3 = await startS3rver({ buckets: [BUCKET] });
    dir = await makeProject();
  });
  afterAll(async () => {
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const run = () =>
    packageProject(s3.client, {
      rootTemplate: path.join(dir, 'generated', 'root.yaml'),
      baseDir: dir,
      bucket: BUCKET,
      region: REGION,
      stackName: 'demo',
      concurrency: 2,
    });

  test('first run uploads everything, second uploads nothing, one changed handler re-uploads one zip and the affected templates', async () => {
    // first run
    const first = await run();
    expect(first.uploaded).toHaveLength(5); // 2 zips + 2 children + root
    expect(first.skipped).toEqual([]);
    const keys = await s3.listKeys(BUCKET);
    expect(keys).toEqual([...first.uploaded].sort());
    const manifestBytes1 = await readFile(first.manifestPath, 'utf8');

    // second run: nothing changed
    const second = await run();
    expect(second.uploaded).toEqual([]);
    expect(second.skipped).toHaveLength(5);
    expect(await readFile(second.manifestPath, 'utf8')).toBe(manifestBytes1);

    // change beta's handler only
    await writeFile(path.join(dir, 'dist', 'handlers', 'beta.zip'), Buffer.from('PK fake beta zip v2'));
    const third = await run();
    const byArtifact = (r: typeof first) => Object.fromEntries(r.manifest.artifacts.map((a) => [a.artifact, a.key]));
    const before = byArtifact(first);
    const after = byArtifact(third);
    expect(after['dist/handlers/alpha.zip']).toBe(before['dist/handlers/alpha.zip']);
    expect(after['generated/alpha.yaml']).toBe(before['generated/alpha.yaml']);
    expect(third.uploaded).toEqual([after['dist/handlers/beta.zip'], after['generated/beta.yaml'], after['generated/root.yaml']].sort());
    expect(third.skipped).toEqual([before['dist/handlers/alpha.zip'], before['generated/alpha.yaml']].sort());
    await writeFile(path.join(dir, 'dist', 'handlers', 'beta.zip'), Buffer.from('PK fake beta zip v1'));
  });

  test('the rewritten root points at content-addressed child URLs whose objects hold the rewritten children', async () => {
    const result = await run();
    const root = parseTemplate(result.plan.packaged.get('generated/root.yaml')!);
    const alphaUrl = (root.Resources as Record<string, { Properties: { TemplateURL: string } }>).Alpha!.Properties.TemplateURL;
    expect(alphaUrl).toMatch(/^https:\/\/artifacts\.s3\.us-east-1\.amazonaws\.com\/templates\/[0-9a-f]{64}\.yaml$/);
    const key = alphaUrl.replace(`https://${BUCKET}.s3.${REGION}.amazonaws.com/`, '');
    const body = await s3.getBytes(BUCKET, key);
    expect(key).toBe(`templates/${sha256(body)}.yaml`);
    const alpha = parseTemplate(body.toString('utf8'));
    const code = (alpha.Resources as Record<string, { Properties: { Code: unknown } }>).AlphaFunction!.Properties.Code;
    expect(code).toEqual({ S3Bucket: BUCKET, S3Key: `handlers/alpha/${sha256(Buffer.from('PK fake alpha zip v1'))}.zip` });
  });

  test('the pipeline (--no-build, --bucket) packages and reports uploaded vs unchanged', async () => {
    const lines: string[] = [];
    const result = await runPackagePipeline({
      repoRoot: dir,
      stackName: 'demo',
      region: REGION,
      s3: s3.client,
      cfn: new CloudFormationClient({ region: REGION }),
      bucket: BUCKET,
      bootstrapStack: 'unused',
      account: '111122223333',
      noBuild: true,
      log: (l) => lines.push(l),
    });
    expect(result.uploaded).toEqual([]);
    expect(lines).toEqual([
      `packaged 5 artifacts into s3://${BUCKET}: 0 uploaded, 5 unchanged; manifest .deploy/demo-manifest.json, templates in .deploy/packaged/demo/us-east-1/`,
    ]);
  });

  test('the manifest is deterministic and sorted, mapping artifact → sha256 → key → stacks', async () => {
    const result = await run();
    const manifest = JSON.parse(await readFile(result.manifestPath, 'utf8'));
    expect(manifest.artifacts.map((a: { artifact: string }) => a.artifact)).toEqual([
      'dist/handlers/alpha.zip',
      'dist/handlers/beta.zip',
      'generated/alpha.yaml',
      'generated/beta.yaml',
      'generated/root.yaml',
    ]);
    expect(manifest.artifacts[0]).toEqual({
      artifact: 'dist/handlers/alpha.zip',
      kind: 'zip',
      sha256: sha256(Buffer.from('PK fake alpha zip v1')),
      key: `handlers/alpha/${sha256(Buffer.from('PK fake alpha zip v1'))}.zip`,
      stacks: ['generated/alpha.yaml'],
    });
    expect(manifest.artifacts[2].stacks).toEqual(['generated/root.yaml']);
    expect(manifest.root.template).toBe('generated/root.yaml');
    expect(result.manifestPath).toBe(path.join(dir, '.deploy', 'demo-manifest.json'));
  });
});

describe('planPackage (no S3)', () => {
  test('a custom endpoint gives path-style URLs', async () => {
    const dir = await makeProject();
    const plan = await planPackage({
      rootTemplate: path.join(dir, 'generated', 'root.yaml'),
      baseDir: dir,
      bucket: 'b',
      region: 'eu-west-1',
      endpoint: 'http://localhost:4566/',
    });
    expect(plan.root.url).toBe(`http://localhost:4566/b/templates/${plan.root.sha256}.yaml`);
    await rm(dir, { recursive: true, force: true });
  });

  test('missing artifacts are all reported at once, with the fix', async () => {
    const dir = await makeProject();
    await rm(path.join(dir, 'dist'), { recursive: true });
    await expect(planPackage({ rootTemplate: path.join(dir, 'generated', 'root.yaml'), baseDir: dir, bucket: 'b', region: REGION })).rejects.toThrow(
      [
        'generated/alpha.yaml: Resources.AlphaFunction.Properties.Code points at ../dist/handlers/alpha.zip (dist/handlers/alpha.zip), which does not exist; run npm run build:handlers',
        'generated/beta.yaml: Resources.BetaFunction.Properties.Code points at ../dist/handlers/beta.zip (dist/handlers/beta.zip), which does not exist; run npm run build:handlers',
      ].join('\n'),
    );
    await rm(dir, { recursive: true, force: true });
  });

  test.each([
    [
      'resources',
      { resources: 1, parameters: 200, outputs: 200, templateBytes: 1_048_576 },
      "generated/alpha.yaml: 2 resources, over CloudFormation's limit of 1 per stack; split the stack",
    ],
    [
      'outputs',
      { resources: 500, parameters: 200, outputs: 0, templateBytes: 1_048_576 },
      "generated/alpha.yaml: 1 outputs, over CloudFormation's limit of 0 per stack; split the stack",
    ],
    ['bytes', { resources: 500, parameters: 200, outputs: 200, templateBytes: 100 }, 'generated/alpha.yaml: template is'],
  ])('templates over a CloudFormation limit (%s) fail before upload', async (_name, limits, message) => {
    const dir = await makeProject();
    await expect(planPackage({ rootTemplate: path.join(dir, 'generated', 'root.yaml'), baseDir: dir, bucket: 'b', region: REGION, limits })).rejects.toThrow(
      message,
    );
    await rm(dir, { recursive: true, force: true });
  });
});

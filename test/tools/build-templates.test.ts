/**
 * build:templates type-checks what it builds and reports build errors as `file:line:col message`
 * lines without a stack trace; a failing check writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { typecheck } from '../../tools/lib/typecheck';

const REPO = path.resolve(__dirname, '..', '..');

describe('typecheck (templates-src/ before build:templates writes anything)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'typecheck-'));
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, incremental: true, tsBuildInfoFile: '.cache/x.tsbuildinfo', types: [] },
        include: ['src'],
      }),
    );
    await mkdir(path.join(dir, 'src'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const options = () => ({ root: dir, project: 'tsconfig.json', sourceDirs: ['src'], extraInputs: [] });

  test('a type error is one file:line:col line; after the fix the check passes, then is skipped while nothing changes', async () => {
    await writeFile(path.join(dir, 'src', 'stack.ts'), 'export const table: { ttlAttribute: string } = { ttlAttribute: 42 };\n');
    const failed = await typecheck(options());
    expect(failed).toEqual({ cached: false, errors: ["src/stack.ts:1:50 Type 'number' is not assignable to type 'string'."] });
    // Not cached after a failure: the same input is checked (and fails) again.
    expect((await typecheck(options())).cached).toBe(false);
    await writeFile(path.join(dir, 'src', 'stack.ts'), "export const table: { ttlAttribute: string } = { ttlAttribute: 'expiresAt' };\n");
    expect(await typecheck(options())).toEqual({ cached: false, errors: [] });
    expect(await typecheck(options())).toEqual({ cached: true, errors: [] });
  });

  test('a syntax error is reported the same way', async () => {
    await writeFile(path.join(dir, 'src', 'broken.ts'), 'export const x = ;\n');
    const result = await typecheck(options());
    expect(result.errors).toEqual(['src/broken.ts:1:18 Expression expected.']);
    await rm(path.join(dir, 'src', 'broken.ts'));
  });
});

describe('the build:templates command line', () => {
  test('a type error in templates-src/ exits 1, prints file:line:col lines and no stack, and writes nothing', async () => {
    // A copy of the inputs the check reads, run from there: the repository itself is not touched.
    const dir = await mkdtemp(path.join(tmpdir(), 'build-templates-'));
    try {
      for (const f of ['templates-src', 'contracts', 'generated', 'parameters']) await cp(path.join(REPO, f), path.join(dir, f), { recursive: true });
      for (const f of ['tsconfig.json', 'tsconfig.templates.json', 'package-lock.json', 'README.md']) await cp(path.join(REPO, f), path.join(dir, f));
      await symlink(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
      const compute = path.join(dir, 'templates-src', 'compute.ts');
      await writeFile(compute, `${await readFile(compute, 'utf8')}\nexport const broken: string = 42;\n`);
      const before = await readFile(path.join(dir, 'generated', 'compute.yaml'), 'utf8');
      await rm(path.join(dir, 'generated', 'root.yaml'));
      const r = spawnSync(process.execPath, [path.join(REPO, 'tools', 'run.cjs'), 'tools/build-templates.ts'], { cwd: dir, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /^templates-src\/compute\.ts:\d+:\d+ Type 'number' is not assignable to type 'string'\.\nbuild:templates: templates-src\/ does not type-check \(1 error\); nothing was written\n$/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await readFile(path.join(dir, 'generated', 'compute.yaml'), 'utf8')).toBe(before);
      await expect(readFile(path.join(dir, 'generated', 'root.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('a syntax error in a tool or a module it imports is file:line:col lines, exit 1, no stack', async () => {
    const dir = path.join(REPO, '.cache', 'test-run-syntax');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'entry.ts'), "import { x } from './broken';\nconsole.log(x);\n");
    await writeFile(path.join(dir, 'broken.ts'), 'export const x = {;\n');
    const r = spawnSync(process.execPath, ['tools/run.cjs', '.cache/test-run-syntax/entry.ts'], { cwd: REPO, encoding: 'utf8' });
    await rm(dir, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      '.cache/test-run-syntax/broken.ts:1:19 Expected identifier but found ";"\n.cache/test-run-syntax/entry.ts: cannot be built (1 error); nothing was run\n',
    );
  });
});

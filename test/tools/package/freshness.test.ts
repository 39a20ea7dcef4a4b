import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureHandlersFresh, referencedZips } from '../../../tools/lib/package/freshness';
import { makeProject } from './fixture';

describe('ensureHandlersFresh', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeProject();
    await mkdir(path.join(dir, 'handlers', 'alpha'), { recursive: true });
    await mkdir(path.join(dir, 'tools'), { recursive: true });
    await writeFile(path.join(dir, 'handlers', 'alpha', 'index.ts'), 'export {}');
    await writeFile(path.join(dir, 'tools', 'build-handlers.ts'), '');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const setTimes = async (file: string, seconds: number) => utimes(path.join(dir, file), seconds, seconds);

  test('finds the zips the templates reference', async () => {
    expect((await referencedZips(path.join(dir, 'generated'))).map((z) => path.relative(dir, z))).toEqual([
      'dist/handlers/alpha.zip',
      'dist/handlers/beta.zip',
    ]);
  });

  test('fresh zips: no build', async () => {
    await setTimes('handlers/alpha/index.ts', 1000);
    await setTimes('dist/handlers/alpha.zip', 2000);
    await setTimes('dist/handlers/beta.zip', 2000);
    const build = jest.fn(async () => {});
    expect(await ensureHandlersFresh({ repoRoot: dir, templateDir: path.join(dir, 'generated'), build })).toEqual([]);
    expect(build).not.toHaveBeenCalled();
  });

  test('a zip older than a handler source triggers npm run build:handlers', async () => {
    await setTimes('dist/handlers/alpha.zip', 1000);
    await setTimes('dist/handlers/beta.zip', 3000);
    await setTimes('handlers/alpha/index.ts', 2000);
    const build = jest.fn(async () => setTimes('dist/handlers/alpha.zip', 4000));
    const stale = await ensureHandlersFresh({ repoRoot: dir, templateDir: path.join(dir, 'generated'), build });
    expect(stale.map((z) => path.relative(dir, z))).toEqual(['dist/handlers/alpha.zip']);
    expect(build).toHaveBeenCalledWith(dir);
  });

  test('missing zips without tools/build-handlers.ts: a clear error', async () => {
    await rm(path.join(dir, 'tools'), { recursive: true });
    await rm(path.join(dir, 'dist', 'handlers', 'beta.zip'));
    await expect(ensureHandlersFresh({ repoRoot: dir, templateDir: path.join(dir, 'generated') })).rejects.toThrow(
      'dist/handlers/beta.zip missing or older than handlers/, and tools/build-handlers.ts does not exist to rebuild them; build the handler zips first',
    );
  });

  test('a build that does not produce a referenced zip is an error naming it', async () => {
    await rm(path.join(dir, 'dist', 'handlers', 'beta.zip'));
    await expect(ensureHandlersFresh({ repoRoot: dir, templateDir: path.join(dir, 'generated'), build: async () => {} })).rejects.toThrow(
      'npm run build:handlers did not produce dist/handlers/beta.zip; check the handler names in the templates',
    );
  });
});

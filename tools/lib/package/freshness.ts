/**
 * "Build if stale" before packaging: templates are re-synced from templates-src/ (the build
 * library writes only files whose bytes differ), and handlers are rebuilt when a referenced
 * `dist/handlers/<name>.zip` is missing or older than the newest file under handlers/.
 */
import { spawn } from 'node:child_process';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import { PackageError } from '../deploy/errors';
import { isLocalPath, packagerFor } from './registry';

/** Newest modification time (ms) of any file under `dir`; 0 when the directory is missing. */
export async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, await newestMtime(full));
    else if (e.isFile()) newest = Math.max(newest, (await stat(full)).mtimeMs);
  }
  return newest;
}

/** Zip paths (absolute) that the templates in `templateDir` reference, sorted. */
export async function referencedZips(templateDir: string): Promise<string[]> {
  const zips = new Set<string>();
  const files = (await readdir(templateDir).catch(() => [] as string[])).filter((f) => f.endsWith('.yaml'));
  for (const f of files) {
    const file = path.join(templateDir, f);
    const doc = parseTemplate(await readFile(file, 'utf8'), f);
    for (const resource of Object.values((doc.Resources as Record<string, { Type?: string; Properties?: Record<string, unknown> }>) ?? {})) {
      for (const [property, value] of Object.entries(resource?.Properties ?? {})) {
        const p = packagerFor(resource.Type ?? '', property);
        if (p?.kind === 'zip' && isLocalPath(value)) zips.add(path.resolve(templateDir, value));
      }
    }
  }
  return [...zips].sort();
}

/** The zips that are missing or older than the newest handler source. */
export async function staleZips(zips: readonly string[], handlersDir: string): Promise<string[]> {
  const sources = await newestMtime(handlersDir);
  const stale: string[] = [];
  for (const z of zips) {
    const s = await stat(z).catch(() => undefined);
    if (!s || s.mtimeMs < sources) stale.push(z);
  }
  return stale;
}

/** Runs `npm run build:handlers` in `cwd`, inheriting stdio; rejects on a non-zero exit. */
export function runBuildHandlers(cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:handlers'], { cwd, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new PackageError(`npm run build:handlers exited with ${code}; fix the build error above and retry`)),
    );
  });
}

export interface EnsureHandlersOptions {
  readonly repoRoot: string;
  readonly templateDir: string;
  /** Runs the handler build. @default runBuildHandlers */
  readonly build?: (cwd: string) => Promise<void>;
  readonly log?: (line: string) => void;
}

/** Rebuilds handlers when needed; returns the stale zips found (empty when everything was fresh). */
export async function ensureHandlersFresh(options: EnsureHandlersOptions): Promise<string[]> {
  const zips = await referencedZips(options.templateDir);
  const stale = await staleZips(zips, path.join(options.repoRoot, 'handlers'));
  if (stale.length === 0) return [];
  const script = path.join(options.repoRoot, 'tools', 'build-handlers.ts');
  const names = stale.map((z) => path.relative(options.repoRoot, z)).join(', ');
  if (
    !(await access(script).then(
      () => true,
      () => false,
    ))
  ) {
    throw new PackageError(
      `${names} missing or older than handlers/, and tools/build-handlers.ts does not exist to rebuild them; build the handler zips first`,
    );
  }
  options.log?.(`handlers are stale (${names}): running npm run build:handlers`);
  await (options.build ?? runBuildHandlers)(options.repoRoot);
  const still = await staleZips(zips, path.join(options.repoRoot, 'handlers'));
  const missing = [];
  for (const z of still)
    if (
      !(await access(z).then(
        () => true,
        () => false,
      ))
    )
      missing.push(path.relative(options.repoRoot, z));
  if (missing.length > 0) throw new PackageError(`npm run build:handlers did not produce ${missing.join(', ')}; check the handler names in the templates`);
  return stale;
}

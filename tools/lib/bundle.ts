/**
 * Lambda bundles (DESIGN §7): one esbuild run for every `handlers/<name>/index.ts`, then one
 * deterministic zip per function at `dist/handlers/<name>.zip` (entries sorted, fixed mtime and
 * mode), so identical input gives an identical sha256 and the packager's HEAD-then-skip holds.
 *
 * parquet-wasm's node build loads `${__dirname}/parquet_wasm_bg.wasm` at require time; esbuild
 * keeps `__dirname` as the bundle's own directory, so the wasm is put next to `index.js` in the
 * zip of every function whose bundle includes parquet-wasm (read from esbuild's metafile).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import standaloneCode from 'ajv/dist/standalone';
import { ZipFile } from 'yazl';
import { schemaAjv } from '../../handlers/lib/schema-validators';

/** The Lambda runtime (Node.js 22) and the matching esbuild target. */
export const NODE_TARGET = 'node22';
/** Fixed mtime of every zip entry (the DOS epoch is 1980; anything constant works). */
export const ZIP_MTIME = new Date('2000-01-01T00:00:00.000Z');
const WASM_NAME = 'parquet_wasm_bg.wasm';

export interface BundleOptions {
  /** Project root (holds `handlers/`). @default process.cwd() */
  readonly root?: string;
  /** Where zips go. @default `<root>/dist/handlers` */
  readonly outDir?: string;
  /** Only these functions. @default every directory of handlers/ with an index.ts, except lib */
  readonly only?: readonly string[];
}

export interface BundleResult {
  readonly name: string;
  readonly zipPath: string;
  /** Unpacked directory (`<outDir>/<name>/`) holding exactly the zip's files. */
  readonly dir: string;
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
  readonly zipBytes: number;
  readonly sha256: string;
}

/** `handlers/<name>/index.ts` for every handler directory, sorted by name. */
export async function discoverHandlers(root: string): Promise<string[]> {
  const entries = await readdir(join(root, 'handlers'), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && e.name !== 'lib' && existsSync(join(root, 'handlers', e.name, 'index.ts')))
    .map((e) => e.name)
    .sort();
}

/** Builds a zip deterministically from in-memory files (sorted by name, fixed mtime/mode). */
export function deterministicZip(files: readonly { name: string; data: Buffer }[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    zip.addBuffer(f.data, f.name, { mtime: ZIP_MTIME, mode: 0o100644, compress: true });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function usesParquetWasm(metafile: Metafile, outputPath: string): boolean {
  const output = metafile.outputs[outputPath];
  return output !== undefined && Object.keys(output.inputs).some((p) => p.includes('node_modules/parquet-wasm/'));
}

/**
 * Replaces handlers/lib/schema-validators.ts with ajv standalone code: the validators are
 * generated here, at build time, from the same schemas and options, so the bundles neither
 * ship the ajv compiler nor pay its ~55 ms compile at cold start.
 */
export function standaloneValidatorsPlugin(root: string): Plugin {
  return {
    name: 'ajv-standalone-validators',
    setup(b) {
      b.onLoad({ filter: /[\\/]handlers[\\/]lib[\\/]schema-validators\.ts$/ }, () => ({
        contents: standaloneCode(schemaAjv({ code: { source: true } }), { validateStock: 'stock', validateWeather: 'weather' }),
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}

/** One esbuild run for all handlers, then a zip per function. */
export async function bundleHandlers(options: BundleOptions = {}): Promise<BundleResult[]> {
  const root = options.root ?? process.cwd();
  const outDir = options.outDir ?? join(root, 'dist', 'handlers');
  const names = options.only ? [...options.only].sort() : await discoverHandlers(root);
  if (names.length === 0) throw new Error(`no handlers found under ${join(root, 'handlers')}: expected handlers/<name>/index.ts`);
  for (const name of names) await rm(join(outDir, name), { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(names.map((n) => [`${n}/index`, join(root, 'handlers', n, 'index.ts')])),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: NODE_TARGET,
    format: 'cjs',
    minify: true,
    treeShaking: true,
    // ESM builds first where packages ship both: they tree-shake (apache-arrow shrinks by half).
    mainFields: ['module', 'main'],
    legalComments: 'none',
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
    charset: 'utf8',
    plugins: [standaloneValidatorsPlugin(root)],
  });
  const wasmSource = join(root, 'node_modules', 'parquet-wasm', 'node', WASM_NAME);
  const results: BundleResult[] = [];
  for (const name of names) {
    const dir = join(outDir, name);
    const outputKey = relative(root, join(dir, 'index.js')).split('\\').join('/');
    const files = [{ name: 'index.js', data: await readFile(join(dir, 'index.js')) }];
    if (usesParquetWasm(result.metafile, outputKey)) {
      const wasm = await readFile(wasmSource);
      await writeFile(join(dir, WASM_NAME), wasm);
      files.push({ name: WASM_NAME, data: wasm });
    }
    const zip = await deterministicZip(files);
    const zipPath = join(outDir, `${name}.zip`);
    await writeFile(zipPath, zip);
    results.push({
      name,
      zipPath,
      dir,
      files: files.map((f) => ({ name: f.name, bytes: f.data.length })),
      zipBytes: zip.length,
      sha256: createHash('sha256').update(zip).digest('hex'),
    });
  }
  return results;
}

/** The printed size table: function, files, unpacked and zip size, sha256 prefix. */
export function sizeTable(results: readonly BundleResult[]): string {
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  const rows = results.map((r) => [
    r.name,
    r.files.map((f) => f.name).join(' + '),
    kb(r.files.reduce((s, f) => s + f.bytes, 0)),
    kb(r.zipBytes),
    r.sha256.slice(0, 12),
  ]);
  const header = ['function', 'files', 'unpacked', 'zip', 'sha256'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i >= 2 && i <= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

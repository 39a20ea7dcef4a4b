/**
 * `build:templates` type-checks what it builds: the bundle that runs the build strips types
 * (esbuild), so without this `ttlAttribute: 42` in a stack module would build, exit 0 and write
 * `AttributeName: 42` into generated/.
 *
 * | inputs since the last clean check      | cost                    | what runs                                   |
 * |----------------------------------------|-------------------------|---------------------------------------------|
 * | unchanged (same paths, sizes, mtimes)  | ~2 ms: a stat per file  | nothing (TypeScript is not even loaded)     |
 * | changed                                | ~1-3 s on 2 cores       | incremental program (tsBuildInfoFile under .cache/) |
 *
 * The inputs are the project (`tsconfig.templates.json`: templates-src/ and contracts/), the
 * tsconfig files and package-lock.json (a dependency upgrade can change the types). A check
 * with errors leaves the stamp unwritten, so the next run checks again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface TypecheckOptions {
  /** Repository root; file names in messages are relative to it. */
  readonly root: string;
  /** The tsconfig of the checked project, relative to root. @default 'tsconfig.templates.json' */
  readonly project?: string;
  /** Directories (relative to root) whose .ts files are inputs. @default ['templates-src', 'contracts'] */
  readonly sourceDirs?: readonly string[];
  /** Other files whose change invalidates the stamp. @default ['tsconfig.json', 'package-lock.json'] */
  readonly extraInputs?: readonly string[];
  /** Where the stamp lives (relative to root). @default '.cache/typecheck/templates-src.stamp' */
  readonly stampFile?: string;
}

export interface TypecheckResult {
  /** True when the stamp matched and TypeScript did not run. */
  readonly cached: boolean;
  /** One line per error: `file:line:col message`. Empty when the project type-checks. */
  readonly errors: readonly string[];
}

async function listTs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listTs(full)));
    else if (e.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** A digest of every input's path, size and mtime. */
async function stampOf(root: string, files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    const s = await stat(file).catch(() => undefined);
    hash.update(`${path.relative(root, file)}\0${s ? `${s.size}\0${s.mtimeMs}` : 'missing'}\n`);
  }
  return hash.digest('hex');
}

/**
 * Type-checks the project unless nothing changed since the last clean check. Never throws for
 * type errors: they are returned, formatted.
 */
export async function typecheck(options: TypecheckOptions): Promise<TypecheckResult> {
  const {
    root,
    project = 'tsconfig.templates.json',
    sourceDirs = ['templates-src', 'contracts'],
    extraInputs = ['tsconfig.json', 'package-lock.json'],
  } = options;
  const stampFile = path.join(root, options.stampFile ?? '.cache/typecheck/templates-src.stamp');
  const sources = (await Promise.all(sourceDirs.map((d) => listTs(path.join(root, d))))).flat();
  const stamp = await stampOf(root, [...sources, path.join(root, project), ...extraInputs.map((f) => path.join(root, f))]);
  if ((await readFile(stampFile, 'utf8').catch(() => '')) === stamp) return { cached: true, errors: [] };

  // Loaded only when something changed: requiring TypeScript alone costs ~0.3 s.
  const ts = (await import('typescript')).default;
  const configPath = path.join(root, project);
  const host: import('typescript').ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => undefined,
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, host);
  const format = (d: import('typescript').Diagnostic): string => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\s+/g, ' ');
    if (!d.file || d.start === undefined) return `${path.relative(root, configPath)}: ${message}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${path.relative(root, d.file.fileName)}:${line + 1}:${character + 1} ${message}`;
  };
  if (!parsed || parsed.errors.length > 0) return { cached: false, errors: (parsed?.errors ?? []).map(format) };
  const program = ts.createIncrementalProgram({ rootNames: parsed.fileNames, options: parsed.options, configFileParsingDiagnostics: parsed.errors });
  const diagnostics = [
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostics.length > 0) return { cached: false, errors: diagnostics.map(format) };
  program.emit(); // noEmit: writes only the .tsbuildinfo, which makes the next check incremental
  await mkdir(path.dirname(stampFile), { recursive: true });
  await writeFile(stampFile, stamp);
  return { cached: false, errors: [] };
}

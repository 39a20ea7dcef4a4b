/**
 * Reads the generated templates at a git ref (`git ls-tree` + `git show <ref>:<path>`) or from the
 * working tree. Git runs locally: no network, no AWS credentials.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import type { Json } from '../grade/tree';
import { ToolError } from '../errors';

const run = promisify(execFile);

/** A git command failed; the message says which ref and what to do (exit code 1). */
export class GitSourceError extends ToolError {
  override readonly name = 'GitSourceError';
}

async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', [...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export interface TemplateSource {
  /** How the side is named in the report (`origin/main`, `working tree`). */
  readonly label: string;
  /** File name (relative to the templates directory) → YAML text. */
  readonly texts: ReadonlyMap<string, string>;
}

/**
 * The `*.yaml` files under `dir` (relative to the repository root `cwd`) at `ref`.
 * Throws GitSourceError when `cwd` is not a git repository or the ref does not exist.
 */
export async function readAtRef(cwd: string, ref: string, dir = 'generated'): Promise<TemplateSource> {
  try {
    await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new GitSourceError(`diff:templates: git ref "${ref}" is not a commit in ${cwd} (fetch it first, e.g. git fetch origin main, or pass another --base)`);
  }
  const prefix = `${dir.replace(/\/+$/, '')}/`;
  const listing = await git(cwd, ['ls-tree', '-r', '-z', '--name-only', ref, '--', prefix]);
  const files = listing
    .split('\0')
    .filter((f) => f.startsWith(prefix) && f.endsWith('.yaml'))
    .sort();
  const texts = new Map<string, string>();
  for (const f of files) texts.set(f.slice(prefix.length), await git(cwd, ['show', `${ref}:${f}`]));
  return { label: ref, texts };
}

/** The `*.yaml` files under `dir` on disk (top level and subdirectories). */
export async function readWorkingTree(dir: string): Promise<TemplateSource> {
  const texts = new Map<string, string>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  for (const f of files) texts.set(f, await readFile(path.join(dir, f), 'utf8'));
  return { label: 'working tree', texts };
}

/** Parses every text of a source; errors name the side and the file. */
export function parseSource(source: TemplateSource): Map<string, Json> {
  return new Map([...source.texts].map(([file, text]) => [file, parseTemplate(text, `${source.label}:${file}`)]));
}

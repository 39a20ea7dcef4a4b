/**
 * Builds every template of the registry plus root into generated/, or (check mode) reports the
 * files that differ from what the sources build now. Output is byte-identical on every run:
 * the sources are pure and the emitter is deterministic.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROADMAP } from '../../templates-src/roadmap';
import { buildRoot } from '../../templates-src/root';
import { ROOT, STACKS, STANDALONE } from '../../templates-src/stacks';
import { emitTemplate } from '../../templates-src/lib/yaml';

export interface BuiltTemplate {
  readonly file: string;
  readonly source: string;
  readonly text: string;
}

function stepTitles(steps: readonly number[]): string {
  return steps.map((n) => `${n} (${ROADMAP.find((s) => s.step === n)?.title ?? '?'})`).join(', ');
}

function header(file: string, source: string, steps: readonly number[]): string[] {
  return [
    `${file}: generated from ${source} by \`npm run build:templates\`. Do not edit by hand.`,
    `Roadmap steps: ${stepTitles(steps)}. Metadata.Roadmap maps each roadmap bullet to its logical IDs.`,
  ];
}

/** Builds all templates in memory (root first, then the registry order, then the standalone templates). */
export function buildAll(): BuiltTemplate[] {
  const built: BuiltTemplate[] = [
    { file: ROOT.file, source: ROOT.source, text: emitTemplate(buildRoot(STACKS), { header: header(ROOT.file, ROOT.source, ROOT.steps) }) },
  ];
  for (const s of [...STACKS, ...STANDALONE]) {
    let text: string;
    try {
      text = emitTemplate(s.build(), { header: header(s.file, s.source, s.steps) });
    } catch (error) {
      throw new Error(`${s.source}: ${(error as Error).message}`, { cause: error });
    }
    built.push({ file: s.file, source: s.source, text });
  }
  return built;
}

export interface SyncResult {
  /** Files whose content changed (written, or stale in check mode). */
  readonly changed: string[];
  /** Files in the directory that no source produces (deleted, or reported in check mode). */
  readonly extra: string[];
  readonly total: number;
}

/**
 * Writes the built templates into `dir` (only files whose bytes differ), removing YAML files no
 * source produces. With `check`, writes nothing and reports what would change.
 */
export async function syncTemplates(dir: string, options: { check: boolean }): Promise<SyncResult> {
  const built = buildAll();
  await mkdir(dir, { recursive: true });
  const changed: string[] = [];
  for (const t of built) {
    const target = path.join(dir, t.file);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (current === t.text) continue;
    changed.push(t.file);
    if (!options.check) await writeFile(target, t.text);
  }
  const expected = new Set(built.map((t) => t.file));
  const extra = (await readdir(dir)).filter((f) => f.endsWith('.yaml') && !expected.has(f)).sort();
  if (!options.check) {
    const { rm } = await import('node:fs/promises');
    for (const f of extra) await rm(path.join(dir, f));
  }
  return { changed, extra, total: built.length };
}

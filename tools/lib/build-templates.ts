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
import { emitTemplate, verifyEmitted } from '../../templates-src/lib/yaml';
import { diagramOfDocuments, syncReadme } from './report/readme';
import { renderRoadmapDoc, syncRoadmapDoc } from './report/roadmap-doc';

export interface BuiltTemplate {
  readonly file: string;
  readonly source: string;
  readonly text: string;
  /** The document the source built (for the README architecture diagram). */
  readonly document: object;
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

/**
 * Builds all templates in memory (root first, then the registry order, then the standalone
 * templates). `verify: false` skips the emitter's re-parse check; the caller must then verify
 * what it writes (syncTemplates does).
 */
export function buildAll(options: { verify?: boolean } = {}): BuiltTemplate[] {
  const verify = options.verify ?? true;
  const rootDocument = buildRoot(STACKS);
  const built: BuiltTemplate[] = [
    {
      file: ROOT.file,
      source: ROOT.source,
      text: emitTemplate(rootDocument, { header: header(ROOT.file, ROOT.source, ROOT.steps), verify }),
      document: rootDocument,
    },
  ];
  for (const s of [...STACKS, ...STANDALONE]) {
    let text: string;
    let document: object;
    try {
      document = s.build();
      text = emitTemplate(document, { header: header(s.file, s.source, s.steps), verify });
    } catch (error) {
      throw new Error(`${s.source}: ${(error as Error).message}`, { cause: error });
    }
    built.push({ file: s.file, source: s.source, text, document });
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
export async function syncTemplates(dir: string, options: { check: boolean; readme?: string; roadmapDoc?: string }): Promise<SyncResult> {
  // Files equal to what is on disk were verified when written; only changed ones are re-parsed.
  const built = buildAll({ verify: false });
  await mkdir(dir, { recursive: true });
  const changed: string[] = [];
  for (const t of built) {
    const target = path.join(dir, t.file);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (current === t.text) continue;
    try {
      verifyEmitted(t.text, t.document);
    } catch (error) {
      throw new Error(`${t.source}: ${(error as Error).message}`, { cause: error });
    }
    changed.push(t.file);
    if (!options.check) await writeFile(target, t.text);
  }
  const expected = new Set(built.map((t) => t.file));
  const extra = (await readdir(dir)).filter((f) => f.endsWith('.yaml') && !expected.has(f)).sort();
  if (!options.check) {
    const { rm } = await import('node:fs/promises');
    for (const f of extra) await rm(path.join(dir, f));
  }
  // The README's architecture diagram is rebuilt from the same documents; a stale section is
  // reported like a stale template (as a path relative to `dir`, e.g. ../README.md).
  const readme = options.readme ?? path.join(path.dirname(path.resolve(dir)), 'README.md');
  if ((await syncReadme(readme, () => diagramOfDocuments(built, ROOT.file), options)) === 'changed') changed.push(path.relative(dir, readme));
  // docs/roadmap.md is written from templates-src/roadmap.ts the same way.
  const roadmapDoc = options.roadmapDoc ?? path.join(path.dirname(path.resolve(dir)), 'docs', 'roadmap.md');
  if (await syncRoadmapDoc(roadmapDoc, renderRoadmapDoc(ROADMAP, [ROOT, ...STACKS, ...STANDALONE]), options)) changed.push(path.relative(dir, roadmapDoc));
  return { changed, extra, total: built.length };
}

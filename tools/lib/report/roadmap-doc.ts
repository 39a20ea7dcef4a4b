/**
 * docs/roadmap.md, written from templates-src/roadmap.ts by build:templates (and compared by
 * `--check`, like the README diagram), so the roadmap a user reads in the repository has the same
 * steps, bullet IDs and optional marks the grader and `Metadata.Roadmap` use.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RoadmapStep } from '../../../templates-src/roadmap';

/** What the document needs of a registry entry: which generated file implements which steps. */
export interface RoadmapDocStack {
  readonly file: string;
  readonly steps: readonly number[];
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The Markdown of docs/roadmap.md. `generatedDir` is the link prefix to generated/ from docs/. */
export function renderRoadmapDoc(roadmap: readonly RoadmapStep[], stacks: readonly RoadmapDocStack[], generatedDir = '../generated'): string {
  const lines = [
    '# Roadmap',
    '',
    '<!-- Generated from templates-src/roadmap.ts by `npm run build:templates`. Do not edit by hand. -->',
    '',
    'The platform is built in eleven steps. Every bullet has a stable ID: `npm run grade` grades each one',
    '(see the README, "For instructors"), rubrics give weights by ID, and each template in `generated/`',
    'maps IDs to the logical IDs that implement them in `Metadata.Roadmap`.',
    '',
    '| Step | Title | Files the roadmap names | Bullets |',
    '| --- | --- | --- | --- |',
    ...roadmap.map((s) => `| ${s.step} | ${cell(s.title)} | ${s.files.map((f) => `\`${f}\``).join(', ')} | ${s.bullets.map((b) => b.id).join(', ')} |`),
  ];
  for (const s of roadmap) {
    lines.push('', `## Step ${s.step} – ${s.title} (${s.files.map((f) => `\`${f}\``).join(' + ')})`, '');
    const implementedBy = stacks.filter((x) => x.steps.includes(s.step)).map((x) => `[\`${x.file}\`](${generatedDir}/${x.file})`);
    if (implementedBy.length > 0) lines.push(`Implemented in ${implementedBy.join(', ')}.`, '');
    lines.push('| ID | Bullet |', '| --- | --- |');
    for (const b of s.bullets) lines.push(`| ${b.id} | ${cell(b.text)}${b.optional ? ' *(optional: not required for full marks)*' : ''} |`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes (or, with `check`, only compares) the document; true when it differed. A project without
 * the docs directory (a test's scratch copy) is left alone, like a README without markers.
 */
export async function syncRoadmapDoc(docPath: string, content: string, options: { check: boolean }): Promise<boolean> {
  if (!existsSync(path.dirname(docPath))) return false;
  const current = await readFile(docPath, 'utf8').catch(() => undefined);
  if (current === content) return false;
  if (!options.check) await writeFile(docPath, content);
  return true;
}

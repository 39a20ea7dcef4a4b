/**
 * Keeps README.md's architecture section (between `<!-- architecture:start -->` and
 * `<!-- architecture:end -->`) equal to the diagram of the templates just built. Called by
 * build:templates, so the diagram cannot go stale: `--check` reports README.md when it differs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { buildDiagram, README_START, replaceReadmeSection } from './diagram';
import { TemplateTree, type Json } from '../grade/tree';

export type ReadmeStatus =
  /** No README.md, or no markers in it: nothing to do. */
  | 'absent'
  | 'unchanged'
  /** The section differs (written, or stale in check mode). */
  | 'changed';

/** The diagram of templates built in memory (documents as the stack modules return them). */
export function diagramOfDocuments(templates: readonly { readonly file: string; readonly document: object }[], rootFile: string): string {
  const files = templates.map((t) => ({ file: t.file, template: JSON.parse(JSON.stringify(t.document)) as Json }));
  return buildDiagram(new TemplateTree(files, rootFile));
}

/** Rewrites (or, with `check`, only compares) the README section. */
/** `diagram` is called only when the README has the markers. */
export async function syncReadme(readmePath: string, diagram: () => string, options: { check: boolean }): Promise<ReadmeStatus> {
  const current = await readFile(readmePath, 'utf8').catch(() => undefined);
  if (current === undefined) return 'absent';
  if (!current.includes(README_START)) return 'absent';
  const next = replaceReadmeSection(current, diagram());
  if (next === undefined) return 'absent';
  if (next === current) return 'unchanged';
  if (!options.check) await writeFile(readmePath, next);
  return 'changed';
}

/** Reads generated/ and the registry, builds the report and the diagram, writes report/. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROADMAP } from '../../../templates-src/roadmap';
import { ROOT, STACKS, STANDALONE } from '../../../templates-src/stacks';
import { buildDiagram } from './diagram';
import { loadTree, type TemplateTree } from './model';
import { buildReport, renderJson, renderMarkdown, type RoadmapReport } from './report';
import { readRepoFacts } from './repo';

/** Every file the registry produces, root first, then the registry order, then standalone templates. */
export function registryFiles(): string[] {
  return [ROOT.file, ...STACKS.map((s) => s.file), ...STANDALONE.map((s) => s.file)];
}

export interface ReportOptions {
  /** Project root (git work tree). @default process.cwd() */
  readonly projectDir?: string;
  /** Templates directory. @default <projectDir>/generated */
  readonly generatedDir?: string;
  /** Output directory for roadmap.md and roadmap.json. @default <projectDir>/report */
  readonly outDir?: string;
}

export interface ReportRun {
  readonly report: RoadmapReport;
  readonly diagram: string;
  readonly tree: TemplateTree;
  readonly written: readonly string[];
  /** Registry files missing from generated/. */
  readonly missing: readonly string[];
}

export async function writeReport(options: ReportOptions = {}): Promise<ReportRun> {
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  const generatedDir = path.resolve(projectDir, options.generatedDir ?? 'generated');
  const outDir = path.resolve(projectDir, options.outDir ?? 'report');
  const files = registryFiles();
  const tree = await loadTree(generatedDir, files, ROOT.file);
  const missing = files.filter((f) => !tree.get(f));
  const report = buildReport(ROADMAP, {
    tree,
    repo: readRepoFacts(projectDir, generatedDir),
    expectedFiles: files,
    nested: STACKS.map((s) => ({ id: s.id, file: s.file, steps: s.steps })),
  }, [ROOT, ...STACKS, ...STANDALONE]);
  const diagram = buildDiagram(tree);
  await mkdir(outDir, { recursive: true });
  const md = path.join(outDir, 'roadmap.md');
  const json = path.join(outDir, 'roadmap.json');
  await writeFile(md, renderMarkdown(report, diagram));
  await writeFile(json, renderJson(report));
  return { report, diagram, tree, written: [md, json], missing };
}

/** diff:templates as a library: read both sides, compare, render. */
import path from 'node:path';
import { TemplateTree } from '../grade/tree';
import { diffTrees, type TreeDiff } from './diff';
import { costSections, defaultParameterFiles, renderCostSections, type CostSection } from './cost';
import { renderMarkdown, renderText } from './render';
import { parseSource, readAtRef, readWorkingTree } from './sources';
import { replacementSpec, type ReplacementSpec } from './spec';

export interface DiffOptions {
  /** Repository root. @default process.cwd() */
  readonly cwd?: string;
  /** Git ref of the base side. */
  readonly base: string;
  /** Git ref of the head side. @default the working tree */
  readonly head?: string;
  /** Templates directory, relative to the repository root. @default generated */
  readonly dir?: string;
  /** @default markdown */
  readonly format?: 'markdown' | 'text';
  /** Replacement spec. @default the CloudFormation spec from @aws-cdk/aws-service-spec */
  readonly spec?: () => ReplacementSpec;
  /**
   * Parameter files to estimate the monthly cost delta with (working tree), or false for none.
   * @default every parameters/*.json but the schema
   */
  readonly costParams?: readonly string[] | false;
}

export interface DiffRun {
  readonly diff: TreeDiff;
  /** The monthly cost delta per parameter file. */
  readonly cost: readonly CostSection[];
  readonly output: string;
}

/** Stack logical IDs of nested files, from root on either side. */
function stackIds(...sides: ReadonlyMap<string, Record<string, unknown>>[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const side of sides) {
    const tree = new TemplateTree([...side].map(([file, template]) => ({ file, template })));
    for (const file of side.keys()) {
      const id = tree.stackIdOf(file);
      if (id && !out.has(file)) out.set(file, id);
    }
  }
  return out;
}

export async function diffTemplates(options: DiffOptions): Promise<DiffRun> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const dir = options.dir ?? 'generated';
  const baseSource = await readAtRef(cwd, options.base, dir);
  const headSource = options.head ? await readAtRef(cwd, options.head, dir) : await readWorkingTree(path.join(cwd, dir));
  const before = parseSource(baseSource);
  const after = parseSource(headSource);
  const diff = diffTrees({ before, after, stacks: stackIds(after, before), spec: options.spec ?? replacementSpec });
  const params = options.costParams === false ? [] : (options.costParams ?? (await defaultParameterFiles(cwd)));
  const cost = params.length > 0 && diff.files.some((f) => f.action !== 'unchanged') ? await costSections(cwd, before, after, params) : [];
  const markdown = options.format !== 'text';
  const render = markdown ? renderMarkdown : renderText;
  return { diff, cost, output: render(diff, { base: baseSource.label, head: headSource.label, cost: renderCostSections(cost, markdown) }) };
}

/** diff:templates as a library: read both sides, compare, render. */
import path from 'node:path';
import { TemplateTree } from '../grade/tree';
import { diffTrees, type TreeDiff } from './diff';
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
}

export interface DiffRun {
  readonly diff: TreeDiff;
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
  const render = options.format === 'text' ? renderText : renderMarkdown;
  return { diff, output: render(diff, { base: baseSource.label, head: headSource.label }) };
}

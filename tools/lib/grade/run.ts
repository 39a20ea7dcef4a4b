/**
 * `npm run grade` as a library: read every submission, lint them all in one go, grade each, and
 * write `<out>/<name>/grade.md`, `<out>/<name>/grade.json`, `<out>/gradebook.csv` and
 * `<out>/gradebook.md`. A submission that cannot be read at all (no such path) is a usage error;
 * anything inside a submission (broken files, odd templates) is graded, never thrown.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors';
import { loadSpec } from '../validate/spec';
import type { RepoFacts } from './checks';
import { gradeSubmission, type SubmissionGrade } from './grade';
import { lintAll, readerFindings, scoreQuality, securityFindings, specificationFindings, type LintStatus, type QualityFinding } from './quality';
import { readSubmission, type Submission } from './read';
import { readRepoFacts } from './repo';
import { renderGradebookCsv, renderGradebookMarkdown, renderGradeJson, renderGradeMarkdown } from './render';
import type { Rubric } from './rubric';

export interface GradeRunOptions {
  /** Submission folders or template files. */
  readonly inputs: readonly string[];
  readonly rubric: Rubric;
  /** Output directory; nothing is written when undefined. */
  readonly outDir?: string;
  /** Run cfn-lint when on PATH. @default the rubric's quality.cfnLint */
  readonly cfnLint?: 'auto' | 'off';
  /** The cfn-lint executable. @default cfn-lint */
  readonly cfnLintCommand?: string;
  /** Cache of cfn-lint results by content; false to switch it off. @default .cache/grade/cfn-lint */
  readonly cfnLintCache?: string | false;
  /** Reads version-control facts of a submission directory. @default git (readRepoFacts) */
  readonly repoFacts?: (dir: string) => Promise<RepoFacts>;
  /** Extra right files per step for placement (npm run report passes the registry). @default none */
  readonly placementFiles?: ReadonlyMap<number, readonly string[]>;
  /** Gradebook names, one per input. @default the folder or file name */
  readonly names?: readonly string[];
}

export interface GradeRun {
  /** Sorted by submission name. */
  readonly grades: readonly SubmissionGrade[];
  readonly lint: LintStatus;
  readonly written: readonly string[];
  /** The submissions as read, in input order (names made unique). */
  readonly submissions: readonly Submission[];
}

/** Folder-safe, unique names: `alice`, `alice-2`. */
function uniqueNames(names: readonly string[]): string[] {
  const used = new Map<string, number>();
  return names.map((n) => {
    const base = n.replace(/[^A-Za-z0-9._-]+/g, '-') || 'submission';
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    return count === 1 ? base : `${base}-${count}`;
  });
}

export async function gradeAll(options: GradeRunOptions): Promise<GradeRun> {
  if (options.inputs.length === 0) throw new UsageError('name at least one submission (a folder or a template file)');
  const spec = loadSpec();
  const knownTypes = new Set(Object.keys(spec.resources));
  const read: Submission[] = [];
  for (const input of options.inputs) {
    try {
      read.push(await readSubmission(input, { knownTypes }));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`${input}: no such folder or file`);
      throw error;
    }
  }
  const names = uniqueNames(options.names ?? read.map((s) => s.name));
  const submissions = read.map((s, i) => ({ ...s, name: names[i]! }));
  const wantLint = (options.cfnLint ?? options.rubric.quality.cfnLint) === 'auto';
  const linted = wantLint
    ? await lintAll(submissions, {
        ...(options.cfnLintCommand ? { command: options.cfnLintCommand } : {}),
        ...(options.cfnLintCache !== undefined ? { cacheDir: options.cfnLintCache } : {}),
      })
    : { status: { linter: 'none' as const, reason: 'switched off (--no-lint or the rubric)' } };
  const lint: LintStatus = linted.status.linter === 'cfn-lint' ? linted.status : { linter: 'specification', reason: linted.status.reason };
  const repoFacts = options.repoFacts ?? readRepoFacts;
  const grades: SubmissionGrade[] = [];
  for (const s of submissions) {
    const lintFindings: QualityFinding[] = 'findings' in linted ? (linted.findings.get(s) ?? []) : specificationFindings(s);
    const findings = [...lintFindings, ...securityFindings(s, options.rubric.quality.securityRules), ...readerFindings(s, lint.linter === 'cfn-lint')];
    const quality = scoreQuality(findings, lint, options.rubric, { templates: s.templates.length });
    grades.push(
      gradeSubmission(s, {
        rubric: options.rubric,
        repo: await repoFacts(s.dir),
        quality,
        ...(options.placementFiles ? { placementFiles: options.placementFiles } : {}),
      }),
    );
  }
  grades.sort((a, b) => (a.submission < b.submission ? -1 : a.submission > b.submission ? 1 : 0));
  const written: string[] = [];
  if (options.outDir !== undefined) {
    for (const g of grades) {
      const dir = path.join(options.outDir, g.submission);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'grade.md'), renderGradeMarkdown(g));
      await writeFile(path.join(dir, 'grade.json'), renderGradeJson(g));
      written.push(path.join(dir, 'grade.md'), path.join(dir, 'grade.json'));
    }
    await writeFile(path.join(options.outDir, 'gradebook.csv'), renderGradebookCsv(grades));
    await writeFile(path.join(options.outDir, 'gradebook.md'), renderGradebookMarkdown(grades, options.rubric.source));
    written.push(path.join(options.outDir, 'gradebook.csv'), path.join(options.outDir, 'gradebook.md'));
  }
  return { grades, lint, written, submissions };
}

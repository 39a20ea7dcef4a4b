/**
 * The quality line of a grade: per file, the official linter's errors and warnings when cfn-lint
 * is on PATH (else the CloudFormation specification checks of `npm run validate` stand in, and
 * the grade says so), our security rules (the rubric picks which), and what the reader noticed
 * (unknown tags and resource types, broken files). Each finding deducts by its severity.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CFN_LINT_IGNORED, checkSecurity, runCfnLint, SECURITY_RULES, type Finding } from '../validate';
import { checkAttributes, checkResources, loadSpec } from '../validate/spec';
import type { Submission } from './read';
import type { Rubric } from './rubric';
import { isRecord, localTemplatePath, section } from './tree';

export type QualitySource = 'cfn-lint' | 'specification' | 'security' | 'reader';

export interface QualityFinding {
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  readonly logicalId: string;
  readonly path: string;
  readonly rule: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly fix: string;
  readonly source: QualitySource;
}

/** Which linter produced the lint findings, or why none ran. */
export type LintStatus = { readonly linter: 'cfn-lint'; readonly version: string } | { readonly linter: 'specification'; readonly reason: string };

export interface QualityResult {
  readonly score: number;
  readonly lint: LintStatus;
  readonly findings: readonly QualityFinding[];
  /** Quality lost, before the floor at 0. */
  readonly deducted: number;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Security rule findings of a submission (the rubric's rules only). */
export function securityFindings(submission: Submission, ruleIds: readonly string[]): QualityFinding[] {
  const rules = SECURITY_RULES.filter((r) => ruleIds.includes(r.id));
  const files = submission.templates.map((t) => ({ file: t.file, doc: t.template }));
  // The rules' fixes name this project's helpers (encryptedBucket(), our CMKs); a student gets the rule's requirement instead.
  const info = new Map(rules.map((r) => [r.id, r.info]));
  return files.flatMap((f) =>
    checkSecurity(f, files, rules, {}, loadSpec()).map(
      (x): QualityFinding => ({ ...withLine(submission, { ...x, fix: info.get(x.rule) ?? x.fix }), source: 'security' }),
    ),
  );
}

function withLine(submission: Submission, f: Finding): Omit<QualityFinding, 'source'> {
  const line = submission.templates.find((t) => t.file === f.file)?.lines?.get(f.logicalId);
  return {
    file: f.file,
    ...(line !== undefined ? { line } : {}),
    logicalId: f.logicalId,
    path: f.path,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    fix: f.fix,
  };
}

/** The specification checks (resource types, property names, required properties, attributes) when cfn-lint is absent. */
export function specificationFindings(submission: Submission): QualityFinding[] {
  const spec = loadSpec();
  return submission.templates.flatMap((t) => {
    const expanded = t.expandedFrom ?? new Map<string, string>();
    return [...checkResources(t.template, spec), ...checkAttributes(t.template, spec)]
      .filter((i) => !expanded.has(i.logicalId) && i.rule !== 'spec-resource-type')
      .map((i): QualityFinding => ({ ...withLine(submission, { file: t.file, ...i }), source: 'specification' }));
  });
}

/** Reader findings cfn-lint reports itself when it runs (so they are not counted twice). */
const LINTER_COVERS = new Set(['unknown-resource-type', 'unknown-tag']);

/**
 * The reader's findings that are about quality: broken files, unknown tags and types (when no
 * linter ran), nested templates not submitted. Files that are not templates are listed, not deducted.
 */
export function readerFindings(submission: Submission, linterRan: boolean): QualityFinding[] {
  return submission.findings
    .filter((f) => f.rule !== 'not-a-template' && f.rule !== 'no-templates' && !(linterRan && LINTER_COVERS.has(f.rule)))
    .map((f) => ({
      file: f.file,
      ...(f.line !== undefined ? { line: f.line } : {}),
      logicalId: f.logicalId ?? '(file)',
      path: '-',
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      fix: f.fix,
      source: 'reader' as const,
    }));
}

/** A cached cfn-lint result of one file (its findings with the file left out). */
interface CachedLint {
  readonly version: string;
  readonly findings: readonly Omit<QualityFinding, 'file'>[];
}

/**
 * What a file's cfn-lint result depends on: its text, the texts of the local templates it nests
 * (cfn-lint checks nested stack parameters against them) and the checks we switch off. The
 * cfn-lint version is stored in the entry and compared after the run.
 */
async function lintKey(absolute: string, template: Submission['templates'][number]): Promise<string> {
  const hash = createHash('sha256')
    .update(JSON.stringify(CFN_LINT_IGNORED))
    .update('\0')
    .update(await readFile(absolute));
  for (const [, r] of Object.entries(section(template.template, 'Resources'))) {
    const local = isRecord(r) && r.Type === 'AWS::CloudFormation::Stack' ? localTemplatePath(section(r, 'Properties').TemplateURL) : undefined;
    if (local !== undefined)
      hash
        .update('\0')
        .update(local)
        .update('\0')
        .update(await readFile(path.resolve(path.dirname(absolute), local)).catch(() => Buffer.from('missing')));
  }
  return hash.digest('hex');
}

export interface LintOptions {
  /** Parallel cfn-lint processes. @default 2 */
  readonly processes?: number;
  /** The cfn-lint executable. @default cfn-lint */
  readonly command?: string;
  /**
   * Where results are kept by content, so grading the class again (a changed rubric, one late
   * submission) lints only what changed; false to switch it off. @default .cache/grade/cfn-lint
   */
  readonly cacheDir?: string | false;
}

/**
 * cfn-lint over every template of every submission at once (two processes: cfn-lint starts in
 * about a second and lints ~70 resources a second), findings keyed by submission. Results are
 * cached by content; an entry of another cfn-lint version is linted again.
 */
export async function lintAll(
  submissions: readonly Submission[],
  options: LintOptions = {},
): Promise<{ status: LintStatus; findings: Map<Submission, QualityFinding[]> } | { status: { linter: 'none'; reason: string } }> {
  const files: { submission: Submission; file: string; absolute: string; bytes: number; key: string }[] = [];
  for (const s of submissions) {
    for (const t of s.templates) {
      const absolute = s.paths.get(t.file)!;
      files.push({ submission: s, file: t.file, absolute, bytes: s.files.find((f) => f.file === t.file)?.bytes ?? 0, key: await lintKey(absolute, t) });
    }
  }
  const cacheDir = options.cacheDir === false ? undefined : path.resolve(options.cacheDir ?? '.cache/grade/cfn-lint');
  const cached = new Map<string, CachedLint>();
  if (cacheDir) {
    for (const f of files) {
      const entry = await readFile(path.join(cacheDir, `${f.key}.json`), 'utf8').then(
        (t) => JSON.parse(t) as CachedLint,
        () => undefined,
      );
      if (entry) cached.set(f.key, entry);
    }
  }
  const lint = async (list: typeof files) => {
    const byPath = new Map(list.map((f) => [f.absolute, f]));
    const result = await runCfnLint([...byPath.keys()], {
      processes: options.processes ?? 2,
      sizes: new Map(list.map((f) => [f.absolute, f.bytes])),
      label: (x) => x,
      ...(options.command ? { command: options.command } : {}),
    });
    if (!result.ran) return result;
    const fresh = new Map<string, Omit<QualityFinding, 'file'>[]>(list.map((f) => [f.key, []]));
    for (const x of result.findings) {
      const owner = byPath.get(x.file);
      if (!owner) continue;
      const line = /\(line (\d+)\)$|^line (\d+)$/.exec(x.path);
      fresh.get(owner.key)!.push({
        logicalId: x.logicalId,
        path: x.path,
        rule: x.rule,
        severity: x.severity,
        message: x.message,
        fix: x.fix,
        ...(line ? { line: Number(line[1] ?? line[2]) } : {}),
        source: 'cfn-lint',
      });
    }
    for (const [key, findings] of fresh) {
      cached.set(key, { version: result.version, findings });
      if (cacheDir)
        await mkdir(cacheDir, { recursive: true }).then(() =>
          writeFile(path.join(cacheDir, `${key}.json`), JSON.stringify({ version: result.version, findings })),
        );
    }
    return result;
  };
  const first = await lint(files.filter((f) => !cached.has(f.key)));
  if (!first.ran) return { status: { linter: 'none', reason: first.reason } };
  const stale = files.filter((f) => cached.get(f.key)?.version !== first.version);
  if (stale.length > 0) {
    const again = await lint(stale);
    if (!again.ran) return { status: { linter: 'none', reason: again.reason } };
  }
  const findings = new Map<Submission, QualityFinding[]>(submissions.map((s) => [s, []]));
  for (const f of files) findings.get(f.submission)!.push(...(cached.get(f.key)?.findings ?? []).map((x) => ({ ...x, file: f.file })));
  return { status: { linter: 'cfn-lint', version: first.version }, findings };
}

/**
 * The quality result of one submission from its findings. A submission without a single template
 * has nothing to judge and scores 0, not 1.
 */
export function scoreQuality(findings: readonly QualityFinding[], lint: LintStatus, rubric: Rubric, options: { templates?: number } = {}): QualityResult {
  const sorted = [...findings].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
      (a.logicalId < b.logicalId ? -1 : a.logicalId > b.logicalId ? 1 : 0),
  );
  const deducted = sorted.reduce((sum, f) => sum + rubric.quality.deductions[f.severity], 0);
  return { score: options.templates === 0 ? 0 : Math.max(0, 1 - deducted), lint, findings: sorted, deducted };
}

/**
 * The quality line of a grade: per file, the official linter's errors and warnings when cfn-lint
 * is on PATH (else the CloudFormation specification checks of `npm run validate` stand in, and
 * the grade says so), our security rules (the rubric picks which), and what the reader noticed
 * (unknown tags and resource types, broken files). Each finding deducts by its severity.
 */
import { checkSecurity, runCfnLint, SECURITY_RULES, type Finding } from '../validate';
import { checkAttributes, checkResources, loadSpec } from '../validate/spec';
import type { Submission } from './read';
import type { Rubric } from './rubric';

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
    checkSecurity(f, files, rules, {}).map((x): QualityFinding => ({ ...withLine(submission, { ...x, fix: info.get(x.rule) ?? x.fix }), source: 'security' })),
  );
}

function withLine(submission: Submission, f: Finding): Omit<QualityFinding, 'source'> {
  const line = submission.templates.find((t) => t.file === f.file)?.lines?.get(f.logicalId);
  return { file: f.file, ...(line !== undefined ? { line } : {}), logicalId: f.logicalId, path: f.path, rule: f.rule, severity: f.severity, message: f.message, fix: f.fix };
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
    .map((f) => ({ file: f.file, ...(f.line !== undefined ? { line: f.line } : {}), logicalId: f.logicalId ?? '(file)', path: '-', rule: f.rule, severity: f.severity, message: f.message, fix: f.fix, source: 'reader' as const }));
}

/**
 * cfn-lint over every template of every submission at once (two processes: cfn-lint starts in
 * about a second and lints ~100 resources a second), findings keyed by submission.
 */
export async function lintAll(submissions: readonly Submission[], options: { processes?: number; command?: string } = {}): Promise<{ status: LintStatus; findings: Map<Submission, QualityFinding[]> } | { status: { linter: 'none'; reason: string } }> {
  const owner = new Map<string, { submission: Submission; file: string }>();
  const sizes = new Map<string, number>();
  for (const s of submissions) {
    for (const t of s.templates) {
      const absolute = s.paths.get(t.file)!;
      owner.set(absolute, { submission: s, file: t.file });
      sizes.set(absolute, s.files.find((f) => f.file === t.file)?.bytes ?? 0);
    }
  }
  const result = await runCfnLint([...owner.keys()], { processes: options.processes ?? 2, sizes, label: (f) => f, ...(options.command ? { command: options.command } : {}) });
  if (!result.ran) return { status: { linter: 'none', reason: result.reason } };
  const findings = new Map<Submission, QualityFinding[]>(submissions.map((s) => [s, []]));
  for (const f of result.findings) {
    const o = owner.get(f.file);
    if (!o) continue;
    const line = /\(line (\d+)\)$|^line (\d+)$/.exec(f.path);
    findings.get(o.submission)!.push({ ...f, file: o.file, ...(line ? { line: Number(line[1] ?? line[2]) } : {}), source: 'cfn-lint' });
  }
  return { status: { linter: 'cfn-lint', version: result.version }, findings };
}

/**
 * The quality result of one submission from its findings. A submission without a single template
 * has nothing to judge and scores 0, not 1.
 */
export function scoreQuality(findings: readonly QualityFinding[], lint: LintStatus, rubric: Rubric, options: { templates?: number } = {}): QualityResult {
  const sorted = [...findings].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.line ?? 0) - (b.line ?? 0) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (a.logicalId < b.logicalId ? -1 : a.logicalId > b.logicalId ? 1 : 0));
  const deducted = sorted.reduce((sum, f) => sum + rubric.quality.deductions[f.severity], 0);
  return { score: options.templates === 0 ? 0 : Math.max(0, 1 - deducted), lint, findings: sorted, deducted };
}

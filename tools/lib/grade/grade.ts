/**
 * Grades one submission: every roadmap bullet by its check (verdict, score, evidence, hint),
 * per-step scores, where the resources were found against the files the roadmap names
 * (placement), and the quality line; then the total by the rubric's weights. Pure: the
 * submission, the repository facts, the rubric and the quality findings come in.
 *
 * Scores, by the rubric:
 * | what      | score                                                                    |
 * |-----------|--------------------------------------------------------------------------|
 * | bullet    | weighted mean of its parts' credit; 0 when below thresholds.partial      |
 * | step      | weighted mean of its bullets (optional ones left out unless countOptional) |
 * | roadmap   | weighted mean of the steps                                               |
 * | placement | share of credited parts with a resource in a file the roadmap names      |
 * | quality   | 1 − Σ deductions per finding (by severity), at least 0                   |
 * | total     | roadmap × (weights.roadmap + placement × weights.placement + quality × weights.quality) |
 *
 * Placement and quality scale the roadmap score rather than add to it: they judge the work that
 * is there, so an empty or nearly empty submission cannot earn their share for having nothing
 * wrong; a complete submission loses at most their weights.
 */
import path from 'node:path';
import { ROADMAP, type RoadmapStep } from '../../../templates-src/roadmap';
import { CHECKS, type BulletOutcome, type Evidence, type Part, type RepoFacts } from './checks';
import type { QualityResult } from './quality';
import type { ReadFinding, Submission, SubmittedFile } from './read';
import type { Rubric } from './rubric';
import { isRecord, section, TemplateTree } from './tree';

export type Verdict = 'pass' | 'partial' | 'fail';

export interface PartGrade {
  readonly label: string;
  readonly credit: number;
  readonly weight: number;
  readonly evidence: readonly Evidence[];
  readonly missing?: string;
}

export interface BulletGrade {
  readonly id: string;
  readonly text: string;
  readonly verdict: Verdict;
  readonly score: number;
  readonly optional: boolean;
  readonly weight: number;
  /** Some credited part rests only on resources that exist under a condition. */
  readonly conditional: boolean;
  readonly conditions: readonly string[];
  readonly parts: readonly PartGrade[];
  /** Every resource that earned credit, once. */
  readonly evidence: readonly Evidence[];
  /** What to do for full marks (absent on a pass). */
  readonly hint?: string;
  readonly note?: string;
  /** The student's own `Metadata.Roadmap` entries for this bullet (`file#LogicalId`), shown, never required. */
  readonly studentMapping?: readonly string[];
}

export interface StepPlacement {
  /** The files the roadmap names for the step. */
  readonly expected: readonly string[];
  /** Files the step's evidence was found in. */
  readonly foundIn: readonly string[];
  /** Credited parts with a resource in a right file, of all credited parts with resources. */
  readonly placed: number;
  readonly total: number;
  /** Share placed; null when the step has no evidence to place. */
  readonly score: number | null;
}

export interface StepGrade {
  readonly step: number;
  readonly title: string;
  readonly weight: number;
  readonly score: number;
  readonly placement: StepPlacement;
  readonly bullets: readonly BulletGrade[];
}

export interface SubmissionGrade {
  readonly submission: string;
  readonly score: number;
  readonly roadmapScore: number;
  readonly placementScore: number;
  readonly qualityScore: number;
  readonly weights: Rubric['weights'];
  readonly rubric: string;
  readonly parseErrors: number;
  readonly counts: { readonly pass: number; readonly partial: number; readonly fail: number; readonly optional: number };
  readonly files: readonly SubmittedFile[];
  readonly findings: readonly ReadFinding[];
  readonly steps: readonly StepGrade[];
  readonly quality: QualityResult;
}

/** Scores are written with 4 decimals, so the same input gives the same bytes everywhere. */
export function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

function weightedMean(items: readonly { value: number; weight: number }[]): number {
  const total = items.reduce((s, i) => s + i.weight, 0);
  return total > 0 ? items.reduce((s, i) => s + i.value * i.weight, 0) / total : 0;
}

export function verdictOf(score: number, rubric: Rubric): Verdict {
  if (score >= rubric.thresholds.pass - 1e-9) return 'pass';
  if (score > 0 && score >= rubric.thresholds.partial - 1e-9) return 'partial';
  return 'fail';
}

/** `1.4: found gateway endpoint for dynamodb; missing s3, logs, sts — AWS::EC2::VPCEndpoint …`. */
export function hintOf(id: string, outcome: BulletOutcome): string | undefined {
  const incomplete = outcome.parts.filter((p) => p.credit < 1);
  if (incomplete.length === 0) return undefined;
  const foundLabels = outcome.parts.filter((p) => p.credit > 0).map((p) => (p.credit < 1 ? `${p.label} (in part)` : p.label));
  const missing = [...new Set(incomplete.map((p) => p.missing ?? p.label))].join(', ');
  const advice = outcome.advice ? ` — ${outcome.advice}` : '';
  return foundLabels.length > 0 ? `${id}: found ${foundLabels.join(', ')}; missing ${missing}${advice}` : `${id}: missing ${missing}${advice}`;
}

function evidenceKey(e: Evidence): string {
  return `${e.file}#${e.logicalId}`;
}

/** Runs a check, turning a check's own bug into a failed bullet rather than a crashed grade. */
function runCheck(id: string, tree: TemplateTree, repo: RepoFacts): BulletOutcome {
  const check = CHECKS[id];
  if (!check)
    return {
      parts: [{ label: 'a check for this bullet', credit: 0, evidence: [], missing: `no check is defined for bullet ${id} (tools/lib/grade/checks/index.ts)` }],
    };
  try {
    return check({ tree, repo });
  } catch (error) {
    return {
      parts: [
        {
          label: 'the check',
          credit: 0,
          evidence: [],
          missing: `the grader's check failed on this submission (${(error as Error).message}); please report it`,
        },
      ],
    };
  }
}

/** Each file's `Metadata.Roadmap`: bullet ID → `file#LogicalId` entries (a list, or `{Resources: […]}`). */
function studentMappings(tree: TemplateTree): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of tree.files) {
    for (const [bullet, entry] of Object.entries(section(section(f.template, 'Metadata'), 'Roadmap'))) {
      const ids = Array.isArray(entry) ? entry : isRecord(entry) && Array.isArray(entry.Resources) ? entry.Resources : [];
      out.set(bullet, [...(out.get(bullet) ?? []), ...ids.map((x) => `${f.file}#${String(x)}`)]);
    }
  }
  return out;
}

function gradeBullet(
  id: string,
  text: string,
  outcome: BulletOutcome,
  optional: boolean,
  weight: number,
  rubric: Rubric,
  mapping: readonly string[] | undefined,
): BulletGrade {
  const parts: PartGrade[] = outcome.parts.map((p: Part) => ({
    label: p.label,
    credit: round(p.credit),
    weight: p.weight ?? 1,
    evidence: p.evidence,
    ...(p.missing !== undefined && p.credit < 1 ? { missing: p.missing } : {}),
  }));
  const raw = weightedMean(parts.map((p) => ({ value: p.credit, weight: p.weight })));
  const verdict = verdictOf(raw, rubric);
  const credited = parts.filter((p) => p.credit > 0);
  const evidence = [...new Map(credited.flatMap((p) => p.evidence).map((e) => [evidenceKey(e), e])).values()];
  const conditionalParts = credited.filter((p) => p.evidence.length > 0 && p.evidence.every((e) => (e.conditions ?? []).length > 0));
  const conditions = [...new Set(conditionalParts.flatMap((p) => p.evidence.flatMap((e) => e.conditions ?? [])))].sort();
  const hint = verdict === 'pass' ? undefined : hintOf(id, outcome);
  return {
    id,
    text,
    verdict,
    score: verdict === 'fail' ? 0 : round(raw),
    optional,
    weight,
    conditional: conditionalParts.length > 0,
    conditions,
    parts,
    evidence,
    ...(hint ? { hint } : {}),
    ...(outcome.note ? { note: outcome.note } : {}),
    ...(mapping && mapping.length > 0 ? { studentMapping: mapping } : {}),
  };
}

/** `data-lake.yaml`, `Data_Lake.json` and `datalake.yml` are the same file name for placement. */
export function fileStem(file: string): string {
  return path.posix
    .basename(file)
    .replace(/\.(ya?ml|json|template)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * Placement of every step, part by part: a credited part is well placed when at least one of its
 * resources is in a file the roadmap names for that step, or for another step the same resource
 * earned credit in (a bucket that serves 2.5 and 10.1 may live in data-lake.yaml). Judging parts
 * rather than every resource keeps helpers out of it: IAM roles next to the functions they serve
 * do not count against 9.1 when security.yaml defines roles too. `extraFiles` adds right files per
 * step (our registry, for `npm run report`).
 */
function placements(
  roadmap: readonly RoadmapStep[],
  bullets: ReadonlyMap<number, readonly BulletGrade[]>,
  extraFiles: ReadonlyMap<number, readonly string[]>,
): Map<number, StepPlacement> {
  const expected = new Map(roadmap.map((s) => [s.step, [...s.files, ...(extraFiles.get(s.step) ?? [])].map(fileStem)]));
  const placeable = (e: Evidence) => e.type !== 'git';
  const stepsOf = new Map<string, Set<number>>();
  for (const [step, list] of bullets) {
    for (const e of list.flatMap((b) => b.parts.filter((p) => p.credit > 0).flatMap((p) => p.evidence)).filter(placeable)) {
      stepsOf.set(evidenceKey(e), new Set([...(stepsOf.get(evidenceKey(e)) ?? []), step]));
    }
  }
  const isPlaced = (e: Evidence) => [...(stepsOf.get(evidenceKey(e)) ?? [])].some((step) => (expected.get(step) ?? []).includes(fileStem(e.file)));
  const out = new Map<number, StepPlacement>();
  for (const s of roadmap) {
    const parts = (bullets.get(s.step) ?? []).flatMap((b) => b.parts).filter((p) => p.credit > 0 && p.evidence.some(placeable));
    const placed = parts.filter((p) => p.evidence.filter(placeable).some(isPlaced)).length;
    const foundIn = [...new Set(parts.flatMap((p) => p.evidence.filter(placeable).map((e) => e.file)))].sort();
    out.set(s.step, { expected: s.files, foundIn, placed, total: parts.length, score: parts.length > 0 ? round(placed / parts.length) : null });
  }
  return out;
}

export interface GradeOptions {
  readonly rubric: Rubric;
  readonly repo: RepoFacts;
  readonly quality: QualityResult;
  /** Files that also count as the right place for a step (our registry for `npm run report`). @default none */
  readonly placementFiles?: ReadonlyMap<number, readonly string[]>;
  /** @default ROADMAP */
  readonly roadmap?: readonly RoadmapStep[];
}

export function gradeSubmission(submission: Submission, options: GradeOptions): SubmissionGrade {
  const { rubric, repo, quality } = options;
  const roadmap = options.roadmap ?? ROADMAP;
  const tree = new TemplateTree(submission.templates);
  const mappings = studentMappings(tree);
  const bulletsByStep = new Map<number, BulletGrade[]>();
  for (const s of roadmap) {
    const stepRubric = rubric.steps.get(s.step);
    bulletsByStep.set(
      s.step,
      s.bullets.map((b) => {
        const r = stepRubric?.bullets.get(b.id) ?? { weight: 1, optional: b.optional ?? false };
        return gradeBullet(b.id, b.text, runCheck(b.id, tree, repo), r.optional, r.weight, rubric, mappings.get(b.id));
      }),
    );
  }
  const placement = placements(roadmap, bulletsByStep, options.placementFiles ?? new Map());
  const steps: StepGrade[] = roadmap.map((s) => {
    const bullets = bulletsByStep.get(s.step)!;
    const counted = bullets.filter((b) => rubric.countOptional || !b.optional);
    return {
      step: s.step,
      title: s.title,
      weight: rubric.steps.get(s.step)?.weight ?? 1,
      score: round(weightedMean(counted.map((b) => ({ value: b.score, weight: b.weight })))),
      placement: placement.get(s.step)!,
      bullets,
    };
  });
  const roadmapScore = weightedMean(steps.map((s) => ({ value: s.score, weight: s.weight })));
  const placed = steps.filter((s) => s.placement.score !== null);
  const placementScore = placed.length > 0 ? weightedMean(placed.map((s) => ({ value: s.placement.score!, weight: s.weight }))) : 0;
  const all = steps.flatMap((s) => s.bullets);
  const counted = all.filter((b) => !b.optional);
  return {
    submission: submission.name,
    score: round(roadmapScore * (rubric.weights.roadmap + placementScore * rubric.weights.placement + quality.score * rubric.weights.quality)),
    roadmapScore: round(roadmapScore),
    placementScore: round(placementScore),
    qualityScore: round(quality.score),
    weights: rubric.weights,
    rubric: rubric.source,
    parseErrors: submission.files.filter((f) => f.status === 'parse-error').length,
    counts: {
      pass: counted.filter((b) => b.verdict === 'pass').length,
      partial: counted.filter((b) => b.verdict === 'partial').length,
      fail: counted.filter((b) => b.verdict === 'fail').length,
      optional: all.length - counted.length,
    },
    files: submission.files,
    findings: submission.findings,
    steps,
    quality,
  };
}

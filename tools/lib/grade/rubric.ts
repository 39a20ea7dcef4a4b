/**
 * The rubric as data: default-rubric.json (committed) or an instructor's own file, checked
 * against rubric.schema.json and the roadmap. Every problem is collected and reported at once,
 * one line each, naming the file and the key; unknown keys get a "did you mean".
 */
import { readFile } from 'node:fs/promises';
import Ajv, { type ErrorObject } from 'ajv';
import { ROADMAP, type RoadmapStep } from '../../../templates-src/roadmap';
import { UsageError } from '../errors';
import { didYouMean } from '../suggest';
import { SECURITY_RULES } from '../validate';
import defaultRubricJson from './default-rubric.json';
import schema from './rubric.schema.json';

export interface RubricBullet {
  readonly weight: number;
  readonly optional: boolean;
}

export interface RubricStep {
  readonly weight: number;
  readonly bullets: ReadonlyMap<string, RubricBullet>;
}

/** A rubric with every default filled in, for every roadmap step and bullet. */
export interface Rubric {
  /** Where it came from (`default` or the file path as given). */
  readonly source: string;
  readonly description: string;
  readonly thresholds: { readonly pass: number; readonly partial: number };
  /** Weights of the three lines (total = roadmap × (roadmap weight + placement × its weight + quality × its weight)); `roadmap` is 1 − placement − quality. */
  readonly weights: { readonly roadmap: number; readonly placement: number; readonly quality: number };
  readonly countOptional: boolean;
  readonly quality: {
    readonly cfnLint: 'auto' | 'off';
    readonly securityRules: readonly string[];
    readonly deductions: { readonly error: number; readonly warning: number; readonly info: number };
  };
  readonly steps: ReadonlyMap<number, RubricStep>;
}

/** The rubric file as written (every key optional). */
interface RubricFile {
  description?: string;
  thresholds?: { pass?: number; partial?: number };
  weights?: { placement?: number; quality?: number };
  countOptional?: boolean;
  quality?: { cfnLint?: 'auto' | 'off'; securityRules?: string[]; deductions?: { error?: number; warning?: number; info?: number } };
  steps?: Record<string, { weight?: number; bullets?: Record<string, { weight?: number; optional?: boolean }> }>;
}

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const validateSchema = ajv.compile<RubricFile>(schema);

/** `steps.1.bullets` from ajv's `/steps/1/bullets`. */
function keyPath(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.join('.') || '(top level)';
}

function schemaMessage(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const allowed = Object.keys(((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<string, unknown>);
    return `${keyPath(e.instancePath, key)}: unknown key (${didYouMean(key, allowed, `allowed here: ${allowed.join(', ')}`)})`;
  }
  if (e.keyword === 'propertyNames')
    return `${keyPath(e.instancePath)}: key ${JSON.stringify((e.params as { propertyName?: string }).propertyName)} is not a step number (steps) or a bullet ID like 1.4 (bullets)`;
  if (e.keyword === 'pattern' && e.propertyName !== undefined)
    return `${keyPath(e.instancePath)}: ${JSON.stringify(e.propertyName)} ${e.message ?? 'is invalid'}`;
  if (e.keyword === 'enum')
    return `${keyPath(e.instancePath)}: must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(e.data)})`;
  return `${keyPath(e.instancePath)}: ${e.message ?? 'is invalid'} (got ${JSON.stringify(e.data)})`;
}

/** Problems the schema cannot see: steps and bullets that are not the roadmap's, rule IDs, weights that do not add up. */
function roadmapProblems(file: RubricFile, roadmap: readonly RoadmapStep[]): string[] {
  const problems: string[] = [];
  const stepNumbers = roadmap.map((s) => String(s.step));
  const bulletStep = new Map(roadmap.flatMap((s) => s.bullets.map((b) => [b.id, String(s.step)] as const)));
  for (const [step, entry] of Object.entries(file.steps ?? {})) {
    if (!stepNumbers.includes(step)) {
      problems.push(`steps.${step}: the roadmap has no step ${step} (steps are ${stepNumbers[0]}–${stepNumbers[stepNumbers.length - 1]})`);
      continue;
    }
    for (const id of Object.keys(entry.bullets ?? {})) {
      const owner = bulletStep.get(id);
      // Bullet IDs are numbers: listing the step's IDs helps more than the nearest one.
      if (owner === undefined)
        problems.push(
          `steps.${step}.bullets.${id}: the roadmap has no bullet ${id} (step ${step} has ${[...bulletStep.keys()].filter((b) => bulletStep.get(b) === step).join(', ')})`,
        );
      else if (owner !== step) problems.push(`steps.${step}.bullets.${id}: bullet ${id} belongs to step ${owner} (move it under steps.${owner}.bullets)`);
    }
  }
  const ruleIds = SECURITY_RULES.map((r) => r.id);
  for (const [i, id] of (file.quality?.securityRules ?? []).entries()) {
    if (!ruleIds.includes(id))
      problems.push(`quality.securityRules[${i}]: ${JSON.stringify(id)} is not a security rule (${didYouMean(id, ruleIds, `rules: ${ruleIds.join(', ')}`)})`);
  }
  const placement = file.weights?.placement ?? 0;
  const quality = file.weights?.quality ?? 0;
  if (placement + quality > 1)
    problems.push(`weights: placement + quality is ${placement + quality}; together they must be at most 1 (the bullets get the rest)`);
  if (file.thresholds?.pass !== undefined && file.thresholds.partial !== undefined && file.thresholds.partial > file.thresholds.pass) {
    problems.push(`thresholds.partial (${file.thresholds.partial}) is above thresholds.pass (${file.thresholds.pass})`);
  }
  return problems;
}

/** Fills every default in, over the default rubric for keys an instructor's file leaves out. */
function resolve(file: RubricFile, source: string, roadmap: readonly RoadmapStep[]): Rubric {
  const base = defaultRubricJson as RubricFile;
  const placement = file.weights?.placement ?? base.weights?.placement ?? 0;
  const quality = file.weights?.quality ?? base.weights?.quality ?? 0;
  const steps = new Map<number, RubricStep>();
  for (const s of roadmap) {
    const entry = file.steps?.[String(s.step)];
    const bullets = new Map<string, RubricBullet>();
    for (const b of s.bullets) {
      const e = entry?.bullets?.[b.id];
      bullets.set(b.id, { weight: e?.weight ?? 1, optional: e?.optional ?? b.optional ?? false });
    }
    steps.set(s.step, { weight: entry?.weight ?? 1, bullets });
  }
  return {
    source,
    description: file.description ?? '',
    thresholds: { pass: file.thresholds?.pass ?? base.thresholds?.pass ?? 1, partial: file.thresholds?.partial ?? base.thresholds?.partial ?? 0 },
    weights: { roadmap: Math.round((1 - placement - quality) * 1e6) / 1e6, placement, quality },
    countOptional: file.countOptional ?? base.countOptional ?? false,
    quality: {
      cfnLint: file.quality?.cfnLint ?? base.quality?.cfnLint ?? 'auto',
      securityRules: file.quality?.securityRules ?? base.quality?.securityRules ?? [],
      deductions: {
        error: file.quality?.deductions?.error ?? base.quality?.deductions?.error ?? 0,
        warning: file.quality?.deductions?.warning ?? base.quality?.deductions?.warning ?? 0,
        info: file.quality?.deductions?.info ?? base.quality?.deductions?.info ?? 0,
      },
    },
    steps,
  };
}

/** Checks a parsed rubric; throws one UsageError listing every problem, each as `<source>: <key>: <problem>`. */
export function parseRubric(value: unknown, source: string, roadmap: readonly RoadmapStep[] = ROADMAP): Rubric {
  const problems = validateSchema(value) ? [] : (validateSchema.errors ?? []).map(schemaMessage);
  if (problems.length === 0) problems.push(...roadmapProblems(value as RubricFile, roadmap));
  if (problems.length > 0) throw new UsageError([...new Set(problems)].map((p) => `${source}: ${p}`).join('\n'));
  return resolve(value as RubricFile, source, roadmap);
}

/** The committed default rubric (tools/lib/grade/default-rubric.json). */
export function defaultRubric(): Rubric {
  return parseRubric(defaultRubricJson, 'default');
}

/** Reads and checks an instructor's rubric file. */
export async function loadRubric(file: string): Promise<Rubric> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${file}: cannot read the rubric (${error.code ?? error.message})`);
  });
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseRubric(value, file);
}

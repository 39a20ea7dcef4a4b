/**
 * One check per roadmap bullet, cdk-nag style: a plain predicate over the generated tree that
 * returns what it found (pass) or what is missing (fail). Checks read the whole tree by resource
 * type rather than only the bullet's Metadata entry, so a resource mapped to the wrong bullet
 * still counts; the report fails a bullet without a mapping separately ("no resources mapped").
 */
import { allText, isRecord, properties, type Json, type ResourceRef, type TemplateTree } from '../model';

/** Facts about the working copy the templates came from (for 11.2 "Version control with Git"). */
export interface RepoFacts {
  /** The directory is inside a git work tree. */
  readonly isGitRepo: boolean;
  /** generated/ files git tracks (`git ls-files generated`), relative to generated/. */
  readonly trackedGenerated: readonly string[];
}

export interface CheckContext {
  readonly tree: TemplateTree;
  readonly repo: RepoFacts;
  /** Every file the registry produces (root, nested, standalone), relative to generated/. */
  readonly expectedFiles: readonly string[];
  /** Nested stacks of the registry: root logical ID, file and (optionally) the roadmap steps it declares. */
  readonly nested: readonly { readonly id: string; readonly file: string; readonly steps?: readonly number[] }[];
}

export type CheckResult = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly reason: string };

export type BulletCheck = (ctx: CheckContext) => CheckResult;

export const pass = (detail: string): CheckResult => ({ ok: true, detail });
export const fail = (reason: string): CheckResult => ({ ok: false, reason });

/** Files of the stacks that declare roadmap step 9 (security): where our CMKs must live. Empty when unknown. */
export function securityFiles(ctx: CheckContext): string[] {
  return ctx.nested.filter((s) => s.steps?.includes(9)).map((s) => s.file);
}

/** Runs sub-checks in order and returns the first failure, or one pass joining every detail. */
export function all(...results: readonly (() => CheckResult)[]): CheckResult {
  const details: string[] = [];
  for (const r of results) {
    const result = r();
    if (!result.ok) return result;
    details.push(result.detail);
  }
  return pass(details.join('; '));
}

export function where(r: ResourceRef): string {
  return `${r.logicalId} (${r.file})`;
}

export function ids(rs: readonly ResourceRef[]): string {
  return rs.map((r) => r.logicalId).join(', ');
}

/** The text a resource is known by: its logical ID and its name-like properties (`!Sub` bodies included). */
export function nameOf(r: ResourceRef): string {
  const p = properties(r.resource);
  const names = ['Name', 'TopicName', 'BucketName', 'TableName', 'FunctionName', 'QueueName', 'StreamName', 'GroupName', 'GroupDescription', 'Description', 'DashboardName', 'DashboardId', 'DataSetId', 'RoleName', 'AlarmName'];
  const tags = Array.isArray(p.Tags) ? p.Tags.filter((t) => isRecord(t) && t.Key === 'Name').map((t) => (t as Json).Value) : [];
  return [r.logicalId, ...names.map((n) => p[n]), ...tags].map(allText).join(' ');
}

export function named(rs: readonly ResourceRef[], pattern: RegExp): ResourceRef[] {
  return rs.filter((r) => pattern.test(nameOf(r)));
}

/** True for `true` and `'true'` (YAML writers differ). */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

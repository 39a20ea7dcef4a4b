/**
 * Shared shapes of the validator: findings, the templates it reads, the registry it checks them
 * against, and small helpers for walking CloudFormation JSON (intrinsics, `!If` branches, `!Sub`).
 */

/** `error` fails the run; `warning` and `info` are printed but do not change the exit code. */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Template file name as shown, e.g. `generated/networking.yaml`. */
  readonly file: string;
  /** Logical ID (resource, parameter, output …) or `(template)` for the whole file. */
  readonly logicalId: string;
  /** Property path inside the logical ID, e.g. `Properties.BucketEncryption`; `-` when none. */
  readonly path: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

/** A finding before the file is known (the checks return these). */
export type Issue = Omit<Finding, 'file'>;

/** What a security rule's predicate returns for one resource; the rule adds its id and severity. */
export type Violation = Omit<Finding, 'file' | 'rule' | 'severity'> & { readonly severity?: Severity };

/** A template to validate: its file name (relative to the generated dir) and its parsed JSON form. */
export interface TemplateFile {
  /** File name, e.g. `networking.yaml` (matched against `TemplateURL: ./networking.yaml`). */
  readonly file: string;
  readonly doc: Record<string, unknown>;
  /** Exact template body, for the size limits. @default JSON.stringify(doc) (an approximation) */
  readonly text?: string;
}

/** What the validator needs from a registry entry (templates-src/lib/stack.ts StackDefinition). */
export interface RegistryStack {
  readonly id: string;
  readonly file: string;
  readonly outputs: readonly string[];
  readonly condition?: string;
}

/** The registry in the shape the validator reads (templates-src/stacks.ts provides it). */
export interface ValidationRegistry {
  /** The root template's file, e.g. `root.yaml`. */
  readonly root: { readonly file: string };
  /** Stacks nested in root. */
  readonly stacks: readonly RegistryStack[];
  /** Top-level templates deployed on their own. @default none */
  readonly standalone?: readonly RegistryStack[];
}

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{Ref: …}` or `{Fn::…: …}`: a single-key object naming an intrinsic function. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === 'Ref' || key.startsWith('Fn::') || key === 'Condition' ? key : undefined;
}

export function isNoValue(value: unknown): boolean {
  return isRecord(value) && value.Ref === 'AWS::NoValue';
}

/**
 * The values a property can take once `!If` is resolved both ways (AWS::NoValue branches become
 * `undefined`). Any other intrinsic is returned as is.
 */
export function branches(value: unknown): unknown[] {
  if (isNoValue(value)) return [undefined];
  if (isRecord(value) && Array.isArray(value['Fn::If']) && value['Fn::If'].length === 3) {
    const [, a, b] = value['Fn::If'] as unknown[];
    return [...branches(a), ...branches(b)];
  }
  return [value];
}

/**
 * `obj.a.b`. An `!If` met on the way is kept: the result is `!If [cond, <rest of path in the true
 * branch>, <rest in the false branch>]`, so `branches()` and the rules' predicates see every
 * outcome; `AWS::NoValue` on the way gives undefined.
 */
export function dig(value: unknown, ...keys: (string | number)[]): unknown {
  let current = value;
  for (let i = 0; i < keys.length; i++) {
    if (isNoValue(current)) return undefined;
    const condition = isRecord(current) ? current['Fn::If'] : undefined;
    if (Array.isArray(condition) && condition.length === 3) {
      const rest = keys.slice(i);
      return { 'Fn::If': [condition[0], dig(condition[1], ...rest), dig(condition[2], ...rest)] };
    }
    const key = keys[i]!;
    if (typeof key === 'number') current = Array.isArray(current) ? current[key] : undefined;
    else current = isRecord(current) ? current[key] : undefined;
  }
  return current;
}

/** Items of a list property, resolving `!If` on the list and on each item. */
export function listItems(value: unknown): unknown[] {
  return branches(value).flatMap((v) => (Array.isArray(v) ? v.flatMap(branches) : []));
}

/** Variables of a `!Sub` string, skipping `${!Literal}` escapes. */
export function subVariables(text: string): string[] {
  const names: string[] = [];
  const pattern = /\$\{([^}]*)\}/g;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const name = m[1]!.trim();
    if (name.startsWith('!')) continue;
    names.push(name);
  }
  return names;
}

/** The template text of a `!Sub` (either form), or undefined when it is not a literal string. */
export function subText(value: unknown): string | undefined {
  if (!isRecord(value) || !('Fn::Sub' in value)) return undefined;
  const arg = value['Fn::Sub'];
  if (typeof arg === 'string') return arg;
  if (Array.isArray(arg) && typeof arg[0] === 'string') return arg[0];
  return undefined;
}

export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** Visits every node of a JSON value with its path (`a.b[0].c`). */
export function walk(value: unknown, path: string, visit: (node: unknown, path: string) => void): void {
  visit(value, path);
  if (Array.isArray(value)) for (const [i, item] of value.entries()) walk(item, `${path}[${i}]`, visit);
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, visit);
}

/** Resources of a template as `[logicalId, resource]` pairs (non-object entries skipped). */
export function resourcesOf(doc: Json): [string, Json][] {
  const resources = doc.Resources;
  if (!isRecord(resources)) return [];
  return Object.entries(resources).filter((e): e is [string, Json] => isRecord(e[1]));
}

export function sectionOf(doc: Json, section: string): Json {
  const value = doc[section];
  return isRecord(value) ? value : {};
}

export { closest, didYouMean } from '../suggest';

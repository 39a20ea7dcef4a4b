/**
 * The shape of a security rule (cdk-nag style): one rule per file, a plain predicate over one
 * resource that returns its violations (none = compliant), an `info` (what it checks) and an
 * `explanation` (why we require it). Rules never throw on odd input; they skip what they cannot read.
 */
import { branches, intrinsicName, isRecord, subVariables, type Json, type Severity, type TemplateFile, type Violation } from '../model';
import type { SpecIndex } from '../spec';

export interface SecurityOptions {
  /**
   * Logical IDs of security groups allowed to accept 0.0.0.0/0 (or ::/0) on ports 80/443 — public
   * entry points only. @default none
   */
  readonly publicIngressAllowList?: readonly string[];
}

export interface RuleContext {
  readonly file: string;
  readonly doc: Json;
  /** Resources of this template by logical ID. */
  readonly resources: ReadonlyMap<string, Json>;
  /** Every template being validated, for questions that cross stacks (alarms on another stack's queue). */
  readonly files: readonly TemplateFile[];
  readonly options: SecurityOptions;
  /** The CloudFormation specification (resource ARNs, for rules about name scopes). */
  readonly spec: Pick<SpecIndex, 'resources'>;
}

export interface SecurityRule {
  readonly id: string;
  /** Severity of a violation unless the predicate says otherwise. */
  readonly severity: Severity;
  /** What the rule checks, one line. */
  readonly info: string;
  /** Why we require it. */
  readonly explanation: string;
  /** Resource types the predicate is called for. */
  readonly resourceTypes: readonly string[];
  check(logicalId: string, resource: Json, ctx: RuleContext): Violation[];
}

export function propertiesOf(resource: Json): Json {
  return isRecord(resource.Properties) ? resource.Properties : {};
}

/**
 * True when a value points at the given resource: `!Ref Id`, `!GetAtt Id.X`, or a `!Sub` that
 * uses `${Id}` / `${Id.X}`, looking through `!If` branches.
 */
export function refersTo(value: unknown, logicalId: string): boolean {
  return branches(value).some((v) => {
    if (!isRecord(v)) return false;
    if (v.Ref === logicalId) return true;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[0] === logicalId) return true;
    const sub = v['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
    return text !== undefined && subVariables(text).some((n) => n === logicalId || n.startsWith(`${logicalId}.`));
  });
}

/** The logical ID a value points at (`!Ref X`, `!GetAtt X.Y`), or undefined. */
export function targetOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/** True when a value is set to something other than `AWS::NoValue` in every `!If` branch. */
export function alwaysSet(value: unknown): boolean {
  return branches(value).every((v) => v !== undefined && v !== null && v !== '');
}

/** True when every branch of a value is literally `expected` (booleans accept their string forms). */
export function alwaysEquals(value: unknown, expected: string | boolean | number): boolean {
  return branches(value).every((v) => v === expected || (typeof expected !== 'string' && v === String(expected)));
}

/** True for a value computed at deploy time (an intrinsic other than `!If`). */
export function isDynamic(value: unknown): boolean {
  const fn = intrinsicName(value);
  return fn !== undefined && fn !== 'Fn::If';
}

/** Statements of a policy document (`!If` on the document or a statement resolved both ways). */
export function statementsOf(document: unknown): Json[] {
  return branches(document).flatMap((d) => {
    if (!isRecord(d)) return [];
    const s = d.Statement;
    const list = Array.isArray(s) ? s : [s];
    return list.flatMap(branches).filter(isRecord);
  });
}

/** Literal strings of a string-or-list value (`Action`, `Resource`), through `!If`. */
export function literalStrings(value: unknown): string[] {
  return branches(value)
    .flatMap((v) => (Array.isArray(v) ? v.flatMap(branches) : [v]))
    .filter((v): v is string => typeof v === 'string');
}

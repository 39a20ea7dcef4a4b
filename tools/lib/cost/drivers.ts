/**
 * The top cost drivers and, for each, what removes or reduces it — derived, not listed: the
 * driver's resources carry the root parameters their Condition depends on (what removes them)
 * and those their priced quantities depend on (what sizes them). Each candidate change is
 * re-estimated, so a remedy states its real saving on the whole bill.
 *
 * | the driver's resources …                | candidate changes tried                              |
 * |-----------------------------------------|------------------------------------------------------|
 * | have a Condition                        | each other AllowedValue (or '') of its parameters    |
 * | are sized by root parameters            | their other AllowedValues, Min/MaxValue, Default     |
 * | are fed by the secondary stack's output | deploying without the secondary stack (toggles.secondaryStack) |
 * | live in the secondary stack             | deploying without the secondary stack (toggles.secondaryStack) |
 * | none of these                           | nothing: "fixed by the template" and where to change it |
 *
 * A candidate root's Rules refuse is repaired once (the parameter the failing rule's condition
 * tests, set to its other allowed value) or dropped: a remedy is always a deployable change.
 */
import { FILE_FIELDS } from '../params-schema';
import { isRecord, section, type Json } from '../grade/tree';
import { instantiate, secondaryFeeds } from './deployment';
import { estimate as runEstimate, type Estimate, type EstimateInput, type ResourceEstimate } from './estimate';
import type { StackScope } from './evaluate';

export interface Remedy {
  /** The change, as a root parameter assignment or a deploy choice (`EnableGuardDuty=false`). */
  readonly change: string;
  /** Parameter-file keys that set the root parameter (`toggles.guardDuty`). */
  readonly fileKeys: readonly string[];
  /** Monthly saving on this driver. */
  readonly saves: number;
  /** Monthly saving on the whole estimate (a toggle may remove more than this driver). */
  readonly savesTotal: number;
  /** The change removes the driver's resources (rather than resizing them, or leaving them at no cost). */
  readonly removes: boolean;
}

export interface Driver {
  readonly stack: string;
  readonly noun: string;
  readonly count: number;
  readonly where: string;
  readonly logicalIds: readonly string[];
  readonly fixed: number;
  readonly usage: number;
  readonly total: number;
  /** Root parameters the resources' condition depends on. */
  readonly removedBy: readonly string[];
  /** Root parameters their cost depends on. */
  readonly sizedBy: readonly string[];
  readonly remedies: readonly Remedy[];
  /** When no parameter changes it: the template and properties that fix it. */
  readonly fixedBy?: string;
}

/** `NAT gateway` → `NAT gateways`; `Glue crawler` stays singular for 1. */
export function plural(noun: string, n: number): string {
  if (n === 1) return noun;
  if (/(s|sh|ch|x)$/.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

/**
 * The parameter-file keys that set a root parameter: its field in FILE_FIELDS (the table the file
 * mapping and the schema come from) and the toggle that switches the field on, if any.
 */
export function fileKeysOf(rootParameter: string): string[] {
  const field = FILE_FIELDS.find((f) => f.root === rootParameter);
  if (!field) return [];
  return [field.path, ...(field.enabledBy ? [field.enabledBy] : [])].sort();
}

interface Candidate {
  readonly change: string;
  /** The root parameters the change sets. */
  readonly parameters?: readonly string[];
  /** File keys of a change that is no root parameter. */
  readonly fileKeys?: readonly string[];
  readonly input: EstimateInput;
}

/** The file key that decides whether a deployment has its secondary stack (tools/lib/params.ts deploysSecondary). */
export const SECONDARY_STACK_KEY = 'toggles.secondaryStack';

const rootParameter = (input: EstimateInput, name: string): Json => section(section(input.templates.get('root.yaml') ?? {}, 'Parameters'), name);
const shown = (v: string): string => (v === '' ? "''" : v);

function candidates(parameter: string, input: EstimateInput, current: string): Candidate[] {
  const d = rootParameter(input, parameter);
  const values = new Set<string>();
  if (Array.isArray(d.AllowedValues)) for (const v of d.AllowedValues) values.add(String(v));
  else if (d.Type === 'Number') {
    const inBounds = (v: number): boolean => (d.MinValue === undefined || v >= Number(d.MinValue)) && (d.MaxValue === undefined || v <= Number(d.MaxValue));
    for (const v of [d.MinValue, d.MaxValue, d.Default, 1]) if (v !== undefined && inBounds(Number(v))) values.add(String(v));
  } else if (current !== '' && (d.Default === '' || String(d.AllowedPattern ?? '').startsWith('^$|'))) values.add(''); // an optional feature: empty switches it off
  values.delete(current);
  return [...values].map((v) => ({
    change: `${parameter}=${shown(v)}`,
    parameters: [parameter],
    input: { ...input, rootValues: { ...input.rootValues, [parameter]: v } },
  }));
}

/** Root Rules whose condition holds and whose assertions fail with the input's values (undecidable ones pass). */
function brokenRules(input: EstimateInput): { name: string; rule: Json }[] {
  let root: StackScope;
  try {
    root = instantiate({ templates: input.templates, rootValues: input.rootValues, region: input.region }).stacks[0]!.scope;
  } catch {
    return [];
  }
  return Object.entries(section(input.templates.get('root.yaml') ?? {}, 'Rules'))
    .filter(([, rule]) => isRecord(rule) && (rule.RuleCondition === undefined || root.evaluate(rule.RuleCondition).value !== false))
    .filter(([, rule]) =>
      (Array.isArray((rule as Json).Assertions) ? ((rule as Json).Assertions as Json[]) : []).some((a) => root.evaluate(a.Assert).value === false),
    )
    .map(([name, rule]) => ({ name, rule: rule as Json }));
}

/**
 * A candidate root's rules accept, or undefined. One repair is tried: a failing rule that applies
 * only while `P = v` (`RuleCondition: Fn::Equals [Ref P, v]`) stops applying with another allowed
 * value of P — EnableNatGateway=false needs FunctionsInVpc=false with it.
 */
function acceptedByRules(c: Candidate): Candidate | undefined {
  const broken = brokenRules(c.input);
  if (broken.length === 0) return c;
  const values = { ...c.input.rootValues };
  const changes = [c.change];
  const parameters = [...(c.parameters ?? [])];
  for (const { rule } of broken) {
    const equals = isRecord(rule.RuleCondition) ? rule.RuleCondition['Fn::Equals'] : undefined;
    const [left, right] = Array.isArray(equals) ? equals : [];
    const p = isRecord(left) && typeof left.Ref === 'string' ? left.Ref : undefined;
    const allowed = p ? rootParameter(c.input, p).AllowedValues : undefined;
    const other = Array.isArray(allowed) ? allowed.map(String).find((v) => v !== String(right)) : undefined;
    if (p === undefined || other === undefined || parameters.includes(p)) return undefined;
    values[p] = other;
    changes.push(`${p}=${shown(other)}`);
    parameters.push(p);
  }
  const repaired: Candidate = { change: changes.join(' with '), parameters, input: { ...c.input, rootValues: values } };
  return brokenRules(repaired.input).length === 0 ? repaired : undefined;
}

const groupKey = (stack: string, r: ResourceEstimate): string => `${stack}|${r.noun}|${r.where}|${r.condition ?? ''}`;

/**
 * The `limit` largest drivers of `estimate` (made from `input`), with remedies.
 * @param limit how many. @default 5
 */
export function topDrivers(estimate: Estimate, input: EstimateInput, limit = 5): Driver[] {
  const groups = new Map<string, { stack: string; resources: ResourceEstimate[] }>();
  for (const s of estimate.stacks) {
    for (const r of s.resources) {
      if (r.fixed + r.usage <= 0) continue;
      const key = groupKey(s.stack, r);
      const g = groups.get(key) ?? { stack: s.stack, resources: [] };
      g.resources.push(r);
      groups.set(key, g);
    }
  }
  const secondaryFile =
    input.secondaryFile === false ? undefined : (input.secondaryFile ?? (input.templates.has('secondary.yaml') ? 'secondary.yaml' : undefined));
  const feeds = secondaryFile ? new Set(secondaryFeeds(input.templates, secondaryFile)) : new Set<string>();
  const ranked = [...groups.values()]
    .map((g) => ({ ...g, total: g.resources.reduce((n, r) => n + r.fixed + r.usage, 0) }))
    .sort((a, b) => b.total - a.total)
    .slice(0, limit);
  return ranked.map((g) => {
    const first = g.resources[0]!;
    const removedBy = [...new Set(g.resources.flatMap((r) => r.conditionDeps))].sort();
    // What sizes it: the provenance of the lines that make up at least 1 % of it.
    const material = Math.max(0.01, g.total * 0.01);
    const sizedBy = [...new Set(g.resources.flatMap((r) => r.items.filter((i) => (i.usd ?? 0) >= material).flatMap((i) => [...i.sizedBy])))]
      .filter((p) => !removedBy.includes(p))
      .sort();
    const tried: Candidate[] = [];
    const params = [...removedBy, ...sizedBy].filter((p) => p !== 'AWS::Region');
    if (g.stack === 'secondary' || params.some((p) => feeds.has(p)))
      tried.push({ change: 'deploy without the secondary stack', fileKeys: [SECONDARY_STACK_KEY], input: { ...input, secondaryFile: false } });
    for (const p of params) {
      if (feeds.has(p)) continue;
      const current = input.rootValues[p] ?? String(section(section(input.templates.get('root.yaml') ?? {}, 'Parameters'), p).Default ?? '');
      tried.push(...candidates(p, input, current));
    }
    const remedies: Remedy[] = [];
    for (const proposed of tried.slice(0, 8)) {
      const c = acceptedByRules(proposed);
      if (!c) continue; // a combination root's rules refuse
      let after: Estimate;
      try {
        after = runEstimate(c.input);
      } catch {
        continue; // a value the templates cannot take (a condition that no longer decides)
      }
      const ids = new Set(g.resources.map((r) => r.logicalId));
      const remaining = (after.stacks.find((s) => s.stack === g.stack)?.resources ?? []).filter((r) => ids.has(r.logicalId));
      const saves = g.total - remaining.reduce((n, r) => n + r.fixed + r.usage, 0);
      const savesTotal = estimate.monthly.total - after.monthly.total;
      // A change that shrinks this driver but grows the bill (on-demand instead of 2 shards) is no remedy.
      if (saves <= 0.005 || savesTotal <= 0.005) continue;
      remedies.push({
        change: c.change,
        fileKeys: c.parameters ? [...new Set(c.parameters.flatMap(fileKeysOf))].sort() : [...(c.fileKeys ?? [])],
        saves,
        savesTotal,
        removes: remaining.length === 0,
      });
    }
    remedies.sort((a, b) => b.saves - a.saves);
    const fixedBy =
      remedies.length === 0
        ? `unconditional in ${g.stack}.yaml and sized by the template itself (${describeSizing(first)}): change templates-src/ to reduce it`
        : undefined;
    const count = g.resources.reduce((n, r) => n + r.count, 0);
    return {
      stack: g.stack,
      noun: first.noun,
      count,
      where: first.where,
      logicalIds: g.resources.map((r) => r.logicalId),
      fixed: g.resources.reduce((n, r) => n + r.fixed, 0),
      usage: g.resources.reduce((n, r) => n + r.usage, 0),
      total: g.total,
      removedBy,
      sizedBy,
      remedies,
      ...(fixedBy ? { fixedBy } : {}),
    };
  });
}

function describeSizing(r: ResourceEstimate): string {
  const top = [...r.items].sort((a, b) => (b.usd ?? 0) - (a.usd ?? 0))[0];
  return top ? `${top.label}: ${top.basis}` : r.type;
}

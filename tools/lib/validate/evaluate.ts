/**
 * Evaluates CloudFormation intrinsics offline, the way CloudFormation would for given parameter
 * values: `Ref`, `Fn::Sub` (both forms), `Fn::Join`, `Fn::Split`, `Fn::Select`, `Fn::If`,
 * `Fn::FindInMap`, `Fn::GetAZs`, `Fn::Base64`, the condition functions, and `Fn::GetAtt` of a
 * nested stack's output (through `stackOutput`). What only exists at deploy time — a resource's
 * `Ref` or attribute — becomes a token `<stack:LogicalId>` (`<stack:LogicalId.Attr>`), unique per
 * stack instance, so two stacks never share one by accident.
 *
 * Anything it cannot evaluate throws `EvaluationError` naming where: callers that check names
 * (the side-by-side scenario test) must not silently skip a value.
 */
import { isRecord, PSEUDO_PARAMETERS, type Json } from './model';

export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
}

/** `AWS::NoValue`: removes the property or list element it stands for. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface EvaluationContext {
  /** Label of this stack instance in tokens and messages, e.g. `dev/Security`. */
  readonly stack: string;
  /** The template being evaluated (Parameters, Mappings, Conditions, Resources). */
  readonly doc: Json;
  /** Parameter values after defaults (`CommaDelimitedList` ones as lists). */
  readonly parameters: Readonly<Record<string, string | readonly string[]>>;
  readonly region: string;
  readonly account: string;
  /** @default aws */
  readonly partition?: string;
  /** @default stack */
  readonly stackName?: string;
  /** `!GetAtt <NestedStack>.Outputs.<Name>`. @default throws */
  readonly stackOutput?: (stackLogicalId: string, output: string) => unknown;
}

/**
 * A template's parameter values: the given ones, else each parameter's Default; a
 * `CommaDelimitedList` becomes a list. A parameter with neither throws.
 */
export function parameterValues(doc: Json, given: Readonly<Record<string, string>>, where: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, definition] of Object.entries(isRecord(doc.Parameters) ? doc.Parameters : {})) {
    const d = isRecord(definition) ? definition : {};
    const raw = given[name] ?? (d.Default !== undefined ? String(d.Default) : undefined);
    if (raw === undefined) throw new EvaluationError(`${where}: parameter ${name} has no value and no Default`);
    out[name] = String(d.Type).startsWith('CommaDelimitedList') || String(d.Type).startsWith('List<') ? (raw === '' ? [] : raw.split(',')) : raw;
  }
  return out;
}

const conditionCache = new WeakMap<EvaluationContext, Map<string, boolean>>();

/** Whether the named condition of the context's template holds. */
export function conditionHolds(name: string, ctx: EvaluationContext): boolean {
  let cache = conditionCache.get(ctx);
  if (!cache) {
    cache = new Map();
    conditionCache.set(ctx, cache);
  }
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const definition = isRecord(ctx.doc.Conditions) ? ctx.doc.Conditions[name] : undefined;
  if (definition === undefined) throw new EvaluationError(`${ctx.stack}: condition ${name} is not declared`);
  const value = evaluate(definition, ctx, `Conditions.${name}`);
  if (typeof value !== 'boolean') throw new EvaluationError(`${ctx.stack}: condition ${name} is not a boolean (${JSON.stringify(value)})`);
  cache.set(name, value);
  return value;
}

function pseudo(name: string, ctx: EvaluationContext): unknown {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.account;
    case 'AWS::Partition':
      return ctx.partition ?? 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return ctx.stackName ?? ctx.stack;
    case 'AWS::StackId':
      return `<${ctx.stack}:AWS::StackId>`;
    case 'AWS::NotificationARNs':
      return [];
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      throw new EvaluationError(`${ctx.stack}: unknown pseudo parameter ${name}`);
  }
}

function refValue(name: string, ctx: EvaluationContext, at: string): unknown {
  if (PSEUDO_PARAMETERS.has(name)) return pseudo(name, ctx);
  if (name in ctx.parameters) return ctx.parameters[name];
  if (isRecord(ctx.doc.Resources) && name in ctx.doc.Resources) return `<${ctx.stack}:${name}>`;
  throw new EvaluationError(`${ctx.stack}: ${at}: !Ref ${name} names no parameter, resource or pseudo parameter`);
}

function getAtt(target: string, attribute: string, ctx: EvaluationContext, at: string): unknown {
  const resource = isRecord(ctx.doc.Resources) ? ctx.doc.Resources[target] : undefined;
  if (!isRecord(resource)) throw new EvaluationError(`${ctx.stack}: ${at}: !GetAtt ${target}.${attribute} names no resource`);
  if (resource.Type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) {
    if (!ctx.stackOutput) throw new EvaluationError(`${ctx.stack}: ${at}: !GetAtt ${target}.${attribute} needs the nested stack's outputs`);
    return ctx.stackOutput(target, attribute.slice('Outputs.'.length));
  }
  return `<${ctx.stack}:${target}.${attribute}>`;
}

function text(value: unknown, at: string, ctx: EvaluationContext): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new EvaluationError(`${ctx.stack}: ${at}: expected a string, got ${JSON.stringify(value)}`);
}

function list(value: unknown, at: string, ctx: EvaluationContext): unknown[] {
  if (Array.isArray(value)) return value.filter((v) => v !== NO_VALUE);
  throw new EvaluationError(`${ctx.stack}: ${at}: expected a list, got ${JSON.stringify(value)}`);
}

function sub(arg: unknown, ctx: EvaluationContext, at: string): string {
  const [template, variables] = Array.isArray(arg) ? [arg[0], isRecord(arg[1]) ? arg[1] : {}] : [arg, {}];
  if (typeof template !== 'string') throw new EvaluationError(`${ctx.stack}: ${at}: !Sub needs a string`);
  return template.replace(/\$\{([^}]*)\}/g, (_whole, raw: string) => {
    const name = raw.trim();
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in variables) return text(evaluate(variables[name], ctx, `${at}.${name}`), at, ctx);
    if (name.includes('.') && !name.includes('::')) {
      const [target, ...attribute] = name.split('.');
      return text(getAtt(target!, attribute.join('.'), ctx, at), at, ctx);
    }
    const value = refValue(name, ctx, at);
    return Array.isArray(value) ? value.join(',') : text(value, at, ctx);
  });
}

/** The value of `value` in `ctx`: intrinsics evaluated, `AWS::NoValue` as NO_VALUE (dropped from lists and objects). */
export function evaluate(value: unknown, ctx: EvaluationContext, at = '-'): unknown {
  if (Array.isArray(value)) return value.map((v, i) => evaluate(v, ctx, `${at}[${i}]`)).filter((v) => v !== NO_VALUE);
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const key = keys[0]!;
    const arg = value[key];
    const args = (): unknown[] => list(evaluate(arg, ctx, at), at, ctx);
    switch (key) {
      case 'Ref':
        return refValue(text(arg, at, ctx), ctx, at);
      case 'Condition':
        return conditionHolds(text(arg, at, ctx), ctx);
      case 'Fn::GetAtt': {
        const [target, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
        return getAtt(text(target, at, ctx), text(evaluate(attribute, ctx, at), at, ctx), ctx, at);
      }
      case 'Fn::Sub':
        return sub(arg, ctx, at);
      case 'Fn::Join': {
        const [delimiter, items] = Array.isArray(arg) ? arg : [];
        return list(evaluate(items, ctx, at), at, ctx)
          .map((v) => text(v, at, ctx))
          .join(text(delimiter, at, ctx));
      }
      case 'Fn::Split': {
        const [delimiter, source] = Array.isArray(arg) ? arg : [];
        return text(evaluate(source, ctx, at), at, ctx).split(text(delimiter, at, ctx));
      }
      case 'Fn::Select': {
        const [index, items] = Array.isArray(arg) ? arg : [];
        const i = Number(evaluate(index, ctx, at));
        const all = list(evaluate(items, ctx, at), at, ctx);
        if (!Number.isInteger(i) || i < 0 || i >= all.length)
          throw new EvaluationError(`${ctx.stack}: ${at}: !Select index ${i} is outside the list (${all.length} items)`);
        return all[i];
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = Array.isArray(arg) ? arg : [];
        return evaluate(conditionHolds(text(condition, at, ctx), ctx) ? whenTrue : whenFalse, ctx, at);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = args().map((v) => text(v, at, ctx));
        const found = isRecord(ctx.doc.Mappings) && isRecord(ctx.doc.Mappings[map!]) ? (ctx.doc.Mappings[map!] as Json)[top!] : undefined;
        if (!isRecord(found) || !(second! in found))
          throw new EvaluationError(`${ctx.stack}: ${at}: !FindInMap [${map}, ${top}, ${second}] is not in the mapping`);
        return found[second!];
      }
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${ctx.region}${z}`);
      case 'Fn::Base64':
        return evaluate(arg, ctx, at);
      case 'Fn::Equals': {
        const [a, b] = args();
        return JSON.stringify(a) === JSON.stringify(b) || String(a) === String(b);
      }
      case 'Fn::Not':
        return !args()[0];
      case 'Fn::And':
        return args().every(Boolean);
      case 'Fn::Or':
        return args().some(Boolean);
      default:
        if (key.startsWith('Fn::')) throw new EvaluationError(`${ctx.stack}: ${at}: ${key} is not supported offline`);
    }
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    const evaluated = evaluate(v, ctx, at === '-' ? k : `${at}.${k}`);
    if (evaluated !== NO_VALUE) out[k] = evaluated;
  }
  return out;
}

/** Whether a resource exists for these parameters (no `Condition`, or it holds). */
export function resourceExists(resource: Json, ctx: EvaluationContext): boolean {
  return typeof resource.Condition !== 'string' || conditionHolds(resource.Condition, ctx);
}

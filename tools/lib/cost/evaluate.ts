/**
 * Evaluates CloudFormation values offline, the way CloudFormation would for a given set of
 * parameter values, and remembers which root parameters each result depends on. That
 * provenance is what lets the estimate say which toggle removes a resource or which parameter
 * sizes it, without a hand-written list that could drift from the templates.
 *
 * | input                               | result                                                    |
 * |-------------------------------------|-----------------------------------------------------------|
 * | `!Ref Param` / pseudo parameter     | its value (CommaDelimitedList → array)                     |
 * | `!Ref Resource`, `!GetAtt R.A`      | a ResourceToken (physical IDs are not known offline)        |
 * | `!Equals`, `!And`, `!Or`, `!Not`    | booleans; `!If` picks its branch by the named condition     |
 * | `!Sub`, `!Join`, `!Split`, `!Select`, `!FindInMap`, `!GetAZs` | evaluated when every input is known |
 * | anything not knowable offline       | an Unknown (never guessed)                                  |
 * | `!Ref AWS::NoValue`                 | removed from the enclosing map or list                      |
 */
import { isRecord, type Json } from '../grade/tree';

/** A value that cannot be known offline (an attribute of a resource, an import …). */
export class Unknown {
  constructor(readonly why: string) {}
  toString(): string {
    return `(unknown: ${this.why})`;
  }
}

/** `!Ref Resource` or `!GetAtt Resource.Attribute`: the resource, not its physical value. */
export class ResourceToken {
  constructor(
    readonly logicalId: string,
    readonly attribute?: string,
  ) {}
  toString(): string {
    return this.attribute ? `${this.logicalId}.${this.attribute}` : this.logicalId;
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

/** A value and the root parameters (and `AWS::Region`) it was derived from. */
export interface Evaluated<T = unknown> {
  readonly value: T;
  readonly deps: ReadonlySet<string>;
}

export const EMPTY_DEPS: ReadonlySet<string> = new Set();

function union(...sets: ReadonlyArray<ReadonlySet<string>>): ReadonlySet<string> {
  const nonEmpty = sets.filter((s) => s.size > 0);
  if (nonEmpty.length === 0) return EMPTY_DEPS;
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const out = new Set<string>();
  for (const s of nonEmpty) for (const d of s) out.add(d);
  return out;
}

/** Raised when a condition cannot be decided offline: the estimate cannot know what exists. */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
}

export interface ScopeOptions {
  /** The stack's name in messages (`networking`, `root`). */
  readonly stack: string;
  readonly template: Json;
  /** Parameter name → value (string, or array for list types) and its provenance. */
  readonly parameters: ReadonlyMap<string, Evaluated>;
  /** Pseudo parameters (`AWS::Region` …) and their provenance. */
  readonly pseudo: ReadonlyMap<string, Evaluated>;
}

/** One stack's template with its parameter values: evaluates values and conditions in it. */
export class StackScope {
  readonly stack: string;
  readonly template: Json;
  private readonly parameters: ReadonlyMap<string, Evaluated>;
  private readonly pseudo: ReadonlyMap<string, Evaluated>;
  private readonly conditionCache = new Map<string, Evaluated<boolean>>();

  constructor(options: ScopeOptions) {
    this.stack = options.stack;
    this.template = options.template;
    this.parameters = options.parameters;
    this.pseudo = options.pseudo;
  }

  section(name: string): Json {
    const s = this.template[name];
    return isRecord(s) ? s : {};
  }

  parameter(name: string): Evaluated | undefined {
    return this.parameters.get(name);
  }

  /** The named condition's value; throws EvaluationError when it depends on something unknown. */
  condition(name: string, seen: ReadonlySet<string> = new Set()): Evaluated<boolean> {
    const cached = this.conditionCache.get(name);
    if (cached) return cached;
    if (seen.has(name)) throw new EvaluationError(`${this.stack}: condition ${name} refers to itself`);
    const definition = this.section('Conditions')[name];
    if (definition === undefined) throw new EvaluationError(`${this.stack}: condition ${name} is not defined in Conditions`);
    const result = this.evaluateCondition(definition, new Set([...seen, name]));
    if (typeof result.value !== 'boolean') {
      throw new EvaluationError(`${this.stack}: condition ${name} cannot be decided offline (${String(result.value)}); give the parameters it reads a value`);
    }
    const out = result as Evaluated<boolean>;
    this.conditionCache.set(name, out);
    return out;
  }

  private evaluateCondition(value: unknown, seen: ReadonlySet<string>): Evaluated {
    if (isRecord(value) && Object.keys(value).length === 1 && typeof value.Condition === 'string') return this.condition(value.Condition, seen);
    if (isRecord(value) && Object.keys(value).length === 1) {
      const [fn, args] = Object.entries(value)[0]!;
      if ((fn === 'Fn::And' || fn === 'Fn::Or') && Array.isArray(args)) {
        const parts = args.map((a) => this.evaluateCondition(a, seen));
        const deps = union(...parts.map((p) => p.deps));
        if (parts.some((p) => typeof p.value !== 'boolean')) return { value: new Unknown(`${fn} of an undecidable operand`), deps };
        const bools = parts.map((p) => p.value as boolean);
        return { value: fn === 'Fn::And' ? bools.every(Boolean) : bools.some(Boolean), deps };
      }
      if (fn === 'Fn::Not' && Array.isArray(args) && args.length === 1) {
        const inner = this.evaluateCondition(args[0], seen);
        return { value: typeof inner.value === 'boolean' ? !inner.value : inner.value, deps: inner.deps };
      }
    }
    return this.evaluate(value);
  }

  /** Evaluates a value completely (nested maps and lists included). */
  evaluate(value: unknown): Evaluated {
    const out = this.eval(value);
    return out.value === NO_VALUE ? { value: undefined, deps: out.deps } : out;
  }

  private eval(value: unknown): Evaluated {
    if (Array.isArray(value)) {
      const parts = value.map((v) => this.eval(v));
      return { value: parts.filter((p) => p.value !== NO_VALUE).map((p) => p.value), deps: union(...parts.map((p) => p.deps)) };
    }
    if (!isRecord(value)) return { value, deps: EMPTY_DEPS };
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return this.intrinsic(keys[0]!, value[keys[0]!]);
    const out: Record<string, unknown> = {};
    const deps: ReadonlySet<string>[] = [];
    for (const [k, v] of Object.entries(value)) {
      const e = this.eval(v);
      deps.push(e.deps);
      if (e.value !== NO_VALUE) out[k] = e.value;
    }
    return { value: out, deps: union(...deps) };
  }

  private intrinsic(fn: string, args: unknown): Evaluated {
    switch (fn) {
      case 'Ref':
        return this.ref(String(args));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(args) ? args.map(String) : String(args).split(/\.(.*)/s);
        return { value: new ResourceToken(id!, attribute), deps: EMPTY_DEPS };
      }
      case 'Fn::If': {
        if (!Array.isArray(args) || args.length !== 3) return { value: new Unknown('malformed Fn::If'), deps: EMPTY_DEPS };
        const cond = this.condition(String(args[0]));
        const branch = this.eval(cond.value ? args[1] : args[2]);
        return { value: branch.value, deps: union(cond.deps, branch.deps) };
      }
      case 'Fn::Equals': {
        const [a, b] = (Array.isArray(args) ? args : []).map((x) => this.eval(x));
        if (!a || !b) return { value: new Unknown('malformed Fn::Equals'), deps: EMPTY_DEPS };
        const deps = union(a.deps, b.deps);
        if (!isScalar(a.value) || !isScalar(b.value)) return { value: new Unknown(`Fn::Equals of ${String(a.value)} and ${String(b.value)}`), deps };
        return { value: String(a.value) === String(b.value), deps };
      }
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
        return this.evaluateCondition({ [fn]: args }, new Set());
      case 'Fn::Sub':
        return this.sub(args);
      case 'Fn::Join': {
        if (!Array.isArray(args) || args.length !== 2) return { value: new Unknown('malformed Fn::Join'), deps: EMPTY_DEPS };
        const list = this.eval(args[1]);
        if (!Array.isArray(list.value) || !list.value.every(isScalar)) return { value: new Unknown('Fn::Join of an unknown list'), deps: list.deps };
        return { value: list.value.map(String).join(String(args[0])), deps: list.deps };
      }
      case 'Fn::Split': {
        if (!Array.isArray(args) || args.length !== 2) return { value: new Unknown('malformed Fn::Split'), deps: EMPTY_DEPS };
        const text = this.eval(args[1]);
        if (!isScalar(text.value)) return { value: new Unknown('Fn::Split of an unknown string'), deps: text.deps };
        return { value: String(text.value).split(String(args[0])), deps: text.deps };
      }
      case 'Fn::Select': {
        if (!Array.isArray(args) || args.length !== 2) return { value: new Unknown('malformed Fn::Select'), deps: EMPTY_DEPS };
        const index = this.eval(args[0]);
        const list = this.eval(args[1]);
        const deps = union(index.deps, list.deps);
        if (!Array.isArray(list.value) || !isScalar(index.value)) return { value: new Unknown('Fn::Select from an unknown list'), deps };
        const picked = list.value[Number(index.value)];
        return { value: picked === undefined ? new Unknown(`Fn::Select index ${String(index.value)} out of range`) : picked, deps };
      }
      case 'Fn::FindInMap': {
        const parts = (Array.isArray(args) ? args : []).map((x) => this.eval(x));
        const deps = union(...parts.map((p) => p.deps));
        if (parts.length < 3 || !parts.slice(0, 3).every((p) => isScalar(p.value))) return { value: new Unknown('Fn::FindInMap with an unknown key'), deps };
        const [map, top, second] = parts.map((p) => String(p.value));
        const found = (this.section('Mappings')[map!] as Json | undefined)?.[top!] as Json | undefined;
        const v = found?.[second!];
        return { value: v === undefined ? new Unknown(`no ${map}.${top}.${second} in Mappings`) : v, deps };
      }
      case 'Fn::GetAZs': {
        const region = this.pseudo.get('AWS::Region')!;
        // Three AZ names stand in for the region's zones: templates select them by index only.
        return { value: ['a', 'b', 'c'].map((z) => `${String(region.value)}${z}`), deps: region.deps };
      }
      case 'Fn::Base64':
        return this.eval(args);
      default:
        return { value: new Unknown(`${fn} is not evaluated offline`), deps: EMPTY_DEPS };
    }
  }

  private ref(name: string): Evaluated {
    if (name === 'AWS::NoValue') return { value: NO_VALUE, deps: EMPTY_DEPS };
    const pseudo = this.pseudo.get(name);
    if (pseudo) return pseudo;
    const parameter = this.parameters.get(name);
    if (parameter) return parameter;
    if (name in this.section('Resources')) return { value: new ResourceToken(name), deps: EMPTY_DEPS };
    return { value: new Unknown(`!Ref ${name} names nothing in ${this.stack}`), deps: EMPTY_DEPS };
  }

  private sub(args: unknown): Evaluated {
    const [text, vars] = Array.isArray(args) ? [args[0], args[1]] : [args, {}];
    if (typeof text !== 'string') return { value: new Unknown('malformed Fn::Sub'), deps: EMPTY_DEPS };
    const local = isRecord(vars) ? vars : {};
    const deps: ReadonlySet<string>[] = [];
    let unknown: Unknown | undefined;
    const out = text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      const e =
        name in local
          ? this.eval(local[name])
          : name.includes('.') && !name.startsWith('AWS::')
            ? { value: new ResourceToken(name.split('.')[0]!, name.slice(name.indexOf('.') + 1)), deps: EMPTY_DEPS }
            : this.ref(name);
      deps.push(e.deps);
      if (isScalar(e.value)) return String(e.value);
      unknown ??= new Unknown(`\${${name}} in Fn::Sub is ${String(e.value)}`);
      return whole;
    });
    return { value: unknown ?? out, deps: union(...deps) };
  }
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Evaluated string parameter values as CloudFormation passes them (lists split at commas). */
export function parameterValue(type: unknown, raw: string): unknown {
  return typeof type === 'string' && (type === 'CommaDelimitedList' || type.startsWith('List<')) ? (raw === '' ? [] : raw.split(',')) : raw;
}

export { union as unionDeps };

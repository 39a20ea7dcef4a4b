/**
 * What this deploy would create, read from the templates in generated/ with the parameter values
 * it sends: the checks count VPCs, sum reserved concurrency, and find the secret rotation targets
 * here instead of hard-coding them, so a template change changes the preflight with it.
 *
 * The templates are evaluated offline by the validator's evaluator (tools/lib/validate/evaluate.ts,
 * the one the side-by-side scenario test uses): the root (or the secondary template), then each
 * nested stack that exists for these parameters, with the parameters its parent passes (a nested
 * stack's output read by a sibling is evaluated in that child). What exists only at deploy time
 * (a resource's Ref or attribute) is a token `<label:LogicalId>`, which `resolveToken` maps back.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTemplate } from '../../../../templates-src/lib/yaml';
import { evaluate, EvaluationError, parameterValues, resourceExists, type EvaluationContext } from '../../validate/evaluate';
import { isRecord, type Json } from '../../validate/model';

const NESTED_STACK = 'AWS::CloudFormation::Stack';

export interface PlannedStack {
  /** Logical IDs of the nested stacks from the top template: [] for the top itself. */
  readonly path: readonly string[];
  /** File under generated/. */
  readonly file: string;
  readonly ctx: EvaluationContext;
}

export interface PlannedResource {
  readonly stack: PlannedStack;
  readonly logicalId: string;
  readonly type: string;
  readonly definition: Json;
}

/** A resource the templates declare, whatever the conditions: a deployed stack may hold it. */
export interface DeclaredResource {
  readonly path: readonly string[];
  readonly file: string;
  readonly logicalId: string;
  readonly type: string;
  readonly definition: Json;
}

export interface Plan {
  /** The top template's file under generated/. */
  readonly top: string;
  /** Resources of `type` that exist for these parameters, top stack first. */
  resources(type: string): PlannedResource[];
  /** Every resource of `type` in the templates, conditions ignored. */
  declared(type: string): DeclaredResource[];
  /** One property of a planned resource, evaluated (undefined when absent or AWS::NoValue). */
  property(resource: PlannedResource, dotted: string): unknown;
  /** The planned resource a token such as `<root/Security:MarketDataSecret>` stands for. */
  resolveToken(value: unknown): PlannedResource | undefined;
  /** The top template's Default of a parameter (undefined when it declares no such parameter). */
  defaultOf(parameter: string): string | undefined;
}

export interface PlanOptions {
  /** Parses a file under generated/ (cached by the caller). */
  readonly load: (file: string) => Json;
  /** `root.yaml` or `secondary.yaml`. */
  readonly top: string;
  /** The parameters the deploy sends to the top template (the rest take their Default). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly region: string;
  readonly account: string;
  readonly stackName: string;
}

/** Reads generated/<file> from the checkout, each file once. */
export function generatedLoader(repoRoot: string): (file: string) => Json {
  const cache = new Map<string, Json>();
  return (file) => {
    let doc = cache.get(file);
    if (!doc) {
      const text = readFileSync(path.join(repoRoot, 'generated', file), 'utf8');
      doc = parseTemplate(text, `generated/${file}`) as Json;
      cache.set(file, doc);
    }
    return doc;
  };
}

const asParameter = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

/** The file a nested stack's `TemplateURL: ./x.yaml` names. */
function childFile(resource: Json, where: string): string {
  const url = isRecord(resource.Properties) ? resource.Properties.TemplateURL : undefined;
  if (typeof url !== 'string' || !url.startsWith('./'))
    throw new EvaluationError(`${where}: TemplateURL ${JSON.stringify(url)} is not a ./<file>.yaml path in generated/`);
  return url.slice(2);
}

function resourcesOf(doc: Json): [string, Json][] {
  return Object.entries(isRecord(doc.Resources) ? doc.Resources : {}).filter((e): e is [string, Json] => isRecord(e[1]));
}

export function planDeployment(o: PlanOptions): Plan {
  const topLabel = o.top.replace(/\.yaml$/, '');
  const stacks = new Map<string, PlannedStack>();
  let all: PlannedStack[] | undefined;

  function stackAt(labelPath: readonly string[], file: string, given: Readonly<Record<string, string>>): PlannedStack {
    const label = [topLabel, ...labelPath].join('/');
    const known = stacks.get(label);
    if (known) return known;
    const doc = o.load(file);
    const ctx: EvaluationContext = {
      stack: label,
      doc,
      parameters: parameterValues(doc, given, `generated/${file}`),
      region: o.region,
      account: o.account,
      stackName: labelPath.length === 0 ? o.stackName : `${o.stackName}-${labelPath.join('-')}`,
      stackOutput: (id, output) => {
        const child = childOf(planned, id);
        const definition = isRecord(child.ctx.doc.Outputs) ? child.ctx.doc.Outputs[output] : undefined;
        if (!isRecord(definition)) throw new EvaluationError(`${label}: ${id} declares no output ${output}`);
        return evaluate(definition.Value, child.ctx, `${id}.Outputs.${output}`);
      },
    };
    const planned: PlannedStack = { path: labelPath, file, ctx };
    stacks.set(label, planned);
    return planned;
  }

  function childOf(parent: PlannedStack, id: string): PlannedStack {
    const resource = isRecord(parent.ctx.doc.Resources) ? parent.ctx.doc.Resources[id] : undefined;
    if (!isRecord(resource) || resource.Type !== NESTED_STACK) throw new EvaluationError(`${parent.ctx.stack}: ${id} is not a nested stack`);
    const label = [topLabel, ...parent.path, id].join('/');
    const known = stacks.get(label);
    if (known) return known;
    const given = evaluate(isRecord(resource.Properties) ? (resource.Properties.Parameters ?? {}) : {}, parent.ctx, `${id}.Parameters`);
    const parameters = Object.fromEntries(Object.entries(isRecord(given) ? given : {}).map(([k, v]) => [k, asParameter(v)]));
    return stackAt([...parent.path, id], childFile(resource, `${parent.ctx.stack}/${id}`), parameters);
  }

  /** Every stack that exists for these parameters, depth-first from the top. */
  function everyStack(): PlannedStack[] {
    if (all) return all;
    const out: PlannedStack[] = [];
    const visit = (s: PlannedStack): void => {
      out.push(s);
      for (const [id, r] of resourcesOf(s.ctx.doc)) if (r.Type === NESTED_STACK && resourceExists(r, s.ctx)) visit(childOf(s, id));
    };
    visit(stackAt([], o.top, o.parameters));
    all = out;
    return out;
  }

  const byLabel = (label: string): PlannedStack | undefined => {
    everyStack();
    return stacks.get(label);
  };

  return {
    top: o.top,
    resources(type) {
      return everyStack().flatMap((stack) =>
        resourcesOf(stack.ctx.doc)
          .filter(([, r]) => r.Type === type && resourceExists(r, stack.ctx))
          .map(([logicalId, definition]) => ({ stack, logicalId, type, definition })),
      );
    },
    declared(type) {
      const out: DeclaredResource[] = [];
      const visit = (file: string, at: readonly string[]): void => {
        for (const [logicalId, r] of resourcesOf(o.load(file))) {
          if (r.Type === type) out.push({ path: at, file, logicalId, type, definition: r });
          if (r.Type === NESTED_STACK) visit(childFile(r, `${file}/${logicalId}`), [...at, logicalId]);
        }
      };
      visit(o.top, []);
      return out;
    },
    property(resource, dotted) {
      let node: unknown = resource.definition.Properties;
      for (const key of dotted.split('.')) node = isRecord(node) ? node[key] : undefined;
      if (node === undefined) return undefined;
      const value = evaluate(node, resource.stack.ctx, `${resource.logicalId}.${dotted}`);
      return typeof value === 'symbol' ? undefined : value;
    },
    resolveToken(value) {
      const m = typeof value === 'string' ? /^<(.+):([A-Za-z0-9]+)>$/.exec(value) : null;
      if (!m) return undefined;
      const stack = byLabel(m[1]!);
      const definition = stack && isRecord(stack.ctx.doc.Resources) ? stack.ctx.doc.Resources[m[2]!] : undefined;
      return stack && isRecord(definition) ? { stack, logicalId: m[2]!, type: String(definition.Type), definition } : undefined;
    },
    defaultOf(parameter) {
      const doc = o.load(o.top);
      const d = isRecord(doc.Parameters) ? doc.Parameters[parameter] : undefined;
      if (!isRecord(d)) return undefined;
      return d.Default === undefined ? '' : String(d.Default);
    },
  };
}

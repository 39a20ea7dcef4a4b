/**
 * The generated template tree as data: every file parsed once, the root ↔ child wiring, and a
 * resolver that follows a value (`!Ref`, `!GetAtt`, `!Sub` variables, `!If` branches) across the
 * nested tree — child parameter → root `Stack` parameter → `!GetAtt Other.Outputs.X` → the other
 * child's output → the resource it names. The report's checks and the diagram both stand on it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readTemplate } from './fast-yaml';

export type Json = Record<string, unknown>;

export interface TemplateFile {
  /** File name in generated/, e.g. `networking.yaml`. */
  readonly file: string;
  readonly template: Json;
}

/** A resource somewhere in the tree. */
export interface ResourceRef {
  readonly file: string;
  readonly logicalId: string;
  readonly type: string;
  readonly resource: Json;
}

export function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function section(template: Json, name: string): Json {
  const value = template[name];
  return isRecord(value) ? value : {};
}

export function properties(resource: Json): Json {
  return section(resource, 'Properties');
}

/** `${X}` / `${X.Attr}` variables of a `!Sub` string (not `${!Literal}`). */
export function subVariables(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) out.push(m[1]!.trim());
  return out;
}

/** Every string in a value, intrinsic arguments included, for text searches (`!Sub` bodies, dashboards). */
export function allText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(allText).join('\n');
  if (isRecord(value)) return Object.entries(value).map(([k, v]) => `${k}\n${allText(v)}`).join('\n');
  return value === undefined || value === null ? '' : String(value);
}

/** Both branches of every `!If`, so a conditional value can be inspected as its alternatives. */
export function alternatives(value: unknown): unknown[] {
  if (isRecord(value) && Array.isArray(value['Fn::If']) && value['Fn::If'].length === 3) {
    const [, a, b] = value['Fn::If'] as unknown[];
    return [...alternatives(a), ...alternatives(b)];
  }
  if (isRecord(value) && value.Ref === 'AWS::NoValue') return [];
  return [value];
}

/** The template tree: root, its children, standalone templates. */
export class TemplateTree {
  readonly files: readonly TemplateFile[];
  private readonly byFile = new Map<string, TemplateFile>();
  /** child file → [root file, logical ID of its AWS::CloudFormation::Stack]. */
  private readonly parents = new Map<string, { file: string; stackId: string }>();
  /** `${file}#${stackId}` → child file. */
  private readonly children = new Map<string, string>();

  /**
   * @param files the parsed templates, in the order the tree should be presented
   * @param rootFile the root template's file name @default root.yaml
   */
  constructor(
    files: readonly TemplateFile[],
    readonly rootFile = 'root.yaml',
  ) {
    this.files = files;
    for (const f of files) this.byFile.set(f.file, f);
    for (const f of files) {
      for (const [id, r] of Object.entries(section(f.template, 'Resources'))) {
        if (!isRecord(r) || r.Type !== 'AWS::CloudFormation::Stack') continue;
        const url = properties(r).TemplateURL;
        if (typeof url !== 'string') continue;
        const child = path.posix.normalize(path.posix.join(path.posix.dirname(f.file), url));
        if (!this.byFile.has(child)) continue;
        this.parents.set(child, { file: f.file, stackId: id });
        this.children.set(`${f.file}#${id}`, child);
      }
    }
  }

  get(file: string): TemplateFile | undefined {
    return this.byFile.get(file);
  }

  /** The logical ID of the stack that nests this file, or undefined for root and standalone templates. */
  stackIdOf(file: string): string | undefined {
    return this.parents.get(file)?.stackId;
  }

  /** The child file a root `AWS::CloudFormation::Stack` points at. */
  childFile(file: string, stackId: string): string | undefined {
    return this.children.get(`${file}#${stackId}`);
  }

  /** Every resource in the tree, in file order then template order. */
  resources(type?: string | RegExp): ResourceRef[] {
    const out: ResourceRef[] = [];
    for (const f of this.files) {
      for (const [logicalId, r] of Object.entries(section(f.template, 'Resources'))) {
        if (!isRecord(r) || typeof r.Type !== 'string') continue;
        if (type !== undefined && (typeof type === 'string' ? r.Type !== type : !type.test(r.Type))) continue;
        out.push({ file: f.file, logicalId, type: r.Type, resource: r });
      }
    }
    return out;
  }

  resource(file: string, logicalId: string): ResourceRef | undefined {
    const r = section(this.get(file)?.template ?? {}, 'Resources')[logicalId];
    return isRecord(r) && typeof r.Type === 'string' ? { file, logicalId, type: r.Type, resource: r } : undefined;
  }

  /**
   * The resources a value points at, following parameters up to root and nested outputs down to
   * the child that declares them. Pseudo parameters and root parameters resolve to nothing.
   */
  resolve(file: string, value: unknown): ResourceRef[] {
    const found = new Map<string, ResourceRef>();
    this.walk(file, value, found, new Set());
    return [...found.values()];
  }

  /**
   * The Lambda function an ARN names when the ARN is built from its physical name
   * (`!Sub arn:…:function:${NamePrefix}-poller`) rather than referenced — what a stack does when
   * the function lives in a stack deployed after it. Matches the function whose `FunctionName`
   * has the same `!Sub` text.
   */
  functionByArnText(file: string, value: unknown): ResourceRef | undefined {
    const text = allText(value);
    const m = /:function:([^\s:]+)\s*$/.exec(text);
    if (!m) return undefined;
    const name = m[1]!;
    return this.resources('AWS::Lambda::Function').find((fn) => {
      const fnName = allText(properties(fn.resource).FunctionName).replace(/^Fn::Sub\n/, '');
      return fnName === name && (fn.file === file || name.includes('${NamePrefix}'));
    });
  }

  /** The first resource of `type` a value resolves to. */
  resolveType(file: string, value: unknown, type: string | RegExp): ResourceRef | undefined {
    return this.resolve(file, value).find((r) => (typeof type === 'string' ? r.type === type : type.test(r.type)));
  }

  /** The root parameters a value ends at (e.g. a child `Threshold` parameter wired to root `StockDropPercent`). */
  rootParameters(file: string, value: unknown): string[] {
    const found = new Set<string>();
    this.walkParameters(file, value, found, new Set());
    return [...found].sort();
  }

  private walkParameters(file: string, value: unknown, found: Set<string>, seen: Set<string>): void {
    for (const name of directNames(value)) {
      const key = `${file}#${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!(name in section(this.get(file)?.template ?? {}, 'Parameters'))) continue;
      const parent = this.parents.get(file);
      if (!parent) {
        found.add(name);
        continue;
      }
      const stack = this.resource(parent.file, parent.stackId);
      this.walkParameters(parent.file, section(properties(stack?.resource ?? {}), 'Parameters')[name], found, seen);
    }
    if (Array.isArray(value)) for (const v of value) this.walkParameters(file, v, found, seen);
    else if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (k !== 'Ref') this.walkParameters(file, v, found, seen);
  }

  private walk(file: string, value: unknown, found: Map<string, ResourceRef>, seen: Set<string>): void {
    if (Array.isArray(value)) {
      for (const v of value) this.walk(file, v, found, seen);
      return;
    }
    if (!isRecord(value)) return;
    if (typeof value.Ref === 'string') {
      this.name(file, value.Ref, found, seen);
      return;
    }
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
      this.name(file, typeof getAtt[1] === 'string' ? `${getAtt[0]}.${getAtt[1]}` : getAtt[0], found, seen);
      return;
    }
    const sub = value['Fn::Sub'];
    if (sub !== undefined) {
      const [text, vars] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, {}];
      const local = isRecord(vars) ? vars : {};
      if (typeof text === 'string') {
        for (const v of subVariables(text)) {
          if (v in local) this.walk(file, local[v], found, seen);
          else this.name(file, v, found, seen);
        }
      }
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Fn::If' && Array.isArray(v)) this.walk(file, v.slice(1), found, seen);
      else if (k !== 'Fn::FindInMap') this.walk(file, v, found, seen);
    }
  }

  /** Resolves `X` or `X.Attr` named in `file`. */
  private name(file: string, name: string, found: Map<string, ResourceRef>, seen: Set<string>): void {
    const key = `${file}#${name}`;
    if (seen.has(key) || name.startsWith('AWS::')) return;
    seen.add(key);
    const dot = name.indexOf('.');
    const id = dot < 0 ? name : name.slice(0, dot);
    const attr = dot < 0 ? '' : name.slice(dot + 1);
    const template = this.get(file)?.template ?? {};
    const resource = this.resource(file, id);
    if (resource) {
      const child = this.childFile(file, id);
      if (child && attr.startsWith('Outputs.')) {
        const output = section(this.get(child)?.template ?? {}, 'Outputs')[attr.slice('Outputs.'.length)];
        if (isRecord(output)) this.walk(child, output.Value, found, seen);
        return;
      }
      found.set(`${file}#${id}`, resource);
      return;
    }
    if (id in section(template, 'Parameters')) {
      const parent = this.parents.get(file);
      if (!parent) return;
      const stack = this.resource(parent.file, parent.stackId);
      this.walk(parent.file, section(properties(stack?.resource ?? {}), 'Parameters')[id], found, seen);
    }
  }
}

/** Names a value refers to directly (`!Ref X`, `${X}` in `!Sub`). */
function directNames(value: unknown): string[] {
  if (!isRecord(value)) return [];
  if (typeof value.Ref === 'string') return [value.Ref];
  const sub = value['Fn::Sub'];
  const text = Array.isArray(sub) ? sub[0] : sub;
  return typeof text === 'string' ? subVariables(text).filter((v) => !v.includes('.')) : [];
}

/**
 * Reads the registry's files from `dir` (root first, then the registry order, then standalone
 * templates), skipping files that do not exist.
 */
export async function loadTree(dir: string, files: readonly string[], rootFile = 'root.yaml'): Promise<TemplateTree> {
  const loaded: TemplateFile[] = [];
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    loaded.push({ file, template: readTemplate(text, path.join(dir, file)) });
  }
  return new TemplateTree(loaded, rootFile);
}

/**
 * A submission (or our generated/) as one tree of templates: every file parsed once, nested
 * stacks wired to their parents through local `TemplateURL`s, and a resolver that follows a
 * value across the tree — `!Ref`, `!GetAtt`, `!Sub` variables and `!If` branches; a child
 * parameter up to the value its parent `AWS::CloudFormation::Stack` passes; `!GetAtt
 * Stack.Outputs.X` down to the child's output; `!ImportValue` to the output that exports the
 * name. The grader's checks, the architecture diagram and the template diff stand on it.
 */
import path from 'node:path';
import { isRecord, subVariables, type Json } from '../validate/model';

export { isRecord, type Json };

export interface TemplateFile {
  /** Path relative to the submission (POSIX separators), e.g. `networking.yaml` or `stacks/net.json`. */
  readonly file: string;
  /** The template in its JSON form (SAM resources already expanded, see sam.ts). */
  readonly template: Json;
  /** Logical ID → 1-based line of its key in the file, when known. */
  readonly lines?: ReadonlyMap<string, number>;
  /** Logical ID of an expanded resource → the SAM resource it came from (`AWS::Serverless::Function Ingest`). */
  readonly expandedFrom?: ReadonlyMap<string, string>;
}

/** A resource somewhere in the tree. */
export interface ResourceRef {
  readonly file: string;
  readonly logicalId: string;
  readonly type: string;
  readonly resource: Json;
}

export function section(template: Json, name: string): Json {
  const value = template[name];
  return isRecord(value) ? value : {};
}

export function properties(resource: Json): Json {
  return section(resource, 'Properties');
}

/** Every string in a value, intrinsic arguments and keys included, for text searches (`!Sub` bodies, dashboards). */
export function allText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(allText).join('\n');
  if (isRecord(value))
    return Object.entries(value)
      .map(([k, v]) => `${k}\n${allText(v)}`)
      .join('\n');
  return value === undefined || value === null ? '' : String(value);
}

/** Both branches of every `!If` (AWS::NoValue dropped), so a conditional value can be inspected as its alternatives. */
export function alternatives(value: unknown): unknown[] {
  if (isRecord(value) && Array.isArray(value['Fn::If']) && value['Fn::If'].length === 3) {
    const [, a, b] = value['Fn::If'] as unknown[];
    return [...alternatives(a), ...alternatives(b)];
  }
  if (isRecord(value) && value.Ref === 'AWS::NoValue') return [];
  return [value];
}

/** The items of a list value, through `!If` on the list and on each item. */
export function items(value: unknown): unknown[] {
  return alternatives(value).flatMap((v) => (Array.isArray(v) ? v.flatMap(alternatives) : [v]));
}

/** Condition names of the `!If`s anywhere in a value (a property that exists only in some deployments). */
export function ifConditions(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) ifConditions(v, out);
  else if (isRecord(value)) {
    const args = value['Fn::If'];
    if (Array.isArray(args) && typeof args[0] === 'string') out.add(args[0]);
    for (const v of Object.values(value)) ifConditions(v, out);
  }
  return out;
}

/** True for `true` and `'true'` (YAML writers and JSON authors differ). */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === 'True';
}

/** A local path of a `TemplateURL`/`Location`, or undefined for an S3/HTTPS URL or a computed value. */
export function localTemplatePath(url: unknown): string | undefined {
  if (typeof url !== 'string' || url === '') return undefined;
  if (/^https?:\/\//i.test(url) || /^s3:\/\//i.test(url)) return undefined;
  return url.replace(/^file:\/\//, '');
}

/** The file name at the end of a `TemplateURL` of any form (S3 URLs included). */
function urlBaseName(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const name = url.split(/[/?#]/).filter(Boolean).pop();
  return name && /\.(ya?ml|json|template)$/i.test(name) ? name : undefined;
}

/** How a nested stack's file was found. */
export interface NestedLink {
  readonly parentFile: string;
  readonly stackId: string;
  readonly childFile: string;
  /** `path`: the local TemplateURL; `name`: an S3 URL matched to a submitted file by its name. */
  readonly by: 'path' | 'name';
}

const STACK_TYPES = new Set(['AWS::CloudFormation::Stack', 'AWS::Serverless::Application']);

/** `${X}` placeholders replaced by `*`, for matching an `!ImportValue` with an export name. */
function exportPattern(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return undefined;
  const sub = value['Fn::Sub'];
  const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
  if (text !== undefined) return text.replace(/\$\{[^}]*\}/g, '*');
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return (join[1] as unknown[]).map((p) => (typeof p === 'string' ? p : '*')).join(join[0]);
  }
  return undefined;
}

export class TemplateTree {
  readonly files: readonly TemplateFile[];
  /** The root template: `rootFile` when given, else the first file that nests others and is nested by none. */
  readonly rootFile: string;
  private readonly byFile = new Map<string, TemplateFile>();
  private readonly parents = new Map<string, { file: string; stackId: string }>();
  private readonly children = new Map<string, string>();
  private readonly linkList: NestedLink[] = [];
  private readonly exports = new Map<string, { file: string; output: string }[]>();
  private resourceCache: ResourceRef[] | undefined;

  /**
   * @param files the parsed templates, in the order the tree should be presented
   * @param rootFile the root template's file. @default the file that nests others (root.yaml when none does)
   */
  constructor(files: readonly TemplateFile[], rootFile?: string) {
    this.files = files;
    for (const f of files) this.byFile.set(f.file, f);
    const byName = new Map<string, string[]>();
    for (const f of files) byName.set(path.posix.basename(f.file), [...(byName.get(path.posix.basename(f.file)) ?? []), f.file]);
    for (const f of files) {
      for (const [id, r] of Object.entries(section(f.template, 'Resources'))) {
        if (!isRecord(r) || !STACK_TYPES.has(String(r.Type))) continue;
        const url = r.Type === 'AWS::Serverless::Application' ? properties(r).Location : properties(r).TemplateURL;
        const local = localTemplatePath(url);
        let child: string | undefined;
        let by: NestedLink['by'] = 'path';
        if (local !== undefined) {
          child = path.posix.normalize(path.posix.join(path.posix.dirname(f.file), local));
        } else {
          const candidates = byName.get(urlBaseName(url) ?? '') ?? [];
          if (candidates.length === 1) [child, by] = [candidates[0]!, 'name'];
        }
        if (child === undefined || !this.byFile.has(child) || child === f.file || this.parents.has(child)) continue;
        this.parents.set(child, { file: f.file, stackId: id });
        this.children.set(`${f.file}#${id}`, child);
        this.linkList.push({ parentFile: f.file, stackId: id, childFile: child, by });
      }
      for (const [name, output] of Object.entries(section(f.template, 'Outputs'))) {
        const pattern = isRecord(output) && isRecord(output.Export) ? exportPattern(output.Export.Name) : undefined;
        if (pattern !== undefined) this.exports.set(pattern, [...(this.exports.get(pattern) ?? []), { file: f.file, output: name }]);
      }
    }
    this.rootFile = rootFile ?? files.find((f) => !this.parents.has(f.file) && this.linkList.some((l) => l.parentFile === f.file))?.file ?? 'root.yaml';
  }

  get(file: string): TemplateFile | undefined {
    return this.byFile.get(file);
  }

  /** Every parent → child link found, in file order. */
  links(): readonly NestedLink[] {
    return this.linkList;
  }

  /** The logical ID of the stack that nests this file, or undefined for top-level templates. */
  stackIdOf(file: string): string | undefined {
    return this.parents.get(file)?.stackId;
  }

  /** The file that nests this one. */
  parentOf(file: string): string | undefined {
    return this.parents.get(file)?.file;
  }

  /** The child file a parent's `AWS::CloudFormation::Stack` points at. */
  childFile(file: string, stackId: string): string | undefined {
    return this.children.get(`${file}#${stackId}`);
  }

  /** Every resource in the tree, in file order then template order; optionally of one type (or matching a pattern). */
  resources(type?: string | RegExp): ResourceRef[] {
    if (!this.resourceCache) {
      this.resourceCache = [];
      for (const f of this.files) {
        for (const [logicalId, r] of Object.entries(section(f.template, 'Resources'))) {
          if (isRecord(r) && typeof r.Type === 'string') this.resourceCache.push({ file: f.file, logicalId, type: r.Type, resource: r });
        }
      }
    }
    if (type === undefined) return [...this.resourceCache];
    return this.resourceCache.filter((r) => (typeof type === 'string' ? r.type === type : type.test(r.type)));
  }

  resource(file: string, logicalId: string): ResourceRef | undefined {
    const r = section(this.get(file)?.template ?? {}, 'Resources')[logicalId];
    return isRecord(r) && typeof r.Type === 'string' ? { file, logicalId, type: r.Type, resource: r } : undefined;
  }

  /**
   * The conditions a resource exists under: its own `Condition` and those of the stacks that nest
   * its file (as `file#Condition` is not needed: condition names are reported as written).
   */
  conditionsOf(r: { file: string; logicalId: string }): string[] {
    const out: string[] = [];
    const own = this.resource(r.file, r.logicalId)?.resource.Condition;
    if (typeof own === 'string') out.push(own);
    for (let file = r.file, parent = this.parents.get(file); parent; file = parent.file, parent = this.parents.get(file)) {
      const c = this.resource(parent.file, parent.stackId)?.resource.Condition;
      if (typeof c === 'string') out.push(`${parent.stackId}:${c}`);
    }
    return out;
  }

  /** The 1-based line of a logical ID in its file, when the reader recorded it. */
  lineOf(file: string, logicalId: string): number | undefined {
    return this.get(file)?.lines?.get(logicalId);
  }

  /** The SAM resource an expanded resource came from. */
  expandedFrom(file: string, logicalId: string): string | undefined {
    return this.get(file)?.expandedFrom?.get(logicalId);
  }

  /**
   * The resources a value points at, following parameters up to the parent stack, nested outputs
   * down to the child that declares them and imports to their exports. Pseudo parameters and
   * top-level parameters resolve to nothing.
   */
  resolve(file: string, value: unknown): ResourceRef[] {
    const found = new Map<string, ResourceRef>();
    this.walk(file, value, found, new Set());
    return [...found.values()];
  }

  /** The first resource of `type` a value resolves to. */
  resolveType(file: string, value: unknown, type: string | RegExp): ResourceRef | undefined {
    return this.resolve(file, value).find((r) => (typeof type === 'string' ? r.type === type : type.test(r.type)));
  }

  /**
   * The Lambda function an ARN names when it is built from the function's physical name
   * (`!Sub arn:…:function:${Prefix}-poller`) rather than referenced. Matches the function whose
   * `FunctionName` has the same text.
   */
  functionByArnText(file: string, value: unknown): ResourceRef | undefined {
    const text = allText(value);
    const m = /:function:([^\s:]+)\s*$/.exec(text);
    if (!m) return undefined;
    const name = m[1]!;
    const candidates = this.resources('AWS::Lambda::Function').filter((fn) => allText(properties(fn.resource).FunctionName).replace(/^Fn::Sub\n/, '') === name);
    return candidates.find((fn) => fn.file === file) ?? (candidates.length === 1 ? candidates[0] : undefined);
  }

  /** The top-level parameters a value ends at (a child `Threshold` wired to root `StockDropPercent`). */
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
    const imported = value['Fn::ImportValue'];
    if (imported !== undefined) {
      const pattern = exportPattern(imported);
      const targets = pattern !== undefined ? (this.exports.get(pattern) ?? []) : [];
      if (targets.length === 1) {
        const output = section(this.get(targets[0]!.file)?.template ?? {}, 'Outputs')[targets[0]!.output];
        const key = `${targets[0]!.file}#Outputs.${targets[0]!.output}`;
        if (isRecord(output) && !seen.has(key)) {
          seen.add(key);
          this.walk(targets[0]!.file, output.Value, found, seen);
        }
      }
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

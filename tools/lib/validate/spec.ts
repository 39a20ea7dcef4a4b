/**
 * Checks against the CloudFormation resource specification shipped in `@aws-cdk/aws-service-spec`
 * (the same data the CDK generates its L1 constructs from): resource types, property names at
 * every nesting level, required properties, `!GetAtt` attributes, and literal values whose shape
 * cannot match the declared type.
 *
 * The package ships one gzipped JSON database (15 MB, ~0.5 s to parse). We read it directly
 * rather than through its `loadAwsServiceSpec()` (which also builds indexes we do not use), keep
 * only what the checks need, and cache that slim index in `.cache/` keyed by the package version
 * (~10x faster on the next run). Loaded once per process, on first use.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { didYouMean, intrinsicName, isNoValue, isRecord, resourcesOf, walk, type Issue, type Json } from './model';

/** A property or element type, as the spec describes it. */
export type TypeSpec =
  | { readonly type: 'string'; readonly allowedValues?: readonly string[] }
  | { readonly type: 'boolean' | 'integer' | 'number' | 'json' | 'tag' | 'date-time' | 'null' }
  | { readonly type: 'ref'; readonly ref: string }
  | { readonly type: 'array' | 'map'; readonly element: TypeSpec }
  | { readonly type: 'union'; readonly types: readonly TypeSpec[] };

export interface PropertySpec {
  readonly type: TypeSpec;
  readonly required?: boolean;
  /** Types the property had before; values of these are still accepted. */
  readonly previousTypes?: readonly TypeSpec[];
}

export interface ResourceSpec {
  readonly properties: Readonly<Record<string, PropertySpec>>;
  readonly attributes: readonly string[];
  /**
   * The ARN pattern of the type (`arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}`):
   * which of region and account it names says how far its physical names must be unique.
   * @default none (the type has no ARN of its own)
   */
  readonly arnTemplate?: string;
}

export interface TypeDefinitionSpec {
  readonly name: string;
  readonly properties: Readonly<Record<string, PropertySpec>>;
}

/** The slim index: every resource type and every nested property type. */
export interface SpecIndex {
  readonly version: string;
  readonly resources: Readonly<Record<string, ResourceSpec>>;
  readonly types: Readonly<Record<string, TypeDefinitionSpec>>;
}

const CACHE_FORMAT = 3;

function slimType(raw: unknown): TypeSpec {
  if (!isRecord(raw)) return { type: 'json' };
  switch (raw.type) {
    case 'ref':
      return { type: 'ref', ref: String((raw.reference as Json | undefined)?.$ref) };
    case 'array':
    case 'map':
      return { type: raw.type, element: slimType(raw.element) };
    case 'union':
      return { type: 'union', types: (Array.isArray(raw.types) ? raw.types : []).map(slimType) };
    case 'string':
      return Array.isArray(raw.allowedValues) && raw.allowedValues.length > 0
        ? { type: 'string', allowedValues: raw.allowedValues.map(String) }
        : { type: 'string' };
    case 'boolean':
    case 'integer':
    case 'number':
    case 'tag':
    case 'date-time':
    case 'null':
      return { type: raw.type };
    default:
      return { type: 'json' };
  }
}

function slimProperties(raw: unknown): Record<string, PropertySpec> {
  const out: Record<string, PropertySpec> = {};
  if (!isRecord(raw)) return out;
  for (const [name, p] of Object.entries(raw)) {
    if (!isRecord(p)) continue;
    out[name] = {
      type: slimType(p.type),
      ...(p.required === true ? { required: true } : {}),
      ...(Array.isArray(p.previousTypes) ? { previousTypes: p.previousTypes.map(slimType) } : {}),
    };
  }
  return out;
}

/** Builds the slim index from the package's database JSON. */
export function slimIndex(db: Json, version: string): SpecIndex {
  const schema = (db.schema ?? {}) as Json;
  const resources: Record<string, ResourceSpec> = {};
  for (const e of ((schema.resource as Json | undefined)?.entities ?? []) as Json[]) {
    resources[String(e.cloudFormationType)] = {
      properties: slimProperties(e.properties),
      attributes: Object.keys(isRecord(e.attributes) ? e.attributes : {}),
      ...(typeof e.arnTemplate === 'string' ? { arnTemplate: e.arnTemplate } : {}),
    };
  }
  const types: Record<string, TypeDefinitionSpec> = {};
  for (const e of ((schema.typeDefinition as Json | undefined)?.entities ?? []) as Json[]) {
    types[String(e.$id)] = { name: String(e.name), properties: slimProperties(e.properties) };
  }
  return { version, resources, types };
}

function packageDir(): string {
  return path.dirname(require.resolve('@aws-cdk/aws-service-spec/package.json'));
}

let loaded: SpecIndex | undefined;

export interface LoadSpecOptions {
  /** Directory of the slim-index cache; `false` disables it. @default <project>/.cache */
  readonly cacheDir?: string | false;
}

/** The spec index, loaded once per process (from the cache when it matches the package version). */
export function loadSpec(options: LoadSpecOptions = {}): SpecIndex {
  if (loaded) return loaded;
  const dir = packageDir();
  const version = String((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Json).version);
  // <project>/node_modules/@aws-cdk/aws-service-spec → <project>/.cache (independent of where this module was bundled to).
  const cacheDir = options.cacheDir ?? path.resolve(dir, '..', '..', '..', '.cache');
  const cacheFile = cacheDir === false ? undefined : path.join(cacheDir, `aws-service-spec-${version}-v${CACHE_FORMAT}.json`);
  if (cacheFile) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as SpecIndex;
      if (cached.version === version) {
        loaded = cached;
        return loaded;
      }
    } catch {
      // no cache yet, or unreadable: rebuild it below
    }
  }
  const db = JSON.parse(gunzipSync(readFileSync(path.join(dir, 'db.json.gz'))).toString('utf8')) as Json;
  loaded = slimIndex(db, version);
  if (cacheFile && cacheDir !== false) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(loaded));
      renameSync(tmp, cacheFile); // atomic: parallel test workers never read half a file
    } catch {
      // a read-only checkout still validates, just slower
    }
  }
  return loaded;
}

// ---------------------------------------------------------------------------------------------

/**
 * Properties the `aws cloudformation package` convention writes as a local path string; the
 * packager replaces them with the object the spec describes (DESIGN §3).
 */
const PACKAGED_PROPERTIES: ReadonlySet<string> = new Set([
  'AWS::Lambda::Function.Code',
  'AWS::Lambda::LayerVersion.Content',
  'AWS::ApiGateway::RestApi.BodyS3Location',
  'AWS::ApiGatewayV2::Api.BodyS3Location',
  'AWS::StepFunctions::StateMachine.DefinitionS3Location',
  'AWS::AppSync::GraphQLSchema.DefinitionS3Location',
  'AWS::AppSync::Resolver.RequestMappingTemplateS3Location',
  'AWS::AppSync::Resolver.ResponseMappingTemplateS3Location',
  'AWS::ElasticBeanstalk::ApplicationVersion.SourceBundle',
]);

const RESOURCE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
]);

function isCustom(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

function describe(t: TypeSpec, spec: SpecIndex): string {
  switch (t.type) {
    case 'ref':
      return `an object (${spec.types[t.ref]?.name ?? 'property type'})`;
    case 'array': {
      const item = describe(t.element, spec).replace(/^an? /, '');
      return /^[a-z-]+$/.test(item) ? `a list of ${item}s` : `a list of ${item} items`;
    }
    case 'map':
      return 'a map';
    case 'union':
      return t.types.map((x) => describe(x, spec)).join(' or ');
    case 'tag':
      return 'a tag ({Key, Value})';
    case 'json':
      return 'JSON';
    default:
      return `a ${t.type}`;
  }
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'an object';
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

class ValueChecker {
  constructor(
    private readonly spec: SpecIndex,
    private readonly logicalId: string,
    private readonly out: Issue[],
  ) {}

  private mismatch(path: string, t: TypeSpec, value: unknown): void {
    this.out.push({
      logicalId: this.logicalId,
      path,
      rule: 'spec-type',
      severity: 'error',
      message: `expected ${describe(t, this.spec)}, got ${kindOf(value)}`,
      fix: `write ${describe(t, this.spec)} here, as the CloudFormation resource specification declares`,
    });
  }

  /** Checks an object against a property map: unknown names, missing required names, values. */
  properties(value: Json, props: Readonly<Record<string, PropertySpec>>, path: string, what: string): void {
    for (const [name, v] of Object.entries(value)) {
      const p = props[name];
      const at = `${path}.${name}`;
      if (!p) {
        this.out.push({
          logicalId: this.logicalId,
          path: at,
          rule: 'spec-property',
          severity: 'error',
          message: `${what} has no property ${name}`,
          fix: didYouMean(name, Object.keys(props), `remove it; valid properties: ${Object.keys(props).sort().join(', ')}`),
        });
        continue;
      }
      this.property(v, p, at);
    }
    for (const [name, p] of Object.entries(props)) {
      if (p.required && (!(name in value) || isNoValue(value[name]))) {
        this.out.push({
          logicalId: this.logicalId,
          path: `${path}.${name}`,
          rule: 'spec-required',
          severity: 'error',
          message: `${what} requires ${name}`,
          fix: `add ${name} (${describe(p.type, this.spec)})`,
        });
      }
    }
  }

  private property(value: unknown, p: PropertySpec, path: string): void {
    if (!p.previousTypes || p.previousTypes.length === 0) this.value(value, p.type, path);
    else this.value(value, { type: 'union', types: [p.type, ...p.previousTypes] }, path);
  }

  value(value: unknown, t: TypeSpec, path: string): void {
    const fn = intrinsicName(value);
    if (fn === 'Fn::If') {
      const args = (value as Json)['Fn::If'];
      if (Array.isArray(args) && args.length === 3) {
        this.value(args[1], t, `${path}.Fn::If[1]`);
        this.value(args[2], t, `${path}.Fn::If[2]`);
      }
      return;
    }
    if (fn !== undefined) return; // the value is computed at deploy time
    switch (t.type) {
      case 'json':
      case 'null':
        return;
      case 'string':
        if (value !== null && typeof value === 'object') this.mismatch(path, t, value);
        else if (t.allowedValues && typeof value === 'string' && !t.allowedValues.includes(value)) {
          this.out.push({
            logicalId: this.logicalId,
            path,
            rule: 'spec-allowed-value',
            severity: 'warning',
            message: `${JSON.stringify(value)} is not one of the values the specification lists (aws-service-spec ${this.spec.version}; it may predate a newer value)`,
            fix: didYouMean(value, t.allowedValues, `use one of: ${t.allowedValues.join(', ')}`),
          });
        }
        return;
      case 'date-time':
        if (value !== null && typeof value === 'object') this.mismatch(path, t, value);
        return;
      case 'integer':
      case 'number':
        if (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))) return;
        this.mismatch(path, t, value);
        return;
      case 'boolean':
        if (typeof value === 'boolean' || value === 'true' || value === 'false') return;
        this.mismatch(path, t, value);
        return;
      case 'tag':
        if (isRecord(value)) this.properties(value, TAG_PROPERTIES, path, 'Tag');
        else this.mismatch(path, t, value);
        return;
      case 'array':
        if (!Array.isArray(value)) {
          this.mismatch(path, t, value);
          return;
        }
        for (const [i, item] of value.entries()) this.value(item, t.element, `${path}[${i}]`);
        return;
      case 'map':
        if (!isRecord(value)) {
          this.mismatch(path, t, value);
          return;
        }
        for (const [k, v] of Object.entries(value)) this.value(v, t.element, `${path}.${k}`);
        return;
      case 'ref': {
        const def = this.spec.types[t.ref];
        if (!def) return;
        if (isRecord(value)) this.properties(value, def.properties, path, def.name);
        else this.mismatch(path, t, value);
        return;
      }
      case 'union': {
        // Members of the value's own kind decide (a `json` alternative is the registry schema's
        // legacy escape hatch, e.g. DynamoDB KeySchema: list-of-KeySchema or json); `json` only
        // accepts when no member has the value's kind. Otherwise report the member that fits best.
        const sameKind = t.types.filter((m) => m.type !== 'json' && sameKindAs(value, m));
        if (sameKind.length === 0 && t.types.some((m) => m.type === 'json')) return;
        let best: Issue[] | undefined;
        for (const member of sameKind.length > 0 ? sameKind : t.types) {
          const trial: Issue[] = [];
          new ValueChecker(this.spec, this.logicalId, trial).value(value, member, path);
          if (trial.length === 0) return;
          const kindMismatch = trial.length === 1 && trial[0]!.rule === 'spec-type' && trial[0]!.path === path;
          if (!kindMismatch && (!best || trial.length < best.length)) best = trial;
        }
        if (best) this.out.push(...best);
        else this.mismatch(path, t, value);
        return;
      }
    }
  }
}

function sameKindAs(value: unknown, t: TypeSpec): boolean {
  if (Array.isArray(value)) return t.type === 'array';
  if (isRecord(value)) return t.type === 'ref' || t.type === 'map' || t.type === 'tag';
  return t.type !== 'array' && t.type !== 'ref' && t.type !== 'map' && t.type !== 'tag' && t.type !== 'union';
}

const TAG_PROPERTIES: Readonly<Record<string, PropertySpec>> = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

/** Resource types, resource attributes, property names, required properties and literal types. */
export function checkResources(doc: Json, spec: SpecIndex): Issue[] {
  const out: Issue[] = [];
  for (const [id, resource] of resourcesOf(doc)) {
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_ATTRIBUTES.has(key)) {
        out.push({
          logicalId: id,
          path: key,
          rule: 'resource-attribute',
          severity: 'error',
          message: `${key} is not a resource attribute`,
          fix: didYouMean(key, RESOURCE_ATTRIBUTES, `move it under Properties or remove it`),
        });
      }
    }
    const type = resource.Type;
    if (typeof type !== 'string') {
      out.push({
        logicalId: id,
        path: 'Type',
        rule: 'spec-resource-type',
        severity: 'error',
        message: 'resource has no Type',
        fix: 'add Type: AWS::<Service>::<Resource>',
      });
      continue;
    }
    if (isCustom(type)) continue;
    const rs = spec.resources[type];
    if (!rs) {
      out.push({
        logicalId: id,
        path: 'Type',
        rule: 'spec-resource-type',
        severity: 'error',
        message: `resource type ${type} does not exist in the CloudFormation specification (aws-service-spec ${spec.version})`,
        fix: didYouMean(type, Object.keys(spec.resources), 'check the type name in the CloudFormation resource reference'),
      });
      continue;
    }
    const props = resource.Properties ?? {};
    if (!isRecord(props)) {
      out.push({
        logicalId: id,
        path: 'Properties',
        rule: 'spec-type',
        severity: 'error',
        message: `Properties must be an object, got ${kindOf(props)}`,
        fix: 'write the properties as a mapping',
      });
      continue;
    }
    if (intrinsicName(props) !== undefined) continue;
    const checker = new ValueChecker(spec, id, out);
    const packaged = Object.keys(props).filter((k) => PACKAGED_PROPERTIES.has(`${type}.${k}`) && typeof props[k] === 'string');
    // A packaged path stands in for a deploy-time value: present for `required`, not type-checked.
    const rest = packaged.length === 0 ? props : Object.fromEntries(Object.entries(props).map(([k, v]) => [k, packaged.includes(k) ? { 'Fn::Sub': '' } : v]));
    checker.properties(rest, rs.properties, 'Properties', type);
  }
  return out;
}

/** `!GetAtt` (and `${Res.Attr}` in `!Sub`) attributes exist on the target resource's type. */
export function checkAttributes(doc: Json, spec: SpecIndex): Issue[] {
  const out: Issue[] = [];
  const types = new Map(resourcesOf(doc).map(([id, r]) => [id, typeof r.Type === 'string' ? r.Type : '']));
  const check = (owner: string, path: string, target: string, attribute: string, form: string): void => {
    const type = types.get(target);
    if (type === undefined || type === '' || isCustom(type)) return; // dangling targets: references.ts
    if (type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) return; // contract.ts
    const rs = spec.resources[type];
    if (!rs || rs.attributes.includes(attribute)) return;
    out.push({
      logicalId: owner,
      path,
      rule: 'spec-getatt',
      severity: 'error',
      message: `${form} ${target}.${attribute}: ${type} has no attribute ${attribute}`,
      fix: didYouMean(attribute, rs.attributes, `use one of: ${rs.attributes.join(', ') || '(none; use !Ref)'}`),
    });
  };
  for (const section of ['Resources', 'Outputs', 'Conditions']) {
    const entries = doc[section];
    if (!isRecord(entries)) continue;
    for (const [owner, body] of Object.entries(entries)) {
      walk(body, '', (node, p) => {
        if (!isRecord(node)) return;
        const getAtt = node['Fn::GetAtt'];
        if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
          check(owner, p || '-', getAtt[0], getAtt[1], '!GetAtt');
        }
        const sub = node['Fn::Sub'];
        const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
        if (text === undefined) return;
        const vars = Array.isArray(sub) && isRecord(sub[1]) ? sub[1] : {};
        for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1]!.trim();
          const dot = name.indexOf('.');
          if (dot < 1 || name.includes('::') || name in vars) continue;
          check(owner, p || '-', name.slice(0, dot), name.slice(dot + 1), '!Sub ${…}');
        }
      });
    }
  }
  return out;
}

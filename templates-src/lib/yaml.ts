/**
 * CloudFormation YAML: the emitter (short-form intrinsics, canonical key order, header comment,
 * re-parse check) and the parser every tool uses to read templates back into their JSON form.
 *
 * Built on `yaml` v2 rather than js-yaml: it lets one node be written in flow style
 * (`!Select [0, !GetAZs '']`) while the rest stays block style, and js-yaml 5 dropped the custom
 * `Type` class anyway (DESIGN §11).
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, parse, type CollectionTag, type Node, type ScalarTag } from 'yaml';
import { isDeepStrictEqual } from 'node:util';

/** An intrinsic in short form, e.g. `!Ref X` or `!Sub [text, vars]`. */
class ShortTag {
  constructor(
    readonly tag: string,
    readonly value: unknown,
  ) {}
}

/** Long name → short tag. `Condition` is deliberately absent: `{Condition: X}` stays a mapping (see DESIGN §11 on yaml-cfn). */
const TAGS: Readonly<Record<string, string>> = {
  Ref: '!Ref',
  'Fn::Base64': '!Base64',
  'Fn::Cidr': '!Cidr',
  'Fn::FindInMap': '!FindInMap',
  'Fn::GetAtt': '!GetAtt',
  'Fn::GetAZs': '!GetAZs',
  'Fn::ImportValue': '!ImportValue',
  'Fn::Join': '!Join',
  'Fn::Select': '!Select',
  'Fn::Split': '!Split',
  'Fn::Sub': '!Sub',
  'Fn::Transform': '!Transform',
  'Fn::And': '!And',
  'Fn::Equals': '!Equals',
  'Fn::If': '!If',
  'Fn::Not': '!Not',
  'Fn::Or': '!Or',
};
const LONG_NAMES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(TAGS).map(([long, short]) => [short, long]));

/** Reads a short tag back into its JSON form; `!GetAtt A.B.C` splits at the first dot, as CloudFormation does. */
function construct(short: string, data: unknown): unknown {
  const long = LONG_NAMES[short]!;
  if (short === '!GetAtt' && typeof data === 'string') {
    const dot = data.indexOf('.');
    if (dot < 1) throw new Error(`!GetAtt ${data}: expected Resource.Attribute`);
    return { [long]: [data.slice(0, dot), data.slice(dot + 1)] };
  }
  return { [long]: data ?? '' };
}

/** Every short tag in its three node kinds, for the parser. */
const CUSTOM_TAGS: (ScalarTag | CollectionTag)[] = Object.keys(LONG_NAMES).flatMap((short) => [
  { tag: short, resolve: (text: string) => construct(short, text) } as ScalarTag,
  { tag: short, collection: 'seq', resolve: (seq: YAMLSeq) => construct(short, seq.toJSON()) } as unknown as CollectionTag,
  { tag: short, collection: 'map', resolve: (map: YAMLMap) => construct(short, map.toJSON()) } as unknown as CollectionTag,
]);

// ---------------------------------------------------------------------------------------------
// Canonical key order (rain's `cft/format`): known keys first in this order, the rest as written.

const ORDER = {
  template: ['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Transform', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Resources', 'Outputs'],
  parameter: ['Type', 'Description', 'Default', 'AllowedValues', 'AllowedPattern', 'MinLength', 'MaxLength', 'MinValue', 'MaxValue', 'ConstraintDescription', 'NoEcho'],
  resource: ['Type', 'Condition', 'DependsOn', 'Metadata', 'CreationPolicy', 'UpdatePolicy', 'DeletionPolicy', 'UpdateReplacePolicy', 'Properties'],
  output: ['Description', 'Condition', 'Value', 'Export'],
  policy: ['Version', 'Id', 'Statement'],
  statement: ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'],
} as const;

function ordered(obj: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of order) if (key in obj) out[key] = obj[key];
  for (const key of Object.keys(obj)) if (!(key in out)) out[key] = obj[key];
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Orders IAM policy documents wherever they appear (`Version` + `Statement`). */
function orderPolicies(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderPolicies);
  if (!isRecord(value)) return value;
  let out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = orderPolicies(v);
  if ('Statement' in out && Array.isArray(out.Statement) && 'Version' in out) {
    out = ordered(out, ORDER.policy);
    out.Statement = (out.Statement as unknown[]).map((s) => (isRecord(s) ? ordered(s, ORDER.statement) : s));
  }
  return out;
}

function mapValues(section: unknown, order: readonly string[]): unknown {
  if (!isRecord(section)) return section;
  return Object.fromEntries(Object.entries(section).map(([k, v]) => [k, isRecord(v) ? ordered(v, order) : v]));
}

/** Plain JSON of a template (cloudform objects serialised, `undefined` dropped) in canonical key order. */
export function canonicalize(document: object): Record<string, unknown> {
  const json = orderPolicies(JSON.parse(JSON.stringify(document))) as Record<string, unknown>;
  const doc = ordered(json, ORDER.template);
  for (const section of ['Metadata', 'Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs']) {
    if (isRecord(doc[section]) && Object.keys(doc[section]).length === 0) delete doc[section];
  }
  if (doc.Parameters) doc.Parameters = mapValues(doc.Parameters, ORDER.parameter);
  if (doc.Resources) doc.Resources = mapValues(doc.Resources, ORDER.resource);
  if (doc.Outputs) doc.Outputs = mapValues(doc.Outputs, ORDER.output);
  return doc;
}

// ---------------------------------------------------------------------------------------------

/** Turns `{Ref: X}` / `{"Fn::…": …}` into short tags, choosing the shortest faithful form. */
function toShortForm(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toShortForm);
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && TAGS[keys[0]!] !== undefined) {
    const long = keys[0]!;
    const arg = value[long];
    if (long === 'Fn::GetAtt' && Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && typeof arg[1] === 'string') {
      return new ShortTag('!GetAtt', `${arg[0]}.${arg[1]}`);
    }
    if (long === 'Fn::Sub' && Array.isArray(arg) && arg.length === 2 && isRecord(arg[1]) && Object.keys(arg[1]).length === 0) {
      return new ShortTag('!Sub', arg[0]);
    }
    return new ShortTag(TAGS[long]!, toShortForm(arg));
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toShortForm(v)]));
}

/** Parses CloudFormation YAML (short or long form) into its JSON form. Throws on YAML errors and unknown tags. */
export function parseTemplate(text: string, filename = 'template'): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text, { customTags: CUSTOM_TAGS, prettyErrors: true, strict: true, uniqueKeys: true });
  } catch (error) {
    throw new Error(`${filename}: ${(error as Error).message}`);
  }
  if (!isRecord(doc)) throw new Error(`${filename}: not a YAML mapping`);
  return doc;
}

/** First path at which two JSON values differ, for the re-parse error. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (isRecord(a) && isRecord(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], `${path}/${k}`);
      if (d !== undefined) return d;
    }
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}/${i}`);
      if (d !== undefined) return d;
    }
  }
  return path || '/';
}

export interface EmitOptions {
  /** Comment lines written above the document (without `# `). */
  readonly header?: readonly string[];
}

/** Strings a YAML 1.1 reader (as CloudFormation's may be) could take for a boolean, null, number or date. */
const AMBIGUOUS = /^(?:[yYnN~]|yes|no|on|off|true|false|null|[-+]?[0-9][0-9_:.eE+-]*|[-+]?\.(?:inf|nan)|0[xo][0-9a-f]+|\d{4}-\d\d?-\d\d?.*)$/i;

/** A list is written in flow style when it holds only scalars and short tags of those, and stays short. */
const FLOW_MAX_CHARS = 70;

/** Approximate rendered width of a flow value, or Infinity when it cannot be written in flow style. */
function flowWidth(value: unknown): number {
  if (value instanceof ShortTag) return value.tag.length + 1 + flowWidth(value.value);
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + flowWidth(item) + 2, 2);
  if (value !== null && typeof value === 'object') return Infinity;
  const text = String(value);
  return text.includes('\n') ? Infinity : text.length + 2;
}

function isFlowable(value: unknown): boolean {
  return Array.isArray(value) && flowWidth(value) <= FLOW_MAX_CHARS;
}

function toNode(doc: Document, value: unknown): Node {
  if (value instanceof ShortTag) {
    const node = toNode(doc, value.value);
    node.tag = value.tag;
    if (node instanceof YAMLSeq && isFlowable(value.value)) node.flow = true;
    return node;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq(doc.schema);
    for (const item of value) seq.items.push(toNode(doc, item));
    return seq;
  }
  if (isRecord(value)) {
    const map = new YAMLMap(doc.schema);
    for (const [k, v] of Object.entries(value)) map.items.push(new Pair(toNode(doc, k), toNode(doc, v)));
    return map;
  }
  const scalar = new Scalar(value);
  if (typeof value === 'string' && AMBIGUOUS.test(value)) scalar.type = Scalar.QUOTE_SINGLE;
  return scalar;
}

/**
 * The YAML text of a template: short tags, dotted `!GetAtt`, short intrinsic lists in flow style,
 * canonical key order, 2-space indent, no line folding, LF and a final newline. Re-parses its own
 * output and throws on any semantic difference, naming the first differing path.
 */
export function emitTemplate(document: object, options: EmitOptions = {}): string {
  const canonical = canonicalize(document);
  const doc = new Document();
  doc.contents = toNode(doc, toShortForm(canonical)) as typeof doc.contents;
  const body = doc.toString({ indent: 2, lineWidth: 0, singleQuote: true, flowCollectionPadding: false, indentSeq: true });
  const header = (options.header ?? []).map((line) => `# ${line}`.trimEnd()).join('\n');
  const text = (header ? `${header}\n` : '') + body;
  const reparsed = parseTemplate(text);
  const diff = firstDifference(canonical, reparsed);
  if (diff !== undefined) {
    throw new Error(`YAML emitter: the output does not parse back to the same template (first difference at ${diff})`);
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

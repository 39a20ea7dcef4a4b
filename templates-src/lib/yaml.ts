/**
 * CloudFormation YAML: the emitter (short-form intrinsics, canonical key order, header comment,
 * re-parse check) and the parser every tool uses to read templates back into their JSON form.
 *
 * Built on `yaml` v2 rather than js-yaml: it lets one node be written in flow style
 * (`!Select [0, !GetAZs '']`) while the rest stays block style, and js-yaml 5 dropped the custom
 * `Type` class anyway (DESIGN §11).
 */
import { parse, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';
import { isDeepStrictEqual } from 'node:util';

/** An intrinsic in short form, e.g. `!Ref X` or `!Sub [text, vars]`. */
class ShortTag {
  constructor(
    readonly tag: string,
    readonly value: unknown,
  ) {}
}

/**
 * The CloudFormation tag table: long name → short tag, for every intrinsic the emitter writes in
 * short form. The emitter and every reader of templates (this module's parser, the grader's
 * reader of students' files) use this one table. `Condition` is deliberately absent: the emitter
 * keeps `{Condition: X}` a mapping (see DESIGN §11 on yaml-cfn); readers add it (READ_ONLY_TAGS).
 */
export const SHORT_TAGS: Readonly<Record<string, string>> = {
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
/**
 * Short tags CloudFormation reads but the emitter never writes: `!Condition X` (a condition
 * reference inside `!And`/`!Or`/`!Not`) is `{Condition: X}` in JSON.
 */
export const READ_ONLY_TAGS: Readonly<Record<string, string>> = { Condition: '!Condition' };

/** Short tag → long name, for reading: every emitter tag plus the read-only ones. */
const LONG_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({ ...SHORT_TAGS, ...READ_ONLY_TAGS }).map(([long, short]) => [short, long]),
);

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

/**
 * Every short tag in its three node kinds (scalar, sequence, mapping), as `yaml` custom tags:
 * pass it as `customTags` to `parse`/`parseDocument` to read CloudFormation YAML.
 */
export const CLOUDFORMATION_TAGS: readonly (ScalarTag | CollectionTag)[] = Object.keys(LONG_NAMES).flatMap((short) => [
  { tag: short, resolve: (text: string) => construct(short, text) } as ScalarTag,
  { tag: short, collection: 'seq', resolve: (seq: YAMLSeq) => construct(short, seq.toJSON()) } as unknown as CollectionTag,
  { tag: short, collection: 'map', resolve: (map: YAMLMap) => construct(short, map.toJSON()) } as unknown as CollectionTag,
]);

// ---------------------------------------------------------------------------------------------
// Canonical key order: known keys first in this order, the rest as written. The idea is rain's
// (`cft/format/sort.go`), the order is ours: rain puts CreationPolicy, DeletionPolicy,
// UpdatePolicy and UpdateReplacePolicy before `Type` and a parameter's Description before its
// Type; we keep `Type` first so a reader sees what a resource is on its first line.

const ORDER = {
  template: ['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Transform', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Resources', 'Outputs'],
  parameter: [
    'Type',
    'Description',
    'Default',
    'AllowedValues',
    'AllowedPattern',
    'MinLength',
    'MaxLength',
    'MinValue',
    'MaxValue',
    'ConstraintDescription',
    'NoEcho',
  ],
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
  if (keys.length === 1 && SHORT_TAGS[keys[0]!] !== undefined) {
    const long = keys[0]!;
    const arg = value[long];
    if (long === 'Fn::GetAtt' && Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && typeof arg[1] === 'string') {
      return new ShortTag('!GetAtt', `${arg[0]}.${arg[1]}`);
    }
    if (long === 'Fn::Sub' && Array.isArray(arg) && arg.length === 2 && isRecord(arg[1]) && Object.keys(arg[1]).length === 0) {
      return new ShortTag('!Sub', arg[0]);
    }
    return new ShortTag(SHORT_TAGS[long]!, toShortForm(arg));
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toShortForm(v)]));
}

/** Parses CloudFormation YAML (short or long form) into its JSON form. Throws on YAML errors and unknown tags. */
export function parseTemplate(text: string, filename = 'template'): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text, { customTags: [...CLOUDFORMATION_TAGS], prettyErrors: true, strict: true, uniqueKeys: true });
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
  /**
   * Re-parse the output and compare it with the document. @default true. The build turns it off
   * for files whose bytes equal what is already on disk (verified when they were written) and
   * verifies every file it writes with `verifyEmitted`.
   */
  readonly verify?: boolean;
}

/** Throws when `text` does not parse back to `document` (canonical JSON), naming the first differing path. */
export function verifyEmitted(text: string, document: object): void {
  const diff = firstDifference(canonicalize(document), parseTemplate(text));
  if (diff !== undefined) {
    throw new Error(`YAML emitter: the output does not parse back to the same template (first difference at ${diff})`);
  }
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

// ---------------------------------------------------------------------------------------------
// The writer. A template is plain JSON plus short tags, so a small writer of our own covers it and
// measured 2-4x faster than the `yaml` package's `stringify` of the same canonical documents
// (10-20 ms against 35-90 ms for 330 KB of templates, warm, on this 2-core machine; the build
// budget is 0.8 s);
// every emitted file is re-parsed with the `yaml` package and compared (emitTemplate), so a
// writer mistake cannot reach generated/.

/** Characters that may not start a plain scalar. */
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;
/** Characters that force quoting anywhere in a plain scalar inside a flow collection. */
const FLOW_UNSAFE = /[,[\]{}]/;
/** Characters that force double quotes: C0 controls but tab and LF, DEL, C1, U+2028/2029 and the BOM. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the control characters that plain and single-quoted YAML scalars cannot carry is this regex's purpose
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

function isPlainSafe(text: string, flow: boolean): boolean {
  return (
    text !== '' &&
    text === text.trim() &&
    !AMBIGUOUS.test(text) &&
    text !== '<<' &&
    text !== '=' &&
    !INDICATOR_START.test(text) &&
    !text.includes(': ') &&
    !text.includes(' #') &&
    !text.endsWith(':') &&
    !/[\n\t\r]/.test(text) &&
    !CONTROL.test(text) &&
    !(flow && FLOW_UNSAFE.test(text))
  );
}

/** Characters JSON.stringify leaves raw that YAML 1.2 counts as non-printable: DEL, C1, U+2028/2029, the BOM. */
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

/** Single quotes, unless the text holds a quote and no double quote, or characters single quotes cannot carry. */
function quoted(text: string): string {
  const double = CONTROL.test(text) || /[\n\r\t]/.test(text) || (text.includes("'") && !text.includes('"'));
  if (!double) return `'${text.replace(/'/g, "''")}'`;
  // JSON escapes are YAML double-quoted escapes; `\uXXXX` also for what JSON.stringify would write raw.
  return JSON.stringify(text).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function scalarText(value: unknown, flow: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  const text = String(value);
  return isPlainSafe(text, flow) ? text : quoted(text);
}

/** A multi-line string as a literal block (`|`, `|-`, `|+`), or undefined when it needs double quotes. */
function literalBlock(text: string, indent: number): string | undefined {
  if (!text.includes('\n') || text.includes('\r') || CONTROL.test(text)) return undefined;
  const body = text.replace(/\n+$/, '');
  const trailing = text.length - body.length;
  const lines = body.split('\n');
  if (lines[0]!.startsWith(' ') || lines[0] === '' || lines.some((l) => l !== '' && l.trim() === '')) return undefined;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const pad = ' '.repeat(indent);
  const out = lines.map((l) => (l === '' ? '' : pad + l));
  for (let i = 1; i < trailing; i++) out.push('');
  return `|${chomp}\n${out.join('\n')}\n`;
}

function flowText(value: unknown): string {
  if (value instanceof ShortTag) return `${value.tag} ${flowText(value.value)}`;
  if (Array.isArray(value)) return `[${value.map(flowText).join(', ')}]`;
  return scalarText(value, true);
}

/**
 * Writes `value` as the value part of a `key:` or `- ` line whose content sits at `indent`:
 * returns the text that follows the indicator (starting with a space for inline values, or with
 * a newline for nested blocks), ending with a newline.
 */
function writeValue(value: unknown, indent: number): string {
  if (value instanceof ShortTag) {
    const inner = value.value;
    if (Array.isArray(inner) && inner.length > 0 && isFlowable(inner)) return ` ${value.tag} ${flowText(inner)}\n`;
    if ((Array.isArray(inner) && inner.length > 0) || (isRecord(inner) && Object.keys(inner).length > 0)) {
      return ` ${value.tag}\n${writeBlock(inner, indent)}`;
    }
    return ` ${value.tag}${writeValue(inner, indent)}`;
  }
  if (Array.isArray(value)) return value.length === 0 ? ' []\n' : `\n${writeBlock(value, indent)}`;
  if (isRecord(value)) return Object.keys(value).length === 0 ? ' {}\n' : `\n${writeBlock(value, indent)}`;
  if (typeof value === 'string') {
    const literal = literalBlock(value, indent);
    if (literal !== undefined) return ` ${literal}`;
  }
  return ` ${scalarText(value, false)}\n`;
}

/** A block mapping or sequence whose entries start at column `indent`. */
function writeBlock(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  let out = '';
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isRecord(item) && !(item instanceof ShortTag) && Object.keys(item).length > 0) {
        // `- Key: value` with the following keys aligned under the first.
        const entries = writeBlock(item, indent + 2);
        out += `${pad}- ${entries.slice(indent + 2)}`;
      } else if (Array.isArray(item) && item.length > 0) {
        const nested = writeBlock(item, indent + 2);
        out += `${pad}- ${nested.slice(indent + 2)}`;
      } else {
        out += `${pad}-${writeValue(item, indent + 2)}`;
      }
    }
    return out;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out += `${pad}${scalarText(key, false)}:${writeValue(item, indent + 2)}`;
  }
  return out;
}

/**
 * The YAML text of a template: short tags, dotted `!GetAtt`, short intrinsic lists in flow style,
 * canonical key order, 2-space indent, no line folding, LF and a final newline. Re-parses its own
 * output and throws on any semantic difference, naming the first differing path.
 */
export function emitTemplate(document: object, options: EmitOptions = {}): string {
  const canonical = canonicalize(document);
  const body = writeBlock(toShortForm(canonical), 0);
  const header = (options.header ?? []).map((line) => `# ${line}`.trimEnd()).join('\n');
  const text = (header ? `${header}\n` : '') + body;
  if (options.verify !== false) verifyEmitted(text, canonical);
  return text;
}

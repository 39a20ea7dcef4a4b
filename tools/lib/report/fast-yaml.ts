/**
 * A fast reader for the YAML our own emitter writes (templates-src/lib/yaml.ts): block maps and
 * sequences, 2-space indentation, short-form intrinsic tags, single/double-quoted and plain
 * scalars, short flow sequences, literal block scalars. The `yaml` package needs ~0.5-0.8 s cold
 * for the ~250 KB of generated/ on this machine, which alone would break the report's 1 s bar;
 * this reader takes a few milliseconds.
 *
 * It is not a YAML parser: on anything outside that subset (anchors, flow maps, folded or
 * indented block scalars, comments after values, duplicate keys …) it returns undefined and the
 * caller falls back to `parseTemplate`. A test compares both readers on every generated file.
 */
import { parseTemplate } from '../../../templates-src/lib/yaml';

const LONG: Readonly<Record<string, string>> = {
  '!Ref': 'Ref',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!FindInMap': 'Fn::FindInMap',
  '!GetAtt': 'Fn::GetAtt',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!Sub': 'Fn::Sub',
  '!Transform': 'Fn::Transform',
  '!And': 'Fn::And',
  '!Equals': 'Fn::Equals',
  '!If': 'Fn::If',
  '!Not': 'Fn::Not',
  '!Or': 'Fn::Or',
};

class Unsupported extends Error {}

function unsupported(what: string): never {
  throw new Unsupported(what);
}

/** Same construction as parseTemplate: `!GetAtt A.B.C` splits at the first dot. */
function construct(tag: string, data: unknown): unknown {
  const long = LONG[tag] ?? unsupported(`tag ${tag}`);
  if (tag === '!GetAtt' && typeof data === 'string') {
    const dot = data.indexOf('.');
    if (dot < 1) unsupported('!GetAtt without attribute');
    return { [long]: [data.slice(0, dot), data.slice(dot + 1)] };
  }
  return { [long]: data ?? '' };
}

/** YAML 1.2 core schema resolution of a plain scalar (what `yaml` v2 does by default). */
function plain(text: string): unknown {
  if (text === '' || text === '~' || /^(null|Null|NULL)$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^0o[0-7]+$/.test(text) || /^0x[0-9a-fA-F]+$/.test(text) || /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(text)) unsupported('special number');
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[&*!%@`|>'"{[]/.test(text) || text.includes(' #') || text.includes(': ') || text.endsWith(':') || /^[-?:](\s|$)/.test(text)) unsupported(`plain scalar ${text}`);
  return text;
}

/** Scans one inline value (scalar, tagged scalar, flow sequence) starting at `pos`; returns value and end. */
function inline(text: string, pos: number, inFlow: boolean): [unknown, number] {
  let i = pos;
  if (text[i] === '!') {
    const m = /^![A-Za-z0-9]+/.exec(text.slice(i));
    if (!m) unsupported('tag');
    const tag = m[0];
    i += tag.length;
    if (text[i] !== ' ') unsupported('tag without value');
    const [value, end] = inline(text, i + 1, inFlow);
    return [construct(tag, value), end];
  }
  if (text[i] === "'") {
    let out = '';
    i++;
    for (;;) {
      const q = text.indexOf("'", i);
      if (q < 0) unsupported('unterminated single quote');
      out += text.slice(i, q);
      if (text[q + 1] === "'") {
        out += "'";
        i = q + 2;
      } else return [out, q + 1];
    }
  }
  if (text[i] === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) unsupported('unterminated double quote');
    const body = text.slice(i, j + 1);
    if (/\\[^"\\/bfnrtu]/.test(body)) unsupported('YAML-only escape');
    return [JSON.parse(body) as string, j + 1];
  }
  if (text[i] === '[') {
    const items: unknown[] = [];
    i++;
    if (text[i] === ']') return [items, i + 1];
    for (;;) {
      const [value, end] = inline(text, i, true);
      items.push(value);
      i = end;
      if (text[i] === ']') return [items, i + 1];
      if (text[i] !== ',' || text[i + 1] !== ' ') unsupported('flow sequence separator');
      i += 2;
    }
  }
  if (text[i] === '{') {
    if (text[i + 1] === '}') return [{}, i + 2];
    unsupported('flow mapping');
  }
  let end = i;
  if (inFlow) {
    while (end < text.length && text[end] !== ',' && text[end] !== ']') end++;
  } else end = text.length;
  const raw = text.slice(i, end);
  if (inFlow && /[[{}]/.test(raw)) unsupported('flow indicator in plain scalar');
  return [plain(raw.trimEnd()), end];
}

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

class Reader {
  private i = 0;
  constructor(private lines: readonly Line[]) {}

  /** The next structural line; blank lines only matter inside block scalars. */
  private peek(): Line | undefined {
    while (this.lines[this.i]?.text === '') this.i++;
    return this.lines[this.i];
  }

  /** A whole document: a block node at indent 0. */
  document(): unknown {
    const value = this.block(0);
    if (this.peek()) unsupported(`unexpected line ${this.peek()!.number}`);
    return value;
  }

  /** The block node whose first line is at exactly `indent`. */
  private block(indent: number): unknown {
    const line = this.peek();
    if (!line || line.indent !== indent) unsupported('block indentation');
    return line.text.startsWith('- ') || line.text === '-' ? this.sequence(indent) : this.mapping(indent);
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.peek(); line && line.indent === indent && (line.text.startsWith('- ') || line.text === '-'); line = this.peek()) {
      this.i++;
      if (line.text === '-') out.push(this.nested(indent));
      else out.push(this.afterIndicator(line, indent + 2, line.text.slice(2)));
    }
    return out;
  }

  /** The value written after `- ` (at column `column`): inline, a map starting on this line, a nested `- `, or a tag over a block. */
  private afterIndicator(line: Line, column: number, rest: string): unknown {
    if (rest.startsWith('- ') || rest === '-') {
      // `- - x`: a sequence whose first item sits on this line at `column`.
      this.i--;
      this.lines = replaceLine(this.lines, this.i, { indent: column, text: rest, number: line.number });
      return this.sequence(column);
    }
    const key = mapKey(rest);
    if (key) {
      this.i--;
      this.lines = replaceLine(this.lines, this.i, { indent: column, text: rest, number: line.number });
      return this.mapping(column);
    }
    return this.value(rest, column - 2);
  }

  /** A scalar/flow value written inline after `key: ` or `- `; `parent` is the indentation of the owning line. */
  private value(rest: string, parent: number): unknown {
    if (/^[|>]/.test(rest)) return this.literal(rest, parent);
    const tagOnly = /^(![A-Za-z0-9]+)$/.exec(rest);
    if (tagOnly) return construct(tagOnly[1]!, this.nested(parent));
    const [value, end] = inline(rest, 0, false);
    if (end !== rest.length) unsupported('trailing text');
    return value;
  }

  /** The block on the following lines, indented deeper than `parent` (sequences under a key may sit 2 deeper). */
  private nested(parent: number): unknown {
    const next = this.peek();
    if (!next || next.indent <= parent) return null;
    return this.block(next.indent);
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.peek(); line && line.indent === indent && !line.text.startsWith('- ') && line.text !== '-'; line = this.peek()) {
      const key = mapKey(line.text) ?? unsupported(`line ${line.number}: not a mapping entry`);
      if (Object.prototype.hasOwnProperty.call(out, key.key)) unsupported('duplicate key');
      this.i++;
      out[key.key] = key.rest === '' ? this.nested(indent) : this.value(key.rest, indent);
    }
    return out;
  }

  /** `|` / `|-` literal block scalar; other styles are unsupported. */
  private literal(header: string, parent: number): string {
    if (header !== '|' && header !== '|-') unsupported(`block scalar ${header}`);
    const raw = this.rawBlock(parent);
    const body = raw.join('\n').replace(/\n+$/, '');
    if (raw.length === 0 || body === '') return '';
    return header === '|' ? `${body}\n` : body;
  }

  /** Lines of a block scalar: every following line that is blank or deeper than `parent`. */
  private rawBlock(parent: number): string[] {
    const first = this.lines[this.i];
    if (!first || first.indent <= parent) return [];
    const indent = first.indent;
    const out: string[] = [];
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.indent < indent && l.text !== '') break;
      out.push(l.text === '' ? '' : `${' '.repeat(l.indent - indent)}${l.text}`);
      this.i++;
    }
    return out;
  }
}

function replaceLine(lines: readonly Line[], index: number, line: Line): Line[] {
  const copy = lines.slice();
  copy[index] = line;
  return copy;
}

/** `key: rest` at the start of a line (plain or single-quoted key), or undefined. */
function mapKey(text: string): { key: string; rest: string } | undefined {
  let key: string;
  let after: number;
  if (text.startsWith("'")) {
    const [value, end] = inline(text, 0, true);
    if (typeof value !== 'string' || text[end] !== ':') return undefined;
    key = value;
    after = end + 1;
  } else if (text.startsWith('"')) {
    return undefined;
  } else {
    // Keys may hold colons not followed by a space (`AWS::CloudFormation::Interface`, `kms:ViaService`).
    const m = /^([^\s'"!&*#[\]{},](?:[^:#]|:(?! |$))*?):(?: |$)/.exec(text);
    if (!m) return undefined;
    key = m[1]!;
    if (plain(key) !== key) unsupported('non-string key');
    after = m[0].length - (m[0].endsWith(' ') ? 1 : 0);
  }
  if (after === text.length) return { key, rest: '' };
  if (text[after] !== ' ') return undefined;
  return { key, rest: text.slice(after + 1) };
}

/** The template, or undefined when the text uses YAML outside the emitter's subset. */
export function readEmitted(text: string): Record<string, unknown> | undefined {
  if (text.includes('\t') || text.includes('\r')) return undefined;
  const lines: Line[] = [];
  text.split('\n').forEach((raw, n) => {
    const trimmed = raw.trimStart();
    // Only the header's comments are skipped: a `#` line further down may be block-scalar content.
    if (lines.length === 0 && (trimmed.startsWith('#') || trimmed === '')) return;
    lines.push({ indent: trimmed === '' ? 0 : raw.length - trimmed.length, text: trimmed.trimEnd() === '' ? '' : trimmed, number: n + 1 });
  });
  while (lines.length > 0 && lines[lines.length - 1]!.text === '') lines.pop();
  try {
    const value = new Reader(lines).document();
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/** Reads a generated template: the fast reader, or `parseTemplate` when the text is outside its subset. */
export function readTemplate(text: string, filename: string): Record<string, unknown> {
  return readEmitted(text) ?? parseTemplate(text, filename);
}

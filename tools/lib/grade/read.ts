/**
 * Reads a submission as students write it: a folder (every `*.yaml`, `*.yml`, `*.json`,
 * `*.template` under it, recursively, skipping `node_modules` and dot-folders) or one template
 * file (plus the local nested templates it names). YAML is read with the `yaml` package and the
 * CloudFormation tag table of our emitter (short and long form alike), JSON with the same parser
 * (JSON is YAML's flow subset, so line numbers come out the same way). A file that does not parse
 * or is not a template becomes a one-line finding with its path and line; reading never throws
 * for a bad file.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, type Document } from 'yaml';
import { CLOUDFORMATION_TAGS, READ_ONLY_TAGS, SHORT_TAGS } from '../../../templates-src/lib/yaml';
import { closest } from '../suggest';
import { expandSam, usesSam } from './sam';
import { isRecord, localTemplatePath, section, type Json, type TemplateFile } from './tree';

/** File name endings read as templates. */
export const TEMPLATE_EXTENSIONS = ['.yaml', '.yml', '.json', '.template'] as const;

export type Severity = 'error' | 'warning' | 'info';

/** Something the reader noticed about a file, one line when printed. */
export interface ReadFinding {
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  readonly logicalId?: string;
  readonly rule: 'parse-error' | 'not-a-template' | 'unknown-tag' | 'nested-template-missing' | 'unknown-resource-type' | 'sam-unexpanded' | 'no-templates';
  readonly severity: Severity;
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

export interface SubmittedFile {
  readonly file: string;
  readonly status: 'template' | 'parse-error' | 'not-a-template';
  readonly bytes: number;
  /** Lines of text (for the benchmark's and the instructor's sense of size). */
  readonly lines: number;
  /** Resources after SAM expansion. */
  readonly resources: number;
  /** The file uses SAM (transform or AWS::Serverless resources). */
  readonly sam: boolean;
}

export interface Submission {
  /** Name in the gradebook: the folder name, or the file name without its extension. */
  readonly name: string;
  /** Absolute directory the file paths are relative to. */
  readonly dir: string;
  readonly files: readonly SubmittedFile[];
  /** The parsed templates (SAM expanded), in path order. */
  readonly templates: readonly TemplateFile[];
  /** Absolute path of each template, for cfn-lint. */
  readonly paths: ReadonlyMap<string, string>;
  readonly findings: readonly ReadFinding[];
}

export interface ReadOptions {
  /** Resource types that exist (the CloudFormation specification); others get a finding. @default not checked */
  readonly knownTypes?: ReadonlySet<string>;
}

const ALL_TAGS = [...Object.values(SHORT_TAGS), ...Object.values(READ_ONLY_TAGS)];

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Sorted by code unit (not locale) so every machine lists files in the same order. */
function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every template-like file under `dir`, relative POSIX paths, sorted; `node_modules` and dot-folders skipped. */
export async function templateFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
        await visit(child);
      } else if (e.isFile() && TEMPLATE_EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x))) {
        out.push(child);
      }
    }
  };
  await visit('');
  return out.sort(byPath);
}

type Parsed =
  | { readonly ok: true; readonly value: unknown; readonly document: Document; readonly lines: LineCounter }
  | { readonly ok: false; readonly line?: number; readonly message: string };

/** Parses YAML or JSON text with the CloudFormation tags. */
export function parseCloudFormation(text: string): Parsed {
  const lines = new LineCounter();
  const document = parseDocument(text.replace(/^\uFEFF/, ''), {
    customTags: [...CLOUDFORMATION_TAGS],
    uniqueKeys: true,
    prettyErrors: true,
    lineCounter: lines,
  });
  const error = document.errors[0];
  if (error) {
    const first = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { ok: false, line: error.linePos?.[0]?.line, message: first };
  }
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: 1000 }), document, lines };
  } catch (e) {
    return { ok: false, message: (e as Error).message.split('\n')[0]! };
  }
}

/** Line of each key of the `Resources` mapping. */
function resourceLines(parsed: Extract<Parsed, { ok: true }>): Map<string, number> {
  const out = new Map<string, number>();
  const contents = parsed.document.contents;
  if (!isMap(contents)) return out;
  const resources = contents.items.find((p) => isScalar(p.key) && p.key.value === 'Resources')?.value;
  if (!isMap(resources)) return out;
  for (const pair of resources.items) {
    if (isScalar(pair.key) && pair.key.range) out.set(String(pair.key.value), parsed.lines.linePos(pair.key.range[0]).line);
  }
  return out;
}

/** Unresolved-tag warnings (`!GetAttr`) as findings; the value is then read as a plain string. */
function tagFindings(file: string, parsed: Extract<Parsed, { ok: true }>): ReadFinding[] {
  return parsed.document.warnings
    .filter((w) => w.code === 'TAG_RESOLVE_FAILED')
    .map((w) => {
      const tag = /Unresolved tag: (\S+)/.exec(w.message)?.[1] ?? '?';
      const suggestion = closest(tag, ALL_TAGS);
      return {
        file,
        line: w.linePos?.[0]?.line,
        rule: 'unknown-tag' as const,
        severity: 'error' as const,
        message: `${tag} is not a CloudFormation intrinsic function tag; the value is read as plain text`,
        fix: suggestion ? `did you mean ${suggestion}?` : `use one of ${ALL_TAGS.join(', ')}`,
      };
    });
}

function notTemplateReason(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'the file is empty';
  if (Array.isArray(value)) return 'it is a list, not a mapping (a parameters file?)';
  if (!isRecord(value)) return `it is a ${typeof value}, not a mapping`;
  if (!isRecord(value.Resources)) return 'it has no Resources section';
  return undefined;
}

interface ReadOne {
  readonly entry: SubmittedFile;
  readonly template?: TemplateFile;
  readonly findings: ReadFinding[];
}

async function readOne(dir: string, file: string, options: ReadOptions): Promise<ReadOne> {
  let text: string;
  try {
    text = await readFile(path.join(dir, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return {
      entry: { file, status: 'parse-error', bytes: 0, lines: 0, resources: 0, sam: false },
      findings: [{ file, rule: 'parse-error', severity: 'error', message: `cannot be read (${code})`, fix: 'check the file permissions' }],
    };
  }
  const bytes = Buffer.byteLength(text);
  const lineCount = text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  const base = { file, bytes, lines: lineCount, resources: 0, sam: false };
  const parsed = parseCloudFormation(text);
  if (!parsed.ok) {
    return {
      entry: { ...base, status: 'parse-error' },
      findings: [
        {
          file,
          line: parsed.line,
          rule: 'parse-error',
          severity: 'error',
          message: `does not parse: ${parsed.message}`,
          fix: 'fix the syntax; the file counts for nothing until it parses',
        },
      ],
    };
  }
  const reason = notTemplateReason(parsed.value);
  if (reason !== undefined) {
    return {
      entry: { ...base, status: 'not-a-template' },
      findings: [
        {
          file,
          line: 1,
          rule: 'not-a-template',
          severity: 'info',
          message: `not a CloudFormation template: ${reason}`,
          fix: 'skipped; a template needs a Resources mapping',
        },
      ],
    };
  }
  const findings = tagFindings(file, parsed);
  let template = parsed.value as Json;
  const lines = resourceLines(parsed);
  const sam = usesSam(template);
  let expandedFrom: ReadonlyMap<string, string> | undefined;
  if (sam) {
    const expansion = expandSam(template);
    template = expansion.template;
    expandedFrom = expansion.expandedFrom;
    for (const [id, from] of expansion.expandedFrom) {
      const sourceId = from.split(' ')[1]!;
      if (!lines.has(id) && lines.has(sourceId)) lines.set(id, lines.get(sourceId)!);
    }
    for (const u of expansion.unexpanded) {
      const [type, id] = u.split(' ') as [string, string];
      findings.push({
        file,
        line: lines.get(id),
        logicalId: id,
        rule: 'sam-unexpanded',
        severity: 'info',
        message: `${type} is not modelled by the grader; it counts for nothing`,
        fix: 'write the resources it stands for explicitly if a roadmap bullet needs them',
      });
    }
  }
  const resources = Object.entries(section(template, 'Resources'));
  if (options.knownTypes) {
    for (const [id, r] of resources) {
      const type = isRecord(r) ? r.Type : undefined;
      if (
        typeof type !== 'string' ||
        options.knownTypes.has(type) ||
        type.startsWith('Custom::') ||
        type.startsWith('AWS::Serverless::') ||
        type === 'AWS::CloudFormation::CustomResource'
      )
        continue;
      const suggestion = closest(type, options.knownTypes);
      findings.push({
        file,
        line: lines.get(id),
        logicalId: id,
        rule: 'unknown-resource-type',
        severity: 'error',
        message: `${type} is not a CloudFormation resource type; the resource counts for nothing`,
        fix: suggestion ? `did you mean ${suggestion}?` : 'check the type in the CloudFormation resource reference',
      });
    }
  }
  return {
    entry: { ...base, status: 'template', resources: resources.length, sam },
    template: { file, template, lines, ...(expandedFrom ? { expandedFrom } : {}) },
    findings,
  };
}

/** Local paths named by nested stacks of a template, relative to the submission directory. */
function nestedPaths(t: TemplateFile): { logicalId: string; url: string; file: string }[] {
  const out: { logicalId: string; url: string; file: string }[] = [];
  for (const [id, r] of Object.entries(section(t.template, 'Resources'))) {
    if (!isRecord(r) || r.Type !== 'AWS::CloudFormation::Stack') continue;
    const url = section(r, 'Properties').TemplateURL;
    const local = localTemplatePath(url);
    if (local !== undefined) out.push({ logicalId: id, url: String(url), file: path.posix.normalize(path.posix.join(path.posix.dirname(t.file), local)) });
  }
  return out;
}

/**
 * Reads one submission: a folder or a single template file. Never throws for the content of a
 * file; throws only when `input` does not exist.
 */
export async function readSubmission(input: string, options: ReadOptions = {}): Promise<Submission> {
  const absolute = path.resolve(input);
  const info = await stat(absolute);
  const isDir = info.isDirectory();
  const dir = isDir ? absolute : path.dirname(absolute);
  const name = isDir ? path.basename(absolute) : path.basename(absolute).replace(/\.[^.]+$/, '');
  const queue = isDir ? await templateFilesUnder(dir) : [path.basename(absolute)];
  const seen = new Set(queue);
  const results = new Map<string, ReadOne>();
  const findings: ReadFinding[] = [];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const result = await readOne(dir, file, options);
    results.set(file, result);
    // A single file brings the local templates it nests; a folder already holds them (or reports them missing).
    for (const n of result.template ? nestedPaths(result.template) : []) {
      if (seen.has(n.file)) continue;
      const exists = await stat(path.join(dir, n.file)).then(
        (s) => s.isFile(),
        () => false,
      );
      if (exists && !isDir && !n.file.startsWith('../')) {
        seen.add(n.file);
        queue.push(n.file);
      } else if (!exists) {
        findings.push({
          file,
          line: result.template!.lines?.get(n.logicalId),
          logicalId: n.logicalId,
          rule: 'nested-template-missing',
          severity: 'warning',
          message: `TemplateURL ${n.url} names ${n.file}, which is not in the submission`,
          fix: 'submit the nested template next to its parent, or correct the path',
        });
      }
    }
  }
  const ordered = [...results.keys()].sort(byPath).map((f) => results.get(f)!);
  const all = [...ordered.flatMap((r) => r.findings), ...findings];
  const templates = ordered.flatMap((r) => (r.template ? [r.template] : []));
  if (templates.length === 0) {
    all.push({
      file: isDir ? '.' : toPosix(path.basename(absolute)),
      rule: 'no-templates',
      severity: 'error',
      message: ordered.length === 0 ? 'no *.yaml, *.yml, *.json or *.template files found' : 'no file is a readable CloudFormation template',
      fix: 'submit the templates (YAML or JSON) in this folder',
    });
  }
  const lineOf = (f: ReadFinding) => f.line ?? 0;
  all.sort((a, b) => byPath(a.file, b.file) || lineOf(a) - lineOf(b));
  return {
    name,
    dir,
    files: ordered.map((r) => r.entry),
    templates,
    paths: new Map(templates.map((t) => [t.file, path.join(dir, t.file)])),
    findings: all,
  };
}

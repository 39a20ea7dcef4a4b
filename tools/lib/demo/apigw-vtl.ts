/**
 * Evaluates API Gateway mapping templates (VTL) locally with velocityjs, providing the parts of
 * API Gateway's `$input`, `$util` and `$context` our templates use, so the local `/ingest` runs
 * the very text the REST API runs (read from generated/streaming.yaml).
 *
 * Supported: `$input.body`, `$input.path(p)`, `$input.json(p)` with JSONPath `$`, `.name`,
 * `['name']`, `[index]`; `$util.base64Encode/base64Decode/escapeJavaScript/parseJson/urlEncode`;
 * `$context.requestId/stage/httpMethod/resourcePath`, `#set($context.responseOverride.status …)`;
 * Java-style `contains`, `size`, `isEmpty`, `length` on strings, lists and maps.
 */
import { Compile, parse } from 'velocityjs';

export class MappingTemplateError extends Error {
  override readonly name = 'MappingTemplateError';
}

/** Evaluates the JSONPath subset API Gateway templates use. */
export function jsonPath(document: unknown, expression: string): unknown {
  if (!expression.startsWith('$')) throw new MappingTemplateError(`unsupported JSONPath ${expression}: must start with $`);
  const tokens = expression.slice(1).match(/\.[A-Za-z_$][\w$-]*|\['[^']*'\]|\["[^"]*"\]|\[\d+\]/g) ?? [];
  if (tokens.join('') !== expression.slice(1)) throw new MappingTemplateError(`unsupported JSONPath ${expression}`);
  let value: unknown = document;
  for (const t of tokens) {
    const key = t.startsWith('.') ? t.slice(1) : t.startsWith("['") || t.startsWith('["') ? t.slice(2, -2) : Number(t.slice(1, -1));
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** JavaScript-string escaping as API Gateway's `$util.escapeJavaScript` does it (quotes, backslashes, control characters). */
export function escapeJavaScript(value: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: API Gateway's $util.escapeJavaScript escapes exactly these control characters
  return String(value ?? '').replace(/[\\"'\u0000-\u001f]/g, (c) => {
    const map: Record<string, string> = { '\\': '\\\\', '"': '\\"', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
    return map[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

const javaMethods = [
  {
    uid: 'contains',
    match: ({ property, context }: { property: string; context: unknown }) =>
      property === 'contains' && (typeof context === 'string' || Array.isArray(context)),
    resolve: ({ context, params }: { context: unknown; params: unknown[] }) => (context as string | unknown[]).includes(params[0] as never),
  },
  {
    uid: 'size',
    match: ({ property, context }: { property: string; context: unknown }) => property === 'size' && context !== null && typeof context === 'object',
    resolve: ({ context }: { context: unknown }) => (Array.isArray(context) ? context.length : Object.keys(context as object).length),
  },
  {
    uid: 'isEmpty',
    match: ({ property }: { property: string }) => property === 'isEmpty',
    resolve: ({ context }: { context: unknown }) =>
      typeof context === 'string' || Array.isArray(context) ? context.length === 0 : Object.keys((context ?? {}) as object).length === 0,
  },
  {
    uid: 'length',
    match: ({ property, context }: { property: string; context: unknown }) => property === 'length' && typeof context === 'string',
    resolve: ({ context }: { context: unknown }) => (context as string).length,
  },
];

export interface MappingInput {
  /** The raw request (or integration response) body. */
  readonly body: string;
  readonly requestId: string;
  readonly stage?: string;
  readonly httpMethod?: string;
  readonly resourcePath?: string;
  /** Template-level substitutions done by CloudFormation's `!Sub` (e.g. `StreamName`). */
  readonly subs?: Readonly<Record<string, string>>;
}

export interface MappingOutput {
  readonly text: string;
  /** Set by `#set($context.responseOverride.status = …)`. */
  readonly statusOverride?: number;
}

const parsed = new Map<string, ReturnType<typeof parse>>();

/** A template's syntax tree, parsed once: `/ingest` renders the same few templates for every request. */
function parsedTemplate(text: string): ReturnType<typeof parse> {
  let ast = parsed.get(text);
  if (!ast) {
    if (parsed.size > 64) parsed.clear();
    ast = parse(text);
    parsed.set(text, ast);
  }
  return ast;
}

/** Renders a mapping template; the body must be JSON when the template reads it through $input. */
export function evaluateMappingTemplate(template: string, input: MappingInput): MappingOutput {
  let parsed: unknown;
  const document = (): unknown => {
    if (parsed === undefined) {
      try {
        parsed = input.body === '' ? {} : JSON.parse(input.body);
      } catch {
        throw new MappingTemplateError('the body is not valid JSON');
      }
    }
    return parsed;
  };
  const text = Object.entries(input.subs ?? {}).reduce((t, [k, v]) => t.split(`\${${k}}`).join(v), template);
  const context = {
    requestId: input.requestId,
    stage: input.stage ?? 'local',
    httpMethod: input.httpMethod ?? 'POST',
    resourcePath: input.resourcePath ?? '/',
    responseOverride: { status: undefined as number | undefined },
  };
  const vars = {
    input: {
      body: input.body,
      path: (p: string) => jsonPath(document(), p),
      json: (p: string) => JSON.stringify(jsonPath(document(), p) ?? null),
    },
    util: {
      base64Encode: (s: unknown) => Buffer.from(String(s ?? ''), 'utf8').toString('base64'),
      base64Decode: (s: unknown) => Buffer.from(String(s ?? ''), 'base64').toString('utf8'),
      escapeJavaScript,
      parseJson: (s: string) => JSON.parse(s) as unknown,
      urlEncode: (s: unknown) => encodeURIComponent(String(s ?? '')),
    },
    context,
  };
  const out = new Compile(parsedTemplate(text), { escape: false, customMethodHandlers: javaMethods }).render(vars, {});
  const status = context.responseOverride.status;
  return { text: out, ...(typeof status === 'number' ? { statusOverride: status } : {}) };
}

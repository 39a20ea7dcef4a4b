/**
 * What the local demo takes from generated/ besides tables, streams and buckets (resources.ts):
 * the `/ingest` contract (request model, mapping templates) from streaming.yaml, and each
 * consumer's event-source mapping settings from compute.yaml. Reading them here, not copying
 * them, keeps the demo from drifting away from what is deployed.
 */
import type { EventSourceConfig } from './event-source';
import type { IngestContract } from './ingest-server';
import { resolveName, TemplateResolutionError, type LocalNames } from './resources';

type Json = Record<string, unknown>;

function resourcesOf(doc: Json): [string, Json][] {
  return Object.entries((doc.Resources ?? {}) as Record<string, Json>);
}

function propsOf(res: Json): Json {
  return (res.Properties ?? {}) as Json;
}

/** `!Ref X` → X, or undefined. */
function refOf(value: unknown): string | undefined {
  return value && typeof value === 'object' && typeof (value as Json).Ref === 'string' ? ((value as Json).Ref as string) : undefined;
}

/**
 * The local value of a `!Sub` variable: a name the caller knows, or `!Ref` of a resource in the
 * same template whose Ref is its name (a Kinesis stream's `Name`, a table's `TableName`, …).
 */
function subVariable(doc: Json, value: unknown, names: LocalNames, where: string): string {
  const ref = refOf(value);
  if (ref !== undefined && names[ref] === undefined) {
    const target = (doc.Resources as Record<string, Json> | undefined)?.[ref];
    if (!target) throw new TemplateResolutionError(`${where}: !Ref ${ref} is neither a known name nor a resource of this template`);
    const p = propsOf(target);
    const nameProperty = ['Name', 'StreamName', 'TableName', 'BucketName', 'QueueName', 'TopicName'].find((k) => p[k] !== undefined);
    if (!nameProperty) throw new TemplateResolutionError(`${where}: resource ${ref} (${String(target.Type)}) has no name property to resolve its !Ref locally`);
    return resolveName(p[nameProperty], names, `${where} → ${ref}.${nameProperty}`);
  }
  return resolveName(value, names, where);
}

/** A mapping template: a plain string, or `!Sub [text, vars]` (text returned with its variables resolved separately). */
function templateText(doc: Json, value: unknown, names: LocalNames, where: string): { text: string; subs: Record<string, string> } {
  if (typeof value === 'string') return { text: value, subs: {} };
  if (value && typeof value === 'object' && 'Fn::Sub' in (value as Json)) {
    const arg = (value as Json)['Fn::Sub'];
    const [text, vars] = Array.isArray(arg) ? [arg[0] as string, (arg[1] ?? {}) as Json] : [arg as string, {}];
    const subs: Record<string, string> = {};
    for (const m of text.matchAll(/\$\{([^}!]+)\}/g)) {
      const name = m[1]!;
      subs[name] = name in vars ? subVariable(doc, vars[name], names, where) : resolveName({ Ref: name }, names, where);
    }
    return { text, subs };
  }
  throw new TemplateResolutionError(`${where}: a mapping template must be a string or !Sub (got ${JSON.stringify(value)})`);
}

export interface IngestContractOptions {
  /** Resource path of the ingest method. @default 'ingest' (PathPart of the method's resource) */
  readonly pathPart?: string;
  /** @default 'POST' */
  readonly httpMethod?: string;
  /** Content type whose model and templates are used. @default 'application/json' */
  readonly contentType?: string;
}

/**
 * The `/ingest` contract of streaming.yaml: the method's request model schema, its integration's
 * request template (with `!Sub` variables such as StreamName resolved locally), the 200 response
 * template and the 4xx error template. Throws naming what is missing.
 */
export function ingestContractFromTemplate(doc: Json, names: LocalNames, options: IngestContractOptions = {}): IngestContract {
  const pathPart = options.pathPart ?? 'ingest';
  const httpMethod = options.httpMethod ?? 'POST';
  const contentType = options.contentType ?? 'application/json';
  const all = resourcesOf(doc);
  const resourceIds = all.filter(([, r]) => r.Type === 'AWS::ApiGateway::Resource' && propsOf(r).PathPart === pathPart).map(([id]) => id);
  const method = all.find(
    ([, r]) => r.Type === 'AWS::ApiGateway::Method' && propsOf(r).HttpMethod === httpMethod && resourceIds.includes(refOf(propsOf(r).ResourceId) ?? ''),
  );
  if (!method) throw new TemplateResolutionError(`streaming template: no AWS::ApiGateway::Method ${httpMethod} on a resource with PathPart '${pathPart}'`);
  const [methodId, methodRes] = method;
  const p = propsOf(methodRes);
  const where = `streaming template: ${methodId}`;

  const modelId = refOf((p.RequestModels as Json | undefined)?.[contentType]);
  if (!modelId) throw new TemplateResolutionError(`${where}: RequestModels.${contentType} must be !Ref of an AWS::ApiGateway::Model`);
  const model = (doc.Resources as Record<string, Json>)[modelId];
  const schema = model ? (propsOf(model).Schema as Json | undefined) : undefined;
  if (!schema || typeof schema !== 'object') throw new TemplateResolutionError(`${where}: model ${modelId} has no Schema object`);

  const integration = (p.Integration ?? {}) as Json;
  const requestTemplate = (integration.RequestTemplates as Json | undefined)?.[contentType];
  if (requestTemplate === undefined) throw new TemplateResolutionError(`${where}: Integration.RequestTemplates.${contentType} is missing`);
  const request = templateText(doc, requestTemplate, names, `${where}: RequestTemplates`);

  const responses = (integration.IntegrationResponses ?? []) as Json[];
  const responseTemplate = (status: string): string => {
    const r = responses.find((x) => String(x.StatusCode) === status);
    const t = (r?.ResponseTemplates as Json | undefined)?.[contentType];
    if (typeof t !== 'string')
      throw new TemplateResolutionError(`${where}: Integration.IntegrationResponses has no ${status} ResponseTemplates.${contentType}`);
    return t;
  };
  return { schema, requestTemplate: request.text, subs: request.subs, successTemplate: responseTemplate('200'), errorTemplate: responseTemplate('400') };
}

/** One AWS::Lambda::EventSourceMapping as the local loop needs it. */
export interface EventSourceMappingSettings extends EventSourceConfig {
  readonly logicalId: string;
  /** The function's logical ID (`!Ref EnricherFunction` → `EnricherFunction`). */
  readonly functionLogicalId: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowInSeconds: number;
  readonly maximumRecordAgeInSeconds: number;
  /** FilterCriteria patterns (parsed JSON); a record passes when any pattern matches. */
  readonly filterPatterns: readonly Json[];
  readonly hasOnFailureDestination: boolean;
}

function num(value: unknown, fallback: number, where: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TemplateResolutionError(`${where} must be a literal number locally (got ${JSON.stringify(value)})`);
  return value;
}

/**
 * Every event-source mapping of compute.yaml, keyed by function logical ID. Defaults are Lambda's
 * documented ones (BatchSize 100, no window, retries -1 = infinite, record age -1 = 7 days); the
 * local loop refuses infinite retries, as our templates never use them.
 */
export function eventSourceMappingsFromTemplate(doc: Json): Map<string, EventSourceMappingSettings> {
  const out = new Map<string, EventSourceMappingSettings>();
  for (const [id, res] of resourcesOf(doc)) {
    if (res.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const p = propsOf(res);
    const where = `compute template: ${id}`;
    const fn = refOf(p.FunctionName);
    if (!fn) throw new TemplateResolutionError(`${where}: FunctionName must be !Ref of a function`);
    const types = (p.FunctionResponseTypes ?? []) as string[];
    const age = num(p.MaximumRecordAgeInSeconds, -1, `${where}: MaximumRecordAgeInSeconds`);
    const filters = (((p.FilterCriteria as Json | undefined)?.Filters ?? []) as Json[]).map((f, i) => {
      try {
        return JSON.parse(String(f.Pattern)) as Json;
      } catch {
        throw new TemplateResolutionError(`${where}: FilterCriteria.Filters[${i}].Pattern is not JSON`);
      }
    });
    out.set(fn, {
      logicalId: id,
      functionLogicalId: fn,
      batchSize: num(p.BatchSize, 100, `${where}: BatchSize`),
      maximumBatchingWindowInSeconds: num(p.MaximumBatchingWindowInSeconds, 0, `${where}: MaximumBatchingWindowInSeconds`),
      reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
      bisectBatchOnFunctionError: p.BisectBatchOnFunctionError === true,
      maximumRetryAttempts: num(p.MaximumRetryAttempts, -1, `${where}: MaximumRetryAttempts`),
      maximumRecordAgeInSeconds: age === -1 ? 604800 : age,
      filterPatterns: filters,
      hasOnFailureDestination: ((p.DestinationConfig as Json | undefined)?.OnFailure as Json | undefined)?.Destination !== undefined,
    });
  }
  return out;
}

/**
 * Lambda event filtering for the pattern subset our templates use: objects nest, a leaf is an
 * array of alternatives, each a literal (equality) or `{ "prefix": "…" }`. Anything else is
 * refused rather than guessed. Records are matched as Lambda sees them (DynamoDB Streams records
 * in their JSON shape).
 */
export function matchesFilter(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((alt) => {
      if (alt !== null && typeof alt === 'object') {
        const a = alt as Json;
        if (typeof a.prefix === 'string') return typeof value === 'string' && value.startsWith(a.prefix);
        throw new TemplateResolutionError(`event filter: unsupported operator ${JSON.stringify(alt)} (supported: literals, prefix)`);
      }
      return alt === value;
    });
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (value === null || typeof value !== 'object') return false;
    return Object.entries(pattern as Json).every(([k, sub]) => matchesFilter(sub, (value as Json)[k]));
  }
  throw new TemplateResolutionError(`event filter: a leaf must be an array of alternatives (got ${JSON.stringify(pattern)})`);
}

/** True when the record passes the mapping's filters (no filters: everything passes). */
export function passesFilters(settings: Pick<EventSourceMappingSettings, 'filterPatterns'>, record: unknown): boolean {
  return settings.filterPatterns.length === 0 || settings.filterPatterns.some((p) => matchesFilter(p, record));
}

/** A parameter's Default in a template (e.g. root.yaml StockDropPercent), or undefined. */
export function parameterDefault(doc: Json, name: string): unknown {
  return (doc.Parameters as Record<string, Json> | undefined)?.[name]?.Default;
}

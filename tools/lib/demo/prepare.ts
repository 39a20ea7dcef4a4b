/**
 * Before anything starts: what generated/ defines for the local run (tables, stream, buckets,
 * event-source mappings, the `/ingest` contract, the rules' thresholds), and the replay file read
 * into ticks. Everything here is a usage problem when it fails (exit 2): nothing was started yet.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Thresholds } from '../../../handlers/rules/decide';
import { ToolError } from '../errors';
import type { TemplateFacts } from './context';
import { readReplayCsv, ReplayFormatError, type DateOrder, type ReplayData } from './replay-csv';
import { localResources, readTemplates, TemplateResolutionError, type LocalNames } from './resources';
import { eventSourceMappingsFromTemplate, ingestContractFromTemplate, parameterDefault, type EventSourceMappingSettings } from './template-contracts';

export const DEMO_NAMES: LocalNames = { NamePrefix: 'stockwx-demo', 'AWS::AccountId': '000000000000', 'AWS::Region': 'us-east-1' };
const TEMPLATE_FILES = ['streaming.yaml', 'datastores.yaml', 'data-lake.yaml', 'compute.yaml', 'root.yaml', 'dashboards.yaml'];

/** The rules' thresholds: the stock drop as chosen, the weather ones from root.yaml's defaults (like a deploy without overrides). */
function thresholdsFrom(root: Record<string, unknown>, stockDropPercent: number | undefined): Thresholds {
  const fromRoot = (name: string): number => {
    const value = Number(parameterDefault(root, name));
    if (!Number.isFinite(value))
      throw new TemplateResolutionError(`generated/root.yaml: parameter ${name} has no numeric Default; rebuild the templates (npm run build:templates)`);
    return value;
  };
  return {
    stockDropPercent: stockDropPercent ?? fromRoot('StockDropPercent'),
    heatThresholdC: fromRoot('HeatThresholdC'),
    coldThresholdC: fromRoot('ColdThresholdC'),
    windThresholdKph: fromRoot('WindThresholdKph'),
    precipThresholdMm: fromRoot('PrecipThresholdMm'),
  };
}

/** Reads generated/ into the facts the phases use; throws naming the template and what is missing. */
export function readTemplateFacts(rootDir: string, stockDropPercent?: number): TemplateFacts {
  const dir = path.join(rootDir, 'generated');
  const templates = readTemplates(dir, TEMPLATE_FILES);
  const resources = localResources(templates, DEMO_NAMES, ['RawBucket', 'ProcessedBucket']);
  const table = (id: string) => {
    const t = resources.tables.find((x) => x.logicalId === id);
    if (!t) throw new TemplateResolutionError(`generated/datastores.yaml: no ${id}; rebuild the templates (npm run build:templates)`);
    return t;
  };
  const bucket = (id: string) => {
    const b = resources.buckets.find((x) => x.logicalId === id);
    if (!b) throw new TemplateResolutionError(`generated/data-lake.yaml: no ${id}; rebuild the templates (npm run build:templates)`);
    return b.bucketName;
  };
  const stream = resources.streams[0];
  if (!stream) throw new TemplateResolutionError('generated/streaming.yaml: no AWS::Kinesis::Stream; rebuild the templates');
  const esm = eventSourceMappingsFromTemplate(templates['compute.yaml']!);
  const mapping = (fn: string): EventSourceMappingSettings => {
    const s = esm.get(fn);
    if (!s) throw new TemplateResolutionError(`generated/compute.yaml: no AWS::Lambda::EventSourceMapping for ${fn}`);
    return s;
  };
  const ingest = ingestContractFromTemplate(templates['streaming.yaml']!, DEMO_NAMES);
  const maxItems = Number((ingest.schema.properties as Record<string, { maxItems?: unknown }> | undefined)?.records?.maxItems ?? 500);
  return {
    names: DEMO_NAMES,
    resources,
    stream,
    metricsTable: table('MetricsTable'),
    latestTable: table('LatestTable'),
    rawBucket: bucket('RawBucket'),
    processedBucket: bucket('ProcessedBucket'),
    mappings: { enricher: mapping('EnricherFunction'), aggregator: mapping('AggregatorFunction'), rules: mapping('RulesFunction') },
    ingest,
    ingestMaxItems: Number.isInteger(maxItems) && maxItems > 0 ? maxItems : 500,
    thresholds: thresholdsFrom(templates['root.yaml']!, stockDropPercent),
    templates,
  };
}

/** Unusable input (exit 2, printed without the usage text: the flags were fine, the file is not). */
export class ReplayInputError extends ToolError {
  override readonly name = 'ReplayInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
  }
}

/** Reads the replay file; unreadable or unusable input is a ReplayInputError (exit 2) naming the file. */
export function readReplay(file: string, options: { symbol?: string; decimalComma?: boolean; dateOrder?: DateOrder } = {}): ReplayData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReplayInputError(
      `${file}: cannot read the replay file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass an existing CSV to --replay`,
    );
  }
  let replay: ReplayData;
  try {
    replay = readReplayCsv(text, { fileName: file, ...options });
  } catch (err) {
    if (err instanceof ReplayFormatError) throw new ReplayInputError(err.message, { cause: err });
    throw err;
  }
  if (replay.ticks.length === 0) {
    const first = replay.skipped[0];
    throw new ReplayInputError(`${file}: no usable rows to replay${first ? ` (line ${first.line}: ${first.reason})` : ''}`);
  }
  return replay;
}

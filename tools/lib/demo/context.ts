/**
 * The one object the demo's phases share (run.ts wires them):
 *
 * ```
 * prepare (read generated/ and the replay file) → startServices → startConsumers ─┐
 *                                                  produce ─────────────────────────┤→ query → writeResults
 * ```
 *
 * `DemoContext` holds what the run was asked (options), what the templates define (facts),
 * what goes in (replay), the services once started, and the run's counters. Each phase reads
 * it and adds its own part; no phase keeps state in module scope, so each can be tested alone.
 */
import type { Alert } from '../../../handlers/lib/contracts';
import type { Thresholds } from '../../../handlers/rules/decide';
import type { Cleanup } from './cleanup';
import type { EventSourceStats } from './event-source';
import type { IngestContract } from './ingest-server';
import type { Progress } from './progress';
import type { OnFailureEntry } from './proof';
import type { DateOrder, ReplayData } from './replay-csv';
import type { LocalNames, LocalResources, StreamDefinition, TableDefinition } from './resources';
import type { EventSourceMappingSettings } from './template-contracts';
import type { Timeline } from './timeline';
import { Counter } from './wakeup';

export interface DemoOptions {
  /** Project root holding generated/ and demo/. @default process.cwd() */
  readonly rootDir?: string;
  /** Replay CSV. @default <rootDir>/demo/data/DEMO.csv */
  readonly replayFile?: string;
  /** Symbol for files without one, or a filter in long/prefixed files. @default none */
  readonly symbol?: string;
  /** Numbers use a decimal comma (`12,5`) and `.`/space thousands separators. @default false */
  readonly decimalComma?: boolean;
  /** Order of day, month and year in ambiguous dates (`03/04/2024`). @default decided from the whole file */
  readonly dateOrder?: DateOrder;
  /** Trading days per second of wall time; 0 = as fast as possible. @default 0 */
  readonly speed?: number;
  /** StockDropPercent. @default root.yaml's StockDropPercent default */
  readonly thresholdPercent?: number;
  /** Inject faults and prove nothing was lost or double-counted. @default false */
  readonly faults?: boolean;
  /**
   * With faults: the producer also resends every third delivery (the same events as new Kinesis
   * records, RELIABILITY 2's "producer resend"). @default true
   */
  readonly producerResends?: boolean;
  /** No tables or alert lines; progress as plain lines. @default false */
  readonly quiet?: boolean;
  /** Keep the Parquet mirror and summary.json under outDir. @default false */
  readonly keep?: boolean;
  /** Output directory (alerts.ndjson, dashboard.html, run.json). @default <rootDir>/.demo */
  readonly outDir?: string;
  /** Run the poller once against demo/recorded/. @default true without replayFile, false with it */
  readonly poller?: boolean;
  /** Ticks per POST /ingest. @default 500 (the request model's maxItems) */
  readonly ingestBatchSize?: number;
  /** Handler logs at DEBUG instead of silent. @default false */
  readonly debug?: boolean;
  /** Where lines go. @default console.log */
  readonly print?: (line: string) => void;
  /** How progress is shown. @default plain lines through `print` */
  readonly progress?: Progress;
  /** Aborts the run (Ctrl-C); services are still stopped. */
  readonly signal?: AbortSignal;
  /** Where the run registers what to undo (the CLI passes its own to clean up on a second Ctrl-C). @default a new one */
  readonly cleanup?: Cleanup;
}

/** What generated/ defines for the local run. */
export interface TemplateFacts {
  readonly names: LocalNames;
  readonly resources: LocalResources;
  readonly stream: StreamDefinition;
  readonly metricsTable: TableDefinition;
  readonly latestTable: TableDefinition;
  readonly rawBucket: string;
  readonly processedBucket: string;
  readonly mappings: {
    readonly enricher: EventSourceMappingSettings;
    readonly aggregator: EventSourceMappingSettings;
    readonly rules: EventSourceMappingSettings;
  };
  readonly ingest: IngestContract;
  /** The ingest request model's `records.maxItems` (ticks per POST). */
  readonly ingestMaxItems: number;
  readonly thresholds: Thresholds;
  /** The parsed templates (for the dashboard's widget names). */
  readonly templates: Readonly<Record<string, Record<string, unknown>>>;
}

export type KinesisConsumerName = 'enricher' | 'aggregator';

export interface PublishedMessage {
  readonly topicArn: string;
  readonly messageId: string;
  readonly subject: string;
  readonly message: string;
}

/** The run's counters and collections, filled by the phases. */
export interface RunState {
  /** Records written to the Kinesis stream. */
  readonly produced: Counter;
  /** Records each Kinesis consumer is done with (checkpointed or sent to its on-failure destination). */
  readonly consumed: Readonly<Record<KinesisConsumerName, Counter>>;
  readonly esm: Record<string, EventSourceStats>;
  /** Wall time spent inside each handler, ms. */
  readonly busyMs: Record<string, number>;
  readonly onFailure: OnFailureEntry[];
  readonly alerts: Alert[];
  readonly published: PublishedMessage[];
  readonly timeline: Timeline;
  /** Epoch ms of the first replay POST and of the last MetricsTable tick write. */
  firstPostAt: number;
  lastEnrichedWrite: number;
  /** With faults: invocations delivered twice. */
  redeliveries: number;
  /** Set when the consumers stopped on an error: every waiting phase rethrows it. */
  failure: unknown;
}

export interface DemoContext {
  readonly options: DemoOptions;
  readonly rootDir: string;
  readonly outDir: string;
  readonly faults: boolean;
  readonly poller: boolean;
  readonly print: (line: string) => void;
  readonly progress: Progress;
  readonly facts: TemplateFacts;
  readonly replay: ReplayData;
  readonly replayFile: string;
  readonly cleanup: Cleanup;
  readonly state: RunState;
  readonly signal?: AbortSignal;
  /** Throws DemoAbortedError when the run was interrupted, or the consumers' failure. */
  checkAbort(): void;
}

export class DemoAbortedError extends Error {
  override readonly name = 'DemoAbortedError';
}

export function newRunState(timeline: Timeline): RunState {
  return {
    produced: new Counter(),
    consumed: { enricher: new Counter(), aggregator: new Counter() },
    esm: {},
    busyMs: {},
    onFailure: [],
    alerts: [],
    published: [],
    timeline,
    firstPostAt: 0,
    lastEnrichedWrite: 0,
    redeliveries: 0,
    failure: undefined,
  };
}

export function addStats(state: RunState, name: string, s: EventSourceStats): void {
  state.esm[name] ??= { invocations: 0, retries: 0, bisections: 0, recordsDelivered: 0, recordsCheckpointed: 0, recordsToOnFailure: 0 };
  const t = state.esm[name];
  for (const k of Object.keys(s) as (keyof EventSourceStats)[]) t[k] += s[k];
}

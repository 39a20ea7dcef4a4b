/**
 * `.demo/dashboard.html`: the demo's dashboard, one self-contained static file (no network: the
 * uPlot charting library, our client script and the data are inline, and a Content-Security-Policy
 * forbids anything else). The panels are the local counterparts of generated/dashboards.yaml's
 * widgets and carry their names (dashboard-widgets.ts):
 *
 * | part            | panels                                                                               |
 * | --------------- | ------------------------------------------------------------------------------------ |
 * | Stocks          | per symbol: close, SMA-5 and SMA-20 (the aggregator's rows), drop and cross alert markers with their messages; the latest quotes |
 * | Weather         | per city: temperature, wind and precipitation, each with the rules' thresholds as lines |
 * | Pipeline health | the CloudWatch sections: API requests and latency, Kinesis incoming records and iterator age, each Lambda's invocations/errors/duration, the on-failure queues, DynamoDB requests and throttles, SNS publishes; plus records per stage, quarantine reasons and the run's latency percentiles and throughput |
 *
 * The browser code is dashboard-client.ts, bundled with esbuild when the file is written.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { DemoContext } from './context';
import { deployedWidgets, section, visualTitle, widgetTitle } from './dashboard-widgets';
import { RESULT_FILES, writeAtomic } from './results';
import type { DemoResult } from './run';
import type { TimelineData } from './timeline';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** A horizontal threshold line. @default false */
  readonly threshold?: boolean;
  /** Drawn against a second axis on the right (durations next to counts). @default false */
  readonly rightAxis?: boolean;
}

export interface AlertMarker {
  readonly rule: string;
  /** Epoch seconds of the triggering tick. */
  readonly t: number;
  readonly value: number;
  readonly message: string;
}

export interface ChartPanel {
  readonly kind: 'chart';
  readonly title: string;
  readonly caption?: string;
  readonly unit?: string;
  /** Epoch seconds. */
  readonly t: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly markers?: readonly AlertMarker[];
}

export interface TablePanel {
  readonly kind: 'table';
  readonly title: string;
  readonly caption?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export type Panel = ChartPanel | TablePanel;

export interface DashboardSection {
  readonly heading: string;
  readonly panels: readonly Panel[];
}

export interface DashboardData {
  readonly title: string;
  readonly subtitle: string;
  readonly status: 'ok' | 'failed';
  readonly problems: readonly string[];
  readonly parts: readonly { readonly name: string; readonly sections: readonly DashboardSection[] }[];
}

const STOCK_RULES = new Set(['stock-drop', 'golden-cross', 'death-cross']);

function series(timeline: TimelineData, label: string, name: string, kind: 'sum' | 'p50' | 'p99' | 'max' = 'sum'): ChartSeries {
  const values = kind === 'sum' ? timeline.sums[name] : timeline.stats[name]?.[kind];
  return { label, values: values ?? Array.from({ length: timeline.seconds }, () => (kind === 'sum' ? 0 : null)) };
}

function cumulative(values: readonly (number | null)[]): number[] {
  let total = 0;
  return values.map((v) => (total += v ?? 0));
}

/** Builds the dashboard's content from a finished run (pure: tested without a browser). */
export function dashboardData(ctx: Pick<DemoContext, 'facts' | 'rootDir'>, result: DemoResult): DashboardData {
  const widgets = deployedWidgets(ctx.facts.templates['dashboards.yaml']!);
  const tl = result.timeline;
  const seconds = Array.from({ length: tl.seconds }, (_, i) => Math.floor(tl.startMs / 1000) + i);
  const th = ctx.facts.thresholds;
  const markersFor = (entity: string, t: readonly number[], price: readonly number[]): AlertMarker[] =>
    result.alerts
      .filter((a) => a.entity === entity && STOCK_RULES.has(a.rule))
      .map((a) => {
        const at = Date.parse(a.ts) / 1000;
        const i = t.indexOf(at);
        return { rule: a.rule, t: at, value: i >= 0 ? price[i]! : Number(a.values.price ?? a.values.sma5 ?? 0), message: a.message };
      });

  // --- stocks --------------------------------------------------------------------------------
  const priceTitle = visualTitle(widgets, 'price-over-time');
  const stockPanels: Panel[] = Object.entries(result.stocks)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([symbol, s]) => ({
      kind: 'chart',
      title: `${priceTitle}: ${symbol}`,
      caption: `local: the close of every tick (MetricsTable), SMA-5 and SMA-20 as the aggregator stored them; markers are the rules engine's alerts (hover for the message)`,
      unit: 'price',
      t: s.t,
      series: [
        { label: 'Close', values: s.price },
        { label: 'SMA-5', values: s.sma5 },
        { label: 'SMA-20', values: s.sma20 },
      ],
      markers: markersFor(`STOCK#${symbol}`, s.t, s.price),
    }));
  const latest: TablePanel = {
    kind: 'table',
    title: visualTitle(widgets, 'latest-quotes'),
    columns: ['symbol', 'ts', 'price', 'prevClose', 'change %'],
    rows: Object.entries(result.stocks)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([symbol, s]) => {
        const n = s.t.length - 1;
        const prev = s.prevClose[n]!;
        return [symbol, new Date(s.t[n]! * 1000).toISOString(), s.price[n]!, prev, Math.round(((s.price[n]! - prev) / prev) * 10_000) / 100];
      }),
  };

  // --- weather -------------------------------------------------------------------------------
  const weatherPanels: Panel[] = Object.entries(result.weather)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([city, w]): Panel[] => {
      const line = (value: number) => w.t.map(() => value);
      return [
        {
          kind: 'chart',
          title: `${visualTitle(widgets, 'temperature')}: ${city}`,
          unit: '°C',
          t: w.t,
          series: [
            { label: 'Temperature', values: w.tempC },
            { label: `Heat threshold ${th.heatThresholdC} °C`, values: line(th.heatThresholdC), threshold: true },
            { label: `Cold threshold ${th.coldThresholdC} °C`, values: line(th.coldThresholdC), threshold: true },
          ],
        },
        {
          kind: 'chart',
          title: `Wind per city (km/h): ${city}`,
          caption: 'local only: no QuickSight visual shows wind',
          unit: 'km/h',
          t: w.t,
          series: [
            { label: 'Wind', values: w.windKph },
            { label: `Wind threshold ${th.windThresholdKph} km/h`, values: line(th.windThresholdKph), threshold: true },
          ],
        },
        {
          kind: 'chart',
          title: `${visualTitle(widgets, 'precipitation')}: ${city}`,
          unit: 'mm',
          t: w.t,
          series: [
            { label: 'Precipitation', values: w.precipMm },
            { label: `Precipitation threshold ${th.precipThresholdMm} mm`, values: line(th.precipThresholdMm), threshold: true },
          ],
        },
      ];
    });

  // --- pipeline health -----------------------------------------------------------------------
  const chart = (title: string, list: ChartSeries[], caption?: string, unit?: string): ChartPanel => ({
    kind: 'chart',
    title,
    t: seconds,
    series: list,
    ...(caption ? { caption } : {}),
    ...(unit ? { unit } : {}),
  });
  const apiSection = section(widgets, 'Ingestion API');
  const kinesisSection = section(widgets, 'Kinesis');
  const lambdaSection = section(widgets, 'Lambda');
  const dlqSection = section(widgets, 'Dead-letter');
  const dynamoSection = section(widgets, 'DynamoDB');
  const alertsSection = section(widgets, 'Alerts');
  const fn = (name: string): ChartPanel =>
    chart(
      widgetTitle(widgets, name),
      [
        series(tl, 'Invocations', `lambda.invocations.${name}`),
        series(tl, 'Errors', `lambda.errors.${name}`),
        { label: 'Throttles', values: seconds.map(() => 0) },
        { ...series(tl, 'Duration p99 (ms)', `lambda.duration.${name}`, 'p99'), rightAxis: true },
      ],
      'per second of the run',
    );
  const tables = [ctx.facts.metricsTable.tableName, ctx.facts.latestTable.tableName];
  const s = result.stores;
  const health: DashboardSection[] = [
    {
      heading: apiSection.heading,
      panels: [
        chart(
          widgetTitle(widgets, 'Requests and errors'),
          [series(tl, 'Count', 'api.requests'), series(tl, '4XXError', 'api.4xx'), series(tl, '5XXError', 'api.5xx')],
          'local POST /ingest, per second',
        ),
        chart(
          widgetTitle(widgets, 'Latency (ms)'),
          [
            series(tl, 'Latency p50', 'api.latency', 'p50'),
            series(tl, 'Latency p99', 'api.latency', 'p99'),
            series(tl, 'End to end p50 (arrival → MetricsTable)', 'latency.endToEnd', 'p50'),
            series(tl, 'End to end p99', 'latency.endToEnd', 'p99'),
          ],
          'local: POST /ingest, and Kinesis arrival → MetricsTable write',
          'ms',
        ),
      ],
    },
    {
      heading: kinesisSection.heading,
      panels: [
        chart(widgetTitle(widgets, 'Incoming records'), [series(tl, 'IncomingRecords', 'kinesis.incoming')], 'per second'),
        chart(
          widgetTitle(widgets, 'Iterator age (ms)'),
          [series(tl, 'enricher', 'kinesis.iteratorAge.enricher', 'max'), series(tl, 'aggregator', 'kinesis.iteratorAge.aggregator', 'max')],
          'age of the newest record of each batch when it is handed to the function',
          'ms',
        ),
        chart(
          'LatestTable stream records waiting',
          [series(tl, 'rules engine backlog', 'stream.waiting.rules', 'max')],
          'local only: records the capture derived that the rules engine has not taken yet',
        ),
        {
          kind: 'table',
          title: 'Records per stage',
          caption: 'local only: where the records of this run went',
          columns: ['stage', 'records'],
          rows: [
            ['replay rows read', result.replayTicks.length + result.skippedRows.length],
            ['replay rows skipped (bad input)', result.skippedRows.length],
            ['into Kinesis (POST /ingest, poller, faults)', result.recordsIn],
            ['enricher: delivered / checkpointed', `${result.esm.enricher?.recordsDelivered ?? 0} / ${result.esm.enricher?.recordsCheckpointed ?? 0}`],
            ['aggregator: delivered / checkpointed', `${result.esm.aggregator?.recordsDelivered ?? 0} / ${result.esm.aggregator?.recordsCheckpointed ?? 0}`],
            ['MetricsTable ticks / aggregates', `${s.metricsTickItems} / ${s.metricsAggregateItems}`],
            ['raw zone lines (objects)', `${s.rawLines} (${s.rawObjects})`],
            ['Parquet rows (objects)', `${s.parquetRows} (${s.processedObjects})`],
            ['quarantined', s.quarantined],
            ['LatestTable stream records to the rules engine', result.esm.rules?.recordsDelivered ?? 0],
            ['alerts', result.alerts.length],
          ],
        },
      ],
    },
    {
      heading: lambdaSection.heading,
      panels: ['poller', 'enricher', 'aggregator', 'rules', 'notifier'].filter((n) => lambdaSection.titles.includes(n)).map(fn),
    },
    {
      heading: dlqSection.heading,
      panels: [
        chart(
          widgetTitle(widgets, 'Messages waiting'),
          ['enricher', 'aggregator', 'rules'].map((n) => ({ label: `${n} on-failure`, values: cumulative(series(tl, n, `dlq.${n}`).values) })),
          'records sent to each on-failure destination so far',
        ),
        {
          kind: 'table',
          title: 'On-failure queue',
          columns: ['consumer', 'condition', 'records', 'why'],
          rows: result.onFailure.map((e) => [e.consumer, e.condition, e.keys.length, e.explanation ?? `UNEXPLAINED (${e.lastError ?? ''})`]),
        },
        {
          kind: 'table',
          title: 'Quarantine reasons',
          caption: 'local only: the enricher’s quarantine objects',
          columns: ['code', 'reason'],
          rows: result.quarantine.map((q) => [q.code, q.reason]),
        },
      ],
    },
    {
      heading: dynamoSection.heading,
      panels: [
        chart(
          widgetTitle(widgets, 'Consumed capacity'),
          tables.flatMap((t) => [series(tl, `${t} reads`, `dynamodb.reads.${t}`), series(tl, `${t} writes`, `dynamodb.writes.${t}`)]),
          'local: requests per second (dynalite has no capacity units)',
        ),
        chart(
          widgetTitle(widgets, 'Throttle events'),
          tables.map((t) => series(tl, t, `dynamodb.throttles.${t}`)),
          'injected with --faults',
        ),
      ],
    },
    {
      heading: alertsSection.heading,
      panels: [
        chart(
          widgetTitle(widgets, 'Messages published per topic'),
          ['market-alerts', 'weather-alerts'].map((topic) => series(tl, topic, `sns.published.${ctx.facts.names.NamePrefix}-${topic}`)),
          'per second',
        ),
        chart(widgetTitle(widgets, 'Failed deliveries'), [series(tl, 'notifier failures', 'sns.failed')]),
        {
          kind: 'table',
          title: 'Latency and throughput',
          caption: 'local only: the whole run',
          columns: ['measure', 'value'],
          rows: [
            ['end to end p50 (Kinesis arrival → MetricsTable)', `${result.latencyMs.p50} ms`],
            ['end to end p99', `${result.latencyMs.p99} ms`],
            ['throughput', `${Math.round(result.throughputPerSecond)} replay ticks/s`],
            ['replay time (first POST → every mapping drained)', `${(result.replayMs / 1000).toFixed(2)} s`],
          ],
        },
      ],
    },
  ];

  return {
    title: 'stock-weather demo',
    subtitle: `${path.relative(ctx.rootDir, result.replayFile) || result.replayFile}: ${result.replayTicks.length} ticks, ${result.alerts.length} alerts`,
    status: result.proof.ok ? 'ok' : 'failed',
    problems: result.proof.problems,
    parts: [
      { name: 'Stocks', sections: [{ heading: 'Stocks', panels: [...stockPanels, latest] }] },
      { name: 'Weather', sections: [{ heading: 'Weather', panels: weatherPanels }] },
      { name: 'Pipeline health', sections: health },
    ],
  };
}

let bundled: Promise<string> | undefined;

/** The client script with uPlot, bundled once per process. */
function clientBundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [path.join(__dirname, 'dashboard-client.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'inline',
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text);
  return bundled;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The HTML document for `data` (scripts and styles inline; `<` in the JSON escaped so it cannot close the script). */
export async function dashboardHtml(data: DashboardData): Promise<string> {
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const script = await clientBundle();
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${uplotCss}
${readFileSync(path.join(__dirname, 'dashboard.css'), 'utf8')}</style>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="dashboard-data">${json}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

/** Writes `.demo/dashboard.html` for a finished run; returns its path. */
export async function writeDashboard(ctx: DemoContext, result: DemoResult): Promise<string> {
  const file = path.join(ctx.outDir, RESULT_FILES.dashboard);
  await writeAtomic(file, await dashboardHtml(dashboardData(ctx, result)));
  return file;
}

/**
 * CloudWatch dashboard bodies built as data: rows of metric widgets laid out on the 24-column
 * grid, serialised to the JSON CloudWatch expects. Names inside are `${Variable}` placeholders
 * the caller resolves with `!Sub` (region, stack parameters), so the body stays one readable string.
 */

/** `[namespace, metric, dimName, dimValue, …, options?]`, CloudWatch's compact metric form. */
export type MetricLine = readonly (string | Readonly<Record<string, unknown>>)[];

export interface MetricWidget {
  readonly title: string;
  readonly metrics: readonly MetricLine[];
  /** Default statistic of the lines. @default Sum */
  readonly stat?: 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'p50' | 'p90' | 'p99';
  /** Seconds. @default 60 */
  readonly period?: number;
  /** Grid columns (of 24). @default 24 / widgets in the row */
  readonly width?: number;
}

export interface DashboardRow {
  /** Markdown heading above the row. */
  readonly heading: string;
  readonly widgets: readonly MetricWidget[];
}

/** Widget height in grid units. */
const HEIGHT = 6;

/** A metric line; `options` such as `{ stat: 'p99', yAxis: 'right', label: '…' }`. */
export function metric(namespace: string, name: string, dimensions: Readonly<Record<string, string>>, options?: Readonly<Record<string, unknown>>): MetricLine {
  return [namespace, name, ...Object.entries(dimensions).flat(), ...(options ? [options] : [])];
}

/**
 * The dashboard body (JSON text). Each row is a one-line markdown heading and its widgets side by
 * side; `${AWS::Region}` is left for `!Sub`.
 */
export function dashboardBody(rows: readonly DashboardRow[]): string {
  const widgets: unknown[] = [];
  let y = 0;
  for (const row of rows) {
    widgets.push({ type: 'text', x: 0, y, width: 24, height: 1, properties: { markdown: `### ${row.heading}` } });
    y += 1;
    let x = 0;
    for (const w of row.widgets) {
      const width = w.width ?? Math.floor(24 / row.widgets.length);
      if (x + width > 24) {
        x = 0;
        y += HEIGHT;
      }
      widgets.push({
        type: 'metric',
        x,
        y,
        width,
        height: HEIGHT,
        properties: {
          title: w.title,
          region: '${AWS::Region}',
          view: 'timeSeries',
          stacked: false,
          stat: w.stat ?? 'Sum',
          period: w.period ?? 60,
          metrics: w.metrics,
        },
      });
      x += width;
    }
    y += HEIGHT;
  }
  // One widget per line: reviewers read the body in generated/*.yaml diffs.
  return `{"start":"-PT6H","periodOverride":"inherit","widgets":[\n${widgets.map((w) => JSON.stringify(w)).join(',\n')}\n]}`;
}

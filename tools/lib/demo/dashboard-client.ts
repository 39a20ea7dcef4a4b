/// <reference lib="dom" />
/**
 * The dashboard's browser code (bundled inline by dashboard.ts with esbuild): reads the JSON in
 * #dashboard-data and draws every panel with uPlot. Alert markers are DOM elements over the plot
 * (positioned in uPlot's draw hook), so each has its message as a tooltip and an accessible label.
 */
import uPlot from 'uplot';
import type { AlertMarker, ChartPanel, DashboardData, Panel, TablePanel } from './dashboard';

const COLORS = ['#1565c0', '#ef6c00', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457', '#5d4037', '#455a64'];
const THRESHOLD_COLORS = ['#c62828', '#1e88e5', '#8e24aa'];
const RULE_NAMES: Record<string, string> = { 'stock-drop': 'drop alert', 'golden-cross': 'golden cross', 'death-cross': 'death cross' };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function placeMarkers(u: uPlot, markers: readonly AlertMarker[], nodes: HTMLElement[]): void {
  markers.forEach((m, i) => {
    const node = nodes[i]!;
    const x = u.valToPos(m.t, 'x');
    const y = u.valToPos(m.value, 'y');
    node.style.left = `${x}px`;
    node.style.top = `${y}px`;
    node.style.display = Number.isFinite(x) && Number.isFinite(y) ? '' : 'none';
  });
}

function chart(panel: ChartPanel, box: HTMLElement): void {
  if (panel.t.length === 0) {
    box.append(el('p', { class: 'empty' }, 'no data in this run'));
    return;
  }
  const width = Math.max(320, box.clientWidth - 4);
  let colour = 0;
  let thresholdColour = 0;
  const few = panel.t.length < 60;
  const opts: uPlot.Options = {
    width,
    height: 240,
    // One point (a poller sample): a day either side, instead of uPlot's years-wide default.
    scales: { x: panel.t.length === 1 ? { time: true, range: [panel.t[0]! - 86_400, panel.t[0]! + 86_400] } : { time: true } },
    axes: [
      {},
      { label: panel.unit ?? '', size: 60 },
      ...(panel.series.some((x) => x.rightAxis) ? [{ scale: 'right', side: 1, label: 'ms', size: 60, grid: { show: false } }] : []),
    ],
    series: [
      { label: 'Time' },
      ...panel.series.map((s) =>
        s.threshold
          ? { label: s.label, stroke: THRESHOLD_COLORS[thresholdColour++ % THRESHOLD_COLORS.length], dash: [6, 4], width: 1.5, points: { show: false } }
          : {
              label: s.label,
              stroke: COLORS[colour++ % COLORS.length],
              width: 1.5,
              spanGaps: false,
              points: { show: few, size: 6 },
              ...(s.rightAxis ? { scale: 'right' } : {}),
            },
      ),
    ],
    hooks: {},
  };
  const data = [panel.t as number[], ...panel.series.map((s) => s.values as (number | null)[])] as uPlot.AlignedData;
  const markers = panel.markers ?? [];
  const nodes = markers.map((m) => {
    const node = el('div', {
      class: 'alert-marker',
      'data-rule': m.rule,
      'data-ts': new Date(m.t * 1000).toISOString(),
      title: m.message,
      'aria-label': `${RULE_NAMES[m.rule] ?? m.rule}: ${m.message}`,
      tabindex: '0',
      role: 'img',
    });
    node.append(el('span', { class: 'tip' }, m.message));
    return node;
  });
  const thresholds = panel.series.flatMap((s, i) => (s.threshold && s.values.length > 0 ? [{ index: i + 1, value: s.values[0]! }] : []));
  opts.hooks = {
    draw: [
      (u) => {
        // Threshold lines across the whole plot, also when the series has a single sample (a line needs two).
        const { ctx } = u;
        for (const t of thresholds) {
          const y = u.valToPos(t.value, 'y', true);
          ctx.save();
          ctx.strokeStyle = String(u.series[t.index]!.stroke instanceof Function ? '#c62828' : u.series[t.index]!.stroke);
          ctx.setLineDash([6, 4]);
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.beginPath();
          ctx.moveTo(u.bbox.left, y);
          ctx.lineTo(u.bbox.left + u.bbox.width, y);
          ctx.stroke();
          ctx.restore();
        }
        placeMarkers(u, markers, nodes);
      },
    ],
  };
  const plot = new uPlot(opts, data, box);
  for (const node of nodes) plot.over.append(node);
  placeMarkers(plot, markers, nodes);
  if (markers.length > 0) {
    const list = el('ol', { class: 'alerts-list' });
    for (const m of markers) list.append(el('li', {}, m.message));
    box.append(list);
  }
}

function table(panel: TablePanel, box: HTMLElement): void {
  if (panel.rows.length === 0) {
    box.append(el('p', { class: 'empty' }, 'none in this run'));
    return;
  }
  const t = el('table', { class: 'data' });
  const head = el('tr');
  for (const c of panel.columns) head.append(el('th', {}, c));
  t.append(head);
  for (const row of panel.rows) {
    const tr = el('tr');
    for (const cell of row) tr.append(el('td', typeof cell === 'number' ? { class: 'num' } : {}, String(cell)));
    t.append(tr);
  }
  box.append(t);
}

function panelBox(panel: Panel): HTMLElement {
  const box = el('section', { class: 'panel', 'data-kind': panel.kind, 'data-title': panel.title });
  box.append(el('h4', {}, panel.title));
  if (panel.caption) box.append(el('p', { class: 'caption' }, panel.caption));
  return box;
}

function render(data: DashboardData): void {
  const app = document.getElementById('app')!;
  document.title = `${data.title}: ${data.subtitle}`;
  const header = el('header');
  header.append(el('h1', {}, data.title), el('p', {}, data.subtitle));
  app.append(header);
  if (data.status === 'failed') app.append(el('div', { class: 'status-failed', role: 'alert' }, `This run FAILED its proof: ${data.problems.join('; ')}`));
  const nav = el('nav');
  for (const [i, p] of data.parts.entries()) nav.append(el('a', { href: `#part-${i}` }, p.name));
  app.append(nav);
  const charts: [ChartPanel, HTMLElement][] = [];
  data.parts.forEach((part, i) => {
    app.append(el('h2', { class: 'part', id: `part-${i}` }, part.name));
    for (const s of part.sections) {
      if (s.heading !== part.name) app.append(el('h3', { class: 'section' }, s.heading));
      const grid = el('div', { class: 'grid' });
      app.append(grid);
      for (const panel of s.panels) {
        const box = panelBox(panel);
        grid.append(box);
        if (panel.kind === 'chart') charts.push([panel, box]);
        else table(panel, box);
      }
    }
  });
  // Charts after layout, so each knows its width.
  for (const [panel, box] of charts) chart(panel, box);
  document.body.setAttribute('data-rendered', 'true');
}

render(JSON.parse(document.getElementById('dashboard-data')!.textContent!) as DashboardData);

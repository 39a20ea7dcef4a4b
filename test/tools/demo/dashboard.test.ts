/**
 * `.demo/dashboard.html` in a real browser: Debian's chromium driven by playwright-core. The run
 * is the default demo (demo/data/DEMO.csv plus the recorded poller run), whose alerts the
 * oracle test in run.test.ts checks; here: what a person sees of them. Skips, saying so, where
 * /usr/bin/chromium is not installed (.ci/run installs it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { deployedWidgets } from '../../../tools/lib/demo/dashboard-widgets';
import { readTemplates } from '../../../tools/lib/demo/resources';
import { runDemo, type DemoResult } from '../../../tools/lib/demo/run';
import { pipelineDashboardRows } from '../../../templates-src/lib/pipeline-dashboard';
import { LOCAL_SERVERS_REQUIRED } from '../../helpers/required';

const rootDir = path.join(__dirname, '../../..');
const CHROMIUM = '/usr/bin/chromium';
const deployed = deployedWidgets(readTemplates(path.join(rootDir, 'generated'), ['dashboards.yaml'])['dashboards.yaml']!);

describe('the dashboard borrows the deployed dashboards’ names', () => {
  test('sections and widget titles read from generated/dashboards.yaml are the ones templates-src defines', () => {
    expect(deployed.sections.map((s) => ({ heading: s.heading, titles: s.titles }))).toEqual(
      pipelineDashboardRows().map((r) => ({ heading: r.heading, titles: r.widgets.map((w) => w.title) })),
    );
    expect(Object.keys(deployed.visuals)).toEqual(expect.arrayContaining(['price-over-time', 'latest-quotes', 'temperature', 'precipitation']));
  });
});

// Under .ci/run (it installs chromium) a missing browser is a failure, not a skip; elsewhere it is
// a skip with the command that installs it.
const describeBrowser = existsSync(CHROMIUM) || LOCAL_SERVERS_REQUIRED ? describe : describe.skip;
if (!existsSync(CHROMIUM)) console.warn(`skipping the dashboard browser test: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does it)`);

describeBrowser('.demo/dashboard.html in chromium', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-dashboard-'));
  let result: DemoResult;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    result = await runDemo({ rootDir, outDir: path.join(dir, 'out'), quiet: true, print: () => undefined });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
    await page.goto(`file://${result.dashboardFile}`);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 15_000 });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const panel = (title: string) => page.locator(`section.panel[data-title="${title}"]`);
  const legend = (title: string) => panel(title).locator('.u-legend .u-series th .u-label').allTextContents();
  const priceTitle = deployed.visuals['price-over-time']!;

  test('one file, no network, no script errors', () => {
    expect(requests).toEqual([`file://${result.dashboardFile}`]);
    expect(errors).toEqual([]);
    expect(readFileSync(result.dashboardFile, 'utf8')).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });

  test('one price chart per symbol with close, SMA-5 and SMA-20', async () => {
    const titles = await page.locator('section.panel[data-kind="chart"] h4').allTextContents();
    expect(titles.filter((t) => t.startsWith(`${priceTitle}: `))).toEqual([`${priceTitle}: DEMO`, `${priceTitle}: MSFT`, `${priceTitle}: NVDA`]);
    expect(await legend(`${priceTitle}: DEMO`)).toEqual(['Time', 'Close', 'SMA-5', 'SMA-20']);
    expect(await panel(`${priceTitle}: DEMO`).locator('canvas').count()).toBe(1);
  });

  test('alert markers sit on the charts with the rules engine’s messages as labels', async () => {
    const markers = async (symbol: string) =>
      panel(`${priceTitle}: ${symbol}`)
        .locator('.alert-marker')
        .evaluateAll((nodes) =>
          nodes.map((n) => ({
            rule: n.getAttribute('data-rule'),
            ts: n.getAttribute('data-ts'),
            label: n.getAttribute('aria-label'),
            visible: (n as HTMLElement).offsetParent !== null,
          })),
        );
    const expected = (symbol: string) =>
      result.alerts
        .filter((a) => a.entity === `STOCK#${symbol}`)
        .map((a) => ({ rule: a.rule, ts: a.ts, label: expect.stringContaining(a.message), visible: true }));
    expect(await markers('DEMO')).toEqual(expected('DEMO'));
    expect((await markers('DEMO')).map((m) => m.rule)).toEqual(['golden-cross', 'stock-drop', 'death-cross']);
    expect(await markers('NVDA')).toEqual(expected('NVDA'));
    expect(await markers('MSFT')).toEqual([]);
  });

  test('hovering a marker shows its message', async () => {
    const drop = panel(`${priceTitle}: DEMO`).locator('.alert-marker[data-rule="stock-drop"]');
    await drop.hover();
    await expect(drop.locator('.tip').isVisible()).resolves.toBe(true);
    expect(await drop.locator('.tip').textContent()).toBe(result.alerts.find((a) => a.rule === 'stock-drop' && a.entity === 'STOCK#DEMO')!.message);
  });

  test('per city: temperature, wind and precipitation with the thresholds as lines', async () => {
    const t = deployed.visuals.temperature!;
    expect(await legend(`${t}: Phoenix`)).toEqual(['Time', 'Temperature', 'Heat threshold 35 °C', 'Cold threshold -10 °C']);
    expect(await legend('Wind per city (km/h): Amsterdam')).toEqual(['Time', 'Wind', 'Wind threshold 75 km/h']);
    expect(await legend(`${deployed.visuals.precipitation!}: Amsterdam`)).toEqual(['Time', 'Precipitation', 'Precipitation threshold 20 mm']);
  });

  test('pipeline health: every deployed widget but the rotation function has its local panel, named the same', async () => {
    const titles = new Set(await page.locator('section.panel h4').allTextContents());
    const deployedTitles = deployed.sections.flatMap((s) => s.titles).filter((t) => t !== 'rotation');
    expect(deployedTitles.filter((t) => !titles.has(t))).toEqual([]);
    expect(await page.locator('h3.section').allTextContents()).toEqual(deployed.sections.map((s) => s.heading));
    const stages = await panel('Records per stage').locator('tr').allTextContents();
    expect(stages).toContain(`into Kinesis (POST /ingest, poller, faults)${result.recordsIn}`);
  });

  test('a screenshot for the record', async () => {
    const file = path.join(dir, 'dashboard.png');
    await page.screenshot({ path: file, fullPage: false });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });
});

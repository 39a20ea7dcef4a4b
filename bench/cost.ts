/**
 * npm run bench:cost — the monthly cost of parameters/dev.json and parameters/prod.json (fixed and
 * usage, top drivers, the budget the deploy derives), how the usage cost grows with 10, 100 and
 * 1,000 symbols at a one-minute poll, and what each toggle of the dev profile saves (dev.json with
 * that one toggle back at the full architecture's value). Two changes dev does not make are
 * simulated on the templates in memory to say what they would save (templates-src/ is untouched).
 * Writes bench/results/cost.json and the README tables. The figures are deterministic: they depend
 * on the templates, the price table and the assumptions, not on the machine.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { budgetAdvice, estimate, loadTemplates, rootValuesOf, topDrivers, type Estimate, type EstimateInput } from '../tools/lib/cost';
import { renderReadmeTables, withReadmeTables, type CostResults } from '../tools/lib/cost/readme';
import { driverTitle } from '../tools/lib/cost/render';
import type { Json } from '../tools/lib/grade/tree';
import { deploysSecondary } from '../tools/lib/params';

const root = path.resolve(__dirname, '..');
const cents = (n: number): number => Math.round(n * 100) / 100;

function summary(e: Estimate, input: EstimateInput) {
  return {
    region: e.region,
    secondaryRegion: e.secondaryRegion ?? null,
    monthly: { fixed: cents(e.monthly.fixed), usage: cents(e.monthly.usage), total: cents(e.monthly.total) },
    stacks: Object.fromEntries(e.stacks.map((s) => [s.stack, { fixed: cents(s.fixed), usage: cents(s.usage) }])),
    topDrivers: topDrivers(e, input).map((d) => ({
      driver: driverTitle(d),
      total: cents(d.total),
      fixed: cents(d.fixed),
      usage: cents(d.usage),
      remedies: d.remedies.map((r) => `${r.change}${r.fileKeys.length > 0 ? ` (${r.fileKeys.join(', ')})` : ''}: −$${r.saves.toFixed(2)}`),
      ...(d.fixedBy ? { fixedBy: d.fixedBy } : {}),
    })),
    unpricedLines: e.unpriced.length,
  };
}

/** The largest usage lines, grouped by resource type and line label. */
function usageBreakdown(e: Estimate, top = 6): Record<string, number> {
  const sums = new Map<string, number>();
  for (const s of e.stacks)
    for (const r of s.resources)
      for (const i of r.items) if (i.kind === 'usage' && i.usd) sums.set(`${r.type} ${i.label}`, (sums.get(`${r.type} ${i.label}`) ?? 0) + i.usd);
  return Object.fromEntries(
    [...sums]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => [k, cents(v)]),
  );
}

/**
 * The dev profile's choices, each with the root values (or the secondary stack) that undo it: the
 * full architecture's setting, as prod.json and the template defaults have it.
 */
const DEV_TOGGLES: readonly { readonly toggle: string; readonly full: Readonly<Record<string, string>>; readonly secondary?: true }[] = [
  { toggle: 'toggles.interfaceEndpoints false (9 interface endpoints × 2 AZs)', full: { EnableInterfaceEndpoints: 'true' } },
  { toggle: 'toggles.functionsInVpc and toggles.natGateway false (no NAT gateway or its address)', full: { FunctionsInVpc: 'true', EnableNatGateway: 'true' } },
  { toggle: 'crawlerSchedule "" (no hourly crawl; the tables project their partitions)', full: { CrawlerSchedule: 'cron(15 * * * ? *)' } },
  { toggle: 'toggles.secondaryStack false (no standby stream, replica key)', full: {}, secondary: true },
  { toggle: 'streamShardCount 1 (one shard instead of on-demand)', full: { StreamShardCount: '0' } },
  { toggle: 'streamRetentionHours 24 (instead of 168: no extended retention)', full: { StreamRetentionHours: '168' } },
  { toggle: 'toggles.waf false (no web ACL)', full: { EnableWaf: 'true' } },
];

type Edit = (templates: Map<string, Json>) => void;
const resourcesOf = (templates: Map<string, Json>, file: string): Record<string, Json> => templates.get(file)!.Resources as Record<string, Json>;

/** Changes the dev profile does not make (why: README "The dev profile"), simulated as template edits. */
const NOT_DONE: readonly { readonly change: string; readonly why: string; readonly edit: Edit }[] = [
  {
    change: 'no client-credentials app client',
    why: 'the only way a program gets a token for POST /ingest; a user-password client would make dev auth differ from prod',
    edit: (t) => void delete resourcesOf(t, 'streaming.yaml').IngestUserPoolClient,
  },
  {
    change: 'one KMS key instead of five',
    why: 'one key per data domain keeps a grant on one from opening the others',
    edit: (t) => {
      const resources = resourcesOf(t, 'security.yaml');
      for (const id of Object.keys(resources)
        .filter((id) => resources[id]!.Type === 'AWS::KMS::Key')
        .slice(1))
        delete resources[id];
    },
  },
];

async function main(): Promise<void> {
  const templates = await loadTemplates(path.join(root, 'generated'));
  const profiles: Record<string, unknown> = {};
  const inputs: Record<string, EstimateInput> = {};
  for (const name of ['dev', 'prod']) {
    const { file, values } = await rootValuesOf({ params: `${name}.json`, cwd: root });
    // As the deploy tool deploys it: with the secondary stack only when toggles.secondaryStack says so.
    const input: EstimateInput = {
      templates,
      rootValues: values,
      region: file.regions.primary,
      stackName: file.stackName,
      secondaryFile: deploysSecondary(file) ? 'secondary.yaml' : false,
    };
    inputs[name] = input;
    const e = estimate(input);
    const primary = estimate({ ...input, secondaryFile: false });
    const budget = budgetAdvice(e.monthly.total, values.MonthlyBudgetUsd);
    profiles[`${name}.json`] = {
      ...summary(e, input),
      secondaryStack: deploysSecondary(file),
      withoutSecondary: { fixed: cents(primary.monthly.fixed), usage: cents(primary.monthly.usage), total: cents(primary.monthly.total) },
      budget: { usd: budget.usd, source: budget.source },
      usageBreakdown: usageBreakdown(e),
    };
  }

  // Usage with N symbols (plus dev.json's two cities) polled every minute, dev.json otherwise.
  const scaling = [10, 100, 1000].map((n) => {
    const symbols = Array.from({ length: n }, (_, i) => `S${String(i).padStart(4, '0')}`).join(',');
    const input: EstimateInput = { ...inputs.dev!, rootValues: { ...inputs.dev!.rootValues, Symbols: symbols, PollRateMinutes: '1' } };
    const e = estimate(input);
    return {
      symbols: n,
      cities: 2,
      pollRateMinutes: 1,
      recordsPerMonth: (n + 2) * 43_800,
      fixed: cents(e.monthly.fixed),
      usage: cents(e.monthly.usage),
      total: cents(e.monthly.total),
      usageBreakdown: usageBreakdown(e, 5),
    };
  });

  // What each dev choice saves: dev.json with that one choice undone, then with all of them undone.
  const dev = inputs.dev!;
  const devEstimate = estimate(dev);
  const undo = (toggles: typeof DEV_TOGGLES): Estimate =>
    estimate({
      ...dev,
      rootValues: Object.assign({ ...dev.rootValues }, ...toggles.map((t) => t.full)),
      ...(toggles.some((t) => t.secondary) ? { secondaryFile: 'secondary.yaml' } : {}),
    });
  const toggles = DEV_TOGGLES.map((t) => ({ toggle: t.toggle, savesFixed: cents(undo([t]).monthly.fixed - devEstimate.monthly.fixed) }));
  const full = undo(DEV_TOGGLES);
  const remaining = topDrivers(devEstimate, dev, 30)
    .filter((d) => d.fixed > 0)
    .sort((a, b) => b.fixed - a.fixed)
    .slice(0, 6)
    .map((d) => ({ driver: driverTitle(d), fixed: cents(d.fixed) }));
  const notDone = NOT_DONE.map((n) => {
    const edited = new Map([...templates].map(([k, v]) => [k, structuredClone(v)]));
    n.edit(edited);
    return { change: n.change, why: n.why, wouldSaveFixed: cents(devEstimate.monthly.fixed - estimate({ ...dev, templates: edited }).monthly.fixed) };
  });

  const result = {
    date: new Date().toISOString().slice(0, 10),
    note: 'deterministic figures (templates, price table, assumptions); the machine does not change them. US dollars a month at the list prices of tools/lib/cost/prices/, free tiers not applied.',
    profiles,
    usageScaling: scaling,
    devProfile: {
      fixed: cents(devEstimate.monthly.fixed),
      target: 30,
      toggles,
      fullArchitectureFixed: cents(full.monthly.fixed),
      remainingFixedDrivers: remaining,
      notDone,
    },
  };
  writeFileSync(path.join(root, 'bench', 'results', 'cost.json'), `${JSON.stringify(result, null, 2)}\n`);
  const readme = path.join(root, 'README.md');
  writeFileSync(readme, withReadmeTables(readFileSync(readme, 'utf8'), renderReadmeTables(result as unknown as CostResults)));
  console.log(
    JSON.stringify(
      {
        dev: (profiles['dev.json'] as { monthly: unknown }).monthly,
        prod: (profiles['prod.json'] as { monthly: unknown }).monthly,
        scaling: scaling.map((s) => [s.symbols, s.usage]),
        devProfile: { fixed: result.devProfile.fixed, fullArchitectureFixed: result.devProfile.fullArchitectureFixed },
      },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * npm run bench:cost — the monthly cost of parameters/dev.json and parameters/prod.json (fixed and
 * usage, top drivers), how the usage cost grows with 10, 100 and 1,000 symbols at a one-minute
 * poll, and what the dev profile would idle at with the toggles issue 13 point 4 proposes
 * (simulated here by editing the templates in memory; templates-src/ is untouched). Writes
 * bench/results/cost.json. The figures are deterministic: they depend on the templates, the
 * price table and the assumptions, not on the machine.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { estimate, loadTemplates, rootValuesOf, topDrivers, type Estimate, type EstimateInput } from '../tools/lib/cost';
import { renderReadmeTables, withReadmeTables, type CostResults } from '../tools/lib/cost/readme';
import { driverTitle } from '../tools/lib/cost/render';
import type { Json } from '../tools/lib/grade/tree';

const root = path.resolve(__dirname, '..');
const cents = (n: number): number => Math.round(n * 100) / 100;

function summary(e: Estimate, input: EstimateInput) {
  return {
    region: e.region,
    secondaryRegion: e.secondaryRegion ?? null,
    monthly: { fixed: cents(e.monthly.fixed), usage: cents(e.monthly.usage), total: cents(e.monthly.total) },
    stacks: Object.fromEntries(e.stacks.map((s) => [s.stack, { fixed: cents(s.fixed), usage: cents(s.usage) }])),
    topDrivers: topDrivers(e, input).map((d) => ({ driver: driverTitle(d), total: cents(d.total), fixed: cents(d.fixed), usage: cents(d.usage), remedies: d.remedies.map((r) => `${r.change}: −$${r.saves.toFixed(2)}`), ...(d.fixedBy ? { fixedBy: d.fixedBy } : {}) })),
    unpricedLines: e.unpriced.length,
  };
}

/** The largest usage lines, grouped by resource type and line label. */
function usageBreakdown(e: Estimate, top = 6): Record<string, number> {
  const sums = new Map<string, number>();
  for (const s of e.stacks) for (const r of s.resources) for (const i of r.items) if (i.kind === 'usage' && i.usd) sums.set(`${r.type} ${i.label}`, (sums.get(`${r.type} ${i.label}`) ?? 0) + i.usd);
  return Object.fromEntries([...sums].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => [k, cents(v)]));
}

type Edit = (templates: Map<string, Json>) => void;
const resourcesOf = (templates: Map<string, Json>, file: string): Record<string, Json> => templates.get(file)!.Resources as Record<string, Json>;
const removeTypes = (file: string, types: readonly string[], keep: (r: Json) => boolean = () => false): Edit => (templates) => {
  const resources = resourcesOf(templates, file);
  for (const [id, r] of Object.entries(resources)) if (types.includes(String(r.Type)) && !keep(r)) delete resources[id];
};

/**
 * Candidate dev toggles (issue 13 point 4), each as the template edit it would make when off.
 * The savings come from the engine; the edits are what a dev profile would switch off.
 */
const DEV_TOGGLES: readonly { readonly name: string; readonly edit?: Edit; readonly values?: Record<string, string>; readonly primaryOnly?: boolean }[] = [
  {
    name: 'no interface endpoints (functions outside the VPC when DAX is off; the S3 and DynamoDB gateway endpoints stay)',
    edit: removeTypes('networking.yaml', ['AWS::EC2::VPCEndpoint'], (r) => (r.Properties as Json).VpcEndpointType === 'Gateway'),
  },
  { name: 'no NAT gateway (nothing in the VPC needs the internet once the functions are outside it)', edit: removeTypes('networking.yaml', ['AWS::EC2::NatGateway', 'AWS::EC2::EIP']) },
  { name: 'no standby stack unless failover is on', primaryOnly: true },
  { name: 'daily crawler instead of hourly (or partition projection)', edit: (t) => void ((t.get('analytics.yaml')!.Parameters as Record<string, Json>).CrawlerSchedule!.Default = 'cron(15 3 * * ? *)') },
  {
    name: 'one provisioned shard with 24 h retention instead of on-demand with 7 days',
    values: { StreamShardCount: '1' },
    edit: (t) => void ((resourcesOf(t, 'streaming.yaml').EventStream!.Properties as Json).RetentionPeriodHours = 24),
  },
  { name: 'WAF optional in dev', edit: removeTypes('security.yaml', ['AWS::WAFv2::WebACL', 'AWS::WAFv2::WebACLAssociation', 'AWS::WAFv2::LoggingConfiguration']) },
  { name: 'no client-credentials app client in dev (Cognito bills $6 a month for it, idle)', edit: removeTypes('streaming.yaml', ['AWS::Cognito::UserPoolClient']) },
  {
    name: 'one KMS key in dev instead of five',
    edit: (t) => {
      const resources = resourcesOf(t, 'security.yaml');
      const keys = Object.keys(resources).filter((id) => resources[id]!.Type === 'AWS::KMS::Key');
      for (const id of keys.slice(1)) delete resources[id];
    },
  },
];

async function main(): Promise<void> {
  const templates = await loadTemplates(path.join(root, 'generated'));
  const copy = (): Map<string, Json> => new Map([...templates].map(([k, v]) => [k, structuredClone(v)]));
  const profiles: Record<string, unknown> = {};
  const inputs: Record<string, EstimateInput> = {};
  for (const name of ['dev', 'prod']) {
    const { file, values } = await rootValuesOf({ params: `${name}.json`, cwd: root });
    const input: EstimateInput = { templates, rootValues: values, region: file.regions.primary, stackName: file.stackName };
    inputs[name] = input;
    const e = estimate(input);
    const primary = estimate({ ...input, secondaryFile: false });
    profiles[`${name}.json`] = { ...summary(e, input), withoutSecondary: { fixed: cents(primary.monthly.fixed), usage: cents(primary.monthly.usage), total: cents(primary.monthly.total) }, usageBreakdown: usageBreakdown(e) };
  }

  // Usage with N symbols (plus dev.json's two cities) polled every minute, dev.json otherwise.
  const scaling = [10, 100, 1000].map((n) => {
    const symbols = Array.from({ length: n }, (_, i) => `S${String(i).padStart(4, '0')}`).join(',');
    const input: EstimateInput = { ...inputs.dev!, rootValues: { ...inputs.dev!.rootValues, Symbols: symbols, PollRateMinutes: '1' } };
    const e = estimate(input);
    return { symbols: n, cities: 2, pollRateMinutes: 1, recordsPerMonth: (n + 2) * 43_800, fixed: cents(e.monthly.fixed), usage: cents(e.monthly.usage), total: cents(e.monthly.total), usageBreakdown: usageBreakdown(e, 5) };
  });

  // The dev profile with the proposed toggles off, one by one and together.
  const dev = inputs.dev!;
  const devFixed = estimate(dev).monthly.fixed;
  const apply = (toggles: typeof DEV_TOGGLES): Estimate => {
    const t = copy();
    let values = { ...dev.rootValues };
    let primaryOnly = false;
    for (const toggle of toggles) {
      toggle.edit?.(t);
      values = { ...values, ...toggle.values };
      primaryOnly ||= toggle.primaryOnly === true;
    }
    return estimate({ ...dev, templates: t, rootValues: values, ...(primaryOnly ? { secondaryFile: false } : {}) });
  };
  const toggles = DEV_TOGGLES.map((toggle) => ({ toggle: toggle.name, savesFixed: cents(devFixed - apply([toggle]).monthly.fixed) }));
  const all = apply(DEV_TOGGLES);
  const remaining = topDrivers(all, { ...dev, secondaryFile: false }, 30)
    .filter((d) => d.fixed > 0)
    .sort((a, b) => b.fixed - a.fixed)
    .slice(0, 6)
    .map((d) => ({ driver: driverTitle(d), fixed: cents(d.fixed) }));

  const result = {
    date: new Date().toISOString().slice(0, 10),
    note: 'deterministic figures (templates, price table, assumptions); the machine does not change them. US dollars a month at the list prices of tools/lib/cost/prices/, free tiers not applied.',
    profiles,
    usageScaling: scaling,
    devUnder30: {
      fixedToday: cents(devFixed),
      toggles,
      allToggles: { fixed: cents(all.monthly.fixed), usage: cents(all.monthly.usage), total: cents(all.monthly.total), remainingFixedDrivers: remaining },
      target: 30,
    },
  };
  writeFileSync(path.join(root, 'bench', 'results', 'cost.json'), `${JSON.stringify(result, null, 2)}\n`);
  const readme = path.join(root, 'README.md');
  writeFileSync(readme, withReadmeTables(readFileSync(readme, 'utf8'), renderReadmeTables(result as unknown as CostResults)));
  console.log(JSON.stringify({ dev: (profiles['dev.json'] as { monthly: unknown }).monthly, prod: (profiles['prod.json'] as { monthly: unknown }).monthly, scaling: scaling.map((s) => [s.symbols, s.usage]), devWithToggles: result.devUnder30.allToggles }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

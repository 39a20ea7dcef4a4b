/**
 * The README's "What it costs" tables, rendered from bench/results/cost.json (the one source of
 * those figures). `npm run bench:cost` writes them between the `cost:start` / `cost:end` markers;
 * a test compares the README with this rendering, so the README cannot drift from the results.
 */

export const README_START = '<!-- cost:start -->';
export const README_END = '<!-- cost:end -->';

interface Monthly {
  readonly fixed: number;
  readonly usage: number;
  readonly total: number;
}

export interface CostResults {
  readonly date: string;
  readonly profiles: Readonly<
    Record<
      string,
      {
        readonly monthly: Monthly;
        readonly secondaryStack: boolean;
        readonly withoutSecondary: Monthly;
        readonly budget: { readonly usd: number; readonly source: string };
        readonly topDrivers: readonly { readonly driver: string; readonly total: number; readonly remedies: readonly string[]; readonly fixedBy?: string }[];
      }
    >
  >;
  readonly usageScaling: readonly {
    readonly symbols: number;
    readonly cities: number;
    readonly recordsPerMonth: number;
    readonly fixed: number;
    readonly usage: number;
    readonly total: number;
    readonly usageBreakdown: Readonly<Record<string, number>>;
  }[];
  readonly devProfile: {
    readonly fixed: number;
    readonly target: number;
    readonly toggles: readonly { readonly toggle: string; readonly savesFixed: number }[];
    readonly fullArchitectureFixed: number;
    readonly remainingFixedDrivers: readonly { readonly driver: string; readonly fixed: number }[];
    readonly notDone: readonly { readonly change: string; readonly why: string; readonly wouldSaveFixed: number }[];
  };
}

const usd = (n: number): string => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function renderReadmeTables(r: CostResults): string {
  const lines: string[] = [
    README_START,
    `Figures from \`bench/results/cost.json\` (${r.date}), us-east-1 list prices, US dollars a month, free tiers not applied.`,
    '',
  ];
  lines.push('| profile | fixed (idle) | usage | total | secondary stack | budget (derived) |', '| --- | ---: | ---: | ---: | --- | ---: |');
  for (const [name, p] of Object.entries(r.profiles)) {
    const secondary = p.secondaryStack ? `included (${usd(p.withoutSecondary.total)} without)` : 'none';
    lines.push(
      `| \`${name}\` | ${usd(p.monthly.fixed)} | ${usd(p.monthly.usage)} | ${usd(p.monthly.total)} | ${secondary} | ${usd(p.budget.usd)}${p.budget.source === 'estimate' ? '' : ' (set)'} |`,
    );
  }
  for (const [name, p] of Object.entries(r.profiles)) {
    lines.push('', `Top drivers of \`${name}\`:`, '');
    for (const d of p.topDrivers)
      lines.push(`- ${usd(d.total)}: ${d.driver}${d.remedies.length > 0 ? ` (${d.remedies.join('; ')})` : d.fixedBy ? ' (no parameter changes it)' : ''}`);
  }
  lines.push(
    '',
    'Usage cost as the symbols grow (dev.json, two cities, polled every minute):',
    '',
    '| symbols | records a month | usage | largest usage lines |',
    '| ---: | ---: | ---: | --- |',
  );
  for (const s of r.usageScaling) {
    const top = Object.entries(s.usageBreakdown)
      .slice(0, 3)
      .map(([k, v]) => `${k.replace(/^AWS::/, '')} ${usd(v)}`)
      .join('; ');
    lines.push(`| ${s.symbols.toLocaleString('en-US')} | ${s.recordsPerMonth.toLocaleString('en-US')} | ${usd(s.usage)} | ${top} |`);
  }
  const d = r.devProfile;
  lines.push(
    '',
    `What each choice of the dev profile saves (dev.json with that one choice back at the full architecture's value): ${usd(d.fixed)} fixed today, target under ${usd(d.target)}.`,
    '',
    '| dev.json | fixed saving |',
    '| --- | ---: |',
  );
  for (const t of d.toggles) lines.push(`| ${t.toggle} | ${usd(t.savesFixed)} |`);
  lines.push(`| **all of them** (the full architecture, ${usd(d.fullArchitectureFixed)} fixed) | **${usd(d.fullArchitectureFixed - d.fixed)}** |`);
  lines.push('', `What stays: ${d.remainingFixedDrivers.map((x) => `${x.driver} ${usd(x.fixed)}`).join(', ')}.`);
  lines.push(`Not done (simulated saving): ${d.notDone.map((n) => `${n.change} ${usd(n.wouldSaveFixed)} (${n.why})`).join('; ')}.`, README_END);
  return lines.join('\n');
}

/** The README with its cost section replaced by `tables`; throws when the markers are missing. */
export function withReadmeTables(readme: string, tables: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} section`);
  return `${readme.slice(0, start)}${tables}${readme.slice(end + README_END.length)}`;
}

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
  readonly profiles: Readonly<Record<string, { readonly monthly: Monthly; readonly withoutSecondary: Monthly; readonly topDrivers: readonly { readonly driver: string; readonly total: number; readonly remedies: readonly string[]; readonly fixedBy?: string }[] }>>;
  readonly usageScaling: readonly { readonly symbols: number; readonly cities: number; readonly recordsPerMonth: number; readonly fixed: number; readonly usage: number; readonly total: number; readonly usageBreakdown: Readonly<Record<string, number>> }[];
  readonly devUnder30: { readonly fixedToday: number; readonly toggles: readonly { readonly toggle: string; readonly savesFixed: number }[]; readonly allToggles: Monthly & { readonly remainingFixedDrivers: readonly { readonly driver: string; readonly fixed: number }[] }; readonly target: number };
}

const usd = (n: number): string => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function renderReadmeTables(r: CostResults): string {
  const lines: string[] = [README_START, `Figures from \`bench/results/cost.json\` (${r.date}), us-east-1 list prices, US dollars a month.`, ''];
  lines.push('| profile | fixed (idle) | usage | total | without the secondary stack |', '| --- | ---: | ---: | ---: | ---: |');
  for (const [name, p] of Object.entries(r.profiles)) lines.push(`| \`${name}\` | ${usd(p.monthly.fixed)} | ${usd(p.monthly.usage)} | ${usd(p.monthly.total)} | ${usd(p.withoutSecondary.total)} |`);
  for (const [name, p] of Object.entries(r.profiles)) {
    lines.push('', `Top drivers of \`${name}\`:`, '');
    for (const d of p.topDrivers) lines.push(`- ${usd(d.total)}: ${d.driver}${d.remedies.length > 0 ? ` (${d.remedies.join('; ')})` : d.fixedBy ? ' (no parameter changes it today)' : ''}`);
  }
  lines.push('', 'Usage cost as the symbols grow (dev.json, two cities, polled every minute):', '', '| symbols | records a month | usage | largest usage lines |', '| ---: | ---: | ---: | --- |');
  for (const s of r.usageScaling) {
    const top = Object.entries(s.usageBreakdown).slice(0, 3).map(([k, v]) => `${k.replace(/^AWS::/, '')} ${usd(v)}`).join('; ');
    lines.push(`| ${s.symbols.toLocaleString('en-US')} | ${s.recordsPerMonth.toLocaleString('en-US')} | ${usd(s.usage)} | ${top} |`);
  }
  const d = r.devUnder30;
  lines.push('', `What the dev profile would idle at with the toggles issue 13 proposes (simulated on the templates in memory; the toggles are not in templates-src/ yet). Today: ${usd(d.fixedToday)} fixed.`, '', '| toggle off in dev | fixed saving |', '| --- | ---: |');
  for (const t of d.toggles) lines.push(`| ${t.toggle} | ${usd(t.savesFixed)} |`);
  lines.push(`| **all of them** | **${usd(d.fixedToday - d.allToggles.fixed)}**: ${usd(d.allToggles.fixed)} fixed left (target under ${usd(d.target)}) |`);
  lines.push('', `What stays: ${d.allToggles.remainingFixedDrivers.map((x) => `${x.driver} ${usd(x.fixed)}`).join(', ')}.`, README_END);
  return lines.join('\n');
}

/** The README with its cost section replaced by `tables`; throws when the markers are missing. */
export function withReadmeTables(readme: string, tables: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} section`);
  return `${readme.slice(0, start)}${tables}${readme.slice(end + README_END.length)}`;
}

/** Renders an estimate as Markdown (the terminal and the README) or as JSON (the issue's shape plus detail). */
import type { BudgetAdvice } from './budget';
import type { Driver } from './drivers';
import { fileKeysOf, plural } from './drivers';
import type { Estimate } from './estimate';
import { PRICE_TABLES } from './prices';

/** `$1,234.56`; amounts under a cent show as `<$0.01`. */
export function usd(n: number): string {
  if (n > 0 && n < 0.005) return '<$0.01';
  return `${n < 0 ? '−' : ''}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const cents = (n: number): number => Math.round(n * 100) / 100;

export interface RenderOptions {
  /** How the deployment is named in the title (`stockwx-dev (parameters/dev.json)`). */
  readonly title: string;
  /** Include every resource's lines. @default false (stacks and drivers only) */
  readonly detail?: boolean;
  /** The deployment's MonthlyBudgetUsd (tools/lib/cost/budget.ts), shown under the totals. @default none */
  readonly budget?: BudgetAdvice;
}

export function driverTitle(d: Driver): string {
  return `${d.count} ${plural(d.noun, d.count)} in ${d.where === d.stack ? d.stack : `${d.where} (${d.stack})`}`;
}

function paramWithKeys(p: string): string {
  const keys = fileKeysOf(p);
  return keys.length > 0 ? `${p} (${keys.join(', ')})` : p;
}

export function driverLines(d: Driver): string[] {
  const out: string[] = [];
  if (d.removedBy.length > 0) out.push(`created only when a condition on ${d.removedBy.map(paramWithKeys).join(', ')} holds`);
  if (d.sizedBy.length > 0) out.push(`sized by ${d.sizedBy.map(paramWithKeys).join(', ')}`);
  for (const r of d.remedies) {
    const total = Math.abs(r.savesTotal - r.saves) >= 0.01 ? ` (${usd(r.savesTotal)} on the whole bill)` : '';
    out.push(
      `${r.change}${r.fileKeys.length > 0 ? ` (parameters: ${r.fileKeys.join(', ')})` : ''}: ${r.removes ? 'removes it' : 'reduces it'}, saves ${usd(r.saves)}/month${total}`,
    );
  }
  if (d.fixedBy) out.push(d.fixedBy);
  return out;
}

export function renderMarkdown(estimate: Estimate, drivers: readonly Driver[], options: RenderOptions): string {
  const m = estimate.monthly;
  const lines: string[] = [];
  lines.push(`## Monthly cost: ${options.title}`, '');
  lines.push(
    `Offline estimate in US dollars a month at list prices (tools/lib/cost/prices/, read ${readDate()}), region ${estimate.region}${estimate.secondaryRegion ? ` with the secondary stack in ${estimate.secondaryRegion}` : ''}; free tiers not applied. Fixed is what it costs idle; usage grows with the workload.`,
    '',
  );
  lines.push('| | fixed | usage | total |', '| --- | ---: | ---: | ---: |', `| **total** | **${usd(m.fixed)}** | **${usd(m.usage)}** | **${usd(m.total)}** |`);
  for (const s of estimate.stacks)
    if (s.fixed + s.usage > 0)
      lines.push(`| ${s.stack}${s.region !== estimate.region ? ` (${s.region})` : ''} | ${usd(s.fixed)} | ${usd(s.usage)} | ${usd(s.fixed + s.usage)} |`);
  lines.push('');
  if (options.budget) lines.push(`${options.budget.warning ? '⚠ Budget' : 'Budget'}: ${options.budget.text}.`, '');
  if (estimate.unpriced.length > 0) {
    const regions = [...new Set(estimate.unpriced.map((u) => u.region))].sort().join(', ');
    lines.push(`⚠ The total is a lower bound: ${estimate.unpriced.length} line(s) have no price in the table for ${regions} (listed under "Unpriced").`, '');
  }
  lines.push(`### Top ${drivers.length} drivers`, '');
  drivers.forEach((d, i) => {
    lines.push(`${i + 1}. **${usd(d.total)}/month** (${usd(d.fixed)} fixed, ${usd(d.usage)} usage): ${driverTitle(d)}`);
    for (const l of driverLines(d)) lines.push(`   - ${l}`);
  });
  lines.push('');
  if (options.detail) {
    for (const s of estimate.stacks) {
      const costly = s.resources.filter((r) => r.items.length > 0);
      if (costly.length === 0) continue;
      lines.push(
        `### ${s.stack} (${s.region}): ${usd(s.fixed + s.usage)}`,
        '',
        '| resource | line | quantity | fixed | usage | basis |',
        '| --- | --- | ---: | ---: | ---: | --- |',
      );
      for (const r of costly) {
        for (const i of r.items) {
          const amount = i.usd === undefined ? 'no price' : usd(i.usd);
          lines.push(
            `| ${r.logicalId} | ${i.label} | ${Number(i.quantity.toPrecision(4))} × ${i.price?.unit ?? i.priceKey} | ${i.kind === 'fixed' ? amount : ''} | ${i.kind === 'usage' ? amount : ''} | ${i.basis.replace(/\|/g, '/')} |`,
          );
        }
      }
      lines.push('');
    }
  }
  if (estimate.unpriced.length > 0) {
    lines.push('### Unpriced (not in the total)', '');
    const byReason = new Map<string, string[]>();
    for (const u of estimate.unpriced)
      byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), `${u.stack} ${u.logicalId}${u.line ? ` ${u.line}` : ` (${u.type})`}`]);
    for (const [reason, what] of byReason) lines.push(`- ${reason}: ${what.join('; ')}`);
    lines.push('');
  }
  if (estimate.excluded.length > 0) {
    lines.push('### Not created (condition false, cost nothing)', '');
    const byCondition = new Map<string, string[]>();
    for (const x of estimate.excluded) {
      const key = `${x.stack}: ${x.condition} (${x.deps.join(', ') || 'no root parameter'})`;
      byCondition.set(key, [...(byCondition.get(key) ?? []), x.logicalId]);
    }
    for (const [k, ids] of byCondition) lines.push(`- ${k}: ${ids.join(', ')}`);
    lines.push('');
  }
  lines.push('### Assumptions', '');
  for (const a of estimate.assumptions) lines.push(`- ${a.name}: ${a.value} (${a.why})`);
  return `${lines.join('\n')}\n`;
}

/** The dates the price table was read (one, unless tables were refreshed at different times). */
function readDate(): string {
  const dates = new Set<string>();
  for (const t of Object.values(PRICE_TABLES)) for (const p of Object.values(t.prices)) dates.add(p.read);
  return [...dates].sort().join(', ');
}

/** The JSON document: the issue's shape (`region`, `currency`, `monthly`, `stacks[].resources[]`, `unpriced`) plus detail. */
export function toJson(estimate: Estimate, drivers: readonly Driver[], budget?: BudgetAdvice): Record<string, unknown> {
  return {
    region: estimate.region,
    ...(estimate.secondaryRegion ? { secondaryRegion: estimate.secondaryRegion } : {}),
    currency: estimate.currency,
    monthly: { fixed: cents(estimate.monthly.fixed), usage: cents(estimate.monthly.usage), total: cents(estimate.monthly.total) },
    stacks: estimate.stacks.map((s) => ({
      stack: s.stack,
      file: s.file,
      ...(s.logicalId ? { logicalId: s.logicalId } : {}),
      region: s.region,
      fixed: cents(s.fixed),
      usage: cents(s.usage),
      resources: s.resources.map((r) => ({
        logicalId: r.logicalId,
        type: r.type,
        fixed: cents(r.fixed),
        usage: cents(r.usage),
        priced: r.priced,
        ...(r.condition ? { condition: r.condition } : {}),
        ...(r.free ? { free: r.free } : {}),
        ...(r.note ? { note: r.note } : {}),
        lines: r.items.map((i) => ({
          line: i.label,
          kind: i.kind,
          quantity: Number(i.quantity.toPrecision(6)),
          unit: i.price?.unit ?? null,
          usd: i.usd === undefined ? null : Math.round(i.usd * 10_000) / 10_000,
          priceKey: i.priceKey,
          region: i.region,
          basis: i.basis,
          sizedBy: [...i.sizedBy].sort(),
        })),
      })),
    })),
    unpriced: estimate.unpriced,
    drivers: drivers.map((d) => ({
      title: driverTitle(d),
      stack: d.stack,
      logicalIds: d.logicalIds,
      fixed: cents(d.fixed),
      usage: cents(d.usage),
      total: cents(d.total),
      removedBy: d.removedBy,
      sizedBy: d.sizedBy,
      remedies: d.remedies.map((r) => ({ ...r, saves: cents(r.saves) })),
      ...(d.fixedBy ? { fixedBy: d.fixedBy } : {}),
    })),
    excluded: estimate.excluded,
    ...(budget
      ? { budget: { usd: budget.usd, source: budget.source, estimate: cents(budget.estimate), ...(budget.warning ? { warning: budget.warning } : {}) } }
      : {}),
    assumptions: estimate.assumptions,
    parameters: estimate.parameters,
  };
}

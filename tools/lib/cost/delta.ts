/**
 * The monthly cost of a change: two estimates (before, after) compared group by group, where a
 * group is the resources of one kind in one place (`NAT gateway` in `AppVpc`, `Kinesis shard` in
 * `streaming`). Used by `npm run diff:templates` and, later, by the deploy tool's change report.
 *
 * | group before → after      | line                                                       |
 * |---------------------------|------------------------------------------------------------|
 * | more of them              | `+$65.70/month: 2 NAT gateways in AppVpc`                  |
 * | fewer of them             | `−$32.85/month: 1 NAT gateway removed from AppVpc`         |
 * | as many, other cost       | `+$3.67/month: Kinesis shard in streaming (EventStream)`   |
 */
import { plural } from './drivers';
import type { Estimate, UnpricedEntry } from './estimate';
import { usd } from './render';

export interface DeltaLine {
  /** US dollars a month, after − before. */
  readonly delta: number;
  readonly text: string;
  readonly stack: string;
  readonly noun: string;
  readonly where: string;
  readonly countBefore: number;
  readonly countAfter: number;
  readonly logicalIds: readonly string[];
}

export interface CostDelta {
  readonly before: Estimate['monthly'];
  readonly after: Estimate['monthly'];
  readonly delta: Estimate['monthly'];
  readonly lines: readonly DeltaLine[];
  /** Lines that have no price after the change and had none before: their cost is not in the delta. */
  readonly newlyUnpriced: readonly UnpricedEntry[];
}

interface Group {
  stack: string;
  noun: string;
  where: string;
  amount: number;
  count: number;
  ids: Set<string>;
}

function groups(e: Estimate): Map<string, Group> {
  const out = new Map<string, Group>();
  for (const s of e.stacks) {
    for (const r of s.resources) {
      if (r.items.length === 0) continue;
      const key = `${s.stack}|${r.noun}|${r.where}`;
      const g = out.get(key) ?? { stack: s.stack, noun: r.noun, where: r.where, amount: 0, count: 0, ids: new Set<string>() };
      g.amount += r.fixed + r.usage;
      g.count += r.count;
      g.ids.add(r.logicalId);
      out.set(key, g);
    }
  }
  return out;
}

const signed = (n: number): string => (n >= 0 ? `+${usd(n)}` : usd(n));

/** Compares two estimates of the same deployment (before and after a change). */
export function costDelta(before: Estimate, after: Estimate): CostDelta {
  const a = groups(before);
  const b = groups(after);
  const lines: DeltaLine[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key);
    const y = b.get(key);
    const g = (y ?? x)!;
    const delta = (y?.amount ?? 0) - (x?.amount ?? 0);
    const countBefore = x?.count ?? 0;
    const countAfter = y?.count ?? 0;
    if (Math.abs(delta) < 0.005 && countBefore === countAfter) continue;
    const place = g.where === g.stack ? g.stack : g.where;
    const ids = [...new Set([...(x?.ids ?? []), ...(y?.ids ?? [])])].sort();
    const n = Math.abs(countAfter - countBefore);
    const text =
      countAfter > countBefore
        ? `${signed(delta)}/month: ${n} ${plural(g.noun, n)} in ${place}`
        : countAfter < countBefore
          ? `${signed(delta)}/month: ${n} ${plural(g.noun, n)} removed from ${place}`
          : `${signed(delta)}/month: ${g.noun} in ${place} (${ids.join(', ')})`;
    lines.push({ delta, text, stack: g.stack, noun: g.noun, where: g.where, countBefore, countAfter, logicalIds: ids });
  }
  lines.sort((p, q) => Math.abs(q.delta) - Math.abs(p.delta) || p.text.localeCompare(q.text));
  const known = new Set(before.unpriced.map((u) => `${u.stack}#${u.logicalId}#${u.line ?? ''}#${u.region}`));
  const newlyUnpriced = after.unpriced.filter((u) => !known.has(`${u.stack}#${u.logicalId}#${u.line ?? ''}#${u.region}`));
  const m = (k: keyof Estimate['monthly']): number => after.monthly[k] - before.monthly[k];
  return { before: before.monthly, after: after.monthly, delta: { fixed: m('fixed'), usage: m('usage'), total: m('total') }, lines, newlyUnpriced };
}

export interface DeltaRenderOptions {
  /** Prefix each line with `- ` (Markdown list). @default false */
  readonly markdown?: boolean;
  /** Most lines shown; the rest are summarised. @default 20 */
  readonly maxLines?: number;
}

/** The delta as lines: the total first, then one line per group, largest first. */
export function renderDelta(delta: CostDelta, options: DeltaRenderOptions = {}): string[] {
  const bullet = options.markdown ? '- ' : '  ';
  const max = options.maxLines ?? 20;
  const out = [
    `${signed(delta.delta.total)}/month (${usd(delta.before.total)} → ${usd(delta.after.total)}; fixed ${signed(delta.delta.fixed)}, usage ${signed(delta.delta.usage)})`,
  ];
  for (const l of delta.lines.slice(0, max)) out.push(`${bullet}${l.text}`);
  if (delta.lines.length > max) out.push(`${bullet}… ${delta.lines.length - max} smaller change(s)`);
  for (const u of delta.newlyUnpriced) out.push(`${bullet}not priced: ${u.stack} ${u.logicalId}${u.line ? ` ${u.line}` : ''} (${u.region}): ${u.reason}`);
  return out;
}

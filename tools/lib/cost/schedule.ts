/**
 * How often a schedule expression fires in an average month (730 hours, the convention AWS
 * pricing uses): `rate(5 minutes)`, `rate(1 day)`, and six-field AWS cron expressions
 * (`cron(15 * * * ? *)`: minutes hours day-of-month month day-of-week year) as EventBridge,
 * Scheduler, Glue and AWS Backup use them.
 *
 * Cron runs are counted over one non-leap year (every minute from 1 January) and divided by 12,
 * so `cron(0 4 ? * SUN *)` (weekly) gives 52/12 and an hourly one 8,760/12 = 730.
 */

export const HOURS_PER_MONTH = 730;
const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;

const UNIT_MINUTES: Readonly<Record<string, number>> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };

/** Runs a month, or undefined when the expression is not `rate(…)`/`cron(…)` (an `at(…)` one-off is 0). */
export function runsPerMonth(expression: string): number | undefined {
  const rate = /^rate\(\s*(\d+)\s+(\w+)\s*\)$/.exec(expression.trim());
  if (rate) {
    const minutes = Number(rate[1]) * (UNIT_MINUTES[rate[2]!.toLowerCase()] ?? Number.NaN);
    return Number.isFinite(minutes) && minutes > 0 ? MINUTES_PER_MONTH / minutes : undefined;
  }
  if (/^at\(/.test(expression.trim())) return 0;
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (!cron) return undefined;
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const minutes = parseField(minute, 0, 59);
  const hours = parseField(hour, 0, 23);
  const days = parseField(dom, 1, 31);
  const months = parseField(month, 1, 12, MONTHS);
  const weekdays = parseField(dow, 1, 7, WEEKDAYS);
  if (!minutes || !hours || !days || !months || !weekdays) return undefined;
  let runs = 0;
  const start = Date.UTC(2025, 0, 1); // a non-leap year starting on a Wednesday
  for (let d = 0; d < 365; d++) {
    const date = new Date(start + d * 86_400_000);
    const dayMatch = dom === '?' || dom === '*' ? true : days.has(date.getUTCDate());
    // AWS numbers weekdays 1-7 from Sunday.
    const weekdayMatch = dow === '?' || dow === '*' ? true : weekdays.has(date.getUTCDay() + 1);
    if (months.has(date.getUTCMonth() + 1) && dayMatch && weekdayMatch) runs += hours.size * minutes.size;
  }
  return runs / 12;
}

const MONTHS: Readonly<Record<string, number>> = { JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12 };
const WEEKDAYS: Readonly<Record<string, number>> = { SUN: 1, MON: 2, TUE: 3, WED: 4, THU: 5, FRI: 6, SAT: 7 };

/** `*`, `?`, `5`, `1-5`, `MON-FRI`, `0/15`, `*​/10`, `1,15` → the set of values; undefined for `L`, `W`, `#`. */
function parseField(field: string, min: number, max: number, names: Readonly<Record<string, number>> = {}): Set<number> | undefined {
  const out = new Set<number>();
  const value = (s: string): number => (s.toUpperCase() in names ? names[s.toUpperCase()]! : Number(s));
  for (const part of field.split(',')) {
    if (/[LW#]/.test(part)) return undefined;
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') [from, to] = [min, max];
    else if (range!.includes('-')) [from, to] = range!.split('-').map(value) as [number, number];
    else [from, to] = [value(range!), stepText === undefined ? value(range!) : max];
    if (![from, to, step].every(Number.isFinite) || step < 1 || from < min || to > max) return undefined;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

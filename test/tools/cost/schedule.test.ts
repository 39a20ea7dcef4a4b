import { HOURS_PER_MONTH, runsPerMonth } from '../../../tools/lib/cost/schedule';

describe('runs a month of a schedule expression', () => {
  test.each<[string, number]>([
    // 730 h × 60 min = 43,800 minutes in the month AWS pricing uses.
    ['rate(1 minute)', 43_800],
    ['rate(5 minutes)', 8_760],
    ['rate(1 hour)', 730],
    ['rate(30 days)', 43_800 / (30 * 1440)],
    // Cron: counted over 2025 (365 days) and divided by 12.
    ['cron(15 * * * ? *)', (365 * 24) / 12],
    ['cron(0 3 * * ? *)', 365 / 12],
    ['cron(0 4 ? * SUN *)', 52 / 12], // 2025 has 52 Sundays
    ['cron(0/15 8-17 ? * MON-FRI *)', (261 * 10 * 4) / 12], // 261 weekdays in 2025
    ['cron(0 0 1 * ? *)', 1],
  ])('%s', (expression, runs) => {
    expect(runsPerMonth(expression)).toBeCloseTo(runs, 6);
  });

  test('expressions it cannot count are undefined, never a guess', () => {
    expect(runsPerMonth('cron(0 0 L * ? *)')).toBeUndefined();
    expect(runsPerMonth('every day')).toBeUndefined();
    expect(runsPerMonth('at(2026-12-24T10:00:00)')).toBe(0);
    expect(HOURS_PER_MONTH).toBe(730);
  });
});

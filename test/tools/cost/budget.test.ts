/** MonthlyBudgetUsd from the estimate (tools/lib/cost/budget.ts), worked out by hand. */
import { spawnSync } from 'node:child_process';
import { ACTUAL_ALERT_FRACTION, budgetAdvice, derivedBudget } from '../../../tools/lib/cost/budget';
import { BUDGET_NOTIFICATIONS } from '../../../templates-src/dashboards';
import { REPO } from './helpers';

describe('derivedBudget', () => {
  test('the 80 % actual-spend alert of the template is the one the margin is measured against', () => {
    expect(BUDGET_NOTIFICATIONS).toContainEqual({ type: 'ACTUAL', threshold: 80 });
    expect(ACTUAL_ALERT_FRACTION).toBe(0.8);
  });

  test.each([
    [43.87, 70], // 43.87 × 1.2 / 0.8 = 65.81 → $70
    [40, 60], // exactly 60: no rounding up past it
    [532.36, 800], // 798.54 → $800
    [0, 5], // at least $5
    [2, 5],
  ])('$%s a month → $%s', (total, budget) => {
    expect(derivedBudget(total)).toBe(budget);
  });
});

describe('budgetAdvice', () => {
  test('no value: derived, and the line says where the alert fires', () => {
    const a = budgetAdvice(43.87);
    expect(a).toMatchObject({ usd: 70, source: 'estimate', estimate: 43.87 });
    expect(a.warning).toBeUndefined();
    expect(a.text).toBe(
      'MonthlyBudgetUsd $70.00/month, derived from the $43.87 estimate: the 80 % alert fires at $56.00, once spending runs at least 20 % over the estimate (set monthlyBudgetUsd to choose another)',
    );
  });

  test.each([
    ['54.83', true], // 0.8 × 54.83 = 43.864 < 43.87: fires every month
    ['54.84', false], // 43.872 ≥ 43.87
    ['500', false],
  ])('a given $%s: warning %s', (given, warns) => {
    const a = budgetAdvice(43.87, given, 'parameters/dev.json monthlyBudgetUsd');
    expect(a.source).toBe('set');
    expect(a.usd).toBe(Number(given));
    expect(a.warning !== undefined).toBe(warns);
  });
});

test('npm run cost prints the budget the deploy tool gives the deployment (Markdown and JSON)', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['tools/run.cjs', 'tools/cost.ts', '--params', 'dev.json', ...args], { cwd: REPO, encoding: 'utf8' });
  const json = JSON.parse(run('--format', 'json').stdout);
  expect(json.budget).toEqual({ usd: derivedBudget(json.monthly.total), source: 'estimate', estimate: json.monthly.total });
  expect(run().stdout).toContain(
    `Budget: MonthlyBudgetUsd $${derivedBudget(json.monthly.total).toFixed(2)}/month, derived from the $${json.monthly.total.toFixed(2)} estimate`,
  );
  const flagged = JSON.parse(run('--format', 'json', '--parameter', 'MonthlyBudgetUsd=10').stdout);
  expect(flagged.budget).toMatchObject({
    usd: 10,
    source: 'set',
    warning: expect.stringMatching(/^--parameter MonthlyBudgetUsd \$10\.00 puts the 80 % alert at \$8\.00/),
  });
});

/**
 * `MonthlyBudgetUsd` from the estimate: one source for the budget. A parameter file that leaves
 * `monthlyBudgetUsd` out (dev.json, prod.json) gets a budget derived from the estimate of the same
 * deployment; one that sets it (or `--parameter MonthlyBudgetUsd=…`) keeps its value, checked
 * against the estimate.
 *
 * The budget alerts FinOpsAlerts at BUDGET_NOTIFICATIONS' ACTUAL threshold (80 %): the derived
 * budget puts that alert at the estimate plus ALERT_MARGIN, so it fires when spending runs 20 %
 * over what the estimate says, not every month.
 *
 * | file or flag sets it | budget                                   | note                                    |
 * | -------------------- | ---------------------------------------- | --------------------------------------- |
 * | no                   | estimate × (1 + margin) ÷ 80 %, up to $5 | derived                                 |
 * | yes, alert ≥ estimate| the value                                | —                                       |
 * | yes, alert < estimate| the value                                | warning: the alert would fire every month |
 */
import { BUDGET_NOTIFICATIONS } from '../../../templates-src/dashboards';
import { usd } from './render';

/** The root parameter the budget is. */
export const BUDGET_PARAMETER = 'MonthlyBudgetUsd';

/** How far above the estimate the actual-spend alert fires. */
export const ALERT_MARGIN = 0.2;

/** The ACTUAL-spend notification threshold of the budget, as a fraction (0.8). */
export const ACTUAL_ALERT_FRACTION = (BUDGET_NOTIFICATIONS.find((n) => n.type === 'ACTUAL')?.threshold ?? 100) / 100;

/** Derived budgets are rounded up to this many dollars. */
const ROUND_TO = 5;

export interface BudgetAdvice {
  /** The budget the deployment gets, US dollars a month. */
  readonly usd: number;
  /** `estimate`: derived here; `set`: given by the parameter file or a flag. */
  readonly source: 'estimate' | 'set';
  /** The estimate (total a month) it was derived from or checked against. */
  readonly estimate: number;
  /** Set when a given budget is so low that the actual-spend alert fires on the estimate alone. */
  readonly warning?: string;
  /** One line saying all of it. */
  readonly text: string;
}

/** The budget derived from an estimated monthly total. */
export function derivedBudget(monthlyTotal: number): number {
  const raw = (monthlyTotal * (1 + ALERT_MARGIN)) / ACTUAL_ALERT_FRACTION;
  return Math.max(ROUND_TO, Math.ceil(raw / ROUND_TO - 1e-9) * ROUND_TO);
}

/**
 * The budget for a deployment estimated at `monthlyTotal`.
 * @param given the value the file or a flag sets (a root parameter string), if any
 * @param setBy how to name where `given` comes from in messages (`parameters/dev.json monthlyBudgetUsd`)
 */
export function budgetAdvice(monthlyTotal: number, given?: string, setBy = 'monthlyBudgetUsd'): BudgetAdvice {
  const alertPercent = Math.round(ACTUAL_ALERT_FRACTION * 100);
  if (given === undefined || given === '') {
    const value = derivedBudget(monthlyTotal);
    return {
      usd: value,
      source: 'estimate',
      estimate: monthlyTotal,
      text: `${BUDGET_PARAMETER} ${usd(value)}/month, derived from the ${usd(monthlyTotal)} estimate: the ${alertPercent} % alert fires at ${usd(value * ACTUAL_ALERT_FRACTION)}, once spending runs at least ${Math.round(ALERT_MARGIN * 100)} % over the estimate (set monthlyBudgetUsd to choose another)`,
    };
  }
  const value = Number(given);
  const alertAt = value * ACTUAL_ALERT_FRACTION;
  const warning =
    alertAt < monthlyTotal
      ? `${setBy} ${usd(value)} puts the ${alertPercent} % alert at ${usd(alertAt)}, under the ${usd(monthlyTotal)} estimate: FinOpsAlerts would fire every month; raise it to ${usd(derivedBudget(monthlyTotal))} or remove it to derive the budget from the estimate`
      : undefined;
  return {
    usd: value,
    source: 'set',
    estimate: monthlyTotal,
    ...(warning ? { warning } : {}),
    text: warning ?? `${BUDGET_PARAMETER} ${usd(value)}/month from ${setBy} (the estimate is ${usd(monthlyTotal)})`,
  };
}

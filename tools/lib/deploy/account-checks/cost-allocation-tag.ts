/**
 * The `Project` cost-allocation tag (every resource carries `Project=<project>-<environment>`,
 * templates-src/lib/names.ts). Once it is active in Billing, the budget can filter on it and the
 * anomaly monitor can watch it (`ProjectTagActive=true`); until then the budget tracks the whole
 * account. Cost Explorer's `ListCostAllocationTags` says which.
 *
 * | Project tag | ProjectTagActive | outcome                                                    |
 * |-------------|------------------|------------------------------------------------------------|
 * | Active      | false            | adapt: true (the budget tracks this deployment only)        |
 * | Inactive / not listed | true   | warn: the budget's filter matches nothing until it is activated |
 * | otherwise   |                  | nothing                                                    |
 */
import { ListCostAllocationTagsCommand } from '@aws-sdk/client-cost-explorer';
import { call } from './read';
import { parameterOf, type AccountCheck, type Outcome, type Target } from './types';

export const PROJECT_TAG_PARAMETER = 'ProjectTagActive';
export const PROJECT_TAG_KEY = 'Project';

export interface CostAllocationTagObservation {
  /** `Active`, `Inactive`, or undefined when Billing has never seen the tag. */
  readonly status?: string;
}

export function decideCostAllocationTag(o: CostAllocationTagObservation, t: Target): Outcome[] {
  const active = o.status === 'Active';
  const set = parameterOf(t, PROJECT_TAG_PARAMETER) === 'true';
  if (active && !set)
    return [
      {
        kind: 'adapt',
        set: { [PROJECT_TAG_PARAMETER]: 'true' },
        because: `the ${PROJECT_TAG_KEY} cost-allocation tag is active in Billing, so the budget and the cost anomaly monitor track this deployment only`,
      },
    ];
  if (!active && set) {
    return [
      {
        kind: 'warn',
        message: `${PROJECT_TAG_PARAMETER}=true, but the ${PROJECT_TAG_KEY} cost-allocation tag is ${o.status === undefined ? 'not known to Billing yet' : o.status.toLowerCase()}: the budget counts nothing until it is activated (Billing → Cost allocation tags)`,
      },
    ];
  }
  return [];
}

export const costAllocationTagCheck: AccountCheck<CostAllocationTagObservation> = {
  id: 'cost-allocation-tag',
  subject: 'the Project cost-allocation tag',
  whenUnreadable: 'warn',
  consequence: (t) => `${PROJECT_TAG_PARAMETER} stays ${parameterOf(t, PROJECT_TAG_PARAMETER)}`,
  applies: (t) => parameterOf(t, PROJECT_TAG_PARAMETER) !== undefined,
  async read(ctx) {
    const res = await call('ce:ListCostAllocationTags', () =>
      ctx
        .clients()
        .costExplorer()
        .send(new ListCostAllocationTagsCommand({ TagKeys: [PROJECT_TAG_KEY], Type: 'UserDefined' })),
    );
    return { status: (res.CostAllocationTags ?? []).find((x) => x.TagKey === PROJECT_TAG_KEY)?.Status };
  },
  decide: decideCostAllocationTag,
};

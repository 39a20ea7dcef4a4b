/**
 * QuickSight: the data sources, data sets and dashboards of `EnableQuickSight` need the account's
 * QuickSight subscription (it cannot be made by CloudFormation). `DescribeAccountSubscription`
 * answers the subscription (`AccountSubscriptionStatus` ACCOUNT_CREATED when usable), or
 * ResourceNotFoundException when there is none.
 */
import { DescribeAccountSubscriptionCommand } from '@aws-sdk/client-quicksight';
import { call, errorName } from './read';
import { howToSet, parameterOf, type AccountCheck, type Outcome, type Target } from './types';

export const QUICKSIGHT_PARAMETER = 'EnableQuickSight';
const USABLE = 'ACCOUNT_CREATED';

export interface QuickSightObservation {
  /** `AccountSubscriptionStatus`, or undefined when the account has no subscription. */
  readonly status?: string;
  readonly edition?: string;
}

export function decideQuickSight(o: QuickSightObservation, t: Target): Outcome[] {
  if (o.status === USABLE) return [];
  return [
    {
      kind: 'stop',
      problem: `${QUICKSIGHT_PARAMETER}=true, but ${o.status === undefined ? 'the account has no QuickSight subscription' : `the account's QuickSight subscription is ${o.status}`}, so the data sources and dashboards cannot be created`,
      fix: `sign up for QuickSight (console → QuickSight; allow Athena access), or ${howToSet(t, QUICKSIGHT_PARAMETER, 'false')}`,
    },
  ];
}

export const quickSightCheck: AccountCheck<QuickSightObservation> = {
  id: 'quicksight',
  subject: 'the QuickSight subscription',
  whenUnreadable: 'warn',
  consequence: () => 'the QuickSight resources are created unchecked',
  applies: (t) => parameterOf(t, QUICKSIGHT_PARAMETER) === 'true',
  async read(ctx) {
    const res = await call(
      'quicksight:DescribeAccountSubscription',
      () =>
        ctx
          .clients()
          .quickSight()
          .send(new DescribeAccountSubscriptionCommand({ AwsAccountId: ctx.account })),
      (e) => (errorName(e) === 'ResourceNotFoundException' ? { AccountInfo: undefined } : undefined),
    );
    return { status: res.AccountInfo?.AccountSubscriptionStatus, edition: res.AccountInfo?.Edition };
  },
  decide: decideQuickSight,
};

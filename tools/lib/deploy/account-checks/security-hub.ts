/**
 * Security Hub: enabled once per account and region. `DescribeHub` answers a hub, or AWS's
 * InvalidAccessException "Account … is not subscribed to AWS Security Hub" when it is off. A hub
 * this stack did not enable ⇒ `EnableSecurityHub=false`.
 */
import { DescribeHubCommand } from '@aws-sdk/client-securityhub';
import { deployedIdsOf } from './owned';
import { call, errorName } from './read';
import { parameterOf, type AccountCheck, type Outcome, type Target } from './types';

export const SECURITY_HUB_PARAMETER = 'EnableSecurityHub';

export interface SecurityHubObservation {
  /** The hub's ARN, or undefined when Security Hub is not enabled in the region. */
  readonly hubArn?: string;
  /** Hub ARNs the deployed stack holds. */
  readonly ours: readonly string[];
}

export function decideSecurityHub(o: SecurityHubObservation, t: Target): Outcome[] {
  if (o.hubArn === undefined || o.ours.includes(o.hubArn) || parameterOf(t, SECURITY_HUB_PARAMETER) !== 'true') return [];
  return [
    {
      kind: 'adapt',
      set: { [SECURITY_HUB_PARAMETER]: 'false' },
      because: `Security Hub is already enabled in ${t.region} (${o.hubArn}); its standards are left as they are`,
    },
  ];
}

const NOT_SUBSCRIBED = { hubArn: undefined } as const;

export const securityHubCheck: AccountCheck<SecurityHubObservation> = {
  id: 'security-hub',
  subject: 'Security Hub',
  whenUnreadable: 'warn',
  consequence: (t) => `${SECURITY_HUB_PARAMETER} stays ${parameterOf(t, SECURITY_HUB_PARAMETER)}`,
  applies: (t) => parameterOf(t, SECURITY_HUB_PARAMETER) === 'true',
  async read(ctx) {
    const hub = await call(
      'securityhub:DescribeHub',
      async () => ({ hubArn: (await ctx.clients().securityHub().send(new DescribeHubCommand({}))).HubArn }),
      (error) => (errorName(error) === 'InvalidAccessException' ? NOT_SUBSCRIBED : undefined),
    );
    return { hubArn: hub.hubArn, ours: hub.hubArn ? await deployedIdsOf(ctx, 'AWS::SecurityHub::Hub') : [] };
  },
  decide: decideSecurityHub,
};

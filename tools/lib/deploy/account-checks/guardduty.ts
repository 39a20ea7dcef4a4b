/**
 * GuardDuty: one detector per account and region. A detector this stack did not make (Organizations,
 * Control Tower, another environment) ⇒ `EnableGuardDuty=false`, and the findings rule uses it.
 */
import { ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { deployedIdsOf } from './owned';
import { call } from './read';
import { parameterOf, type AccountCheck, type Outcome, type Target } from './types';

export const GUARDDUTY_PARAMETER = 'EnableGuardDuty';

export interface GuardDutyObservation {
  /** `ListDetectors` in the target's region. */
  readonly detectorIds: readonly string[];
  /** Detector IDs the deployed stack holds. */
  readonly ours: readonly string[];
}

export function decideGuardDuty(o: GuardDutyObservation, t: Target): Outcome[] {
  const existing = o.detectorIds.filter((id) => !o.ours.includes(id));
  if (existing.length === 0 || parameterOf(t, GUARDDUTY_PARAMETER) !== 'true') return [];
  return [
    {
      kind: 'adapt',
      set: { [GUARDDUTY_PARAMETER]: 'false' },
      because: `using the existing detector ${existing[0]} (GuardDuty allows one per account and region)`,
    },
  ];
}

export const guardDutyCheck: AccountCheck<GuardDutyObservation> = {
  id: 'guardduty',
  subject: 'the GuardDuty detector',
  whenUnreadable: 'warn',
  consequence: (t) => `${GUARDDUTY_PARAMETER} stays ${parameterOf(t, GUARDDUTY_PARAMETER)}`,
  applies: (t) => parameterOf(t, GUARDDUTY_PARAMETER) === 'true',
  async read(ctx) {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await call('guardduty:ListDetectors', () =>
        ctx
          .clients()
          .guardDuty()
          .send(new ListDetectorsCommand({ NextToken: token })),
      );
      ids.push(...(page.DetectorIds ?? []));
      token = page.NextToken || undefined;
    } while (token);
    return { detectorIds: ids, ours: ids.length > 0 ? await deployedIdsOf(ctx, 'AWS::GuardDuty::Detector') : [] };
  },
  decide: decideGuardDuty,
};

/**
 * CloudTrail: a multi-region trail records the management events of every region; a second one
 * bills them twice. `DescribeTrails` (shadow trails included: a multi-region or organization trail
 * made in another region appears in every region) listing a multi-region trail this stack did not
 * make ⇒ `EnableCloudTrail=false`.
 */
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { deployedIdsOf } from './owned';
import { call } from './read';
import { parameterOf, type AccountCheck, type Outcome, type Target } from './types';

export const CLOUDTRAIL_PARAMETER = 'EnableCloudTrail';

export interface Trail {
  readonly name: string;
  readonly arn: string;
  readonly homeRegion?: string;
  readonly organization: boolean;
}

export interface CloudTrailObservation {
  /** The multi-region trails `DescribeTrails` lists. */
  readonly multiRegionTrails: readonly Trail[];
  /** Trail names (or ARNs) the deployed stack holds. */
  readonly ours: readonly string[];
}

export function decideCloudTrail(o: CloudTrailObservation, t: Target): Outcome[] {
  const existing = o.multiRegionTrails.filter((trail) => !o.ours.some((id) => id === trail.name || id === trail.arn));
  if (existing.length === 0 || parameterOf(t, CLOUDTRAIL_PARAMETER) !== 'true') return [];
  const trail = existing[0]!;
  const what = `${trail.organization ? 'organization' : 'multi-region'} trail ${trail.name}${trail.homeRegion ? ` (home region ${trail.homeRegion})` : ''}`;
  return [
    {
      kind: 'adapt',
      set: { [CLOUDTRAIL_PARAMETER]: 'false' },
      because: `the ${what} already records every region; a second trail would bill the same management events again`,
    },
  ];
}

export const cloudTrailCheck: AccountCheck<CloudTrailObservation> = {
  id: 'cloudtrail',
  subject: 'the CloudTrail trails',
  whenUnreadable: 'warn',
  consequence: (t) => `${CLOUDTRAIL_PARAMETER} stays ${parameterOf(t, CLOUDTRAIL_PARAMETER)}`,
  applies: (t) => parameterOf(t, CLOUDTRAIL_PARAMETER) === 'true',
  async read(ctx) {
    const res = await call('cloudtrail:DescribeTrails', () =>
      ctx
        .clients()
        .cloudTrail()
        .send(new DescribeTrailsCommand({ includeShadowTrails: true })),
    );
    const multiRegionTrails = (res.trailList ?? [])
      .filter((x) => x.IsMultiRegionTrail)
      .map((x) => ({ name: x.Name ?? '', arn: x.TrailARN ?? '', homeRegion: x.HomeRegion, organization: Boolean(x.IsOrganizationTrail) }));
    return { multiRegionTrails, ours: multiRegionTrails.length > 0 ? await deployedIdsOf(ctx, 'AWS::CloudTrail::Trail') : [] };
  },
  decide: decideCloudTrail,
};

/**
 * VPCs per region: the quota (Service Quotas vpc L-F678F1CE, 5 by default) minus the VPCs in use
 * (`DescribeVpcs`, the default VPC included) must leave room for the VPCs this deploy creates: the
 * AWS::EC2::VPC resources that exist with these parameters, less those the deployed stack already
 * has (an update does not create them again).
 *
 * | quota read            | in use + new > quota | outcome                                         |
 * |-----------------------|----------------------|-------------------------------------------------|
 * | GetServiceQuota, or the AWS default (GetAWSDefaultServiceQuota) | yes | stop: request more, or free a VPC |
 * | not readable (AWS's documented default 5 assumed) | yes     | warn: the deploy fails at the VPC if the quota is still 5 |
 * | any                   | no                   | nothing                                         |
 */
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import { deployedIdsOf } from './owned';
import { call, errorName, ReadError } from './read';
import type { AccountCheck, CheckContext, Outcome, Target } from './types';

export const VPC_QUOTA = { serviceCode: 'vpc', quotaCode: 'L-F678F1CE', name: 'VPCs per Region', documentedDefault: 5 } as const;
const VPC_TYPE = 'AWS::EC2::VPC';

export interface VpcQuotaObservation {
  /** VPCs the templates create with these parameters (logical IDs). */
  readonly planned: readonly string[];
  /** Of those, the ones the deployed stack already has (still in use). */
  readonly existing: number;
  /** VPCs in the region now. */
  readonly inUse: number;
  readonly quota: number;
  /** Where the quota came from, or why it is assumed. */
  readonly quotaSource: string;
  /** The quota could not be read: AWS's documented default is assumed. */
  readonly assumed: boolean;
}

export function decideVpcQuota(o: VpcQuotaObservation, t: Target): Outcome[] {
  const created = o.planned.length - o.existing;
  if (created <= 0 || o.inUse + created <= o.quota) return [];
  const problem = `${t.region} has ${o.inUse} of its ${o.quota} VPCs in use (${VPC_QUOTA.name}, ${o.quotaSource}) and this deploy creates ${created} more (${o.planned.join(', ')})`;
  const fix = `request a "${VPC_QUOTA.name}" quota of ${o.inUse + created} or more (${VPC_QUOTA.quotaCode}) in Service Quotas, or delete ${o.inUse + created - o.quota} unused VPC${o.inUse + created - o.quota === 1 ? '' : 's'} in ${t.region}`;
  if (o.assumed) return [{ kind: 'warn', message: `${problem}: the VPC creation fails if the quota is still the default; ${fix}` }];
  return [{ kind: 'stop', problem, fix }];
}

/** A read that may fail: the ReadError as a value, anything else (a bug) thrown. */
const attempt = <T>(read: Promise<T>): Promise<T | ReadError> => read.catch((error: unknown) => (error instanceof ReadError ? error : Promise.reject(error)));

async function readVpcQuota(ctx: CheckContext): Promise<Pick<VpcQuotaObservation, 'quota' | 'quotaSource' | 'assumed'>> {
  const sq = ctx.clients().serviceQuotas();
  const ids = { ServiceCode: VPC_QUOTA.serviceCode, QuotaCode: VPC_QUOTA.quotaCode };
  const noValue = (e: unknown) => (errorName(e) === 'NoSuchResourceException' ? { Quota: undefined } : undefined);
  const applied = await attempt(call('servicequotas:GetServiceQuota', () => sq.send(new GetServiceQuotaCommand(ids)), noValue));
  if (!(applied instanceof ReadError) && applied.Quota?.Value !== undefined)
    return { quota: applied.Quota.Value, quotaSource: 'servicequotas:GetServiceQuota', assumed: false };
  // No applied value (a quota never raised has none in some accounts): AWS's default for the account.
  const standard = await attempt(call('servicequotas:GetAWSDefaultServiceQuota', () => sq.send(new GetAWSDefaultServiceQuotaCommand(ids)), noValue));
  if (!(standard instanceof ReadError) && standard.Quota?.Value !== undefined)
    return { quota: standard.Quota.Value, quotaSource: 'servicequotas:GetAWSDefaultServiceQuota', assumed: false };
  const why = [applied, standard].find((r): r is ReadError => r instanceof ReadError);
  return {
    quota: VPC_QUOTA.documentedDefault,
    quotaSource: `the documented default, assumed: ${why ? why.message : 'Service Quotas has no value for it'}`,
    assumed: true,
  };
}

export const vpcQuotaCheck: AccountCheck<VpcQuotaObservation> = {
  id: 'vpc-quota',
  subject: 'the VPC quota',
  whenUnreadable: 'warn',
  consequence: () => 'the VPCs are created unchecked',
  applies: (t) => t.plan.resources(VPC_TYPE).length > 0,
  async read(ctx) {
    const planned = ctx.target.plan.resources(VPC_TYPE).map((r) => [...r.stack.path, r.logicalId].join('/'));
    const vpcIds: string[] = [];
    let token: string | undefined;
    do {
      const page = await call('ec2:DescribeVpcs', () =>
        ctx
          .clients()
          .ec2()
          .send(new DescribeVpcsCommand({ NextToken: token })),
      );
      vpcIds.push(...(page.Vpcs ?? []).map((v) => v.VpcId ?? ''));
      token = page.NextToken || undefined;
    } while (token);
    const ours = ctx.firstCreate ? [] : await deployedIdsOf(ctx, VPC_TYPE);
    return { planned, existing: ours.filter((id) => vpcIds.includes(id)).length, inUse: vpcIds.length, ...(await readVpcQuota(ctx)) };
  },
  decide: decideVpcQuota,
};

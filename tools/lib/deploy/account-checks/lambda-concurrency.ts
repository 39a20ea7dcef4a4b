/**
 * Reserved concurrency: Lambda refuses a reservation that would leave fewer than 100 unreserved
 * executions in the region (UnreservedConcurrentExecutions minimum), and new accounts may start
 * with a concurrency quota of 10. Our reservations are summed from the templates
 * (ReservedConcurrentExecutions of every function that exists with these parameters).
 *
 * | read                                   | outcome                                                  |
 * |----------------------------------------|----------------------------------------------------------|
 * | quota < 100 + ours                     | stop: request L-B99A9384 ≥ 100 + ours, or turn the reservations off |
 * | first create, unreserved − ours < 100  | stop: other functions reserve too much                   |
 * | otherwise                              | nothing                                                  |
 *
 * The quota is `GetAccountSettings` `AccountLimit.ConcurrentExecutions` (the value in force), else
 * Service Quotas `GetServiceQuota` lambda L-B99A9384. The unreserved rule is checked only before
 * the first create: on an update our functions' current reservations are already subtracted.
 */
import { GetAccountSettingsCommand, type GetAccountSettingsCommandOutput } from '@aws-sdk/client-lambda';
import { GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import { call, ReadError } from './read';
import { howToSet, parameterOf, type AccountCheck, type CheckContext, type Outcome, type Target } from './types';

export const RESERVED_CONCURRENCY_PARAMETER = 'EnableReservedConcurrency';
/** Lambda keeps at least this many executions unreserved per region. */
export const UNRESERVED_MINIMUM = 100;
export const LAMBDA_CONCURRENCY_QUOTA = { serviceCode: 'lambda', quotaCode: 'L-B99A9384' } as const;

export interface LambdaConcurrencyObservation {
  /** Sum of ReservedConcurrentExecutions over the functions this deploy creates. */
  readonly reserved: number;
  /** The functions that reserve, for the message. */
  readonly reservingFunctions: readonly string[];
  /** Concurrent executions quota of the region. */
  readonly quota: number;
  /** Where the quota was read. */
  readonly quotaSource: string;
  /** UnreservedConcurrentExecutions, when GetAccountSettings answered. */
  readonly unreserved?: number;
  /** True when the stack does not exist yet. */
  readonly firstCreate: boolean;
}

export function decideLambdaConcurrency(o: LambdaConcurrencyObservation, t: Target): Outcome[] {
  if (o.reserved === 0) return [];
  const needed = UNRESERVED_MINIMUM + o.reserved;
  const ours = `${RESERVED_CONCURRENCY_PARAMETER}=true reserves ${o.reserved} (${o.reservingFunctions.join(', ')})`;
  const off = howToSet(t, RESERVED_CONCURRENCY_PARAMETER, 'false');
  if (o.quota < needed) {
    return [
      {
        kind: 'stop',
        problem: `the Lambda concurrency quota in ${t.region} is ${o.quota} (${o.quotaSource}); ${ours} and Lambda keeps ${UNRESERVED_MINIMUM} unreserved, so ${needed} are needed`,
        fix: `request ${needed} or more for "Concurrent executions" (${LAMBDA_CONCURRENCY_QUOTA.quotaCode}) in Service Quotas, or ${off}`,
      },
    ];
  }
  if (o.firstCreate && o.unreserved !== undefined && o.unreserved - o.reserved < UNRESERVED_MINIMUM) {
    return [
      {
        kind: 'stop',
        problem: `only ${o.unreserved} of the ${o.quota} Lambda executions in ${t.region} are unreserved (other functions reserve the rest); ${ours}, which would leave fewer than ${UNRESERVED_MINIMUM}`,
        fix: `lower other functions' reserved concurrency, request a higher ${LAMBDA_CONCURRENCY_QUOTA.quotaCode} quota, or ${off}`,
      },
    ];
  }
  return [];
}

export const lambdaConcurrencyCheck: AccountCheck<LambdaConcurrencyObservation> = {
  id: 'lambda-concurrency',
  subject: 'the Lambda concurrency quota',
  whenUnreadable: 'warn',
  consequence: () => 'the reservations are created unchecked (PutFunctionConcurrency fails the deploy if the quota is too low)',
  applies: (t) => parameterOf(t, RESERVED_CONCURRENCY_PARAMETER) === 'true',
  async read(ctx) {
    const plan = ctx.target.plan;
    let reserved = 0;
    const reservingFunctions: string[] = [];
    for (const fn of plan.resources('AWS::Lambda::Function')) {
      const n = Number(plan.property(fn, 'ReservedConcurrentExecutions') ?? 0);
      if (n > 0) {
        reserved += n;
        reservingFunctions.push(`${fn.logicalId} ${n}`);
      }
    }
    const base = { reserved, reservingFunctions, firstCreate: ctx.firstCreate };
    // Nothing reserved with these templates: nothing to read.
    if (reserved === 0) return { ...base, quota: Number.POSITIVE_INFINITY, quotaSource: 'not read' };
    const fromQuotas = { ...base, quotaSource: `Service Quotas ${LAMBDA_CONCURRENCY_QUOTA.quotaCode}` };
    let settings: GetAccountSettingsCommandOutput;
    try {
      settings = await call('lambda:GetAccountSettings', () => ctx.clients().lambda().send(new GetAccountSettingsCommand({})));
    } catch (error) {
      if (!(error instanceof ReadError)) throw error;
      // Service Quotas next; when that fails too, the GetAccountSettings failure is the one reported.
      const quota = await readQuota(ctx).catch(() => Promise.reject(error));
      return { ...fromQuotas, quota };
    }
    const limit = settings.AccountLimit;
    if (limit?.ConcurrentExecutions === undefined) return { ...fromQuotas, quota: await readQuota(ctx) };
    return { ...base, quota: limit.ConcurrentExecutions, quotaSource: 'lambda:GetAccountSettings', unreserved: limit.UnreservedConcurrentExecutions };
  },
  decide: decideLambdaConcurrency,
};

async function readQuota(ctx: CheckContext): Promise<number> {
  const res = await call('servicequotas:GetServiceQuota', () =>
    ctx
      .clients()
      .serviceQuotas()
      .send(new GetServiceQuotaCommand({ ServiceCode: LAMBDA_CONCURRENCY_QUOTA.serviceCode, QuotaCode: LAMBDA_CONCURRENCY_QUOTA.quotaCode })),
  );
  const value = res.Quota?.Value;
  if (value === undefined) throw new ReadError('servicequotas:GetServiceQuota', 'failed', `no value for ${LAMBDA_CONCURRENCY_QUOTA.quotaCode}`);
  return value;
}

/**
 * AWS Config: one customer-managed configuration recorder (and delivery channel) per account and
 * region. Service-linked recorders (`servicePrincipal` set, made by other AWS services) do not
 * count: they neither block ours nor record for our rules.
 *
 * | recorder in the region            | EnableConfigRecorder / UseExistingConfigRecorder | outcome                                               |
 * |-----------------------------------|--------------------------------------------------|-------------------------------------------------------|
 * | someone else's                    | not already false / true                         | adapt: UseExistingConfigRecorder=true, EnableConfigRecorder=false (the rules use it) |
 * | someone else's                    | false / true                                     | nothing                                               |
 * | none, or only ours                | UseExistingConfigRecorder=true                   | stop: the rules need a recorder (NoAvailableConfigurationRecorderException) |
 * | none, or only ours                | otherwise                                        | nothing                                               |
 */
import { DescribeConfigurationRecordersCommand } from '@aws-sdk/client-config-service';
import { deployedIdsOf } from './owned';
import { call } from './read';
import { howToSet, parameterOf, type AccountCheck, type Outcome, type Target } from './types';

export const CREATE_RECORDER = 'EnableConfigRecorder';
export const USE_EXISTING_RECORDER = 'UseExistingConfigRecorder';

export interface ConfigRecorderObservation {
  /** Names of the customer-managed recorders in the region. */
  readonly recorders: readonly string[];
  /** Recorder names the deployed stack holds. */
  readonly ours: readonly string[];
}

export function decideConfigRecorder(o: ConfigRecorderObservation, t: Target): Outcome[] {
  const existing = o.recorders.filter((name) => !o.ours.includes(name));
  const create = parameterOf(t, CREATE_RECORDER) === 'true';
  const useExisting = parameterOf(t, USE_EXISTING_RECORDER) === 'true';
  if (existing.length > 0) {
    if (useExisting && !create) return [];
    return [
      {
        kind: 'adapt',
        set: { [USE_EXISTING_RECORDER]: 'true', [CREATE_RECORDER]: 'false' },
        because: `recording with the existing AWS Config recorder ${existing[0]} in ${t.region} (one per account and region); the Config rules are created against it`,
      },
    ];
  }
  if (useExisting) {
    return [
      {
        kind: 'stop',
        problem: `${USE_EXISTING_RECORDER}=true, but ${t.region} has no AWS Config recorder${o.ours.length > 0 ? ' other than the one this deploy would remove' : ''}, so every Config rule would fail (NoAvailableConfigurationRecorderException)`,
        fix: `${howToSet(t, USE_EXISTING_RECORDER, 'false')} and ${howToSet(t, CREATE_RECORDER, 'true')} to create one, or turn recording on in the region first`,
      },
    ];
  }
  return [];
}

export const configRecorderCheck: AccountCheck<ConfigRecorderObservation> = {
  id: 'config-recorder',
  subject: 'the AWS Config recorder',
  whenUnreadable: 'warn',
  consequence: (t) => `${CREATE_RECORDER} stays ${parameterOf(t, CREATE_RECORDER)} and ${USE_EXISTING_RECORDER} ${parameterOf(t, USE_EXISTING_RECORDER)}`,
  applies: (t) => parameterOf(t, CREATE_RECORDER) !== undefined && parameterOf(t, USE_EXISTING_RECORDER) !== undefined,
  async read(ctx) {
    const res = await call('config:DescribeConfigurationRecorders', () => ctx.clients().config().send(new DescribeConfigurationRecordersCommand({})));
    const recorders = (res.ConfigurationRecorders ?? []).filter((r) => !r.servicePrincipal).map((r) => r.name ?? '(unnamed)');
    return { recorders, ours: recorders.length > 0 ? await deployedIdsOf(ctx, 'AWS::Config::ConfigurationRecorder') : [] };
  },
  decide: decideConfigRecorder,
};

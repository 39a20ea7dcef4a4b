/**
 * What happened to a call whose answer was lost (once.ts): read the stack, its events and the
 * change set, a few times (a call that timed out may still be carried out a moment later), and
 * decide from what CloudFormation shows.
 *
 * ExecuteChangeSet:
 *
 * | change set ExecutionStatus           | stack                                         | verdict       |
 * |--------------------------------------|-----------------------------------------------|---------------|
 * | EXECUTE_IN_PROGRESS/_COMPLETE/_FAILED | any                                          | started       |
 * | gone (AWS deletes a stack's change sets once one is executed) | `ChangeSetId` is ours, or status/LastUpdatedTime moved | started |
 * | AVAILABLE                             | unmoved, no stack event since the call       | not started   |
 * | AVAILABLE                             | unmoved, but a stack event since the call    | inconsistent (moto after a 500 mid-apply) |
 * | OBSOLETE, or gone and unmoved         | any                                          | inconsistent  |
 *
 * DeleteStack: gone or DELETE_* → started; unmoved → not started. ContinueUpdateRollback:
 * UPDATE_ROLLBACK_* other than the FAILED it started from, or a new LastUpdatedTime → started.
 */
import { DescribeChangeSetCommand, DescribeStackEventsCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import type { Clock } from './clock';
import { describeStack } from './stack-state';

export type Verdict = 'started' | 'not-started' | 'inconsistent';

export interface Reconciled {
  readonly verdict: Verdict;
  /** What was seen, for the message: `change set deploy-x is AVAILABLE; stockwx is REVIEW_IN_PROGRESS`. */
  readonly seen: string;
  /** The stack as last read (undefined: it does not exist). */
  readonly stack?: Stack;
}

export interface ReconcileDeps {
  readonly cfn: CloudFormationClient;
  readonly clock: Clock;
  /** Wait between reads. @default 2000 */
  readonly pollMs?: number;
  /** Reads before concluding "not started". @default 3 */
  readonly reads?: number;
}

/** Allowance for the difference between CloudFormation's clock and ours. */
const SKEW_MS = 60_000;

function moved(before: Stack | undefined, after: Stack | undefined): boolean {
  if (!before) return after !== undefined && after.StackStatus !== 'REVIEW_IN_PROGRESS';
  if (!after) return true;
  return after.StackStatus !== before.StackStatus || String(after.LastUpdatedTime) !== String(before.LastUpdatedTime);
}

/** Stack-level events (the stack itself, not its resources) newer than `since`. */
async function stackEventsSince(cfn: CloudFormationClient, stackId: string, since: number): Promise<string[]> {
  try {
    const res = await cfn.send(new DescribeStackEventsCommand({ StackName: stackId }));
    return (res.StackEvents ?? [])
      .filter(
        (e) =>
          e.PhysicalResourceId === e.StackId &&
          String(e.ResourceStatus) !== 'REVIEW_IN_PROGRESS' &&
          e.Timestamp &&
          new Date(e.Timestamp).getTime() >= since - SKEW_MS,
      )
      .map((e) => `${e.ResourceStatus}${e.ResourceStatusReason ? ` (${e.ResourceStatusReason})` : ''}`);
  } catch {
    return [];
  }
}

async function rounds(deps: ReconcileDeps, once: () => Promise<Reconciled>): Promise<Reconciled> {
  let last: Reconciled | undefined;
  const reads = deps.reads ?? 3;
  for (let i = 0; i < reads; i++) {
    if (i > 0) await deps.clock.sleep(deps.pollMs ?? 2000);
    last = await once();
    if (last.verdict === 'started') return last;
  }
  return last!;
}

const statusOf = (name: string, s: Stack | undefined): string => `${name} ${s ? `is ${s.StackStatus}` : 'does not exist'}`;

export interface ExecuteCall {
  readonly stackName: string;
  readonly stackId: string;
  readonly changeSetId: string;
  readonly changeSetName: string;
  /** The stack before the call (undefined for a stack that had never been created). */
  readonly before?: Stack;
  /** When the call was sent (our clock). */
  readonly sentAt: number;
}

export function reconcileExecute(deps: ReconcileDeps, call: ExecuteCall): Promise<Reconciled> {
  return rounds(deps, async () => {
    let execution: string | undefined;
    try {
      const cs = await deps.cfn.send(new DescribeChangeSetCommand({ ChangeSetName: call.changeSetId, StackName: call.stackId }));
      execution = cs.ExecutionStatus ?? 'UNKNOWN';
    } catch (error) {
      if ((error as { name?: string }).name !== 'ChangeSetNotFoundException' && !/does not exist|not found/i.test((error as Error).message ?? '')) throw error;
    }
    const stack = await describeStack(deps.cfn, call.stackId);
    const seen = `change set ${call.changeSetName} ${execution ? `is ${execution}` : 'is gone'}; ${statusOf(call.stackName, stack)}`;
    if (execution && /^EXECUTE_/.test(execution)) return { verdict: 'started', seen, stack };
    if (stack?.ChangeSetId === call.changeSetId || (execution === undefined && moved(call.before, stack))) return { verdict: 'started', seen, stack };
    if (execution === 'AVAILABLE' && !moved(call.before, stack)) {
      const events = await stackEventsSince(deps.cfn, call.stackId, call.sentAt);
      if (events.length === 0) return { verdict: 'not-started', seen, stack };
      return { verdict: 'inconsistent', seen: `${seen}, yet the stack recorded ${events.join(', ')} since the call`, stack };
    }
    return { verdict: 'inconsistent', seen, stack };
  });
}

export interface StackCall {
  readonly stackName: string;
  readonly stackId: string;
  readonly before?: Stack;
  readonly sentAt: number;
}

export function reconcileDelete(deps: ReconcileDeps, call: StackCall): Promise<Reconciled> {
  return rounds(deps, async () => {
    const stack = await describeStack(deps.cfn, call.stackId);
    const seen = statusOf(call.stackName, stack);
    if (!stack || /^DELETE_/.test(stack.StackStatus ?? '')) return { verdict: 'started', seen, stack };
    return { verdict: moved(call.before, stack) ? 'inconsistent' : 'not-started', seen, stack };
  });
}

export function reconcileContinueRollback(deps: ReconcileDeps, call: StackCall): Promise<Reconciled> {
  return rounds(deps, async () => {
    const stack = await describeStack(deps.cfn, call.stackId);
    const seen = statusOf(call.stackName, stack);
    const status = stack?.StackStatus ?? '';
    if (/^UPDATE_ROLLBACK_(IN_PROGRESS|COMPLETE)/.test(status) || (status === 'UPDATE_ROLLBACK_FAILED' && moved(call.before, stack)))
      return { verdict: 'started', seen, stack };
    if (status === 'UPDATE_ROLLBACK_FAILED') {
      const events = await stackEventsSince(deps.cfn, call.stackId, call.sentAt);
      return events.length === 0
        ? { verdict: 'not-started', seen, stack }
        : { verdict: 'inconsistent', seen: `${seen}, yet the stack recorded ${events.join(', ')} since the call`, stack };
    }
    return { verdict: 'inconsistent', seen, stack };
  });
}

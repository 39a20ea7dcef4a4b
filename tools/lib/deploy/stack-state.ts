/**
 * What a stack's status means for a deploy. Decision table:
 *
 * | status                                   | kind                     | deploy does                                   |
 * |------------------------------------------|--------------------------|-----------------------------------------------|
 * | (no stack)                               | absent                   | CREATE change set                              |
 * | REVIEW_IN_PROGRESS                       | review                   | CREATE change set (stack exists, never created)|
 * | CREATE/UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, IMPORT_*_COMPLETE | ready | UPDATE change set                 |
 * | ROLLBACK_COMPLETE                        | rollback-complete        | explain; delete + recreate only with --recreate|
 * | UPDATE_ROLLBACK_FAILED                   | update-rollback-failed   | ContinueUpdateRollback only with --continue-rollback |
 * | *_IN_PROGRESS                            | in-progress              | wait (--wait-timeout) or abort                 |
 * | ROLLBACK_FAILED, DELETE_FAILED, CREATE_FAILED, IMPORT_ROLLBACK_FAILED | broken | stop with the fix            |
 * | DELETE_COMPLETE (only via stack ID)      | absent                   | CREATE change set                              |
 */
import { DescribeStacksCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { describeAwsError, DeployError } from './errors';

export type StackKind = 'absent' | 'review' | 'ready' | 'rollback-complete' | 'update-rollback-failed' | 'in-progress' | 'broken';

export interface StackState {
  readonly kind: StackKind;
  readonly status?: string;
  readonly stackId?: string;
  readonly stack?: Stack;
}

export function classify(status: string | undefined): StackKind {
  if (status === undefined || status === 'DELETE_COMPLETE') return 'absent';
  if (status === 'REVIEW_IN_PROGRESS') return 'review';
  if (status === 'ROLLBACK_COMPLETE') return 'rollback-complete';
  if (status === 'UPDATE_ROLLBACK_FAILED') return 'update-rollback-failed';
  if (status.endsWith('_IN_PROGRESS')) return 'in-progress';
  if (status.endsWith('_FAILED')) return 'broken';
  return 'ready';
}

/** True once an operation has finished (success or failure). */
export function isTerminal(status: string | undefined): boolean {
  return status === undefined || !status.endsWith('_IN_PROGRESS');
}

export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e.name === 'ValidationError' && /does not exist/.test(e.message ?? '');
}

export async function describeStack(cfn: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return res.Stacks?.[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new DeployError(describeAwsError(`reading the state of stack ${stackName}`, error), 1, { cause: error });
  }
}

export async function getStackState(cfn: CloudFormationClient, stackName: string): Promise<StackState> {
  const stack = await describeStack(cfn, stackName);
  return { kind: classify(stack?.StackStatus), status: stack?.StackStatus, stackId: stack?.StackId, stack };
}

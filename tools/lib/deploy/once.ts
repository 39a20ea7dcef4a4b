/**
 * Calls that change state and are not safe to repeat are sent exactly once; when their answer
 * is lost, the tool reads CloudFormation to learn what happened instead of asking again.
 *
 * Why: the SDK retries a request on a 5xx, a timeout or a dropped connection. For
 * ExecuteChangeSet that second attempt either fails with InvalidChangeSetStatus while the first
 * execution runs (AWS: the tool reports a failure while the deploy goes on), or "succeeds" on a
 * server that half-applied the first one (moto: the tool printed CREATE_COMPLETE for a stack with
 * nothing in it). Reads keep the SDK's retries.
 *
 * | answer to the call                     | meaning                 | the tool                                  |
 * |----------------------------------------|-------------------------|-------------------------------------------|
 * | 2xx                                    | done                    | follows the operation                     |
 * | 4xx (ValidationError, Throttling, …)   | refused: nothing began  | fails with the error                      |
 * | 5xx, timeout, reset, unparsable answer | unknown                 | re-reads the stack (and change set): follows what began, fails naming what it saw otherwise |
 *
 * CreateChangeSet is left to the SDK's retries: a repeat with the same change set name cannot
 * create a second one (AlreadyExistsException), see changeset.ts.
 */
import type {
  CancelUpdateStackCommand,
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  CreateStackCommand,
  DeleteStackCommand,
  ExecuteChangeSetCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';

/** The commands `sendOnce` takes: the non-idempotent ones. */
export type OnceCommand = ExecuteChangeSetCommand | DeleteStackCommand | ContinueUpdateRollbackCommand | CancelUpdateStackCommand | CreateStackCommand | UpdateStackCommand;

/** Every CloudFormation command that must never be repeated by the SDK (the tool calls the first four). */
export const NON_IDEMPOTENT_COMMANDS: ReadonlySet<string> = new Set([
  'ExecuteChangeSetCommand',
  'DeleteStackCommand',
  'ContinueUpdateRollbackCommand',
  'CancelUpdateStackCommand',
  'CreateStackCommand',
  'UpdateStackCommand',
]);

/** The SDK's retry middleware's registration (@smithy/core/dist-cjs/submodules/retry `retryMiddlewareOptions`). */
const RETRY_SLOT = { name: 'retryMiddleware', tags: ['RETRY'], step: 'finalizeRequest', priority: 'high', override: true } as const;

interface StackedCommand {
  readonly middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}

/**
 * Replaces the client's retry middleware for this one command with a pass-through, so the
 * request goes out once. (A command's middleware is concatenated after the client's, and an entry
 * with the same name, step and priority and `override: true` takes the client entry's place.)
 * test/tools/deploy/once.test.ts proves it against a server that answers 500.
 */
export function withoutRetries<C>(command: C): C {
  (command as unknown as StackedCommand).middlewareStack.add((next: unknown) => next, { ...RETRY_SLOT });
  return command;
}

/** Sends a command once, without the SDK's retries (the commands the tool sends this way answer `{}`). */
export async function sendOnce(cfn: CloudFormationClient, command: OnceCommand): Promise<void> {
  await (cfn.send as (c: unknown) => Promise<unknown>)(withoutRetries(command));
}

/**
 * True when a failed call may still have been carried out: a 5xx, or no HTTP answer at all
 * (timeout, reset, refused, an answer that could not be parsed). A 4xx means the service refused it.
 */
export function isUncertain(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500;
}

/** `HTTP 500 (InternalFailure: …)`, `no answer (TimeoutError: …)`: what the call got, for messages. */
export function describeAnswer(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const detail = `${e.name && e.name !== 'Error' ? `${e.name}: ` : e.code ? `${e.code}: ` : ''}${(e.message ?? String(error)).split('\n')[0]!.slice(0, 200)}`;
  return status !== undefined ? `HTTP ${status} (${detail})` : `no answer (${detail})`;
}

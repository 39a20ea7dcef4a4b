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
export type OnceCommand =
  | ExecuteChangeSetCommand
  | DeleteStackCommand
  | ContinueUpdateRollbackCommand
  | CancelUpdateStackCommand
  | CreateStackCommand
  | UpdateStackCommand;

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

/**
 * The service's own words for a refused call: `Name: message`, or, when the SDK could not parse the
 * answer (moto answers some CloudFormation calls with another service's JSON error, e.g.
 * `{"__type": "InvalidParameterValueException", "message": "The role defined for the function
 * cannot be assumed by Lambda."}`), the raw answer's type and message.
 */
export async function awsErrorDetail(error: unknown): Promise<string> {
  const e = error as { name?: string; message?: string; $response?: { body?: AsyncIterable<Uint8Array | string> } };
  const plain = `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${(e.message ?? String(error)).split('\n')[0]}`;
  if (!/Deserialization error|XML parse error|unexpected content/i.test(e.message ?? '') || !e.$response?.body) return plain;
  try {
    let raw = '';
    for await (const chunk of e.$response.body) raw += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const json = JSON.parse(raw) as { __type?: string; message?: string; Message?: string };
    const message = json.message ?? json.Message;
    if (message) return `${json.__type ? `${json.__type}: ` : ''}${message}`;
    return raw.slice(0, 300);
  } catch {
    return plain;
  }
}

/** `HTTP 500 (InternalFailure: …)`, `no answer (TimeoutError: …)`: what the call got, for messages. */
export function describeAnswer(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const text = (e.message ?? String(error)).split('\n')[0]!;
  const detail = /XML parse error|Deserialization error/i.test(e.message ?? '')
    ? 'an answer that is not CloudFormation XML'
    : `${e.name && e.name !== 'Error' ? `${e.name}: ` : e.code ? `${e.code}: ` : ''}${text.slice(0, 200)}`;
  return status !== undefined ? `HTTP ${status} (${detail})` : `no answer (${detail})`;
}

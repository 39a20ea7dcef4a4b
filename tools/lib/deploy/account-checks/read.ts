/**
 * Reads that can fail: every SDK call of a check goes through `call(action, send)`, which names the
 * IAM action, so a failure becomes one line that says which permission or which API was missing.
 *
 * | the call fails with                                              | reason        | line says                                  |
 * |------------------------------------------------------------------|---------------|--------------------------------------------|
 * | AccessDenied(Exception), UnauthorizedOperation (EC2), AuthorizationError, an HTTP 403 that is not a known answer | `denied` | "not allowed to call <action>": grant it |
 * | UnknownOperation, InvalidAction, NotImplemented, HTTP 501, or a non-AWS body (HTML) with 404/500: an emulator without the API | `unavailable` | "the endpoint does not implement <action>" |
 * | anything else (throttling after the SDK's retries, 5xx, network)  | `failed`      | the error                                  |
 *
 * Answers that look like errors but tell the state (Security Hub's "not subscribed", ACM's or
 * Secrets Manager's "not found") are handled by the check itself before they get here.
 */

export type ReadReason = 'denied' | 'unavailable' | 'failed';

/** A check's read failed: which IAM action, why, and the SDK's words. */
export class ReadError extends Error {
  override readonly name = 'ReadError';
  constructor(
    readonly action: string,
    readonly reason: ReadReason,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${action}: ${detail}`, options);
  }
}

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedException',
  'Forbidden',
]);
const UNAVAILABLE = new Set([
  'UnknownOperationException',
  'UnknownOperation',
  'InvalidAction',
  'NotImplemented',
  'NotImplementedException',
  'UnsupportedOperation',
  'UnsupportedOperationException',
]);

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: unknown;
}

/** Why an SDK call failed, per the table above. */
export function readReason(error: unknown): ReadReason {
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (DENIED.has(name)) return 'denied';
  if (UNAVAILABLE.has(name) || status === 501) return 'unavailable';
  // The SDK could not parse the body as the service's protocol: an emulator's HTML page for a route it lacks.
  const unparsable = name === 'SyntaxError' || /Deserialization error/i.test(e.message ?? '');
  if (unparsable && (status === 404 || status === 500 || status === 405)) return 'unavailable';
  if (status === 403) return 'denied';
  return 'failed';
}

/** `AccessDeniedException: User … is not authorized …` (first line only). */
export function errorDetail(error: unknown): string {
  const e = (error ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const message = (e.message ?? String(error)).split('\n')[0]!.trim();
  if (readReason(error) === 'unavailable' && (e.name === 'SyntaxError' || /Deserialization error/i.test(e.message ?? '')))
    return `HTTP ${status ?? '?'} with a body that is not an AWS answer`;
  return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${message}${status ? ` (HTTP ${status})` : ''}`;
}

/** The error's AWS name (`ResourceNotFoundException`), for the answers a check expects. */
export function errorName(error: unknown): string {
  return ((error ?? {}) as SdkError).name ?? '';
}

/**
 * Runs one SDK call; a failure becomes a ReadError naming `action`. `expected(error)` may turn an
 * error that is an answer (not subscribed, not found) into a value instead.
 */
export async function call<T, A = never>(action: string, send: () => Promise<T>, expected?: (error: unknown) => A | undefined): Promise<T | A> {
  try {
    return await send();
  } catch (error) {
    const answer = expected?.(error);
    if (answer !== undefined) return answer;
    throw new ReadError(action, readReason(error), errorDetail(error), { cause: error });
  }
}

/**
 * The one retry-delay policy and the one sleep of every retrying caller (HTTP providers, Slack,
 * Kinesis PutRecords, DynamoDB BatchWriteItem UnprocessedItems).
 *
 * Exponential backoff with *equal jitter* (AWS Architecture Blog, "Exponential Backoff And
 * Jitter", Marc Brooker, 2015): with `c = min(maxMs, baseMs·2^attempt)` the delay is drawn from
 * [c/2, c). Not "full jitter" ([0, c)): keeping half the ceiling as a floor stops retries from
 * firing back-to-back against a throttled service, at a small cost in spread.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

export type Sleep = (ms: number) => Promise<void>;

/** A real sleep (node:timers/promises); tests inject a recording one. */
export const realSleep: Sleep = async (ms) => {
  await sleepFor(ms);
};

export interface BackoffOptions {
  /** Ceiling of the first delay (attempt 0), ms. @default 200 */
  readonly baseMs?: number;
  /** Largest ceiling, ms: no delay reaches it. @default 5000 */
  readonly maxMs?: number;
  /** Random source in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** The delay before retry `attempt` (0-based), ms: equal jitter in [c/2, c), c = min(maxMs, baseMs·2^attempt). */
export function equalJitterDelay(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 200, maxMs = 5000, random = Math.random } = options;
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Slack incoming webhooks: message formatting and a delivery that retries what Slack says is
 * transient and surfaces everything else.
 *
 * | Slack answer                                   | meaning                   | we                                   |
 * | ---------------------------------------------- | ------------------------- | ------------------------------------ |
 * | 200 `ok`                                       | delivered                 | done                                 |
 * | 429 `rate_limited` + Retry-After (seconds)     | slow down                 | wait Retry-After (capped), retry     |
 * | 5xx (`rollup_error`, gateway errors), network  | transient                 | backoff, retry                       |
 * | 400 `invalid_payload`/`no_text`                | our bug                   | throw, not retryable                 |
 * | 403 `action_prohibited`/`invalid_token`,       | webhook revoked/disabled  | throw, not retryable                 |
 * | 404 `no_service`/`channel_not_found`, 410      |                           |                                      |
 *
 * After `maxAttempts` the last transient failure is thrown too: the caller lets the invocation
 * fail so Lambda retries it and then hands it to the on-failure destination.
 */
import type { Alert } from './contracts';
import { PipelineError } from './errors';
import { equalJitterDelay, realSleep, type Sleep } from './backoff';
import { retryAfterMs, type FetchLike } from './http';

export class SlackDeliveryError extends PipelineError {
  override readonly name = 'SlackDeliveryError';
  constructor(
    message: string,
    retryable: boolean,
    readonly status?: number,
  ) {
    super(message, retryable);
  }
}

export interface SlackMessage {
  readonly text: string;
  readonly blocks?: readonly Record<string, unknown>[];
}

const RULE_EMOJI: Record<string, string> = {
  'stock-drop': ':chart_with_downwards_trend:',
  'golden-cross': ':large_green_circle:',
  'death-cross': ':red_circle:',
  heat: ':fire:',
  cold: ':snowflake:',
  wind: ':wind_blowing_face:',
  precipitation: ':cloud_with_rain:',
};

/** Slack mrkdwn needs &, < and > escaped. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function formatSlackAlert(alert: Alert): SlackMessage {
  const emoji = RULE_EMOJI[alert.rule] ?? ':warning:';
  const text = `${emoji} ${alert.message}`;
  const fields = Object.entries(alert.values).map(([name, value]) => ({ type: 'mrkdwn', text: `*${escapeMrkdwn(name)}*\n${value}` }));
  return {
    text: escapeMrkdwn(text),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `${emoji} *${escapeMrkdwn(alert.rule)}* ${escapeMrkdwn(alert.entity)}\n${escapeMrkdwn(alert.message)}` },
      },
      // Slack allows at most 10 fields per section.
      ...(fields.length > 0 ? [{ type: 'section', fields: fields.slice(0, 10) }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `tick ${escapeMrkdwn(alert.ts)} · rule ${escapeMrkdwn(alert.rule)}` }] },
    ],
  };
}

/** A message that is not an Alert (e.g. published by hand): sent as text with its subject. */
export function formatSlackText(subject: string | undefined, message: string): SlackMessage {
  return { text: escapeMrkdwn(subject ? `*${subject}*\n${message}` : message) };
}

export interface SlackPostOptions {
  /** Attempts, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** Backoff base, ms. @default 500 */
  readonly baseDelayMs?: number;
  /** Longest wait (Retry-After or backoff), ms; a longer Retry-After is cut to this. @default 10000 */
  readonly maxWaitMs?: number;
  /** Per-request timeout, ms. @default 5000 */
  readonly timeoutMs?: number;
  readonly sleep?: Sleep;
  readonly now?: () => Date;
  readonly random?: () => number;
}

export interface SlackPostResult {
  readonly attempts: number;
  readonly waitedMs: number;
}

export async function postToSlack(fetchFn: FetchLike, webhookUrl: string, message: SlackMessage, options: SlackPostOptions = {}): Promise<SlackPostResult> {
  const { maxAttempts = 4, baseDelayMs = 500, maxWaitMs = 10_000, timeoutMs = 5000, sleep = realSleep, now = () => new Date(), random = Math.random } = options;
  let waitedMs = 0;
  let lastError: SlackDeliveryError | undefined;
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    let delay: number | undefined;
    try {
      const res = await fetchFn(webhookUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await res.text()).trim();
      if (res.status === 200) return { attempts: attempt + 1, waitedMs };
      if (res.status === 429 || res.status >= 500) {
        lastError = new SlackDeliveryError(`Slack webhook answered HTTP ${res.status} ${body || ''}`.trim(), true, res.status);
        delay = res.status === 429 ? retryAfterMs(res.headers.get('retry-after'), now()) : undefined;
      } else {
        throw new SlackDeliveryError(
          `Slack webhook answered HTTP ${res.status} ${body}; not retried (check the webhook URL in Secrets Manager and the payload)`.trim(),
          false,
          res.status,
        );
      }
    } catch (err) {
      if (err instanceof SlackDeliveryError && !err.retryable) throw err;
      if (!(err instanceof SlackDeliveryError)) lastError = new SlackDeliveryError(`Slack webhook request failed: ${(err as Error).message}`, true);
    }
    if (attempt < maxAttempts - 1) {
      const wait = Math.min(maxWaitMs, delay ?? equalJitterDelay(attempt, { baseMs: baseDelayMs, maxMs: maxWaitMs, random }));
      waitedMs += wait;
      await sleep(wait);
    }
  }
  throw new SlackDeliveryError(
    `${lastError?.message ?? 'Slack webhook failed'} after ${maxAttempts} attempts; the invocation fails so Lambda retries it and then sends it to the on-failure destination`,
    true,
    lastError?.status,
  );
}

/**
 * Notifier: SNS (MarketAlerts, WeatherAlerts) → Slack incoming webhook. Email subscribers of the
 * same topics get SNS's `email` body directly (lib/sns.ts publishes one per protocol), so this
 * function only does Slack. The webhook URL lives in Secrets Manager (SLACK_WEBHOOK_SECRET_ARN:
 * the URL as a plain string, or JSON `{"webhookUrl": "…"}`), cached with a TTL.
 *
 * SNS invokes Lambda asynchronously: a thrown error makes Lambda retry (twice) and then send the
 * event to the function's on-failure destination, so a Slack failure is never silently dropped.
 *
 * No webhook stored yet is not a failure: security.yaml creates the secret without a value (a
 * webhook is a credential), so until someone stores one the notifier skips Slack, logs a warning
 * and counts `SlackNotConfigured` — alerts still reach email subscribers through SNS, and retries
 * that could never succeed do not fill the DLQ.
 *
 * | secret                                            | notifier                              |
 * | ------------------------------------------------- | ------------------------------------- |
 * | no value yet (ResourceNotFoundException), or ''   | skip Slack, warn, `SlackNotConfigured` |
 * | `{"webhookUrl": ""}` (what older stacks stored)   | skip Slack, warn, `SlackNotConfigured` |
 * | a URL, or JSON with `webhookUrl`                  | post; failures throw (retry, then DLQ) |
 * | JSON without any webhook field, not JSON          | throw: the stored value is wrong      |
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SNSEvent } from 'aws-lambda';
import { requireEnv } from '../lib/env';
import { globalFetch, type FetchLike } from '../lib/http';
import { snsRecords } from '../lib/events';
import { observability, type Observability } from '../lib/observability';
import { ConfigurationError } from '../lib/errors';
import { SecretCache, secretField } from '../lib/secrets';
import { formatSlackAlert, formatSlackText, postToSlack, SlackDeliveryError, type SlackPostOptions } from '../lib/slack';
import { parseAlertMessage } from '../lib/sns';

export interface NotifierConfig {
  readonly slackWebhookSecretArn: string;
}

export function notifierConfigFromEnv(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  return { slackWebhookSecretArn: requireEnv('SLACK_WEBHOOK_SECRET_ARN', env) };
}

export interface NotifierDeps {
  readonly config: NotifierConfig;
  /** SecretCache over a Secrets Manager client (or a stub). */
  readonly secrets: Pick<SecretCache, 'get' | 'invalidate'>;
  /** @default globalFetch */
  readonly fetch?: FetchLike;
  /** Retry settings (sleep, clock) for the webhook. */
  readonly slack?: SlackPostOptions;
  /** @default observability('notifier') */
  readonly obs?: Observability;
}

export interface NotifierResult {
  readonly delivered: number;
  /** Messages not posted because no webhook is stored (absent when one is). */
  readonly skipped?: number;
}

const WEBHOOK_FIELDS = ['webhookUrl', 'url', 'webhook'] as const;

/**
 * The stored webhook URL, or undefined while none is stored (decision table above). Other
 * problems (a wrong field, malformed JSON, access denied) throw.
 */
export async function storedWebhook(secrets: Pick<SecretCache, 'get'>, secretArn: string): Promise<string | undefined> {
  let value: string;
  try {
    value = await secrets.get(secretArn);
  } catch (err) {
    // An empty secret has no AWSCURRENT version; SecretCache refuses an empty SecretString.
    if ((err as { name?: string }).name === 'ResourceNotFoundException' || err instanceof ConfigurationError) return undefined;
    throw err;
  }
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as Record<string, unknown>;
    const present = WEBHOOK_FIELDS.filter((f) => f in parsed);
    if (present.length > 0 && present.every((f) => typeof parsed[f] === 'string' && (parsed[f] as string).trim() === '')) return undefined;
  }
  return secretField(value, WEBHOOK_FIELDS, secretArn);
}

export type NotifierHandler = (event: SNSEvent, context?: Context) => Promise<NotifierResult>;

export function createHandler(deps: NotifierDeps): NotifierHandler {
  const { config } = deps;
  const fetchFn = deps.fetch ?? globalFetch;
  const { logger, metrics } = deps.obs ?? observability('notifier');

  return async (event) => {
    let delivered = 0;
    const failures: string[] = [];
    try {
      const records = snsRecords(event, 'notifier');
      let webhookUrl: string | undefined;
      try {
        webhookUrl = await storedWebhook(deps.secrets, config.slackWebhookSecretArn);
      } catch (err) {
        // A stored value we cannot use: every message fails (retried, then the DLQ), as before.
        const reason = (err as Error).message;
        logger.error('the Slack webhook secret holds no usable value; the invocation will fail so Lambda retries it', { error: reason });
        metrics.addMetric('SlackFailures', MetricUnit.Count, records.length);
        failures.push(...records.map((r) => `${r.Sns.MessageId}: ${reason}`));
      }
      if (webhookUrl === undefined && failures.length === 0) {
        metrics.addMetric('SlackNotConfigured', MetricUnit.Count, records.length);
        logger.warn(
          'no Slack webhook stored yet: alerts go by email only; store {"webhookUrl": "https://hooks.slack.com/services/..."} with put-secret-value',
          { secretArn: config.slackWebhookSecretArn, messages: records.length },
        );
        return { delivered, skipped: records.length };
      }
      for (const record of webhookUrl === undefined ? [] : records) {
        const { Message, Subject, MessageId } = record.Sns;
        const alert = parseAlertMessage(Message);
        const message = alert ? formatSlackAlert(alert) : formatSlackText(Subject ?? undefined, Message);
        try {
          const result = await postToSlack(fetchFn, webhookUrl!, message, deps.slack);
          delivered += 1;
          metrics.addMetric('SlackDelivered', MetricUnit.Count, 1);
          if (result.attempts > 1) metrics.addMetric('SlackRetries', MetricUnit.Count, result.attempts - 1);
          logger.info('alert posted to Slack', { messageId: MessageId, rule: alert?.rule, entity: alert?.entity, attempts: result.attempts });
        } catch (err) {
          // A revoked webhook (403/404/410) may have been replaced: re-read the secret next time.
          if (err instanceof SlackDeliveryError && !err.retryable) deps.secrets.invalidate(config.slackWebhookSecretArn);
          metrics.addMetric('SlackFailures', MetricUnit.Count, 1);
          logger.error('Slack delivery failed; the invocation will fail so Lambda retries it', { messageId: MessageId, error: (err as Error).message });
          failures.push(`${MessageId}: ${(err as Error).message}`);
        }
      }
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
    if (failures.length > 0) {
      throw new SlackDeliveryError(
        `notifier: ${failures.length} of ${event.Records.length} SNS messages were not delivered to Slack (${failures.join('; ')})`,
        true,
      );
    }
    return { delivered };
  };
}

let cached: NotifierHandler | undefined;

/** Lambda entry point: config and clients from the environment, created on first use. */
export const handler: NotifierHandler = (event, context) => {
  if (!cached) {
    const obs = observability('notifier');
    cached = createHandler({ config: notifierConfigFromEnv(), secrets: new SecretCache(obs.tracer.captureAWSv3Client(new SecretsManagerClient({}))), obs });
  }
  return cached(event, context);
};

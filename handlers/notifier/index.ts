/**
 * Notifier: SNS (MarketAlerts, WeatherAlerts) → Slack incoming webhook. Email subscribers of the
 * same topics get SNS's `email` body directly (lib/sns.ts publishes one per protocol), so this
 * function only does Slack. The webhook URL lives in Secrets Manager (SLACK_WEBHOOK_SECRET_ARN:
 * the URL as a plain string, or JSON `{"webhookUrl": "…"}`), cached with a TTL.
 *
 * SNS invokes Lambda asynchronously: a thrown error makes Lambda retry (twice) and then send the
 * event to the function's on-failure destination, so a Slack failure is never silently dropped.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SNSEvent } from 'aws-lambda';
import { requireEnv } from '../lib/env';
import { globalFetch, type FetchLike } from '../lib/http';
import { snsRecords } from '../lib/events';
import { observability, type Observability } from '../lib/observability';
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
      for (const record of snsRecords(event, 'notifier')) {
        const { Message, Subject, MessageId } = record.Sns;
        const alert = parseAlertMessage(Message);
        const message = alert ? formatSlackAlert(alert) : formatSlackText(Subject ?? undefined, Message);
        try {
          const webhookUrl = secretField(await deps.secrets.get(config.slackWebhookSecretArn), ['webhookUrl', 'url', 'webhook'], config.slackWebhookSecretArn);
          const result = await postToSlack(fetchFn, webhookUrl, message, deps.slack);
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
      throw new SlackDeliveryError(`notifier: ${failures.length} of ${event.Records.length} SNS messages were not delivered to Slack (${failures.join('; ')})`, true);
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

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Alert } from '../../handlers/lib/contracts';
import { SecretCache } from '../../handlers/lib/secrets';
import { alertPublishInput, formatAlertText } from '../../handlers/lib/sns';
import { formatSlackAlert, SlackDeliveryError } from '../../handlers/lib/slack';
import { createHandler, notifierConfigFromEnv } from '../../handlers/notifier';
import { fakeFetch, type Answer } from '../fixtures/providers';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-webhook-XyZ';
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/XXXX';
const NOW = new Date('2026-11-20T15:00:00.000Z');
const ALERT: Alert = {
  rule: 'stock-drop',
  entity: 'STOCK#NVDA',
  ts: '2026-11-20T14:30:00.000Z',
  values: { price: 162, prevClose: 180, changePct: -10, thresholdPercent: 10 },
  message: 'NVDA fell 10.00% to 162 from the previous close 180 (threshold 10%) at 2026-11-20T14:30:00.000Z',
};

/** The SNS → Lambda event for a publish made with alertPublishInput (the `lambda` body). */
function snsEvent(alert: Alert | string, messageId = 'b6d9a6a3-0000-4000-8000-000000000001'): SNSEvent {
  const topic = 'arn:aws:sns:us-east-1:123456789012:MarketAlerts';
  const input = typeof alert === 'string' ? undefined : alertPublishInput(topic, alert);
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topic}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: topic,
          Subject: input?.Subject ?? 'manual',
          Message: input ? (JSON.parse(input.Message!) as { lambda: string }).lambda : (alert as string),
          Timestamp: NOW.toISOString(),
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
          UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topic}:2bcf`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

const smMock = mockClient(SecretsManagerClient);
beforeEach(() => {
  smMock.reset();
  smMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ webhookUrl: WEBHOOK }) });
});

function setup(answers: (n: number) => Answer) {
  let n = 0;
  const http = fakeFetch(() => answers(n++));
  const sleeps: number[] = [];
  const handler = createHandler({
    config: { slackWebhookSecretArn: SECRET_ARN },
    secrets: new SecretCache(new SecretsManagerClient({ region: 'us-east-1' })),
    fetch: http.fetch,
    slack: { sleep: async (ms) => void sleeps.push(ms), now: () => NOW, random: () => 0.5 },
  });
  return { handler, http, sleeps };
}

describe('notifier', () => {
  test('posts the alert to the webhook from Secrets Manager, with its values', async () => {
    const { handler, http } = setup(() => ({ status: 200, body: 'ok' }));
    await expect(handler(snsEvent(ALERT))).resolves.toEqual({ delivered: 1 });
    expect(http.calls).toHaveLength(1);
    expect(http.calls[0]!.url).toBe(WEBHOOK);
    expect(http.calls[0]!.init!.method).toBe('POST');
    const body = JSON.parse(http.calls[0]!.init!.body!);
    expect(body.text).toContain('NVDA fell 10.00% to 162 from the previous close 180');
    expect(JSON.stringify(body.blocks)).toContain('*prevClose*\\n180');
    expect(smMock.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN });
  });

  test.each([
    ['429 with Retry-After: 3', [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '3' } }], [3000]],
    ['500 rollup_error', [{ status: 500, body: 'rollup_error' }], [375]],
    [
      '503 then 429 (Retry-After 1)',
      [
        { status: 503, body: '' },
        { status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } },
      ],
      [375, 1000],
    ],
    ['Retry-After beyond the cap is cut to 10 s', [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '120' } }], [10000]],
  ])('retries %s then delivers', async (_label, failures, expectedSleeps) => {
    const { handler, http, sleeps } = setup((n) => (failures[n] as Answer | undefined) ?? { status: 200, body: 'ok' });
    await expect(handler(snsEvent(ALERT))).resolves.toEqual({ delivered: 1 });
    expect(http.calls).toHaveLength(failures.length + 1);
    expect(sleeps).toEqual(expectedSleeps);
  });

  test('a network error is retried', async () => {
    let n = 0;
    const http = fakeFetch(() => {
      if (n++ === 0) throw new TypeError('fetch failed');
      return { status: 200, body: 'ok' };
    });
    const handler = createHandler({
      config: { slackWebhookSecretArn: SECRET_ARN },
      secrets: new SecretCache(new SecretsManagerClient({ region: 'us-east-1' })),
      fetch: http.fetch,
      slack: { sleep: async () => {}, random: () => 0.5 },
    });
    await expect(handler(snsEvent(ALERT))).resolves.toEqual({ delivered: 1 });
  });

  test('persistent 5xx: after the bounded attempts the invocation throws (Lambda retries, then the on-failure destination)', async () => {
    const { handler, http, sleeps } = setup(() => ({ status: 502, body: 'Bad Gateway' }));
    const err = await handler(snsEvent(ALERT)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackDeliveryError);
    expect((err as Error).message).toMatch(/1 of 1 SNS messages were not delivered.*HTTP 502 Bad Gateway after 4 attempts/);
    expect(http.calls).toHaveLength(4);
    expect(sleeps).toEqual([375, 750, 1500]);
  });

  test.each([
    [403, 'action_prohibited'],
    [404, 'no_service'],
    [410, 'channel_is_archived'],
    [400, 'invalid_payload'],
  ])('HTTP %i %s is not retried, throws, and the webhook secret is re-read next time', async (status, body) => {
    const { handler, http, sleeps } = setup(() => ({ status, body }));
    await expect(handler(snsEvent(ALERT))).rejects.toThrow(new RegExp(`HTTP ${status} ${body}; not retried`));
    expect(http.calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
    await expect(handler(snsEvent(ALERT))).rejects.toThrow(SlackDeliveryError);
    expect(smMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  test('a message that is not an Alert is posted as text with its subject; a plain-string secret works', async () => {
    smMock.reset();
    smMock.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    const { handler, http } = setup(() => ({ status: 200, body: 'ok' }));
    await handler(snsEvent('Budget <80%> reached & climbing'));
    expect(JSON.parse(http.calls[0]!.init!.body!)).toEqual({ text: '*manual*\nBudget &lt;80%&gt; reached &amp; climbing' });
  });

  test('Secrets Manager failure fails the invocation', async () => {
    smMock.reset();
    smMock.on(GetSecretValueCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const { handler } = setup(() => ({ status: 200, body: 'ok' }));
    await expect(handler(snsEvent(ALERT))).rejects.toThrow(/not delivered to Slack.*not authorized/);
  });

  test('email body (SNS `email` protocol) and Slack blocks both carry every value', () => {
    const email = formatAlertText(ALERT);
    for (const [k, v] of Object.entries(ALERT.values)) expect(email).toContain(`${k} = ${v}`);
    const slack = formatSlackAlert({ ...ALERT, values: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`v${i}`, i])) });
    expect((slack.blocks![1] as { fields: unknown[] }).fields).toHaveLength(10);
  });

  test('config: SLACK_WEBHOOK_SECRET_ARN is required', () => {
    expect(notifierConfigFromEnv({ SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN })).toEqual({ slackWebhookSecretArn: SECRET_ARN });
    expect(() => notifierConfigFromEnv({})).toThrow(/SLACK_WEBHOOK_SECRET_ARN/);
  });
});

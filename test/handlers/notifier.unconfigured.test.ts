/**
 * The notifier before anyone has stored a Slack webhook: security.yaml creates the secret without
 * a value, so the first alerts after a deploy must skip Slack cleanly (no throw: a throw means
 * two Lambda retries and then the DLQ, for every alert, with nothing anyone can fix by waiting).
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretCache } from '../../handlers/lib/secrets';
import { createHandler, storedWebhook } from '../../handlers/notifier';
import { fakeFetch } from '../fixtures/providers';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stockwx-dev/slack-webhook-AbCdEf';
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/XXXX';

function snsEvent(count: number): SNSEvent {
  const topic = 'arn:aws:sns:us-east-1:123456789012:stockwx-dev-market-alerts';
  return {
    Records: Array.from({ length: count }, (_, i) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: `${topic}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
      Sns: {
        Type: 'Notification',
        MessageId: `b6d9a6a3-0000-4000-8000-00000000000${i}`,
        TopicArn: topic,
        Subject: 'manual',
        Message: `alert ${i}`,
        Timestamp: '2026-11-20T15:00:00.000Z',
        SignatureVersion: '1',
        Signature: 'EXAMPLE',
        SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
        UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topic}:2bcf`,
        MessageAttributes: {},
      },
    })),
  };
}

const smMock = mockClient(SecretsManagerClient);
beforeEach(() => smMock.reset());

function handlerWith() {
  const http = fakeFetch(() => ({ status: 200, body: 'ok' }));
  const handler = createHandler({
    config: { slackWebhookSecretArn: SECRET_ARN },
    secrets: new SecretCache(new SecretsManagerClient({ region: 'us-east-1' })),
    fetch: http.fetch,
  });
  return { handler, http };
}

/** What Secrets Manager answers for a secret created without a value (no AWSCURRENT version). */
const noValueYet = new ResourceNotFoundException({
  message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
  $metadata: {},
});

describe('notifier without a stored webhook', () => {
  test.each<[string, () => void]>([
    ['the secret has no value yet (created empty by security.yaml)', () => smMock.on(GetSecretValueCommand).rejects(noValueYet)],
    ['the secret holds {"webhookUrl":""} (what older stacks created)', () => smMock.on(GetSecretValueCommand).resolves({ SecretString: '{"webhookUrl":""}' })],
    ['the secret holds an empty string', () => smMock.on(GetSecretValueCommand).resolves({ SecretString: '   ' })],
  ])('%s: every message is skipped, nothing is posted, the invocation succeeds', async (_name, arrange) => {
    arrange();
    const { handler, http } = handlerWith();
    await expect(handler(snsEvent(3))).resolves.toEqual({ delivered: 0, skipped: 3 });
    expect(http.calls).toHaveLength(0);
  });

  test('a stored value without any webhook field is a mistake, not "not configured": the invocation fails (retry, then DLQ)', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: '{"hook":"https://hooks.slack.com/services/T/B/X"}' });
    const { handler, http } = handlerWith();
    await expect(handler(snsEvent(2))).rejects.toThrow(/2 of 2 SNS messages were not delivered to Slack .*without any of webhookUrl, url, webhook/);
    expect(http.calls).toHaveLength(0);
  });

  test('access denied is not "not configured" either', async () => {
    smMock
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
    await expect(storedWebhook(new SecretCache(new SecretsManagerClient({ region: 'us-east-1' })), SECRET_ARN)).rejects.toThrow(/not authorized/);
  });

  test('once a webhook is stored the same handler posts again', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ webhookUrl: WEBHOOK }) });
    const { handler, http } = handlerWith();
    await expect(handler(snsEvent(1))).resolves.toEqual({ delivered: 1 });
    expect(http.calls.map((c) => c.url)).toEqual([WEBHOOK]);
  });
});

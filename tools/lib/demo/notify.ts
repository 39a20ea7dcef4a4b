/**
 * Phase 3b, after the consumers: the notifier, fed the alerts the rules engine published (the
 * fake SNS client captured them), with its Slack webhook answered locally.
 */
import type { SNSEvent } from 'aws-lambda';
import { createHandler as createNotifier } from '../../../handlers/notifier/index';
import type { DemoContext } from './context';
import { quietObservability } from './start-services';

/** The real notifier with the demo's stored webhook; what it posts to Slack goes to `slackPosts`. */
export function createDemoNotifier(ctx: DemoContext, slackPosts: string[]): ReturnType<typeof createNotifier> {
  return createNotifier({
    config: { slackWebhookSecretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:demo-slack' },
    secrets: { get: async () => JSON.stringify({ webhookUrl: 'https://hooks.slack.invalid/services/demo' }), invalidate: () => undefined },
    fetch: async (_url, init) => {
      const body = JSON.parse(String(init?.body ?? '{}')) as { text?: string };
      slackPosts.push(body.text ?? JSON.stringify(body));
      return new Response('ok', { status: 200 });
    },
    obs: quietObservability('notifier', ctx.options.debug ?? false),
  });
}

/** Runs the notifier on every published message; returns what it would have posted to Slack. */
export async function deliverNotifications(ctx: DemoContext): Promise<string[]> {
  const { published, timeline } = ctx.state;
  const slackPosts: string[] = [];
  if (published.length === 0) return slackPosts;
  const notifier = createDemoNotifier(ctx, slackPosts);
  const event: SNSEvent = {
    Records: published.map((p) => {
      const message = JSON.parse(p.message) as { lambda?: string; default: string };
      return {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${p.topicArn}:demo`,
        Sns: {
          Type: 'Notification',
          MessageId: p.messageId,
          TopicArn: p.topicArn,
          Subject: p.subject,
          // SNS delivers the `lambda` body of a MessageStructure=json publish to a function.
          Message: message.lambda ?? message.default,
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      };
    }),
  };
  const t0 = Date.now();
  timeline.count('lambda.invocations.notifier');
  try {
    await notifier(event);
  } catch (error) {
    timeline.count('lambda.errors.notifier');
    timeline.count('sns.failed');
    throw error;
  } finally {
    timeline.sample('lambda.duration.notifier', Date.now() - t0);
  }
  return slackPosts;
}

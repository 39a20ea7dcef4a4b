/**
 * Publishing alerts to SNS. One publish serves both kinds of subscriber (MessageStructure
 * `json`, a different body per protocol):
 * - `email` subscribers get readable text (the alert message, its values, the rule);
 * - `lambda` (the notifier) and every other protocol (`default`) get the Alert as JSON.
 * Message attributes `rule` and `entity` allow subscription filter policies.
 */
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from './contracts';

/** Readable text of an alert, as email subscribers receive it. */
export function formatAlertText(alert: Alert): string {
  const lines = [alert.message, '', `Rule:   ${alert.rule}`, `Entity: ${alert.entity}`, `Tick:   ${alert.ts}`, '', 'Values:'];
  for (const [name, value] of Object.entries(alert.values)) lines.push(`  ${name} = ${value}`);
  return lines.join('\n');
}

/** SNS subjects must be ASCII, at most 100 characters, no line breaks. */
export function alertSubject(alert: Alert): string {
  const subject = `[${alert.rule}] ${alert.entity} ${alert.ts}`.replace(/[^\x20-\x7e]/g, '?');
  return subject.length > 100 ? `${subject.slice(0, 97)}...` : subject;
}

export function alertPublishInput(topicArn: string, alert: Alert): PublishCommandInput {
  const json = JSON.stringify(alert);
  return {
    TopicArn: topicArn,
    Subject: alertSubject(alert),
    MessageStructure: 'json',
    Message: JSON.stringify({ default: json, lambda: json, email: formatAlertText(alert) }),
    MessageAttributes: {
      rule: { DataType: 'String', StringValue: alert.rule },
      entity: { DataType: 'String', StringValue: alert.entity },
    },
  };
}

/** Publishes an alert; returns the SNS MessageId. SDK errors propagate (the record is retried). */
export async function publishAlert(sns: SNSClient, topicArn: string, alert: Alert): Promise<string | undefined> {
  const out = await sns.send(new PublishCommand(alertPublishInput(topicArn, alert)));
  return out.MessageId;
}

/** Parses the JSON body the notifier receives back into an Alert, or undefined when it is not one. */
export function parseAlertMessage(message: string): Alert | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.rule !== 'string' || typeof v.entity !== 'string' || typeof v.ts !== 'string' || typeof v.message !== 'string') return undefined;
  const values: Record<string, number> = {};
  if (typeof v.values === 'object' && v.values !== null) {
    for (const [k, n] of Object.entries(v.values as Record<string, unknown>)) if (typeof n === 'number') values[k] = n;
  }
  return { rule: v.rule as Alert['rule'], entity: v.entity, ts: v.ts, message: v.message, values };
}

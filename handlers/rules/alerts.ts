/**
 * "One alert per entity, rule and day" in LatestTable, item pk `ALERT#<entity>#<rule>#<YYYY-MM-DD>`.
 *
 * Two phases so a failed publish is retried instead of being swallowed by the dedupe marker:
 *
 * | marker before     | claim                        | then                               |
 * | ----------------- | ---------------------------- | ---------------------------------- |
 * | absent            | put `status=pending` (wins)  | publish, set `status=sent`         |
 * | `pending`         | put again (wins)             | publish again (earlier try failed) |
 * | `sent`            | ConditionalCheckFailed       | skip: already alerted today        |
 *
 * A crash between a successful publish and `status=sent` can send the alert twice (at least
 * once, never zero times). The marker expires (`expiresAt`, epoch seconds, the table's TTL
 * attribute) a few days after its day.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../lib/contracts';
import { alertDay, alertKey } from './decide';

/** How long an alert marker lives after its day, in days. */
export const ALERT_MARKER_TTL_DAYS = 3;

export interface AlertStore {
  /** True when this caller should publish (marker absent or still pending). */
  claim(alert: Alert, now: Date): Promise<boolean>;
  markSent(alert: Alert, messageId: string | undefined, now: Date): Promise<void>;
}

export function dynamoAlertStore(doc: DynamoDBDocumentClient, tableName: string): AlertStore {
  return {
    async claim(alert, now) {
      const dayEnd = Date.parse(`${alertDay(alert)}T00:00:00Z`) / 1000 + 86_400;
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: alertKey(alert),
              type: 'alert',
              status: 'pending',
              rule: alert.rule,
              entity: alert.entity,
              ts: alert.ts,
              message: alert.message,
              values: alert.values,
              claimedAt: now.toISOString(),
              expiresAt: Math.floor((Number.isFinite(dayEnd) ? dayEnd : now.getTime() / 1000) + ALERT_MARKER_TTL_DAYS * 86_400),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR #status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': 'pending' },
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },
    async markSent(alert, messageId, now) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: alertKey(alert) },
          UpdateExpression: 'SET #status = :sent, sentAt = :now, messageId = :id',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sent': 'sent', ':now': now.toISOString(), ':id': messageId ?? 'unknown' },
        }),
      );
    },
  };
}

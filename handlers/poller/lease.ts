/**
 * The poller's lease (RELIABILITY case 9: Scheduler delivers at least once and retries, so two
 * runs can overlap). One LatestTable item, pk `LEASE#poller`:
 *
 * | attribute        | meaning                                                             |
 * | ---------------- | ------------------------------------------------------------------- |
 * | owner            | the run holding it (Lambda request id)                              |
 * | acquiredAt       | ISO time it was taken                                               |
 * | expiresAt        | epoch seconds; the lease is free after it (and the table's TTL      |
 * |                  | attribute, so an abandoned lease also disappears)                   |
 * | lastCompletedAt  | the cursor: ISO time the last run finished, with `lastSummary`      |
 *
 * Acquire: UpdateItem with `attribute_not_exists(pk) OR expiresAt <= :now OR owner = :me`.
 * TTL deletion is lazy, so the condition checks `expiresAt` itself, never mere existence.
 * Release: `expiresAt = now` (free at once), conditional on still being the owner.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const POLLER_LEASE_KEY = 'LEASE#poller';

export interface Lease {
  acquire(owner: string, now: Date, leaseSeconds: number): Promise<boolean>;
  release(owner: string, now: Date, summary: Record<string, unknown>): Promise<void>;
}

const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException';

export function dynamoLease(doc: DynamoDBDocumentClient, tableName: string, key = POLLER_LEASE_KEY): Lease {
  return {
    async acquire(owner, now, leaseSeconds) {
      const nowSeconds = Math.floor(now.getTime() / 1000);
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: key },
            UpdateExpression: 'SET #owner = :me, acquiredAt = :nowIso, expiresAt = :until',
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now OR #owner = :me',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':me': owner, ':nowIso': now.toISOString(), ':until': nowSeconds + leaseSeconds, ':now': nowSeconds },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },
    async release(owner, now, summary) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: key },
            UpdateExpression: 'SET expiresAt = :now, lastCompletedAt = :nowIso, lastSummary = :summary',
            ConditionExpression: '#owner = :me',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':me': owner, ':now': Math.floor(now.getTime() / 1000), ':nowIso': now.toISOString(), ':summary': summary },
          }),
        );
      } catch (err) {
        // Another run took over after our lease expired: nothing of ours to release.
        if (!isConditionFailure(err)) throw err;
      }
    },
  };
}

/** Reads the lease item (tests, the demo's status line). */
export async function readLease(doc: DynamoDBDocumentClient, tableName: string, key = POLLER_LEASE_KEY): Promise<Record<string, unknown> | undefined> {
  const out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: key }, ConsistentRead: true }));
  return out.Item;
}

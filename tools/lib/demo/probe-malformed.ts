/**
 * With --faults, after the notifier: the malformed Lambda events of faults.ts (MALFORMED_EVENTS)
 * handed to the real enricher, aggregator, rules engine and notifier, each between two pictures of
 * the stores, so the proof can say that each was refused with MalformedEventError and changed
 * nothing (issue 15 point 3).
 *
 * The picture: item counts of both tables, object counts of both buckets, the write calls the
 * handlers' own clients made (timeline counters: every write of theirs goes through them), SNS
 * publishes and Slack posts. The consumers are done by then, so nothing else moves the figures.
 */
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DemoContext } from './context';
import { listKeys } from './emulators';
import { probeMalformedEvents, type MalformedEventOutcome, type StoreSnapshot } from './faults';
import { createDemoNotifier } from './notify';
import type { Services } from './start-services';

async function countItems(client: DynamoDBClient, tableName: string): Promise<number> {
  let n = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }));
    n += page.Count ?? 0;
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return n;
}

export async function probeMalformed(ctx: DemoContext, services: Services): Promise<MalformedEventOutcome[]> {
  const { facts, state } = ctx;
  const slackPosts: string[] = [];
  const notifier = createDemoNotifier(ctx, slackPosts);
  const snapshot = async (): Promise<StoreSnapshot> => {
    const [metrics, latest, raw, processed] = await Promise.all([
      countItems(services.readDynamo, facts.metricsTable.tableName),
      countItems(services.readDynamo, facts.latestTable.tableName),
      listKeys(services.readS3, facts.rawBucket, ''),
      listKeys(services.readS3, facts.processedBucket, ''),
    ]);
    return {
      [`${facts.metricsTable.tableName} items`]: metrics,
      [`${facts.latestTable.tableName} items`]: latest,
      [`s3://${facts.rawBucket} objects`]: raw.length,
      [`s3://${facts.processedBucket} objects`]: processed.length,
      'DynamoDB writes by the handlers': state.timeline.total('dynamodb.writes.'),
      'S3 PUTs by the handlers': state.timeline.total('s3.puts.'),
      'SNS publishes': state.published.length,
      'Slack posts': slackPosts.length,
    };
  };
  const { enricher, aggregator, rules } = services.handlers;
  return probeMalformedEvents({ enricher, aggregator, rules, notifier }, snapshot);
}

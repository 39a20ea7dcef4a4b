/**
 * npm run replay-dlq -- --queue <url> [--stream <name>] [--dry-run] [--max N] [--force]
 *   [--marker-table <name> | --marker-file <path>] [--region <r>] [--profile <p>] [--endpoint-url <url>] [--debug]
 *
 * Moves the records behind Lambda on-failure messages (Kinesis event sources) back into their
 * stream, idempotently, and prints why for every message it cannot replay. Logic: tools/lib/replay-dlq.ts.
 * Markers default to `.cache/replay-dlq-markers.json`; pass --marker-table (e.g. the LatestTable)
 * to share them between operators.
 *
 * The region is the queue URL's (sqs.<region>.amazonaws.com); --region may repeat it but not
 * contradict it. A URL that is not an SQS queue URL is refused before any network call. A local
 * queue (any other host, e.g. http://localhost:4566/000000000000/dlq) needs --endpoint-url and --region.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fromIni } from '@aws-sdk/credential-providers';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { runCli, type CliArgs } from './lib/cli';
import { ToolError } from './lib/errors';
import { dynamoMarkerStore, fileMarkerStore, REPLAY_CLI, replayDlq, resolveReplayOptions, type ReplayReport } from './lib/replay-dlq';

async function main(args: CliArgs<typeof REPLAY_CLI.options>): Promise<number> {
  const o = resolveReplayOptions(args);
  const config = {
    region: o.region,
    ...(o.profile ? { credentials: fromIni({ profile: o.profile }) } : {}),
    // Local emulators (kinesalite) fail under the SDK's default HTTP/2 handler (DESIGN §11).
    ...(o.endpointUrl ? { endpoint: o.endpointUrl, requestHandler: new NodeHttpHandler() } : {}),
  };
  const sqs = new SQSClient(config);
  const kinesis = new KinesisClient(config);
  const markers = o.markerTable ? dynamoMarkerStore(DynamoDBDocumentClient.from(new DynamoDBClient(config)), o.markerTable) : fileMarkerStore(o.markerFile);
  let report: ReplayReport;
  try {
    report = await replayDlq({
      sqs,
      kinesis,
      queueUrl: o.queueUrl,
      ...(o.stream ? { streamName: o.stream } : {}),
      dryRun: o.dryRun,
      ...(o.max ? { max: o.max } : {}),
      force: o.force,
      markers,
      log: (line) => console.log(line),
    });
  } catch (err) {
    throw new ToolError(`replay-dlq: replaying ${o.queueUrl} failed: ${(err as Error).name}: ${(err as Error).message}`, 1, { cause: err });
  }
  const count = (s: string) => report.outcomes.filter((x) => x.status === s).length;
  console.log(
    `${o.dryRun ? '[dry run] ' : ''}${report.received} messages: ${count('replayed')} replayed, ${count('would-replay')} would replay, ${count('already-replayed')} already replayed, ${count('skipped')} skipped; ${report.deleted} deleted`,
  );
  return count('skipped') > 0 ? 1 : 0;
}

runCli(REPLAY_CLI, main);

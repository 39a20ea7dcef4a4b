/**
 * npm run replay-dlq -- --queue <url> [--stream <name>] [--dry-run] [--max N] [--force]
 *                       [--marker-table <name> | --marker-file <path>] [--region <r>] [--profile <p>] [--debug]
 *
 * Moves the records behind Lambda on-failure messages (Kinesis event sources) back into their
 * stream, idempotently, and prints why for every message it cannot replay. Logic: tools/lib/replay-dlq.ts.
 * Markers default to `.cache/replay-dlq-markers.json`; pass --marker-table (e.g. the LatestTable)
 * to share them between operators.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fromIni } from '@aws-sdk/credential-providers';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoMarkerStore, fileMarkerStore, replayDlq } from './lib/replay-dlq';

interface Args {
  queue?: string;
  stream?: string;
  dryRun: boolean;
  max?: number;
  force: boolean;
  markerTable?: string;
  markerFile: string;
  region?: string;
  profile?: string;
  debug: boolean;
}

const USAGE = 'usage: npm run replay-dlq -- --queue <url> [--stream <name>] [--dry-run] [--max N] [--force] [--marker-table <name> | --marker-file <path>] [--region <r>] [--profile <p>] [--debug]';

export function parseArgs(argv: readonly string[]): Args {
  const args: Args = { dryRun: false, force: false, markerFile: '.cache/replay-dlq-markers.json', debug: false };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value; ${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--queue': args.queue = value(); break;
      case '--stream': args.stream = value(); break;
      case '--dry-run': args.dryRun = true; break;
      case '--force': args.force = true; break;
      case '--debug': args.debug = true; break;
      case '--marker-table': args.markerTable = value(); break;
      case '--marker-file': args.markerFile = value(); break;
      case '--region': args.region = value(); break;
      case '--profile': args.profile = value(); break;
      case '--max': {
        const raw = value();
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--max must be a positive integer (got ${raw})`);
        args.max = n;
        break;
      }
      default:
        throw new Error(`unknown option ${flag}; ${USAGE}`);
    }
  }
  if (!args.queue) throw new Error(`--queue is required; ${USAGE}`);
  return args;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const config = { ...(args.region ? { region: args.region } : {}), ...(args.profile ? { credentials: fromIni({ profile: args.profile }) } : {}) };
  const sqs = new SQSClient(config);
  const kinesis = new KinesisClient(config);
  const markers = args.markerTable ? dynamoMarkerStore(DynamoDBDocumentClient.from(new DynamoDBClient(config)), args.markerTable) : fileMarkerStore(args.markerFile);
  try {
    const report = await replayDlq({ sqs, kinesis, queueUrl: args.queue!, ...(args.stream ? { streamName: args.stream } : {}), dryRun: args.dryRun, ...(args.max ? { max: args.max } : {}), force: args.force, markers, log: (line) => console.log(line) });
    const count = (s: string) => report.outcomes.filter((o) => o.status === s).length;
    console.log(
      `${args.dryRun ? '[dry run] ' : ''}${report.received} messages: ${count('replayed')} replayed, ${count('would-replay')} would replay, ${count('already-replayed')} already replayed, ${count('skipped')} skipped; ${report.deleted} deleted`,
    );
    return count('skipped') > 0 ? 1 : 0;
  } catch (err) {
    console.error(`replay-dlq: replaying ${args.queue} failed: ${(err as Error).name}: ${(err as Error).message}`);
    if (args.debug) console.error(err);
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}

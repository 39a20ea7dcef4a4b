/**
 * Reading a Kinesis shard the way Lambda's event-source mapping does (GetShardIterator
 * TRIM_HORIZON, then GetRecords in order) and turning each record into the exact
 * `KinesisStreamRecord` Lambda delivers. kinesalite serves the reads.
 */
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';

export interface KinesisEventContext {
  readonly streamName: string;
  readonly shardId: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** The function's execution role, as Lambda puts it in `invokeIdentityArn`. @default a local role ARN */
  readonly invokeIdentityArn?: string;
}

/** One GetRecords record → the Lambda event record (data base64, arrival in epoch seconds). */
export function toLambdaRecord(record: _Record, ctx: KinesisEventContext): KinesisStreamRecord {
  const region = ctx.region ?? 'us-east-1';
  const account = ctx.accountId ?? '000000000000';
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber: record.SequenceNumber ?? '',
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${ctx.shardId}:${record.SequenceNumber ?? ''}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: ctx.invokeIdentityArn ?? `arn:aws:iam::${account}:role/local-demo-function`,
    awsRegion: region,
    eventSourceARN: `arn:aws:kinesis:${region}:${account}:stream/${ctx.streamName}`,
  };
}

export async function listShardIds(kinesis: KinesisClient, streamName: string): Promise<string[]> {
  const out = await kinesis.send(new DescribeStreamCommand({ StreamName: streamName }));
  return (out.StreamDescription?.Shards ?? []).map((s) => s.ShardId ?? '').filter((s) => s !== '');
}

/** A reader positioned at TRIM_HORIZON of one shard; `read(limit)` returns the next records (maybe none). */
export interface ShardReader {
  read(limit: number): Promise<_Record[]>;
}

export async function openShard(kinesis: KinesisClient, streamName: string, shardId: string): Promise<ShardReader> {
  const start = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
  let iterator = start.ShardIterator;
  return {
    async read(limit) {
      if (!iterator) return [];
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(limit, 10_000) }));
      iterator = out.NextShardIterator;
      return out.Records ?? [];
    },
  };
}

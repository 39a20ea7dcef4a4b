/**
 * Shape checks for the Lambda events the functions are wired to, run before any work so a
 * malformed event fails with {@link MalformedEventError} and one line naming the first problem,
 * not a `TypeError` from deep inside a handler:
 *
 * | function            | event                | each record must have                                              |
 * |---------------------|----------------------|--------------------------------------------------------------------|
 * | enricher, aggregator| Kinesis batch        | `eventID`, `kinesis.{data, sequenceNumber, partitionKey}` strings, `kinesis.approximateArrivalTimestamp` number |
 * | rules               | DynamoDB stream batch| `eventName` string, `dynamodb` object                              |
 * | notifier            | SNS notification     | `Sns.Message` string                                               |
 */
import type { DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord, SNSEvent, SNSEventRecord } from 'aws-lambda';
import { MalformedEventError } from './errors';

type Check = (record: Record<string, unknown>) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function records<R>(event: unknown, fn: string, kind: string, check: Check): R[] {
  const fail = (problem: string): never => {
    throw new MalformedEventError(`${fn}: malformed ${kind} event: ${problem}; nothing was processed (is the function wired to the right event source?)`);
  };
  if (!isObject(event)) return fail(`the event is ${kindOf(event)}, not an object`);
  const list = event.Records;
  if (list === undefined) return fail('it has no Records');
  if (!Array.isArray(list)) return fail(`Records is ${kindOf(list)}, not an array`);
  for (let i = 0; i < list.length; i++) {
    const r: unknown = list[i];
    if (!isObject(r)) return fail(`Records[${i}] is ${kindOf(r)}, not an object`);
    const problem = check(r);
    if (problem !== undefined)
      return fail(`Records[${i}] ${problem}${typeof r.eventSource === 'string' ? ` (eventSource ${JSON.stringify(r.eventSource)})` : ''}`);
  }
  return list as R[];
}

const kinesisCheck: Check = (r) => {
  const k = r.kinesis;
  if (!isObject(k)) return 'has no kinesis object';
  for (const field of ['data', 'sequenceNumber', 'partitionKey'] as const)
    if (typeof k[field] !== 'string') return `kinesis.${field} is ${kindOf(k[field])}, not a string`;
  if (typeof k.approximateArrivalTimestamp !== 'number' || !Number.isFinite(k.approximateArrivalTimestamp))
    return `kinesis.approximateArrivalTimestamp is ${kindOf(k.approximateArrivalTimestamp)}, not a number`;
  if (typeof r.eventID !== 'string') return `eventID is ${kindOf(r.eventID)}, not a string`;
  return undefined;
};

const dynamoCheck: Check = (r) => {
  if (!isObject(r.dynamodb)) return 'has no dynamodb object';
  if (typeof r.eventName !== 'string') return `eventName is ${kindOf(r.eventName)}, not a string`;
  return undefined;
};

const snsCheck: Check = (r) => {
  if (!isObject(r.Sns)) return 'has no Sns object';
  if (typeof r.Sns.Message !== 'string') return `Sns.Message is ${kindOf(r.Sns.Message)}, not a string`;
  return undefined;
};

/** The records of a Kinesis batch, or MalformedEventError. */
export function kinesisRecords(event: KinesisStreamEvent | unknown, fn: string): KinesisStreamRecord[] {
  return records<KinesisStreamRecord>(event, fn, 'Kinesis', kinesisCheck);
}

/** The records of a DynamoDB stream batch, or MalformedEventError. */
export function dynamodbRecords(event: DynamoDBStreamEvent | unknown, fn: string): DynamoDBRecord[] {
  return records<DynamoDBRecord>(event, fn, 'DynamoDB stream', dynamoCheck);
}

/** The records of an SNS notification, or MalformedEventError. */
export function snsRecords(event: SNSEvent | unknown, fn: string): SNSEventRecord[] {
  return records<SNSEventRecord>(event, fn, 'SNS', snsCheck);
}

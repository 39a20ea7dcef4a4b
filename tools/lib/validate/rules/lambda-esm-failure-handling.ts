import { dig, listItems, subText, type Json, type Violation } from '../model';
import { alwaysEquals, alwaysSet, propertiesOf, targetOf, type RuleContext, type SecurityRule } from './rule';

const STREAM_TYPES = new Set(['AWS::Kinesis::Stream', 'AWS::Kinesis::StreamConsumer', 'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

/**
 * Decision table: is the mapping's source a Kinesis or DynamoDB stream?
 * | EventSourceArn                               | answer                       |
 * | -------------------------------------------- | ---------------------------- |
 * | !Ref/!GetAtt of a stream or table resource   | yes                          |
 * | !Ref/!GetAtt of a queue (or other resource)  | no                           |
 * | !Ref of a parameter named *Stream*           | yes                          |
 * | literal or !Sub ARN with :kinesis:/:dynamodb:| yes                          |
 * | anything else                                | yes when StartingPosition is set and it is not Kafka/MQ |
 */
function isStreamSource(props: Json, ctx: RuleContext): boolean {
  const source = props.EventSourceArn;
  const target = targetOf(source);
  if (target !== undefined) {
    const resource = ctx.resources.get(target);
    if (resource) return STREAM_TYPES.has(String(resource.Type));
    if (/stream/i.test(target)) return true;
    if (/queue|sqs|dlq/i.test(target)) return false;
  }
  const text = typeof source === 'string' ? source : subText(source);
  if (text !== undefined && /:(kinesis|dynamodb):/.test(text)) return true;
  if (text !== undefined && /:sqs:/.test(text)) return false;
  return props.StartingPosition !== undefined && props.SelfManagedEventSource === undefined && props.Topics === undefined && props.Queues === undefined;
}

function finite(value: unknown): boolean {
  return alwaysSet(value) && !alwaysEquals(value, -1) && value !== '-1';
}

export const lambdaEsmFailureHandling: SecurityRule = {
  id: 'lambda-esm-failure-handling',
  severity: 'error',
  info: 'Kinesis/DynamoDB event source mappings report batch item failures, bisect on error, bound retries and record age, and send failures to an on-failure destination.',
  explanation: 'DESIGN §5 failure contract: without these a poison record blocks its shard for up to a week (Kinesis retention) and is then dropped silently.',
  resourceTypes: ['AWS::Lambda::EventSourceMapping'],
  check(id, resource, ctx) {
    const props = propertiesOf(resource);
    if (!isStreamSource(props, ctx)) return [];
    const out: Violation[] = [];
    const need = (ok: boolean, path: string, message: string, fix: string): void => {
      if (!ok) out.push({ logicalId: id, path: `Properties.${path}`, message, fix });
    };
    need(
      listItems(props.FunctionResponseTypes).includes('ReportBatchItemFailures'),
      'FunctionResponseTypes',
      'stream mapping does not report batch item failures',
      'set FunctionResponseTypes: [ReportBatchItemFailures] (the handler returns batchItemFailures)',
    );
    need(
      alwaysEquals(props.BisectBatchOnFunctionError, true),
      'BisectBatchOnFunctionError',
      'stream mapping does not bisect a failing batch',
      'set BisectBatchOnFunctionError: true',
    );
    need(finite(props.MaximumRetryAttempts), 'MaximumRetryAttempts', 'retries are unbounded (unset or -1)', 'set MaximumRetryAttempts, e.g. 3');
    need(
      finite(props.MaximumRecordAgeInSeconds),
      'MaximumRecordAgeInSeconds',
      'record age is unbounded (unset or -1)',
      'set MaximumRecordAgeInSeconds, e.g. 3600',
    );
    need(
      alwaysSet(dig(props, 'DestinationConfig', 'OnFailure', 'Destination')),
      'DestinationConfig.OnFailure.Destination',
      'failed records have no on-failure destination',
      'set DestinationConfig.OnFailure.Destination to the SQS dead-letter queue ARN',
    );
    return out;
  },
};

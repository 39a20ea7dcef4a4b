/**
 * SQS dead-letter / on-failure queues: KMS-encrypted with our CMK, 14 days of retention (the
 * longest SQS allows: the replay tool needs time), retained on delete because a DLQ holds the only
 * copy of the records that failed. `tlsOnlyQueues` denies any request not made over TLS.
 */
import Queue from 'cloudform-types/types/sqs/queue';
import QueuePolicy from 'cloudform-types/types/sqs/queuePolicy';
import { getAtt, ref, type Value } from './fn';
import { physicalName, tags } from './names';
import { policyDocument, type Statement } from './policy';
import { retained } from './resources';

/** 14 days in seconds: SQS's maximum retention. */
export const DLQ_RETENTION_SECONDS = 1_209_600;

export interface DeadLetterQueueProps {
  /** Physical-name suffix from NAMES.queues (`${NamePrefix}-<suffix>`). */
  readonly nameSuffix: string;
  /** CMK ARN for SSE-KMS (StreamingKey). */
  readonly kmsKeyArn: Value<string>;
  /** Seconds a received message stays invisible (the replay tool's processing time). @default 300 */
  readonly visibilityTimeoutSeconds?: number;
}

/** An encrypted standard queue with 14-day retention, retained on delete and replacement. */
export function deadLetterQueue(props: DeadLetterQueueProps): Queue {
  return retained(
    new Queue({
      QueueName: physicalName(props.nameSuffix),
      KmsMasterKeyId: props.kmsKeyArn,
      // Five minutes of data-key reuse: fewer KMS calls on a burst of failures, still short-lived keys.
      KmsDataKeyReusePeriodSeconds: 300,
      MessageRetentionPeriod: DLQ_RETENTION_SECONDS,
      VisibilityTimeout: props.visibilityTimeoutSeconds ?? 300,
      Tags: tags(),
    }),
  );
}

/** Deny statement for any request to the queue not made over TLS. */
export function tlsOnlyQueue(queueId: string): Statement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    // A Deny on every action is the point here (same shape as the buckets' TLS-only statement).
    Action: 'sqs:*',
    Resource: getAtt(queueId, 'Arn'),
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * The queue's policy: TLS only, plus the service grants in `statements`. One policy per queue:
 * SQS applies a policy to each queue it lists, so statements naming another queue's ARN would
 * be meaningless there.
 */
export function queuePolicy(queueId: string, statements: readonly Statement[] = []): QueuePolicy {
  return new QueuePolicy({
    Queues: [ref(queueId)],
    PolicyDocument: policyDocument(tlsOnlyQueue(queueId), ...statements),
  });
}

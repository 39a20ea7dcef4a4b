/**
 * Alert topics: KMS-encrypted SNS topics with a topic policy (TLS-only, plus the AWS services
 * allowed to publish, each pinned to this account) and an optional email subscription.
 */
import Subscription from 'cloudform-types/types/sns/subscription';
import Topic from 'cloudform-types/types/sns/topic';
import TopicPolicy from 'cloudform-types/types/sns/topicPolicy';
import { ref, sub, type Value } from './fn';
import { physicalName, tags } from './names';
import { policyDocument, type Statement } from './policy';
import { when } from './resources';
import type { Fragment } from './template';

/** An AWS service that publishes to a topic, and the source ARN pattern it publishes from. */
export interface TopicPublisher {
  /** Service principal, e.g. `cloudwatch.amazonaws.com`. */
  readonly service: string;
  /** `aws:SourceArn` pattern (confused-deputy protection). @default only the aws:SourceAccount check */
  readonly sourceArn?: Value<string>;
}

/** Publishers used by our stacks. */
export const PUBLISHERS = {
  /** CloudWatch alarms (compute.yaml) — alarm ARNs of this account and region. */
  cloudWatchAlarms: { service: 'cloudwatch.amazonaws.com', sourceArn: sub('arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*') },
  /** AWS Budgets (dashboards.yaml): budgets are global, so the ARN has no region. */
  budgets: { service: 'budgets.amazonaws.com', sourceArn: sub('arn:${AWS::Partition}:budgets::${AWS::AccountId}:*') },
  /** Cost Anomaly Detection subscriptions (dashboards.yaml). */
  costAnomalies: { service: 'costalerts.amazonaws.com' },
  /** EventBridge rules of this account (security findings). */
  eventBridge: { service: 'events.amazonaws.com', sourceArn: sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*') },
} as const satisfies Record<string, TopicPublisher>;

export interface AlertTopicProps {
  /** Physical-name suffix (`${NamePrefix}-<suffix>`). */
  readonly nameSuffix: string;
  readonly displayName: string;
  /** CMK; its key policy must let every publisher service use it. */
  readonly kmsKeyArn: Value<string>;
  /** AWS services allowed to publish. @default none (our functions publish through their IAM roles) */
  readonly publishers?: readonly TopicPublisher[];
  /** Email subscription: the endpoint and the condition under which it exists. @default none */
  readonly email?: { readonly address: Value<string>; readonly condition: string };
}

function publisherStatement(topicId: string, publisher: TopicPublisher): Statement {
  const service = publisher.service.split('.')[0]!;
  return {
    Sid: `AllowPublishFrom${service.charAt(0).toUpperCase()}${service.slice(1)}`,
    Effect: 'Allow',
    Principal: { Service: publisher.service },
    Action: 'sns:Publish',
    Resource: ref(topicId),
    Condition: {
      StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
      ...(publisher.sourceArn ? { ArnLike: { 'aws:SourceArn': publisher.sourceArn } } : {}),
    },
  };
}

/** Topic `<id>`, its policy `<id>Policy` and, with `email`, `<id>EmailSubscription`. */
export function alertTopic(id: string, props: AlertTopicProps): Fragment {
  const topic = new Topic({
    TopicName: physicalName(props.nameSuffix),
    DisplayName: props.displayName,
    KmsMasterKeyId: props.kmsKeyArn,
    Tags: tags(),
  });
  const policy = new TopicPolicy({
    Topics: [ref(id)],
    PolicyDocument: policyDocument(
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: ref(id),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      ...(props.publishers ?? []).map((p) => publisherStatement(id, p)),
    ),
  });
  const fragment: Record<string, Topic | TopicPolicy | Subscription> = { [id]: topic, [`${id}Policy`]: policy };
  if (props.email) {
    fragment[`${id}EmailSubscription`] = when(props.email.condition, new Subscription({ TopicArn: ref(id), Protocol: 'email', Endpoint: props.email.address }));
  }
  return fragment;
}

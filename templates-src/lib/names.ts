/**
 * Physical names and tags. Every stack receives `NamePrefix` (`<project>-<environment>`, set in
 * root) so names are predictable across stacks: a role in security.yaml can be scoped to the ARN
 * of a table datastores.yaml creates later without a circular reference between the stacks.
 */
import { ref, sub, type IntrinsicFunction, type Value } from './fn';

export const NAME_PREFIX = 'NamePrefix';
export const ENVIRONMENT = 'Environment';

/** `!Sub '${NamePrefix}-<suffix>'`, for regional names (tables, streams, functions, queues, topics). */
export function physicalName(suffix: string): IntrinsicFunction {
  return sub(`\${${NAME_PREFIX}}-${suffix}`);
}

/** The literal text of a physical name, for use inside a larger `!Sub` (ARNs). */
export function nameText(suffix: string): string {
  return `\${${NAME_PREFIX}}-${suffix}`;
}

/** S3 bucket names are global: prefix, purpose, account and region. */
export function bucketNameText(purpose: string, region = '${AWS::Region}'): string {
  return `\${${NAME_PREFIX}}-${purpose}-\${AWS::AccountId}-${region}`;
}

export function bucketName(purpose: string): IntrinsicFunction {
  return sub(bucketNameText(purpose));
}

export interface Tag {
  Key: string;
  Value: Value<string>;
}

/** Standard tags on every taggable resource; `extra` adds resource-specific ones. */
export function tags(extra: Readonly<Record<string, Value<string>>> = {}): Tag[] {
  return [
    { Key: 'Project', Value: ref(NAME_PREFIX) },
    { Key: 'Environment', Value: ref(ENVIRONMENT) },
    { Key: 'ManagedBy', Value: 'stock-weather-cfn' },
    ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
  ];
}

/** The same tags as a map, for resource types that take `Tags: {key: value}` (Glue, SSM, Scheduler groups). */
export function tagMap(extra: Readonly<Record<string, Value<string>>> = {}): Record<string, Value<string>> {
  return Object.fromEntries(tags(extra).map((t) => [t.Key, t.Value]));
}

/**
 * Physical-name suffixes every stack agrees on (`${NamePrefix}-<suffix>`), so IAM policies in
 * security.yaml can be scoped to resources that later stacks create. Buckets use `bucketName()`.
 */
export const NAMES = {
  stream: 'events',
  metricsTable: 'metrics',
  latestTable: 'latest',
  functions: {
    poller: 'poller',
    enricher: 'enricher',
    aggregator: 'aggregator',
    rules: 'rules',
    notifier: 'notifier',
    rotation: 'rotation',
  },
  /** Dead-letter / on-failure queues. */
  queues: {
    enricher: 'enricher-dlq',
    aggregator: 'aggregator-dlq',
    rules: 'rules-dlq',
    notifier: 'notifier-dlq',
    scheduler: 'scheduler-dlq',
  },
  topics: {
    ops: 'ops-alerts',
    market: 'market-alerts',
    weather: 'weather-alerts',
    finops: 'finops-alerts',
  },
  /** Secrets Manager names (`${NamePrefix}/<name>`). */
  secrets: {
    marketData: 'market-data-api-key',
    slackWebhook: 'slack-webhook',
  },
  /** Bucket purposes for `bucketName()`. */
  buckets: {
    raw: 'raw',
    processed: 'processed',
    accessLogs: 'access-logs',
    athenaResults: 'athena-results',
    trail: 'cloudtrail',
    config: 'config',
    /** Server access logs of the trail and Config buckets (security.yaml). */
    auditAccessLogs: 'audit-access-logs',
  },
  glueDatabase: 'analytics',
  athenaWorkgroup: 'analytics',
} as const;

/** `/aws/lambda/${NamePrefix}-<function>`. */
export function lambdaLogGroupName(fn: string): IntrinsicFunction {
  return sub(`/aws/lambda/\${${NAME_PREFIX}}-${fn}`);
}

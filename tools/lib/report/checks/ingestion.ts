/** Step 3 (streaming.yaml). */
import { allText, isRecord, properties, section, type Json, type ResourceRef, type TemplateTree } from '../model';
import { all, fail, ids, pass, where, type BulletCheck } from './types';

/** API Gateway methods whose integration puts records into Kinesis. */
export function kinesisMethods(tree: TemplateTree): ResourceRef[] {
  return tree.resources('AWS::ApiGateway::Method').filter((m) => /kinesis:action\/PutRecords?\b/.test(allText(section(properties(m.resource), 'Integration').Uri)));
}

export const apiWithAuth: BulletCheck = ({ tree }) =>
  all(
    () => {
      const apis = [...tree.resources('AWS::ApiGateway::RestApi'), ...tree.resources('AWS::ApiGatewayV2::Api')];
      return apis.length > 0 ? pass(`API ${ids(apis)}`) : fail('no API Gateway API (AWS::ApiGateway::RestApi or AWS::ApiGatewayV2::Api)');
    },
    () => {
      const authorizers = tree.resources('AWS::ApiGateway::Authorizer').filter((a) => properties(a.resource).Type === 'COGNITO_USER_POOLS');
      const pool = authorizers.map((a) => tree.resolveType(a.file, properties(a.resource).ProviderARNs, 'AWS::Cognito::UserPool')).find(Boolean);
      if (!pool) return fail('no COGNITO_USER_POOLS authorizer whose ProviderARNs resolve to a Cognito user pool');
      // MOCK integrations (CORS preflight, the Route 53 health check) touch no data and may stay open.
      const methods = tree.resources('AWS::ApiGateway::Method').filter((m) => section(properties(m.resource), 'Integration').Type !== 'MOCK');
      // Cognito on the public API is required above; other APIs (the standby ingest) may sign with IAM instead.
      const open = methods.filter((m) => !['COGNITO_USER_POOLS', 'AWS_IAM', 'CUSTOM'].includes(String(properties(m.resource).AuthorizationType ?? 'NONE')));
      if (methods.length === 0) return fail('the API has no methods');
      if (open.length > 0) return fail(`methods open without authorization (AuthorizationType NONE): ${ids(open)}`);
      return pass(`Cognito authorizer ${ids(authorizers)} on user pool ${where(pool)}`);
    },
    () => {
      const associations = tree.resources('AWS::WAFv2::WebACLAssociation');
      const acl = associations.map((a) => tree.resolveType(a.file, properties(a.resource).WebACLArn, 'AWS::WAFv2::WebACL')).find(Boolean);
      const stage = associations.map((a) => tree.resolveType(a.file, properties(a.resource).ResourceArn, /AWS::ApiGateway(V2)?::(Stage|RestApi|Api)/)).find(Boolean);
      if (!acl) return fail('no WAFv2 WebACLAssociation whose WebACLArn resolves to a WebACL in the tree');
      if (!stage) return fail('the WAF association does not point at the API stage');
      return pass(`WAF ${where(acl)} on ${stage.logicalId}`);
    },
  );

/** The function a schedule invokes: referenced, or named in an ARN built from its physical name. */
export function scheduleTarget(tree: TemplateTree, s: ResourceRef): ResourceRef | undefined {
  const arn = section(properties(s.resource), 'Target').Arn;
  return tree.resolveType(s.file, arn, 'AWS::Lambda::Function') ?? tree.functionByArnText(s.file, arn);
}

export const scheduler: BulletCheck = ({ tree }) => {
  const schedules = tree.resources('AWS::Scheduler::Schedule');
  if (schedules.length === 0) return fail('no EventBridge Scheduler schedule (AWS::Scheduler::Schedule)');
  for (const s of schedules) {
    const p = properties(s.resource);
    const target = isRecord(p.Target) ? p.Target : {};
    if (!/(^|\n)(rate|cron)\(/.test(allText(p.ScheduleExpression))) return fail(`${where(s)}: ScheduleExpression is not rate(…) or cron(…)`);
    const fn = scheduleTarget(tree, s);
    if (!fn) return fail(`${where(s)}: Target.Arn does not resolve to a Lambda function in the tree`);
    if (target.RoleArn === undefined) return fail(`${where(s)}: no Target.RoleArn`);
    if (!isRecord(target.DeadLetterConfig) || target.DeadLetterConfig.Arn === undefined) return fail(`${where(s)}: no Target.DeadLetterConfig (failed invocations would be dropped)`);
  }
  return pass(`${ids(schedules)} → ${[...new Set(schedules.map((s) => scheduleTarget(tree, s)!.logicalId))].join(', ')}`);
};

export const stream: BulletCheck = ({ tree }) =>
  all(
    () => {
      const streams = tree.resources('AWS::Kinesis::Stream');
      if (streams.length === 0) return fail('no Kinesis data stream (AWS::Kinesis::Stream)');
      const plain = streams.filter((s) => (properties(s.resource).StreamEncryption as Json | undefined)?.EncryptionType !== 'KMS');
      if (plain.length > 0) return fail(`${ids(plain)} not encrypted with KMS (StreamEncryption.EncryptionType)`);
      const key = streams.map((s) => tree.resolveType(s.file, (properties(s.resource).StreamEncryption as Json).KeyId, 'AWS::KMS::Key')).find(Boolean);
      if (!key) return fail(`${ids(streams)}: StreamEncryption.KeyId does not resolve to our CMK`);
      return pass(`${ids(streams)} KMS-encrypted with ${key.logicalId}`);
    },
    () => {
      const methods = kinesisMethods(tree);
      if (methods.length === 0) return fail('no API method integrates with Kinesis PutRecord/PutRecords');
      for (const m of methods) {
        const template = allText(section(section(properties(m.resource), 'Integration'), 'RequestTemplates'));
        if (!/PartitionKey/.test(template)) return fail(`${where(m)}: the request mapping template sets no PartitionKey`);
        if (!/symbol/.test(template) || !/city/.test(template)) return fail(`${where(m)}: the PartitionKey does not come from symbol and city`);
      }
      return pass(`${ids(methods)} partition by symbol/city`);
    },
  );

export const deadLetterQueues: BulletCheck = ({ tree }) => {
  const queues = tree.resources('AWS::SQS::Queue');
  const dlqs = queues.filter((q) => /dlq|dead/i.test(q.logicalId + allText(properties(q.resource).QueueName)));
  if (dlqs.length === 0) return fail('no dead-letter queue (an AWS::SQS::Queue named …Dlq…)');
  const plain = dlqs.filter((q) => properties(q.resource).KmsMasterKeyId === undefined);
  if (plain.length > 0) return fail(`${ids(plain)} not encrypted with a KMS key (KmsMasterKeyId)`);
  const short = dlqs.filter((q) => Number(properties(q.resource).MessageRetentionPeriod ?? 345600) < 1209600);
  if (short.length > 0) return fail(`${ids(short)} keep messages less than 14 days (MessageRetentionPeriod): failures could expire before replay`);
  return pass(`${dlqs.length} KMS-encrypted DLQs with 14-day retention: ${ids(dlqs)}`);
};

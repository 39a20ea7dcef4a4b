/** Step 4 (compute.yaml) and 8.1 (rules engine). */
import { properties, section, type ResourceRef, type TemplateTree } from '../model';
import { fail, ids, isTrue, named, pass, where, type BulletCheck, type CheckResult } from './types';

/** Event source mappings feeding a function, with the resource each one reads. */
export function feeds(tree: TemplateTree, fn: ResourceRef): { mapping: ResourceRef; source?: ResourceRef }[] {
  return tree
    .resources('AWS::Lambda::EventSourceMapping')
    .filter((m) => tree.resolve(m.file, properties(m.resource).FunctionName).some((r) => r.file === fn.file && r.logicalId === fn.logicalId))
    .map((mapping) => ({ mapping, source: tree.resolve(mapping.file, properties(mapping.resource).EventSourceArn)[0] }));
}

/** Resources a function's environment variables point at. */
export function environmentTargets(tree: TemplateTree, fn: ResourceRef): ResourceRef[] {
  return tree.resolve(fn.file, section(section(properties(fn.resource), 'Environment'), 'Variables'));
}

function findFunction(tree: TemplateTree, pattern: RegExp, label: string): ResourceRef | CheckResult {
  const fn = named(tree.resources('AWS::Lambda::Function'), pattern)[0];
  return fn ?? fail(`no ${label} Lambda function (an AWS::Lambda::Function named like ${pattern.source})`);
}

export const enricher: BulletCheck = ({ tree }) => {
  const fn = findFunction(tree, /enrich|validat/i, 'validator/enricher');
  if ('ok' in fn) return fn;
  const stream = feeds(tree, fn).find((f) => f.source?.type === 'AWS::Kinesis::Stream');
  if (!stream) return fail(`${where(fn)} has no event source mapping from the Kinesis stream`);
  const targets = environmentTargets(tree, fn);
  const table = targets.find((t) => /AWS::DynamoDB::(Global)?Table/.test(t.type));
  const bucket = targets.find((t) => t.type === 'AWS::S3::Bucket');
  if (!table) return fail(`${where(fn)}: no environment variable resolves to a DynamoDB table`);
  if (!bucket) return fail(`${where(fn)}: no environment variable resolves to an S3 bucket`);
  return pass(`${where(fn)}: ${stream.source!.logicalId} → ${fn.logicalId} → ${table.logicalId} + ${bucket.logicalId}`);
};

export const aggregator: BulletCheck = ({ tree }) => {
  const fn = findFunction(tree, /aggregat/i, 'aggregator');
  if ('ok' in fn) return fn;
  const sources = feeds(tree, fn).filter((f) => f.source !== undefined);
  if (sources.length === 0) return fail(`${where(fn)} has no event source mapping`);
  const table = environmentTargets(tree, fn).find((t) => /AWS::DynamoDB::(Global)?Table/.test(t.type));
  if (!table) return fail(`${where(fn)}: no environment variable resolves to a DynamoDB table for the rolling averages`);
  return pass(`${where(fn)}: ${sources.map((s) => s.source!.logicalId).join(', ')} → ${fn.logicalId} → ${table.logicalId}`);
};

const STREAM_SOURCES = /AWS::Kinesis::Stream|AWS::DynamoDB::(Global)?Table/;

export const retries: BulletCheck = ({ tree }) => {
  const mappings = tree.resources('AWS::Lambda::EventSourceMapping');
  const streamMappings = mappings.filter((m) => tree.resolve(m.file, properties(m.resource).EventSourceArn).some((r) => STREAM_SOURCES.test(r.type)));
  if (streamMappings.length === 0) return fail('no stream event source mappings to configure');
  for (const m of streamMappings) {
    const p = properties(m.resource);
    const problems: string[] = [];
    if (!(Array.isArray(p.FunctionResponseTypes) && p.FunctionResponseTypes.includes('ReportBatchItemFailures'))) problems.push('no ReportBatchItemFailures');
    if (!isTrue(p.BisectBatchOnFunctionError)) problems.push('BisectBatchOnFunctionError not true');
    const attempts = Number(p.MaximumRetryAttempts ?? -1);
    if (!(attempts >= 0 && attempts <= 10000)) problems.push('MaximumRetryAttempts unbounded');
    const age = Number(p.MaximumRecordAgeInSeconds ?? -1);
    if (!(age >= 60)) problems.push('MaximumRecordAgeInSeconds unbounded');
    const destination = section(section(p, 'DestinationConfig'), 'OnFailure').Destination;
    if (!tree.resolveType(m.file, destination, /AWS::(SQS::Queue|SNS::Topic)/)) problems.push('no OnFailure destination queue');
    if (problems.length > 0) return fail(`${where(m)}: ${problems.join(', ')}`);
  }
  return pass(`${streamMappings.length} stream mappings with partial batch failures, bisect, bounded retries and an on-failure queue: ${ids(streamMappings)}`);
};

export const rulesEngine: BulletCheck = ({ tree }) => {
  const fn = findFunction(tree, /rule/i, 'rules engine');
  if ('ok' in fn) return fn;
  if (feeds(tree, fn).filter((f) => f.source !== undefined).length === 0) return fail(`${where(fn)} has no event source mapping`);
  const variables = section(section(properties(fn.resource), 'Environment'), 'Variables');
  const threshold = Object.values(variables).flatMap((v) => tree.rootParameters(fn.file, v)).find((p) => /drop/i.test(p));
  if (!threshold) return fail(`${where(fn)}: no environment variable takes the root stock-drop threshold parameter`);
  const topic = environmentTargets(tree, fn).find((t) => t.type === 'AWS::SNS::Topic' && /market/i.test(t.logicalId));
  if (!topic) return fail(`${where(fn)}: no environment variable resolves to the MarketAlerts topic`);
  return pass(`${where(fn)}: threshold from ${threshold}, alerts to ${topic.logicalId}`);
};


/** Step 4 – Processing & enrichment, and 8.1 (the rules engine). */
import {
  allText,
  environmentTargets,
  ev,
  feeds,
  found,
  foundIf,
  isTrue,
  missed,
  named,
  partly,
  properties,
  section,
  writesTo,
  type BulletCheck,
  type Evidence,
  type Part,
  type ResourceRef,
  type TemplateTree,
} from './kit';

const TABLE = /^AWS::DynamoDB::(Global)?Table$/;
const DYNAMODB_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'];
const S3_WRITES = ['s3:PutObject'];

/** The function a bullet is about: named like `pattern`, preferring one fed by `sourceType`. */
function findFunction(tree: TemplateTree, pattern: RegExp, sourceType?: RegExp): ResourceRef | undefined {
  const candidates = named(tree.resources('AWS::Lambda::Function'), pattern);
  return candidates.find((fn) => sourceType !== undefined && feeds(tree, fn).some((f) => f.source && sourceType.test(f.source.type))) ?? candidates[0];
}

function fedBy(tree: TemplateTree, fn: ResourceRef, label: string, sourceType: RegExp, missing: string): Part {
  const sources = feeds(tree, fn).filter((f) => f.source && sourceType.test(f.source.type));
  if (sources.length > 0)
    return found(
      label,
      sources.map((s) => ev(tree, s.mapping, 'Properties.EventSourceArn', undefined, `${s.source!.logicalId} → ${fn.logicalId}`)),
    );
  const any = feeds(tree, fn);
  if (any.length > 0)
    return partly(
      label,
      0.5,
      any.map((s) => ev(tree, s.mapping, 'Properties.EventSourceArn')),
      missing,
    );
  return missed(label, missing);
}

function writePart(tree: TemplateTree, fn: ResourceRef, label: string, type: RegExp, names: RegExp, actions: readonly string[], missing: string): Part {
  return foundIf(label, writesTo(tree, fn, type, names, actions), missing);
}

export const enricher: BulletCheck = ({ tree }) => {
  const fn =
    findFunction(tree, /enrich|validat/i, /Kinesis::Stream/) ??
    tree.resources('AWS::Lambda::Function').find((f) => feeds(tree, f).some((x) => x.source?.type === 'AWS::Kinesis::Stream'));
  if (!fn) {
    return {
      parts: [
        missed('validator/enricher Lambda', 'an AWS::Lambda::Function named …Enricher… or …Validator…, fed by the Kinesis stream'),
        missed('writes to DynamoDB', 'the enricher writing to a DynamoDB table'),
        missed('writes to S3', 'the enricher writing to an S3 bucket'),
      ],
    };
  }
  return {
    parts: [
      fedBy(
        tree,
        fn,
        `validator/enricher Lambda ${fn.logicalId} reads the Kinesis stream`,
        /^AWS::Kinesis::Stream$/,
        `an AWS::Lambda::EventSourceMapping from the Kinesis stream to ${fn.logicalId}`,
      ),
      writePart(
        tree,
        fn,
        'writes to DynamoDB',
        TABLE,
        /table/i,
        DYNAMODB_WRITES,
        `a DynamoDB table for ${fn.logicalId} (an environment variable naming it and dynamodb:PutItem in its role)`,
      ),
      writePart(
        tree,
        fn,
        'writes to S3',
        /^AWS::S3::Bucket$/,
        /bucket/i,
        S3_WRITES,
        `an S3 bucket for ${fn.logicalId} (an environment variable naming it and s3:PutObject in its role)`,
      ),
    ],
  };
};

export const aggregator: BulletCheck = ({ tree }) => {
  const fn = findFunction(tree, /aggregat|rolling|average/i, /Kinesis::Stream|DynamoDB/);
  if (!fn)
    return {
      parts: [
        missed('aggregator Lambda', 'an AWS::Lambda::Function named …Aggregator…'),
        missed('fed by the data', 'an event source mapping feeding it'),
        missed('writes the averages to DynamoDB', 'a DynamoDB table it writes to'),
      ],
    };
  const scheduled = [...tree.resources('AWS::Scheduler::Schedule'), ...tree.resources('AWS::Events::Rule')].filter((s) =>
    tree
      .resolve(s.file, [section(properties(s.resource), 'Target').Arn, properties(s.resource).Targets])
      .some((r) => r.logicalId === fn.logicalId && r.file === fn.file),
  );
  const feedPart =
    scheduled.length > 0 && feeds(tree, fn).length === 0
      ? found(
          'runs on a schedule',
          scheduled.map((s) => ev(tree, s)),
        )
      : fedBy(
          tree,
          fn,
          `aggregator Lambda ${fn.logicalId} fed by a stream`,
          /Kinesis::Stream|DynamoDB/,
          `an AWS::Lambda::EventSourceMapping feeding ${fn.logicalId} (the Kinesis stream or a table stream)`,
        );
  return {
    parts: [
      found(`aggregator Lambda ${fn.logicalId}`, [ev(tree, fn)]),
      feedPart,
      writePart(
        tree,
        fn,
        'writes the rolling averages to DynamoDB',
        TABLE,
        /table/i,
        DYNAMODB_WRITES,
        `a DynamoDB table ${fn.logicalId} writes to (environment variable and dynamodb:PutItem/UpdateItem)`,
      ),
    ],
  };
};

const STREAM_SOURCE = /^AWS::(Kinesis::Stream|DynamoDB::(Global)?Table)$/;

/** 4.3: every stream consumer has an on-failure destination and a bounded retry policy. */
export const retries: BulletCheck = ({ tree }) => {
  const mappings = tree.resources('AWS::Lambda::EventSourceMapping');
  const streamMappings = mappings.filter((m) => {
    const sources = tree.resolve(m.file, properties(m.resource).EventSourceArn);
    return sources.some((r) => STREAM_SOURCE.test(r.type)) || (sources.length === 0 && properties(m.resource).StartingPosition !== undefined);
  });
  const asyncConfigs = tree.resources('AWS::Lambda::EventInvokeConfig');
  const functionsWithDlq = tree.resources('AWS::Lambda::Function').filter((f) => section(properties(f.resource), 'DeadLetterConfig').TargetArn !== undefined);
  if (streamMappings.length === 0 && asyncConfigs.length === 0 && functionsWithDlq.length === 0) {
    return {
      parts: [
        missed(
          'dead-letter / on-failure destinations',
          'stream event source mappings with DestinationConfig.OnFailure (an SQS queue), or functions with a DeadLetterConfig',
        ),
        missed('retry policies', 'MaximumRetryAttempts and MaximumRecordAgeInSeconds on the stream event source mappings'),
      ],
    };
  }
  const withDestination: Evidence[] = [];
  const withoutDestination: string[] = [];
  const bounded: Evidence[] = [];
  const unbounded: string[] = [];
  for (const m of streamMappings) {
    const p = properties(m.resource);
    const destination = section(section(p, 'DestinationConfig'), 'OnFailure').Destination;
    if (destination !== undefined) withDestination.push(ev(tree, m, 'Properties.DestinationConfig.OnFailure.Destination', destination));
    else withoutDestination.push(m.logicalId);
    const attempts = Number(p.MaximumRetryAttempts ?? -1);
    const age = Number(p.MaximumRecordAgeInSeconds ?? -1);
    if ((attempts >= 0 && attempts < 10000) || age >= 60)
      bounded.push(
        ev(
          tree,
          m,
          'Properties.MaximumRetryAttempts',
          undefined,
          `retries ${p.MaximumRetryAttempts ?? '∞'}, max age ${p.MaximumRecordAgeInSeconds ?? '∞'} s${isTrue(p.BisectBatchOnFunctionError) ? ', bisect' : ''}${Array.isArray(p.FunctionResponseTypes) && p.FunctionResponseTypes.includes('ReportBatchItemFailures') ? ', partial batch' : ''}`,
        ),
      );
    else unbounded.push(m.logicalId);
  }
  for (const c of asyncConfigs) {
    const p = properties(c.resource);
    if (section(section(p, 'DestinationConfig'), 'OnFailure').Destination !== undefined)
      withDestination.push(ev(tree, c, 'Properties.DestinationConfig.OnFailure.Destination'));
    if (p.MaximumRetryAttempts !== undefined || p.MaximumEventAgeInSeconds !== undefined) bounded.push(ev(tree, c, 'Properties.MaximumRetryAttempts'));
  }
  for (const f of functionsWithDlq) withDestination.push(ev(tree, f, 'Properties.DeadLetterConfig.TargetArn'));
  const total = Math.max(1, streamMappings.length);
  const destinationCredit = streamMappings.length === 0 ? (withDestination.length > 0 ? 1 : 0) : (streamMappings.length - withoutDestination.length) / total;
  const retryCredit = streamMappings.length === 0 ? (bounded.length > 0 ? 1 : 0) : (streamMappings.length - unbounded.length) / total;
  const part = (label: string, credit: number, evidence: Evidence[], missing: string): Part =>
    credit >= 1 ? found(label, evidence) : credit <= 0 ? missed(label, missing) : partly(label, credit, evidence, missing);
  return {
    parts: [
      part(
        'on-failure destinations (DLQs)',
        destinationCredit,
        withDestination,
        `DestinationConfig.OnFailure.Destination (an SQS queue) on ${withoutDestination.join(', ') || 'the stream consumers'}`,
      ),
      part(
        'bounded retry policies',
        retryCredit,
        bounded,
        `MaximumRetryAttempts (and MaximumRecordAgeInSeconds) on ${unbounded.join(', ') || 'the stream consumers'}: by default a failing record is retried until it expires`,
      ),
    ],
  };
};

/** A literal 10 (percent) or 0.1, or a parameter whose name says threshold/drop. */
function thresholdEvidence(tree: TemplateTree, fn: ResourceRef): Evidence[] {
  const variables = section(section(properties(fn.resource), 'Environment'), 'Variables');
  const out: Evidence[] = [];
  for (const [name, value] of Object.entries(variables)) {
    const params = tree.rootParameters(fn.file, value);
    const byParam = params.find((p) => /drop|threshold|percent/i.test(p));
    if (byParam) out.push(ev(tree, fn, `Properties.Environment.Variables.${name}`, undefined, `from parameter ${byParam}`));
    else if (/drop|threshold|percent/i.test(name) && /^(10|0\.1|10%?)$/.test(allText(value).trim()))
      out.push(ev(tree, fn, `Properties.Environment.Variables.${name}`, undefined, `${allText(value)}`));
    else if (/drop|threshold|percent/i.test(name))
      out.push(ev(tree, fn, `Properties.Environment.Variables.${name}`, undefined, `${allText(value).split('\n').pop()}`));
  }
  return out;
}

export const rulesEngine: BulletCheck = ({ tree }) => {
  const fn = findFunction(tree, /rule|alert|anomal|detect/i, /DynamoDB|Kinesis/);
  if (!fn)
    return {
      parts: [
        missed('rules engine Lambda', 'an AWS::Lambda::Function named …Rules… (or …Alert…/…Anomaly…)'),
        missed('fed by the data', 'an event source mapping (the LatestTable stream or the Kinesis stream)'),
        missed('10% drop threshold', 'an environment variable with the drop threshold (10), ideally from a parameter'),
        missed('publishes to SNS', 'the MarketAlerts topic in its environment and sns:Publish in its role'),
      ],
    };
  const topics = environmentTargets(tree, fn).filter((t) => t.target.type === 'AWS::SNS::Topic');
  const publishes =
    topics.length > 0
      ? topics.map((t) => ev(tree, t.target, undefined, undefined, `${fn.logicalId} environment ${t.variable}`))
      : writesTo(tree, fn, /^AWS::SNS::Topic$/, /topic/i, ['sns:Publish']);
  return {
    parts: [
      found(`rules engine Lambda ${fn.logicalId}`, [ev(tree, fn)]),
      fedBy(
        tree,
        fn,
        'fed by the data',
        /Kinesis::Stream|DynamoDB/,
        `an AWS::Lambda::EventSourceMapping feeding ${fn.logicalId} (the LatestTable stream or the Kinesis stream)`,
      ),
      foundIf(
        '10% stock drop threshold configured',
        thresholdEvidence(tree, fn),
        `an environment variable of ${fn.logicalId} carrying the 10 % drop threshold (e.g. from a StockDropPercent parameter)`,
      ),
      foundIf('publishes alerts to SNS', publishes, `${fn.logicalId} publishing to the MarketAlerts topic (environment variable + sns:Publish)`),
    ],
  };
};

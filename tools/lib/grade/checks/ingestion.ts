/** Step 3 – Ingestion & streaming. */
import {
  allText,
  ev,
  found,
  foundIf,
  isRecord,
  missed,
  named,
  partly,
  properties,
  section,
  unique,
  type BulletCheck,
  type Evidence,
  type Part,
  type ResourceRef,
  type TemplateTree,
} from './kit';

/** API Gateway methods whose integration puts records into Kinesis. */
export function kinesisMethods(tree: TemplateTree): ResourceRef[] {
  return tree
    .resources('AWS::ApiGateway::Method')
    .filter((m) => /kinesis:action\/PutRecords?\b/.test(allText(section(properties(m.resource), 'Integration').Uri)));
}

/** Methods that carry data (MOCK integrations such as CORS preflight or a health check are left out). */
function dataMethods(tree: TemplateTree): ResourceRef[] {
  return tree
    .resources('AWS::ApiGateway::Method')
    .filter((m) => section(properties(m.resource), 'Integration').Type !== 'MOCK' && properties(m.resource).HttpMethod !== 'OPTIONS');
}

export const apiWithAuth: BulletCheck = ({ tree }) => {
  const apis = [...tree.resources('AWS::ApiGateway::RestApi'), ...tree.resources('AWS::ApiGatewayV2::Api')];
  const apiPart = foundIf(
    'API Gateway API',
    apis.map((a) => ev(tree, a)),
    'an API (AWS::ApiGateway::RestApi, or AWS::ApiGatewayV2::Api for HTTP)',
  );
  // Cognito: a user-pool authorizer, used by the data methods (REST) or a JWT authorizer (HTTP).
  const cognito = tree.resources('AWS::ApiGateway::Authorizer').filter((a) => properties(a.resource).Type === 'COGNITO_USER_POOLS');
  const jwt = tree.resources('AWS::ApiGatewayV2::Authorizer').filter((a) => properties(a.resource).AuthorizerType === 'JWT');
  const methods = dataMethods(tree);
  const open = methods.filter((m) => String(properties(m.resource).AuthorizationType ?? 'NONE') === 'NONE');
  const webAclAssociations = tree
    .resources('AWS::WAFv2::WebACLAssociation')
    .filter(
      (a) =>
        tree.resolve(a.file, properties(a.resource).ResourceArn).some((r) => /ApiGateway/.test(r.type)) ||
        /apigateway|restapis/.test(allText(properties(a.resource).ResourceArn)),
    );
  const authEvidence: Evidence[] = [...cognito, ...jwt].map((a) => ev(tree, a, 'Properties.ProviderARNs'));
  const wafEvidence = webAclAssociations.map((a) => ev(tree, a, 'Properties.ResourceArn', undefined, 'WAF on the API'));
  let authPart: Part;
  if (authEvidence.length > 0 && (open.length === 0 || methods.length === 0))
    authPart = found('Cognito authorizer on the API', [...authEvidence, ...wafEvidence]);
  else if (authEvidence.length > 0)
    authPart = partly(
      'Cognito authorizer on the API',
      0.5,
      authEvidence,
      `AuthorizationType COGNITO_USER_POOLS on the methods open without authorization: ${open.map((m) => m.logicalId).join(', ')}`,
    );
  else if (wafEvidence.length > 0) authPart = found('WAF on the API', wafEvidence);
  else
    authPart = missed(
      'authentication (Cognito or WAF)',
      'a Cognito user pool authorizer (AWS::ApiGateway::Authorizer Type COGNITO_USER_POOLS) used by the methods, or a WAF web ACL associated with the API stage',
    );
  return { parts: [apiPart, authPart] };
};

/** The function a schedule invokes: referenced, or named in an ARN built from its physical name. */
export function scheduleTarget(tree: TemplateTree, arn: unknown, file: string): ResourceRef | undefined {
  return tree.resolveType(file, arn, 'AWS::Lambda::Function') ?? tree.functionByArnText(file, arn);
}

export const scheduler: BulletCheck = ({ tree }) => {
  const schedules = tree.resources('AWS::Scheduler::Schedule');
  const rules = tree.resources('AWS::Events::Rule').filter((r) => properties(r.resource).ScheduleExpression !== undefined);
  let schedulePart: Part;
  let targets: { fn: ResourceRef; by: ResourceRef }[] = [];
  if (schedules.length > 0) {
    schedulePart = found(
      'EventBridge Scheduler schedule',
      schedules.map((s) => ev(tree, s, 'Properties.ScheduleExpression', undefined, allText(properties(s.resource).ScheduleExpression).split('\n').pop())),
    );
    targets = schedules.flatMap((s) => {
      const fn = scheduleTarget(tree, section(properties(s.resource), 'Target').Arn, s.file);
      return fn ? [{ fn, by: s }] : [];
    });
  } else if (rules.length > 0) {
    schedulePart = partly(
      'EventBridge Scheduler schedule',
      0.5,
      rules.map((r) => ev(tree, r, 'Properties.ScheduleExpression')),
      'an AWS::Scheduler::Schedule (EventBridge Scheduler) rather than a scheduled AWS::Events::Rule',
    );
    targets = rules.flatMap((r) =>
      (Array.isArray(properties(r.resource).Targets) ? (properties(r.resource).Targets as unknown[]) : []).filter(isRecord).flatMap((t) => {
        const fn = scheduleTarget(tree, t.Arn, r.file);
        return fn ? [{ fn, by: r }] : [];
      }),
    );
  } else {
    schedulePart = missed('EventBridge Scheduler schedule', 'an AWS::Scheduler::Schedule with a rate(…) or cron(…) expression');
  }
  const targetPart = foundIf(
    'schedule invokes the polling Lambda',
    targets.map((t) =>
      ev(
        tree,
        t.by,
        t.by.type === 'AWS::Scheduler::Schedule' ? 'Properties.Target.Arn' : 'Properties.Targets[].Arn',
        undefined,
        `invokes ${t.fn.logicalId} (${t.fn.file})`,
      ),
    ),
    'a Target.Arn naming the polling AWS::Lambda::Function',
  );
  return { parts: [schedulePart, targetPart] };
};

export const stream: BulletCheck = ({ tree }) => {
  const streams = tree.resources('AWS::Kinesis::Stream');
  const streamPart = foundIf(
    'Kinesis data stream',
    streams.map((s) => ev(tree, s)),
    'an AWS::Kinesis::Stream',
    2,
  );
  const methods = kinesisMethods(tree);
  if (methods.length === 0)
    return { parts: [streamPart], note: 'no API integration writes to Kinesis here, so the partition key is set by producer code: not graded' };
  const keyed = methods.map((m) => {
    const template = allText(section(section(properties(m.resource), 'Integration'), 'RequestTemplates'));
    // The key may be set through a VTL variable (#set($partitionKey = $event.symbol)): read the whole template.
    const hasKey = /PartitionKey/.test(template);
    return { m, symbol: hasKey && /\.(symbol|ticker)\b/i.test(template), city: hasKey && /\.(city|location)\b/i.test(template) };
  });
  const evidence = keyed
    .filter((k) => k.symbol || k.city)
    .map((k) =>
      ev(
        tree,
        k.m,
        'Properties.Integration.RequestTemplates',
        undefined,
        `PartitionKey from ${[k.symbol ? 'symbol' : '', k.city ? 'city' : ''].filter(Boolean).join(' and ')}`,
      ),
    );
  const both = keyed.some((k) => k.symbol && k.city);
  const one = keyed.some((k) => k.symbol || k.city);
  const partitionPart = both
    ? found('partition key from symbol/city', evidence)
    : one
      ? partly('partition key from symbol/city', 0.5, evidence, 'a PartitionKey taken from the symbol for stock ticks and the city for weather')
      : missed(
          'partition key from symbol/city',
          `a PartitionKey in the request mapping template of ${methods.map((m) => m.logicalId).join(', ')} taken from symbol/city`,
        );
  return { parts: [streamPart, partitionPart] };
};

/** Queues some other resource uses as a dead-letter or on-failure destination. */
export function wiredDeadLetterQueues(tree: TemplateTree): Map<string, { queue: ResourceRef; by: ResourceRef; property: string }> {
  const out = new Map<string, { queue: ResourceRef; by: ResourceRef; property: string }>();
  const add = (r: ResourceRef, value: unknown, property: string): void => {
    for (const q of tree.resolve(r.file, value))
      if (q.type === 'AWS::SQS::Queue' && !out.has(`${q.file}#${q.logicalId}`)) out.set(`${q.file}#${q.logicalId}`, { queue: q, by: r, property });
  };
  for (const r of tree.resources()) {
    const p = properties(r.resource);
    switch (r.type) {
      case 'AWS::Lambda::Function':
        add(r, section(p, 'DeadLetterConfig').TargetArn, 'DeadLetterConfig.TargetArn');
        break;
      case 'AWS::Lambda::EventSourceMapping':
      case 'AWS::Lambda::EventInvokeConfig':
        add(r, section(section(p, 'DestinationConfig'), 'OnFailure').Destination, 'DestinationConfig.OnFailure.Destination');
        break;
      case 'AWS::SQS::Queue': {
        const redrive = isRecord(p.RedrivePolicy) ? p.RedrivePolicy : {};
        add(r, redrive.deadLetterTargetArn, 'RedrivePolicy.deadLetterTargetArn');
        break;
      }
      case 'AWS::Scheduler::Schedule':
        add(r, section(section(p, 'Target'), 'DeadLetterConfig').Arn, 'Target.DeadLetterConfig.Arn');
        break;
      case 'AWS::Events::Rule':
        for (const t of Array.isArray(p.Targets) ? p.Targets : [])
          if (isRecord(t)) add(r, section(t, 'DeadLetterConfig').Arn, 'Targets[].DeadLetterConfig.Arn');
        break;
      case 'AWS::SNS::Subscription':
        add(r, section(p, 'RedrivePolicy').deadLetterTargetArn, 'RedrivePolicy.deadLetterTargetArn');
        break;
      default:
        break;
    }
  }
  return out;
}

export const deadLetterQueues: BulletCheck = ({ tree }) => {
  const wired = [...wiredDeadLetterQueues(tree).values()];
  if (wired.length > 0)
    return {
      parts: [
        found(
          'SQS dead-letter queues in use',
          wired.map((w) => ev(tree, w.queue, undefined, undefined, `${w.by.logicalId}.${w.property}`)),
        ),
      ],
    };
  const byName = named(tree.resources('AWS::SQS::Queue'), /dlq|dead/i);
  if (byName.length > 0)
    return {
      parts: [
        partly(
          'SQS dead-letter queues in use',
          0.5,
          unique(byName).map((q) => ev(tree, q)),
          `${byName.map((q) => q.logicalId).join(', ')} wired as a dead-letter target (a function's DeadLetterConfig, an event source mapping's OnFailure destination or a queue's RedrivePolicy)`,
        ),
      ],
    };
  return {
    parts: [
      missed('SQS dead-letter queues in use', 'an AWS::SQS::Queue used as a dead-letter queue (DeadLetterConfig, OnFailure destination or RedrivePolicy)'),
    ],
  };
};

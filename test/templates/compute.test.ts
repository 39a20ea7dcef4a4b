import { COMMON_ENVIRONMENT, FUNCTIONS } from '../../handlers/lib/contracts';
import { compute, FUNCTION_ENVIRONMENT } from '../../templates-src/compute';
import { NAMES } from '../../templates-src/lib/names';
import { ref, split } from '../../templates-src/lib/fn';
import { FAILURE_CONTRACT, functionIds, lambdaFunction } from '../../templates-src/lib/lambda';
import { canonicalize } from '../../templates-src/lib/yaml';
import { ROOT_PARAMETERS } from '../../templates-src/parameters';
import { STACKS } from '../../templates-src/stacks';
import { DLQ_IDS } from '../../templates-src/streaming';

type Json = Record<string, any>;
const doc = canonicalize(compute.build()) as Json;
const resources = doc.Resources as Record<string, Json>;
const ofType = (type: string): [string, Json][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const FUNCTION_NAMES = Object.keys(FUNCTION_ENVIRONMENT) as (keyof typeof FUNCTION_ENVIRONMENT)[];
const OPS = [{ Ref: 'OpsAlertsTopicArn' }];

describe('compute.yaml: the function environment contract', () => {
  test('every bundle named in templates-src/lib/names.ts has an environment contract in contracts/functions.ts', () => {
    expect(Object.keys(FUNCTION_ENVIRONMENT).sort()).toEqual(Object.keys(NAMES.functions).sort());
  });

  test.each(FUNCTION_NAMES)('%s gets exactly its contract variables plus the common ones', (name) => {
    const variables = resources[functionIds(name).fn]!.Properties.Environment.Variables as Json;
    expect(Object.keys(variables).sort()).toEqual([...FUNCTIONS[name], ...COMMON_ENVIRONMENT].sort());
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe(name);
    expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe('StockWeather');
    expect(variables.LOG_LEVEL).toEqual({ 'Fn::If': ['IsProd', 'INFO', 'DEBUG'] });
    // Every value comes from a stack parameter (no literals that could drift from the deployment).
    for (const key of FUNCTIONS[name]) expect(Object.keys(variables[key])).toEqual(['Ref']);
  });

  test('lambdaFunction refuses an environment that is not the contract, naming the differences', () => {
    const props = {
      name: 'aggregator' as const,
      description: 'x',
      roleArn: 'arn:aws:iam::123456789012:role/x',
      logLevel: 'INFO',
      vpc: { subnetIds: split(',', ref('Subnets')), securityGroupIds: ['sg-1'] },
      logsKeyArn: 'k',
      alarmTopicArn: 't',
    };
    expect(() => lambdaFunction({ ...props, environment: { METRICS_TABLE_NAME: 'm' } as never })).toThrow(/missing LATEST_TABLE_NAME/);
    expect(() => lambdaFunction({ ...props, environment: { METRICS_TABLE_NAME: 'm', LATEST_TABLE_NAME: 'l', EXTRA: 'x' } as never })).toThrow(
      /unexpected EXTRA/,
    );
  });
});

describe('compute.yaml: functions', () => {
  test.each(FUNCTION_NAMES)('%s: bundle, runtime, arm64, VPC (under InVpc), X-Ray, its own encrypted log group and role', (name) => {
    const ids = functionIds(name);
    const fn = resources[ids.fn]!;
    expect(fn.Type).toBe('AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({
      FunctionName: { 'Fn::Sub': `\${NamePrefix}-${name}` },
      Code: `../dist/handlers/${name}.zip`,
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Role: { Ref: `${name.charAt(0).toUpperCase()}${name.slice(1)}RoleArn` },
      // Outside any VPC: empty lists, which detach a function that was in one (a missing VpcConfig would not).
      VpcConfig: {
        SubnetIds: { 'Fn::If': ['InVpc', { 'Fn::Split': [',', { Ref: 'AppPrivateSubnetIds' }] }, []] },
        SecurityGroupIds: { 'Fn::If': ['InVpc', [{ Ref: 'LambdaSecurityGroupId' }], []] },
      },
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: ids.logs }, LogFormat: 'JSON' },
    });
    const logs = resources[ids.logs]!;
    expect(logs.Properties).toEqual({
      LogGroupName: { 'Fn::Sub': `/aws/lambda/\${NamePrefix}-${name}` },
      RetentionInDays: 90,
      KmsKeyId: { Ref: 'LogsKeyArn' },
    });
    expect(logs.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(doc.Outputs[`${ids.fn}Arn`].Value).toEqual({ 'Fn::GetAtt': [ids.fn, 'Arn'] });
  });

  test.each([
    ['poller', 1],
    ['notifier', 2],
    ['enricher', undefined],
    ['aggregator', undefined],
    ['rules', undefined],
    ['rotation', undefined],
  ] as const)('%s reserved concurrency (only with EnableReservedConcurrency, not per environment): %s', (name, reserved) => {
    const value = resources[functionIds(name).fn]!.Properties.ReservedConcurrentExecutions;
    expect(value).toEqual(reserved === undefined ? undefined : { 'Fn::If': ['ReserveConcurrency', reserved, { Ref: 'AWS::NoValue' }] });
  });

  test('reservations are off unless asked for: Lambda refuses any reservation in an account whose concurrency quota is 10', () => {
    expect(doc.Conditions.ReserveConcurrency).toEqual({ 'Fn::Equals': [{ Ref: 'EnableReservedConcurrency' }, 'true'] });
    expect(ROOT_PARAMETERS.EnableReservedConcurrency!.definition.Default).toBe('false');
  });
});

describe('compute.yaml: the poller schedule', () => {
  test('invokes the poller it depends on (!GetAtt orders it after the function) at the configured rate, with retries, a DLQ and both lists as input', () => {
    const schedule = resources.PollSchedule!.Properties;
    expect(schedule.ScheduleExpression).toEqual({ 'Fn::Sub': 'rate(${PollRateMinutes} minutes)' });
    expect(schedule.GroupName).toEqual({ Ref: 'PollScheduleGroupName' });
    expect(schedule.Target.Arn).toEqual({ 'Fn::GetAtt': [functionIds('poller').fn, 'Arn'] });
    expect(schedule.Target.RoleArn).toEqual({ Ref: 'PollSchedulerRoleArn' });
    expect(schedule.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 });
    expect(schedule.Target.DeadLetterConfig).toEqual({ Arn: { Ref: 'SchedulerDlqArn' } });
    // Evaluate the !Sub/!Join/!Split the way CloudFormation would, for the default parameters.
    const [text, vars] = schedule.Target.Input['Fn::Sub'] as [string, Json];
    const lists: Record<string, string> = { Symbols: 'AAPL,MSFT,AMZN', Cities: 'Amsterdam:52.37:4.89,New York:40.71:-74.01' };
    const joined = (v: Json) => lists[v['Fn::Join'][1]['Fn::Split'][1].Ref]!.split(v['Fn::Join'][1]['Fn::Split'][0]).join(v['Fn::Join'][0]);
    const input = JSON.parse(text.replace(/\$\{(\w+)\}/g, (_m, name: string) => joined(vars[name])));
    expect(input).toEqual({ source: 'scheduler', symbols: ['AAPL', 'MSFT', 'AMZN'], cities: ['Amsterdam:52.37:4.89', 'New York:40.71:-74.01'] });
  });

  test('a poll that fails inside the function is not dropped: Scheduler never sees function errors (async invoke), Lambda sends them to the scheduler DLQ', () => {
    const config = resources.PollerInvokeConfig!.Properties;
    expect(config.DestinationConfig).toEqual({ OnFailure: { Destination: { Ref: 'SchedulerDlqArn' } } });
    expect(compute.inputs.SchedulerDlqArn).toEqual({ output: ['Streaming', 'SchedulerDlqArn'] });
  });
});

describe('compute.yaml: key rotation', () => {
  test('exists only with EnableKeyRotation (default off): configuring rotation runs testSecret against the stored key at once', () => {
    for (const id of ['MarketDataSecretRotation', 'RotationPermission']) expect(resources[id]!.Condition).toBe('RotateMarketDataKey');
    expect(doc.Conditions.RotateMarketDataKey).toEqual({ 'Fn::Equals': [{ Ref: 'EnableKeyRotation' }, 'true'] });
    expect(ROOT_PARAMETERS.EnableKeyRotation!.definition.Default).toBe('false');
  });
});

describe('compute.yaml: event source mappings (DESIGN §5 failure contract)', () => {
  test.each([
    ['enricher', { Ref: 'StreamArn' }, 'EnricherDlqArn'],
    ['aggregator', { Ref: 'StreamArn' }, 'AggregatorDlqArn'],
    ['rules', { Ref: 'LatestTableStreamArn' }, 'RulesDlqArn'],
  ] as const)('%s: partial batch responses, bisect, bounded retries and age, SQS on-failure destination', (name, source, dlq) => {
    const p = resources[functionIds(name).eventSource]!.Properties;
    expect(p).toMatchObject({
      FunctionName: { Ref: functionIds(name).fn },
      EventSourceArn: source,
      Enabled: true,
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: { Ref: dlq } } },
    });
    expect(p.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(p.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    expect(p.MaximumRecordAgeInSeconds).toBeGreaterThanOrEqual(60);
    expect(p.MaximumRecordAgeInSeconds).toBeLessThanOrEqual(86_400);
    expect(p.BatchSize).toBeGreaterThan(0);
    expect(p.MaximumBatchingWindowInSeconds).toBeGreaterThanOrEqual(0);
    expect(p.ParallelizationFactor).toBeGreaterThanOrEqual(1);
  });

  test('there is no mapping without the contract', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings.map(([id]) => id).sort()).toEqual(['AggregatorEventSource', 'EnricherEventSource', 'RulesEventSource']);
    for (const [, m] of mappings)
      expect(m.Properties).toMatchObject({ ...FAILURE_CONTRACT, FunctionResponseTypes: [...FAILURE_CONTRACT.FunctionResponseTypes] });
  });

  // Lambda event filtering, the subset the rules filter uses: exact values in arrays, and prefix.
  function matches(pattern: unknown, value: unknown): boolean {
    if (Array.isArray(pattern))
      return pattern.some((p) =>
        typeof p === 'object' && p !== null && 'prefix' in p ? typeof value === 'string' && value.startsWith(p.prefix) : p === value,
      );
    if (typeof pattern === 'object' && pattern !== null) {
      return Object.entries(pattern).every(([k, p]) => typeof value === 'object' && value !== null && matches(p, (value as Json)[k]));
    }
    return false;
  }
  const record = (eventName: string, pk: string) => ({ eventName, dynamodb: { Keys: { pk: { S: pk } } } });

  test.each([
    [record('MODIFY', 'STOCK#AAPL'), true],
    [record('INSERT', 'WEATHER#Amsterdam'), true],
    [record('REMOVE', 'STOCK#AAPL'), false],
    [record('MODIFY', 'LEASE#poller'), false],
    [record('INSERT', 'ALERT#STOCK#AAPL#stock-drop#2026-11-20'), false],
  ])('the rules filter admits only entity inserts and updates: %j → %s', (rec, admitted) => {
    const filters = resources.RulesEventSource!.Properties.FilterCriteria.Filters as { Pattern: string }[];
    expect(filters.some((f) => matches(JSON.parse(f.Pattern), rec))).toBe(admitted);
  });
});

describe('compute.yaml: asynchronous invocations', () => {
  test.each(['MarketAlerts', 'WeatherAlerts'])('the notifier subscribes to %s with a permission scoped to the topic and a redrive queue', (topic) => {
    expect(resources[`Notifier${topic}Subscription`]!.Properties).toEqual({
      TopicArn: { Ref: `${topic}TopicArn` },
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': ['NotifierFunction', 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { Ref: 'NotifierDlqArn' } },
    });
    expect(resources[`Notifier${topic}Permission`]!.Properties).toEqual({
      FunctionName: { Ref: 'NotifierFunction' },
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: `${topic}TopicArn` },
    });
  });

  test('notifier failures go to its DLQ after 2 retries; failed polls are not retried', () => {
    expect(resources.NotifierInvokeConfig!.Properties).toMatchObject({
      FunctionName: { Ref: 'NotifierFunction' },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { Ref: 'NotifierDlqArn' } } },
    });
    expect(resources.PollerInvokeConfig!.Properties).toMatchObject({ FunctionName: { Ref: 'PollerFunction' }, MaximumRetryAttempts: 0 });
  });

  test('the only resource-based permissions are for SNS (notifier) and Secrets Manager (rotation)', () => {
    // Scheduler invokes the poller through its execution role (streaming.yaml), which needs no permission here.
    const grants = ofType('AWS::Lambda::Permission').map(([, p]) => [p.Properties.FunctionName.Ref, p.Properties.Principal]);
    expect(grants.sort()).toEqual([
      ['NotifierFunction', 'sns.amazonaws.com'],
      ['NotifierFunction', 'sns.amazonaws.com'],
      ['RotationFunction', 'secretsmanager.amazonaws.com'],
    ]);
  });

  test('the market-data secret rotates every 30 days through the rotation function, not during the deploy', () => {
    const rotation = resources.MarketDataSecretRotation!;
    expect(rotation.Properties).toEqual({
      SecretId: { Ref: 'MarketDataSecretArn' },
      RotationLambdaARN: { 'Fn::GetAtt': ['RotationFunction', 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
    });
    expect(rotation.DependsOn).toBe('RotationPermission');
    expect(resources.RotationPermission!.Properties).toMatchObject({ Principal: 'secretsmanager.amazonaws.com', SourceArn: { Ref: 'MarketDataSecretArn' } });
  });
});

describe('compute.yaml: alarms to OpsAlerts', () => {
  const alarms = ofType('AWS::CloudWatch::Alarm');

  test('every alarm notifies OpsAlerts on ALARM and OK, and treats missing data as fine', () => {
    expect(alarms.length).toBe(24);
    for (const [, a] of alarms) expect(a.Properties).toMatchObject({ AlarmActions: OPS, OKActions: OPS, TreatMissingData: 'notBreaching' });
  });

  test.each(FUNCTION_NAMES)('%s: error rate ≥ 5 %% as Errors / Invocations, and throttles', (name) => {
    const ids = functionIds(name);
    const rate = resources[ids.errorRate]!.Properties;
    expect(rate).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const queries = rate.Metrics as Json[];
    expect(queries.filter((q) => q.ReturnData).map((q) => q.Expression)).toEqual(['IF(invocations > 0, 100 * errors / invocations, 0)']);
    expect(queries.filter((q) => !q.ReturnData).map((q) => [q.Id, q.MetricStat.Metric.MetricName, q.MetricStat.Metric.Dimensions])).toEqual([
      ['errors', 'Errors', [{ Name: 'FunctionName', Value: { Ref: ids.fn } }]],
      ['invocations', 'Invocations', [{ Name: 'FunctionName', Value: { Ref: ids.fn } }]],
    ]);
    expect(resources[ids.throttles]!.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.fn } }],
    });
  });

  test.each([
    ['EnricherIteratorAgeAlarm', 'AWS/Lambda', 'IteratorAge', { Name: 'FunctionName', Value: { Ref: 'EnricherFunction' } }],
    ['AggregatorIteratorAgeAlarm', 'AWS/Lambda', 'IteratorAge', { Name: 'FunctionName', Value: { Ref: 'AggregatorFunction' } }],
    ['RulesIteratorAgeAlarm', 'AWS/Lambda', 'IteratorAge', { Name: 'FunctionName', Value: { Ref: 'RulesFunction' } }],
    ['StreamIteratorAgeAlarm', 'AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', { Name: 'StreamName', Value: { Ref: 'StreamName' } }],
  ])('%s: %s %s above 60 s', (id, namespace, metric, dimension) => {
    expect(resources[id]!.Properties).toMatchObject({
      Namespace: namespace,
      MetricName: metric,
      Dimensions: [dimension],
      Statistic: 'Maximum',
      Threshold: 60_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test.each(['Enricher', 'Aggregator', 'Rules', 'Notifier', 'Scheduler'])('%s DLQ depth > 0', (q) => {
    expect(resources[`${q}DlqDepthAlarm`]!.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { Ref: `${q}DlqName` } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test.each([
    ['MetricsTableThrottleAlarm', 'MetricsTableName'],
    ['LatestTableThrottleAlarm', 'LatestTableName'],
  ])('%s: read + write throttle events > 0', (id, table) => {
    const p = resources[id]!.Properties;
    expect(p).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const inputs = (p.Metrics as Json[]).filter((q) => !q.ReturnData).map((q) => [q.MetricStat.Metric.MetricName, q.MetricStat.Metric.Dimensions]);
    expect(inputs).toEqual([
      ['ReadThrottleEvents', [{ Name: 'TableName', Value: { Ref: table } }]],
      ['WriteThrottleEvents', [{ Name: 'TableName', Value: { Ref: table } }]],
    ]);
  });

  test('API 5xx > 0 on the ingestion API stage', () => {
    const p = resources.ApiServerErrorAlarm!.Properties;
    expect(p.Metrics[0].MetricStat.Metric).toEqual({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: [
        { Name: 'ApiName', Value: { Ref: 'ApiName' } },
        { Name: 'Stage', Value: { Ref: 'ApiStageName' } },
      ],
    });
    expect(p).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });
});

describe('compute.yaml: contract with root', () => {
  test('takes outputs only from stacks deployed before it', () => {
    const order = STACKS.map((s) => s.id);
    for (const wire of Object.values(compute.inputs)) {
      if ('output' in wire) expect(order.indexOf(wire.output[0])).toBeLessThan(order.indexOf('Compute'));
    }
  });

  test.each(Object.entries(DLQ_IDS))(
    'the %s dead-letter queue of streaming.yaml is alarmed here, and used as the on-failure destination',
    (consumer, queueId) => {
      expect(compute.inputs[`${queueId}Name`]).toEqual({ output: ['Streaming', `${queueId}Name`] });
      expect(resources[`${queueId}DepthAlarm`]!.Properties.Dimensions).toEqual([{ Name: 'QueueName', Value: { Ref: `${queueId}Name` } }]);
      // The scheduler's DLQ is the schedule's (streaming.yaml); every other one is a destination in this stack.
      if (consumer !== 'scheduler') {
        expect(compute.inputs[`${queueId}Arn`]).toEqual({ output: ['Streaming', `${queueId}Arn`] });
        expect(JSON.stringify(resources)).toContain(JSON.stringify({ Destination: { Ref: `${queueId}Arn` } }));
      }
    },
  );

  test('every parameter is wired, every promised output is declared', () => {
    expect(Object.keys(doc.Parameters).sort()).toEqual(Object.keys(compute.inputs).sort());
    expect(Object.keys(doc.Outputs).sort()).toEqual([...compute.outputs].sort());
    expect(compute.outputs).toEqual([
      'PollerFunctionArn',
      'EnricherFunctionArn',
      'AggregatorFunctionArn',
      'RulesFunctionArn',
      'NotifierFunctionArn',
      'RotationFunctionArn',
    ]);
  });

  test.each(['4.1', '4.2', '4.3', '8.1', '8.2'])('roadmap bullet %s maps to resources', (bullet) => {
    const ids = doc.Metadata.Roadmap[bullet].Resources as string[];
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(resources[id]).toBeDefined();
  });
});

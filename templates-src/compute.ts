/**
 * compute.yaml (roadmap steps 4 and 8): the six functions — poller, validator/enricher,
 * aggregator, rules engine, notifier, secret rotation — each with its log group and alarms
 * (lib/lambda.ts); the event source mappings with the DESIGN §5 failure contract; the poller's
 * EventBridge Scheduler schedule (here, after the function it invokes); the notifier's topic
 * subscriptions; the rotation schedule; and the pipeline alarms to OpsAlerts (iterator age, DLQ
 * depth, DynamoDB throttles, API 5xx).
 *
 * Reserved concurrency (only with EnableReservedConcurrency: Lambda refuses a reservation that
 * leaves less than 100 unreserved, so an account whose concurrency quota is 10 — new accounts may
 * start there — fails the deploy with any reservation at all; the preflight checks the quota):
 * | function   | reserved | why                                                                                  |
 * | ---------- | -------- | ------------------------------------------------------------------------------------ |
 * | poller     | 1        | one run at a time (its lease agrees): protects the quote API's rate limit            |
 * | notifier   | 2        | Slack webhooks allow ~1 message/s; throttled async events wait in Lambda's queue     |
 * | enricher, aggregator, rules | none | shards × ParallelizationFactor already bound them; a cap would only grow iterator age |
 * | rotation   | none     | Secrets Manager runs one rotation at a time                                          |
 *
 * Starting position TRIM_HORIZON for every mapping: the stream exists before this stack (events
 * POSTed in between would be skipped by LATEST), and every consumer is idempotent (DESIGN §4),
 * so re-reading retained records after a mapping is replaced is harmless, while skipping them
 * would lose data.
 */
import EventInvokeConfig from 'cloudform-types/types/lambda/eventInvokeConfig';
import Permission from 'cloudform-types/types/lambda/permission';
import Schedule from 'cloudform-types/types/scheduler/schedule';
import RotationSchedule from 'cloudform-types/types/secretsManager/rotationSchedule';
import Subscription from 'cloudform-types/types/sns/subscription';
import { mathAlarm, namedAlarm, queueDepthAlarm, tableThrottleAlarm } from './lib/alarms';
import { COMMON_INPUTS, IS_PROD, newStackTemplate } from './lib/common';
import { equals, getAtt, ifThen, join, NO_VALUE, ref, split, sub } from './lib/fn';
import { functionIds, ITERATOR_AGE_LIMIT_MS, lambdaFunction, streamConsumer, type FunctionName } from './lib/lambda';
import { NAMES, physicalName } from './lib/names';
import { dependsOn, when } from './lib/resources';
import type { StackDefinition, Wire } from './lib/stack';

export { COMMON_FUNCTION_ENVIRONMENT, FUNCTION_ENVIRONMENT } from './lib/lambda';

interface Input {
  readonly wire: Wire;
  readonly description: string;
  readonly number?: true;
}

const fromStack = (stack: string, output: string, description: string): Input => ({ wire: { output: [stack, output] }, description });
const fromRoot = (parameter: string, description: string, number?: true): Input => ({ wire: { parameter }, description, ...(number ? { number } : {}) });

/** Every parameter of compute.yaml and where root takes it from. */
const INPUTS: Readonly<Record<string, Input>> = {
  ...Object.fromEntries(
    (['Poller', 'Enricher', 'Aggregator', 'Rules', 'Notifier', 'Rotation'] as const).map((f) => [
      `${f}RoleArn`,
      fromStack('Security', `${f}RoleArn`, `Execution role of the ${f.toLowerCase()} function`),
    ]),
  ),
  LogsKeyArn: fromStack('Security', 'LogsKeyArn', 'CMK for the function log groups'),
  OpsAlertsTopicArn: fromStack('Security', 'OpsAlertsTopicArn', 'Topic every alarm notifies'),
  MarketAlertsTopicArn: fromStack('Security', 'MarketAlertsTopicArn', 'Stock alerts topic'),
  WeatherAlertsTopicArn: fromStack('Security', 'WeatherAlertsTopicArn', 'Weather alerts topic'),
  MarketDataSecretArn: fromStack('Security', 'MarketDataSecretArn', 'Stock API key secret'),
  SlackWebhookSecretArn: fromStack('Security', 'SlackWebhookSecretArn', 'Slack webhook URL secret'),
  StreamName: fromStack('Streaming', 'StreamName', 'Kinesis stream of canonical events'),
  StreamArn: fromStack('Streaming', 'StreamArn', 'ARN of the event stream'),
  ApiName: fromStack('Streaming', 'ApiName', 'REST API name, for the 5xx alarm'),
  ApiStageName: fromStack('Streaming', 'ApiStageName', 'REST API stage, for the 5xx alarm'),
  // On-failure destinations (the scheduler's DLQ is wired in streaming.yaml: only its depth alarm lives here).
  ...Object.fromEntries(
    (['Enricher', 'Aggregator', 'Rules', 'Notifier', 'Scheduler'] as const).map((q) => [
      `${q}DlqArn`,
      fromStack('Streaming', `${q}DlqArn`, `ARN of the ${q.toLowerCase()} dead-letter queue`),
    ]),
  ),
  PollScheduleGroupName: fromStack('Streaming', 'PollScheduleGroupName', 'Schedule group of the poller schedule'),
  PollSchedulerRoleArn: fromStack('Streaming', 'PollSchedulerRoleArn', 'Role EventBridge Scheduler invokes the poller with'),
  ...Object.fromEntries(
    (['Enricher', 'Aggregator', 'Rules', 'Notifier', 'Scheduler'] as const).map((q) => [
      `${q}DlqName`,
      fromStack('Streaming', `${q}DlqName`, `Name of the ${q.toLowerCase()} dead-letter queue, for its depth alarm`),
    ]),
  ),
  AppPrivateSubnetIds: fromStack('Networking', 'AppPrivateSubnetIds', 'Comma-joined private subnets of the app VPC'),
  LambdaSecurityGroupId: fromStack('Networking', 'LambdaSecurityGroupId', 'Security group of the functions'),
  FunctionsInVpc: fromRoot(
    'FunctionsInVpc',
    'true: the functions run in the app VPC private subnets; false: outside any VPC (no NAT gateway or interface endpoints needed)',
  ),
  RawBucketName: fromStack('DataLake', 'RawBucketName', 'Raw zone bucket'),
  ProcessedBucketName: fromStack('DataLake', 'ProcessedBucketName', 'Processed zone bucket'),
  MetricsTableName: fromStack('Datastores', 'MetricsTableName', 'MetricsTable'),
  LatestTableName: fromStack('Datastores', 'LatestTableName', 'LatestTable (also holds the poller leases)'),
  LatestTableStreamArn: fromStack('Datastores', 'LatestTableStreamArn', 'LatestTable stream (NEW_AND_OLD_IMAGES)'),
  Symbols: fromRoot('Symbols', 'Comma-separated stock symbols'),
  Cities: fromRoot('Cities', 'Comma-separated Name:latitude:longitude'),
  MarketDataProvider: fromRoot('MarketDataProvider', 'Stock quote API'),
  StockDropPercent: fromRoot('StockDropPercent', 'Drop alert threshold, percent', true),
  HeatThresholdC: fromRoot('HeatThresholdC', 'Heat alert threshold, °C', true),
  ColdThresholdC: fromRoot('ColdThresholdC', 'Cold alert threshold, °C', true),
  WindThresholdKph: fromRoot('WindThresholdKph', 'Wind alert threshold, km/h', true),
  PrecipThresholdMm: fromRoot('PrecipThresholdMm', 'Precipitation alert threshold, mm', true),
  MaxClockSkewSeconds: fromRoot('MaxClockSkewSeconds', 'Seconds a producer ts may be ahead of its Kinesis arrival before the tick is quarantined', true),
  PollRateMinutes: fromRoot('PollRateMinutes', 'Minutes between poller runs', true),
  EnableKeyRotation: fromRoot('EnableKeyRotation', 'true: rotate the market-data key every 30 days (the real key and standby keys are stored)'),
  EnableReservedConcurrency: fromRoot('EnableReservedConcurrency', 'true: reserve concurrency for the poller and the notifier (account quota ≥ 103)'),
};

const FUNCTION_NAMES = Object.keys(NAMES.functions) as FunctionName[];

export const compute: StackDefinition = {
  id: 'Compute',
  file: 'compute.yaml',
  source: 'templates-src/compute.ts',
  steps: [3, 4, 8], // 3: the poll schedule lives here, created after the function it invokes
  inputs: { ...COMMON_INPUTS, ...Object.fromEntries(Object.entries(INPUTS).map(([name, input]) => [name, input.wire])) },
  outputs: FUNCTION_NAMES.map((f) => `${functionIds(f).fn}Arn`),
  build() {
    const t = newStackTemplate(
      'compute',
      'Processing and alerting (roadmap steps 4 and 8): the pipeline functions, their event source mappings with the failure contract, and the CloudWatch alarms',
    );
    for (const [name, input] of Object.entries(INPUTS)) t.parameter(name, { Type: input.number ? 'Number' : 'String', Description: input.description });
    const reserve = t.condition('ReserveConcurrency', equals(ref('EnableReservedConcurrency'), 'true'));
    const rotate = t.condition('RotateMarketDataKey', equals(ref('EnableKeyRotation'), 'true'));
    const inVpc = t.condition('InVpc', equals(ref('FunctionsInVpc'), 'true'));
    const ops = ref('OpsAlertsTopicArn');
    const common = {
      logLevel: ifThen(IS_PROD, 'INFO', 'DEBUG'),
      vpc: { subnetIds: split(',', ref('AppPrivateSubnetIds')), securityGroupIds: [ref('LambdaSecurityGroupId')], condition: inVpc },
      logsKeyArn: ref('LogsKeyArn'),
      alarmTopicArn: ops,
    };
    const ids = Object.fromEntries(FUNCTION_NAMES.map((f) => [f, functionIds(f)])) as Record<FunctionName, ReturnType<typeof functionIds>>;

    // --- Functions ---------------------------------------------------------------------------
    t.add(
      lambdaFunction({
        ...common,
        name: 'poller',
        description: 'Polls the stock and weather APIs into the event stream (EventBridge Scheduler)',
        roleArn: ref('PollerRoleArn'),
        timeoutSeconds: 60,
        reservedConcurrency: ifThen(reserve, 1, NO_VALUE),
        environment: {
          STREAM_NAME: ref('StreamName'),
          SYMBOLS: ref('Symbols'),
          CITIES: ref('Cities'),
          MARKET_DATA_SECRET_ARN: ref('MarketDataSecretArn'),
          MARKET_DATA_PROVIDER: ref('MarketDataProvider'),
          LEASE_TABLE_NAME: ref('LatestTableName'),
        },
      }),
    );
    t.add(
      lambdaFunction({
        ...common,
        name: 'enricher',
        description: 'Validates and enriches events; writes MetricsTable, LatestTable, raw NDJSON and processed Parquet',
        roleArn: ref('EnricherRoleArn'),
        memoryMb: 1024,
        timeoutSeconds: 120,
        environment: {
          METRICS_TABLE_NAME: ref('MetricsTableName'),
          LATEST_TABLE_NAME: ref('LatestTableName'),
          RAW_BUCKET_NAME: ref('RawBucketName'),
          PROCESSED_BUCKET_NAME: ref('ProcessedBucketName'),
          MAX_CLOCK_SKEW_SECONDS: ref('MaxClockSkewSeconds'),
        },
      }),
    );
    t.add(
      lambdaFunction({
        ...common,
        name: 'aggregator',
        description: 'Rolling averages (SMA-5/SMA-20, time windows) per entity',
        roleArn: ref('AggregatorRoleArn'),
        memoryMb: 512,
        timeoutSeconds: 60,
        environment: {
          METRICS_TABLE_NAME: ref('MetricsTableName'),
          LATEST_TABLE_NAME: ref('LatestTableName'),
          MAX_CLOCK_SKEW_SECONDS: ref('MaxClockSkewSeconds'),
        },
      }),
    );
    t.add(
      lambdaFunction({
        ...common,
        name: 'rules',
        description: 'Rules engine on the LatestTable stream: stock drops, SMA crosses, weather thresholds',
        roleArn: ref('RulesRoleArn'),
        environment: {
          LATEST_TABLE_NAME: ref('LatestTableName'),
          MARKET_ALERTS_TOPIC_ARN: ref('MarketAlertsTopicArn'),
          WEATHER_ALERTS_TOPIC_ARN: ref('WeatherAlertsTopicArn'),
          STOCK_DROP_PERCENT: ref('StockDropPercent'),
          HEAT_THRESHOLD_C: ref('HeatThresholdC'),
          COLD_THRESHOLD_C: ref('ColdThresholdC'),
          WIND_THRESHOLD_KPH: ref('WindThresholdKph'),
          PRECIP_THRESHOLD_MM: ref('PrecipThresholdMm'),
        },
      }),
    );
    t.add(
      lambdaFunction({
        ...common,
        name: 'notifier',
        description: 'Formats alerts for email and posts them to Slack',
        roleArn: ref('NotifierRoleArn'),
        reservedConcurrency: ifThen(reserve, 2, NO_VALUE),
        // Throttling is the reservation doing its job on an alert burst; alarm only when it persists.
        throttleThreshold: 10,
        environment: { SLACK_WEBHOOK_SECRET_ARN: ref('SlackWebhookSecretArn') },
      }),
    );
    t.add(
      lambdaFunction({
        ...common,
        name: 'rotation',
        description: 'Rotates the market-data API key (Secrets Manager four-step protocol)',
        roleArn: ref('RotationRoleArn'),
        timeoutSeconds: 60,
        environment: { MARKET_DATA_PROVIDER: ref('MarketDataProvider') },
      }),
    );

    // --- Stream consumers: the failure contract ------------------------------------------------
    t.add(
      streamConsumer({
        name: 'enricher',
        eventSourceArn: ref('StreamArn'),
        onFailureArn: ref('EnricherDlqArn'),
        startingPosition: 'TRIM_HORIZON',
        // Large batches make fewer, larger Parquet objects; 10 s bounds the added latency.
        batchSize: 1000,
        maxBatchingWindowSeconds: 10,
        parallelizationFactor: 2,
        alarmTopicArn: ops,
      }),
    );
    t.add(
      streamConsumer({
        name: 'aggregator',
        eventSourceArn: ref('StreamArn'),
        onFailureArn: ref('AggregatorDlqArn'),
        startingPosition: 'TRIM_HORIZON',
        // One batch per shard at a time: rolling state per entity is read-modify-write.
        batchSize: 500,
        maxBatchingWindowSeconds: 5,
        parallelizationFactor: 1,
        alarmTopicArn: ops,
      }),
    );
    t.add(
      streamConsumer({
        name: 'rules',
        eventSourceArn: ref('LatestTableStreamArn'),
        onFailureArn: ref('RulesDlqArn'),
        startingPosition: 'TRIM_HORIZON',
        batchSize: 100,
        maxBatchingWindowSeconds: 1,
        parallelizationFactor: 1,
        alarmTopicArn: ops,
        // Only entity items can alert: leases (LEASE#) and alert markers (ALERT#) and deletes never invoke the function.
        filters: [JSON.stringify({ eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { pk: { S: [{ prefix: 'STOCK#' }, { prefix: 'WEATHER#' }] } } } })],
      }),
    );

    // --- Asynchronous invocations: poller (Scheduler) and notifier (SNS) -------------------------
    // Scheduler invokes Lambda asynchronously: its retry policy and DLQ cover only deliveries it
    // could not make (throttling, a missing function); a poll that fails inside the function is
    // Lambda's async retry and on-failure destination to handle. Both end in the scheduler DLQ.
    // The schedule is created after the poller (the !GetAtt below), so a first deploy never fires
    // at a function that does not exist yet. The execution role (streaming.yaml) is what authorizes
    // Scheduler: unlike EventBridge rules it needs no resource-based permission.
    t.resource(
      'PollSchedule',
      new Schedule({
        // Not `poll`, the name it had in streaming.yaml: an update creates this one before the old
        // one is removed (CloudFormation deletes removed resources in its final cleanup phase).
        Name: physicalName('poll-schedule'),
        GroupName: ref('PollScheduleGroupName'),
        Description: 'Poll the stock and weather APIs into the event stream',
        // Scheduler accepts "rate(1 minutes)": unlike EventBridge rules it does not insist the unit agrees with the value.
        ScheduleExpression: sub('rate(${PollRateMinutes} minutes)'),
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: getAtt(ids.poller.fn, 'Arn'),
          RoleArn: ref('PollSchedulerRoleArn'),
          // One poller run (one lease) per interval fetches quotes and weather; Input repeats the
          // configured lists so a run is self-describing in the logs and the DLQ.
          Input: sub('{"source":"scheduler","symbols":["${SymbolList}"],"cities":["${CityList}"]}', {
            SymbolList: join('","', split(',', ref('Symbols'))),
            CityList: join('","', split(',', ref('Cities'))),
          }),
          // A poll older than ~one interval is worthless: the next run fetches fresher data.
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
          DeadLetterConfig: { Arn: ref('SchedulerDlqArn') },
        },
      }),
    );
    t.resource(
      'PollerInvokeConfig',
      new EventInvokeConfig({
        FunctionName: ref(ids.poller.fn),
        Qualifier: '$LATEST',
        // A failed poll is not worth repeating (the next scheduled run fetches fresher data), but it
        // is recorded: the scheduler DLQ's depth alarm says the poller is failing.
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 300,
        DestinationConfig: { OnFailure: { Destination: ref('SchedulerDlqArn') } },
      }),
    );
    t.resource(
      'NotifierInvokeConfig',
      new EventInvokeConfig({
        FunctionName: ref(ids.notifier.fn),
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        // Six hours (the maximum) so alerts held back by the reserved concurrency are not expired early.
        MaximumEventAgeInSeconds: 21_600,
        DestinationConfig: { OnFailure: { Destination: ref('NotifierDlqArn') } },
      }),
    );
    for (const topic of ['MarketAlerts', 'WeatherAlerts']) {
      t.resource(
        `Notifier${topic}Permission`,
        new Permission({
          FunctionName: ref(ids.notifier.fn),
          Action: 'lambda:InvokeFunction',
          Principal: 'sns.amazonaws.com',
          SourceArn: ref(`${topic}TopicArn`),
        }),
      );
      t.resource(
        `Notifier${topic}Subscription`,
        dependsOn(
          new Subscription({
            TopicArn: ref(`${topic}TopicArn`),
            Protocol: 'lambda',
            Endpoint: getAtt(ids.notifier.fn, 'Arn'),
            // Deliveries SNS cannot make (function deleted, permission missing) go to the notifier DLQ too.
            RedrivePolicy: { deadLetterTargetArn: ref('NotifierDlqArn') },
          }),
          `Notifier${topic}Permission`,
        ),
      );
    }

    // --- Secret rotation -----------------------------------------------------------------------
    // Only once the real key (and standby keys) are stored: configuring rotation makes Secrets
    // Manager run the function's testSecret step at once, which tests the stored key against the
    // provider — the generated placeholder fails it, and with it the deploy.
    t.resource(
      'RotationPermission',
      when(
        rotate,
        new Permission({
          FunctionName: ref(ids.rotation.fn),
          Action: 'lambda:InvokeFunction',
          Principal: 'secretsmanager.amazonaws.com',
          SourceArn: ref('MarketDataSecretArn'),
        }),
      ),
    );
    t.resource(
      'MarketDataSecretRotation',
      when(
        rotate,
        dependsOn(
          new RotationSchedule({
            SecretId: ref('MarketDataSecretArn'),
            RotationLambdaARN: getAtt(ids.rotation.fn, 'Arn'),
            RotationRules: { ScheduleExpression: 'rate(30 days)' },
            // No rotation during the deploy itself; Secrets Manager still runs testSecret (see above).
            RotateImmediatelyOnUpdate: false,
          }),
          'RotationPermission',
        ),
      ),
    );

    // --- Pipeline alarms -------------------------------------------------------------------------
    t.resource(
      'StreamIteratorAgeAlarm',
      namedAlarm('stream-iterator-age', {
        description: `The oldest unread record of the event stream is more than ${ITERATOR_AGE_LIMIT_MS / 1000} s old`,
        namespace: 'AWS/Kinesis',
        metricName: 'GetRecords.IteratorAgeMilliseconds',
        dimensions: { StreamName: ref('StreamName') },
        statistic: 'Maximum',
        threshold: ITERATOR_AGE_LIMIT_MS,
        periodSeconds: 60,
        evaluationPeriods: 3,
        actions: [ops],
      }),
    );
    const queues = ['Enricher', 'Aggregator', 'Rules', 'Notifier', 'Scheduler'];
    for (const q of queues) t.resource(`${q}DlqDepthAlarm`, queueDepthAlarm(`${q.toLowerCase()}-dlq-depth`, ref(`${q}DlqName`), [ops]));
    t.resource('MetricsTableThrottleAlarm', tableThrottleAlarm('metrics-table-throttles', ref('MetricsTableName'), [ops]));
    t.resource('LatestTableThrottleAlarm', tableThrottleAlarm('latest-table-throttles', ref('LatestTableName'), [ops]));
    t.resource(
      'ApiServerErrorAlarm',
      mathAlarm({
        nameSuffix: 'api-5xx',
        description: 'The ingestion API answered with 5xx (Kinesis or KMS failures, misconfiguration)',
        inputs: [{ id: 'errors', namespace: 'AWS/ApiGateway', metricName: '5XXError', dimensions: { ApiName: ref('ApiName'), Stage: ref('ApiStageName') } }],
        expression: 'FILL(errors, 0)',
        label: '5xx responses',
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        actions: [ops],
      }),
    );

    // --- Roadmap -------------------------------------------------------------------------------
    const composite = (f: FunctionName) => [ids[f].fn, ids[f].logs];
    t.implements('3.2', 'PollSchedule', ...composite('poller'), 'PollerInvokeConfig');
    t.implements('4.1', ...composite('enricher'), ids.enricher.eventSource);
    t.implements('4.2', ...composite('aggregator'), ids.aggregator.eventSource);
    t.implements(
      '4.3',
      ids.enricher.eventSource,
      ids.aggregator.eventSource,
      ids.rules.eventSource,
      'NotifierInvokeConfig',
      'PollerInvokeConfig',
      'NotifierMarketAlertsSubscription',
      'NotifierWeatherAlertsSubscription',
    );
    t.implements('8.1', ...composite('rules'), ids.rules.eventSource);
    t.implements(
      '8.2',
      ...FUNCTION_NAMES.flatMap((f) => [ids[f].errorRate, ids[f].throttles]),
      ...(['enricher', 'aggregator', 'rules'] as const).map((f) => ids[f].iteratorAge),
      'StreamIteratorAgeAlarm',
      ...queues.map((q) => `${q}DlqDepthAlarm`),
      'MetricsTableThrottleAlarm',
      'LatestTableThrottleAlarm',
      'ApiServerErrorAlarm',
    );
    t.implements(
      '8.3',
      ...composite('notifier'),
      'NotifierMarketAlertsSubscription',
      'NotifierWeatherAlertsSubscription',
      'NotifierMarketAlertsPermission',
      'NotifierWeatherAlertsPermission',
    );
    t.implements('9.3', ...composite('rotation'), 'RotationPermission', 'MarketDataSecretRotation');

    for (const f of FUNCTION_NAMES) t.output(`${ids[f].fn}Arn`, { description: `ARN of the ${f} function`, value: getAtt(ids[f].fn, 'Arn') });
    return t.toDocument();
  },
};

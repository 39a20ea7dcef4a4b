/**
 * The pipeline-health dashboard's content, in the order an event travels: API → Kinesis → each
 * Lambda → dead-letter queues → DynamoDB → alerts. Names are `${…}` placeholders resolved by the
 * stack's `!Sub`: parameters of dashboards.yaml, `${NamePrefix}-<function>` for functions (the
 * NAMES contract) and `<Topic>Name` variables derived from the topic ARNs.
 */
import { dashboardBody, metric, type DashboardRow } from './dashboard';
import { NAMES } from './names';

/** dashboards.yaml parameters naming the dead-letter queues (Streaming outputs of the same names). */
export const DLQ_INPUTS = ['EnricherDlqName', 'AggregatorDlqName', 'RulesDlqName', 'NotifierDlqName', 'SchedulerDlqName'] as const;

/** dashboards.yaml parameters with the alert topics' ARNs (Security outputs of the same names). */
export const TOPIC_INPUTS = ['OpsAlertsTopicArn', 'MarketAlertsTopicArn', 'WeatherAlertsTopicArn', 'FinOpsAlertsTopicArn'] as const;

/** Functions on the dashboard, in pipeline order. */
export const DASHBOARD_FUNCTIONS = [
  NAMES.functions.poller,
  NAMES.functions.enricher,
  NAMES.functions.aggregator,
  NAMES.functions.rules,
  NAMES.functions.notifier,
  NAMES.functions.rotation,
] as const;

const api = { ApiName: '${ApiName}', Stage: '${ApiStageName}' };
const stream = { StreamName: '${StreamName}' };
const tables = ['${MetricsTableName}', '${LatestTableName}'];

export function pipelineDashboardRows(): DashboardRow[] {
  return [
    {
      heading: 'Ingestion API (POST /ingest, GET /health)',
      widgets: [
        {
          title: 'Requests and errors',
          metrics: [metric('AWS/ApiGateway', 'Count', api), metric('AWS/ApiGateway', '4XXError', api), metric('AWS/ApiGateway', '5XXError', api)],
        },
        {
          title: 'Latency (ms)',
          stat: 'p99',
          metrics: [
            metric('AWS/ApiGateway', 'Latency', api, { stat: 'p50', label: 'Latency p50' }),
            metric('AWS/ApiGateway', 'Latency', api, { stat: 'p99', label: 'Latency p99' }),
            metric('AWS/ApiGateway', 'IntegrationLatency', api, { stat: 'p99', label: 'Kinesis integration p99' }),
          ],
        },
      ],
    },
    {
      heading: 'Kinesis event stream',
      widgets: [
        {
          title: 'Incoming records',
          metrics: [metric('AWS/Kinesis', 'IncomingRecords', stream), metric('AWS/Kinesis', 'WriteProvisionedThroughputExceeded', stream)],
        },
        { title: 'Iterator age (ms)', stat: 'Maximum', metrics: [metric('AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', stream)] },
      ],
    },
    {
      heading: 'Lambda functions',
      widgets: DASHBOARD_FUNCTIONS.map((fn) => {
        const d = { FunctionName: `\${NamePrefix}-${fn}` };
        return {
          title: fn,
          width: 8,
          metrics: [
            metric('AWS/Lambda', 'Invocations', d),
            metric('AWS/Lambda', 'Errors', d),
            metric('AWS/Lambda', 'Throttles', d),
            metric('AWS/Lambda', 'Duration', d, { stat: 'p99', yAxis: 'right', label: 'Duration p99 (ms)' }),
          ],
        };
      }),
    },
    {
      heading: 'Dead-letter queues (anything above 0 needs a replay: npm run replay-dlq)',
      widgets: [
        {
          title: 'Messages waiting',
          stat: 'Maximum',
          metrics: DLQ_INPUTS.map((q) => metric('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: `\${${q}}` })),
        },
      ],
    },
    {
      heading: 'DynamoDB',
      widgets: [
        {
          title: 'Consumed capacity',
          metrics: tables.flatMap((t) => [
            metric('AWS/DynamoDB', 'ConsumedReadCapacityUnits', { TableName: t }),
            metric('AWS/DynamoDB', 'ConsumedWriteCapacityUnits', { TableName: t }),
          ]),
        },
        {
          title: 'Throttle events',
          metrics: tables.flatMap((t) => [
            metric('AWS/DynamoDB', 'ReadThrottleEvents', { TableName: t }),
            metric('AWS/DynamoDB', 'WriteThrottleEvents', { TableName: t }),
          ]),
        },
      ],
    },
    {
      heading: 'Alerts published',
      widgets: [
        {
          title: 'Messages published per topic',
          period: 300,
          metrics: TOPIC_INPUTS.map((arn) => metric('AWS/SNS', 'NumberOfMessagesPublished', { TopicName: `\${${arn.replace(/Arn$/, 'Name')}}` })),
        },
        {
          title: 'Failed deliveries',
          period: 300,
          metrics: TOPIC_INPUTS.map((arn) => metric('AWS/SNS', 'NumberOfNotificationsFailed', { TopicName: `\${${arn.replace(/Arn$/, 'Name')}}` })),
        },
      ],
    },
  ];
}

/** The dashboard body text with `${…}` placeholders (see the module comment). */
export function pipelineDashboardBody(): string {
  return dashboardBody(pipelineDashboardRows());
}

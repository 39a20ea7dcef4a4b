/**
 * dashboards.yaml (roadmap step 7): the CloudWatch pipeline-health dashboard; QuickSight (behind a
 * toggle: it needs an account subscription) with an Athena data source, data sets for stocks and
 * weather (and the latest values in DynamoDB through the Athena DynamoDB connector) and a
 * dashboard for each; an AWS Budgets budget and Cost Anomaly Detection alerting FinOpsAlerts.
 *
 * | EnableQuickSight, principal | AthenaDynamoDbConnectorArn | QuickSight resources                               |
 * | --------------------------- | -------------------------- | -------------------------------------------------- |
 * | false or principal empty    | any                        | none                                               |
 * | true, principal set         | empty                      | source, stocks/weather data sets, two dashboards   |
 * | true, principal set         | set                        | + Athena catalog over DynamoDB, latest-value data sets and a latest table on each dashboard |
 *
 * The connector is AWS's Lambda from the Serverless Application Repository (AthenaDynamoDBConnector):
 * its code is not ours and deploying it from CloudFormation needs the SAM transform, which would
 * make generated/ differ from what CloudFormation runs, so it is deployed once beside the stack and
 * its ARN passed in. QuickSight reads through its service role (`aws-quicksight-service-role-v0`,
 * created with the account's QuickSight subscription): this stack attaches a policy to it for
 * the processed and Athena-results buckets, the data-lake key, the workgroup, the Glue tables
 * (analytics.yaml defines them, so they exist before the data sets) and the connector. The
 * subscription itself has no CloudFormation resource: it is an account prerequisite
 * (docs/deploy.md), which the deploy preflight checks when EnableQuickSight is true.
 *
 * Cost controls, by ProjectTagActive (the Project cost-allocation tag activated in Billing):
 * | ProjectTagActive | budget                                 | cost anomaly monitor               |
 * | ---------------- | -------------------------------------- | ---------------------------------- |
 * | false            | the whole account (named so: -account-) | none (a tag monitor on an inactive tag sees nothing) |
 * | true             | this deployment's Project tag only      | CUSTOM monitor on the Project tag  |
 */
import DataCatalog from 'cloudform-types/types/athena/dataCatalog';
import Budget from 'cloudform-types/types/budgets/budget';
import AnomalyMonitor from 'cloudform-types/types/ce/anomalyMonitor';
import AnomalySubscription from 'cloudform-types/types/ce/anomalySubscription';
import CloudWatchDashboard from 'cloudform-types/types/cloudWatch/dashboard';
import { COMMON_INPUTS, newStackTemplate } from './lib/common';
import { and, conditionRef, equals, ifThen, NO_VALUE, not, ref, select, split, sub } from './lib/fn';
import { nameText, physicalName } from './lib/names';
import { pipelineDashboardBody, DLQ_INPUTS, TOPIC_INPUTS } from './lib/pipeline-dashboard';
import { DYNAMODB_CATALOG_SUFFIX, QUICKSIGHT_IDS, quickSightAccessPolicy, quickSightResources } from './lib/quicksight-resources';
import { when } from './lib/resources';
import type { StackDefinition } from './lib/stack';
import { booleanParameter } from './lib/template';

/** Budget notifications: percentage of MonthlyBudgetUsd and whether actual or forecast spend. */
export const BUDGET_NOTIFICATIONS = [
  { type: 'ACTUAL', threshold: 80 },
  { type: 'FORECASTED', threshold: 100 },
] as const;

/** Cost anomalies with at least this total impact (USD) alert FinOpsAlerts. */
export const ANOMALY_IMPACT_USD = 10;

export const dashboards: StackDefinition = {
  id: 'Dashboards',
  file: 'dashboards.yaml',
  source: 'templates-src/dashboards.ts',
  steps: [7],
  inputs: {
    ...COMMON_INPUTS,
    ApiName: { output: ['Streaming', 'ApiName'] },
    ApiStageName: { output: ['Streaming', 'ApiStageName'] },
    StreamName: { output: ['Streaming', 'StreamName'] },
    ...Object.fromEntries(DLQ_INPUTS.map((name) => [name, { output: ['Streaming', name] as const }])),
    MetricsTableName: { output: ['Datastores', 'MetricsTableName'] },
    LatestTableName: { output: ['Datastores', 'LatestTableName'] },
    ...Object.fromEntries(TOPIC_INPUTS.map((name) => [name, { output: ['Security', name] as const }])),
    GlueDatabaseName: { output: ['Analytics', 'GlueDatabaseName'] },
    AthenaWorkGroupName: { output: ['Analytics', 'AthenaWorkGroupName'] },
    EnableQuickSight: { parameter: 'EnableQuickSight' },
    QuickSightPrincipalArn: { parameter: 'QuickSightPrincipalArn' },
    AthenaDynamoDbConnectorArn: { parameter: 'AthenaDynamoDbConnectorArn' },
    MonthlyBudgetUsd: { parameter: 'MonthlyBudgetUsd' },
    ProjectTagActive: { parameter: 'ProjectTagActive' },
    ProcessedBucketArn: { output: ['DataLake', 'ProcessedBucketArn'] },
    AthenaResultsBucketArn: { output: ['Analytics', 'AthenaResultsBucketArn'] },
    DataLakeKeyArn: { output: ['Security', 'DataLakeKeyArn'] },
  },
  outputs: [
    'PipelineDashboardName',
    'PipelineDashboardUrl',
    'BudgetName',
    'AnomalyMonitorArn',
    'QuickSightDataSourceId',
    'StocksDashboardId',
    'WeatherDashboardId',
  ],
  build() {
    const t = newStackTemplate(
      'dashboards',
      'Dashboards (roadmap step 7): CloudWatch pipeline health, QuickSight data sets and dashboards (toggle), budget and cost anomaly alerts',
    );
    const text = (id: string, description: string, extra: Record<string, unknown> = {}) =>
      t.parameter(id, { Type: 'String', Description: description, ...extra });
    text('ApiName', 'REST API name, the ApiName dimension of its metrics (Streaming stack)');
    text('ApiStageName', 'Stage of the REST API (Streaming stack)');
    text('StreamName', 'Kinesis stream (Streaming stack)');
    for (const name of DLQ_INPUTS) text(name, `Dead-letter queue name (Streaming stack: ${name})`);
    text('MetricsTableName', 'MetricsTable (Datastores stack)');
    text('LatestTableName', 'LatestTable (Datastores stack)');
    for (const name of TOPIC_INPUTS) text(name, `SNS topic ARN (Security stack: ${name})`);
    text('GlueDatabaseName', 'Glue database of the processed zone (Analytics stack)');
    text('AthenaWorkGroupName', 'Athena workgroup QuickSight queries through (Analytics stack)');
    t.parameter('EnableQuickSight', booleanParameter('Create the QuickSight resources (needs a QuickSight subscription)', 'false'));
    text('QuickSightPrincipalArn', 'QuickSight user or group ARN owning the data sets and dashboards; required for QuickSight', { Default: '' });
    text('AthenaDynamoDbConnectorArn', 'Athena DynamoDB connector Lambda ARN; empty: no latest-value data sets', { Default: '' });
    t.parameter('MonthlyBudgetUsd', { Type: 'Number', Description: 'Monthly cost budget (USD)', MinValue: 1 });
    t.parameter(
      'ProjectTagActive',
      booleanParameter('true: the Project cost-allocation tag is active, so the budget and the anomaly monitor track this deployment only', 'false'),
    );
    text('ProcessedBucketArn', 'Processed zone bucket QuickSight reads through Athena (DataLake stack)');
    text('AthenaResultsBucketArn', 'Athena results bucket QuickSight queries write to (Analytics stack)');
    text('DataLakeKeyArn', 'CMK of both buckets (Security stack)');
    text(
      'QuickSightServiceRoleName',
      "QuickSight's service role in this account (the subscription creates it; a custom role set in QuickSight's settings goes here)",
      { Default: 'aws-quicksight-service-role-v0' },
    );

    const quickSight = t.condition('QuickSightEnabled', and(equals(ref('EnableQuickSight'), 'true'), not(equals(ref('QuickSightPrincipalArn'), ''))));
    const latest = t.condition('HasLatestDataSets', and(conditionRef(quickSight), not(equals(ref('AthenaDynamoDbConnectorArn'), ''))));
    const tagged = t.condition('TracksProjectTag', equals(ref('ProjectTagActive'), 'true'));

    // --- CloudWatch: pipeline health ---------------------------------------------------------
    const topicNames = Object.fromEntries(TOPIC_INPUTS.map((name) => [name.replace(/Arn$/, 'Name'), select(5, split(':', ref(name)))]));
    t.resource(
      'PipelineDashboard',
      new CloudWatchDashboard({ DashboardName: sub(`${nameText('pipeline')}-\${AWS::Region}`), DashboardBody: sub(pipelineDashboardBody(), topicNames) }),
    );
    t.implements('7.3', 'PipelineDashboard');
    t.output('PipelineDashboardName', { description: 'CloudWatch dashboard of pipeline health', value: ref('PipelineDashboard') });
    t.output('PipelineDashboardUrl', {
      description: 'Console URL of the pipeline dashboard',
      value: sub('https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=${PipelineDashboard}'),
    });

    // --- QuickSight --------------------------------------------------------------------------
    t.resource(
      'DynamoDbCatalog',
      when(
        latest,
        new DataCatalog({
          Name: physicalName(DYNAMODB_CATALOG_SUFFIX),
          Type: 'LAMBDA',
          Description: 'DynamoDB tables (LatestTable) through the Athena DynamoDB connector',
          Parameters: { function: ref('AthenaDynamoDbConnectorArn') },
        }),
      ),
    );
    t.resource('QuickSightDataAccessPolicy', quickSightAccessPolicy({ enabled: quickSight, latest }));
    const qs = t.add(
      quickSightResources({ enabled: quickSight, latest, catalog: nameText(DYNAMODB_CATALOG_SUFFIX), accessPolicyId: 'QuickSightDataAccessPolicy' }),
    );
    t.implements(
      '7.1',
      'QuickSightAthenaSource',
      'QuickSightDataAccessPolicy',
      'StocksDataSet',
      'WeatherDataSet',
      'LatestStocksDataSet',
      'LatestWeatherDataSet',
      'DynamoDbCatalog',
      ...qs.filter((id) => id.endsWith('Refresh')),
    );
    t.implements('7.2', 'StocksDashboard', 'WeatherDashboard');
    const qsOutput = (id: string, description: string, value: unknown) =>
      t.output(id, { description: `${description}; empty without QuickSight`, value: ifThen(quickSight, value, '') });
    qsOutput('QuickSightDataSourceId', 'QuickSight Athena data source', physicalName(QUICKSIGHT_IDS.dataSource));
    qsOutput('StocksDashboardId', 'QuickSight stocks dashboard', physicalName(QUICKSIGHT_IDS.stocksDashboard));
    qsOutput('WeatherDashboardId', 'QuickSight weather dashboard', physicalName(QUICKSIGHT_IDS.weatherDashboard));

    // --- Cost controls -----------------------------------------------------------------------
    // Budgets and monitors are account-wide (global) resources: their names carry the region.
    // A tag filter only works once the Project cost-allocation tag is activated (an inactive tag
    // silently budgets nothing), hence the decision table above.
    t.resource(
      'MonthlyBudget',
      new Budget({
        Budget: {
          BudgetName: ifThen(tagged, sub(`${nameText('monthly')}-\${AWS::Region}`), sub(`${nameText('monthly-account')}-\${AWS::Region}`)),
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
          BudgetLimit: { Amount: ref('MonthlyBudgetUsd'), Unit: 'USD' },
          CostFilters: ifThen(tagged, { TagKeyValue: [sub('user:Project$${NamePrefix}')] }, NO_VALUE),
        },
        NotificationsWithSubscribers: BUDGET_NOTIFICATIONS.map((n) => ({
          Notification: { NotificationType: n.type, ComparisonOperator: 'GREATER_THAN', Threshold: n.threshold, ThresholdType: 'PERCENTAGE' },
          Subscribers: [{ SubscriptionType: 'SNS', Address: ref('FinOpsAlertsTopicArn') }],
        })),
      }),
    );
    // A CUSTOM monitor scoped to this deployment's Project tag: an account may have only one
    // AWS-services (DIMENSIONAL) monitor, and several environments share an account.
    t.resource(
      'CostAnomalyMonitor',
      when(
        tagged,
        new AnomalyMonitor({
          MonitorName: sub(`${nameText('costs')}-\${AWS::Region}`),
          MonitorType: 'CUSTOM',
          MonitorSpecification: sub('{"Tags":{"Key":"Project","Values":["${NamePrefix}"],"MatchOptions":["EQUALS"]}}'),
        }),
      ),
    );
    t.resource(
      'CostAnomalySubscription',
      when(
        tagged,
        new AnomalySubscription({
          SubscriptionName: sub(`${nameText('cost-anomalies')}-\${AWS::Region}`),
          MonitorArnList: [ref('CostAnomalyMonitor')],
          // SNS subscribers require IMMEDIATE.
          Frequency: 'IMMEDIATE',
          Subscribers: [{ Type: 'SNS', Address: ref('FinOpsAlertsTopicArn') }],
          ThresholdExpression: JSON.stringify({
            Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: [String(ANOMALY_IMPACT_USD)] },
          }),
        }),
      ),
    );
    t.output('BudgetName', { description: 'Monthly cost budget', value: ref('MonthlyBudget') });
    t.output('AnomalyMonitorArn', {
      description: 'Cost Anomaly Detection monitor (empty until ProjectTagActive)',
      value: ifThen(tagged, ref('CostAnomalyMonitor'), ''),
    });
    return t.toDocument();
  },
};

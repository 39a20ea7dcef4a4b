/**
 * dashboards.yaml's QuickSight resources: the Athena data source, SPICE data sets over the
 * crawler's `stocks` and `weather` tables (refreshed hourly in prod, daily in dev), direct-query data sets of the latest
 * values in LatestTable through the Athena DynamoDB connector, and the stocks and weather
 * dashboards; and the policy that lets QuickSight's service role read what they query. Expects
 * stack parameters `GlueDatabaseName`, `AthenaWorkGroupName`, `QuickSightPrincipalArn`,
 * `LatestTableName`, `ProcessedBucketArn`, `AthenaResultsBucketArn`, `DataLakeKeyArn`,
 * `AthenaDynamoDbConnectorArn` and `QuickSightServiceRoleName`, and the `DynamoDbCatalog` resource.
 */
import Policy from 'cloudform-types/types/iam/policy';
import DataSet from 'cloudform-types/types/quickSight/dataSet';
import DataSource from 'cloudform-types/types/quickSight/dataSource';
import type { DashboardProperties } from 'cloudform-types/types/quickSight/dashboard';
import RefreshSchedule from 'cloudform-types/types/quickSight/refreshSchedule';
import type { InputColumn } from 'cloudform-types/types/quickSight/dataSet';
import { IS_PROD } from './common';
import { AWS, getAtt, ifThen, NO_VALUE, ref, sub } from './fn';
import { PROCESSED_COLUMNS } from './named-queries';
import { nameText, physicalName, tags } from './names';
import { allow, arn, policyDocument, type Statement } from './policy';
import {
  barChart,
  categoryDimension,
  dashboardDefinition,
  dateDimension,
  inputColumns,
  lineChart,
  measure,
  permissions,
  table,
  type FieldRef,
} from './quicksight';
import { dependsOn, when } from './resources';
import type { Fragment, Resource } from './template';

export interface QuickSightProps {
  /** Stack condition for every QuickSight resource. */
  readonly enabled: string;
  /** Condition for the latest-value data sets (connector present). */
  readonly latest: string;
  /** Literal `!Sub` text of the Athena catalog name over DynamoDB, e.g. `${NamePrefix}-dynamodb`. */
  readonly catalog: string;
  /** Logical ID of `quickSightAccessPolicy()`: the data source is created after it (QuickSight tests the source on creation). */
  readonly accessPolicyId: string;
}

/**
 * What QuickSight's service role needs for our data sets, as a policy attached to that role:
 * Athena in our workgroup, the Glue tables, the processed zone (read), the results bucket
 * (read/write), the data-lake key through S3, and — with the latest-value data sets — invoking
 * the Athena DynamoDB connector (federated queries run as the caller). Without these the SPICE
 * ingestions fail with access denied although every resource deployed.
 */
export function quickSightAccessPolicy(props: Pick<QuickSightProps, 'enabled' | 'latest'>): Policy {
  const glue = (resource: string) => arn('glue', resource);
  const statements: Statement[] = [
    allow(
      ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
      [arn('athena', 'workgroup/${AthenaWorkGroupName}')],
    ),
    allow(
      ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
      [glue('catalog'), glue('database/${GlueDatabaseName}'), glue('table/${GlueDatabaseName}/*')],
    ),
    allow(['s3:GetBucketLocation', 's3:ListBucket'], [ref('ProcessedBucketArn'), ref('AthenaResultsBucketArn')]),
    allow(['s3:GetObject'], [sub('${ProcessedBucketArn}/processed/*')]),
    allow(['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], [sub('${AthenaResultsBucketArn}/*')]),
    allow(['kms:Decrypt', 'kms:GenerateDataKey'], [ref('DataLakeKeyArn')], { StringEquals: { 'kms:ViaService': sub('s3.${AWS::Region}.amazonaws.com') } }),
  ];
  // A list element under !If: dropped when there is no connector.
  const connector = ifThen(props.latest, allow(['lambda:InvokeFunction'], [ref('AthenaDynamoDbConnectorArn')]), NO_VALUE) as unknown as Statement;
  return when(
    props.enabled,
    new Policy({
      PolicyName: sub(nameText('quicksight-data')),
      Roles: [ref('QuickSightServiceRoleName')],
      PolicyDocument: policyDocument(...statements, connector),
    }),
  );
}

const principal = ref('QuickSightPrincipalArn');

/** Name suffix of the Athena data catalog over DynamoDB (`${NamePrefix}-dynamodb`). */
export const DYNAMODB_CATALOG_SUFFIX = 'dynamodb';

/**
 * Columns of the latest-value data sets: LatestItem attributes (handlers/lib/contracts.ts) as
 * Athena sees them, lower case; the connector maps them back to DynamoDB's camelCase attribute
 * names (`changePct`) itself (its field resolver exists for exactly this casing difference).
 */
export const LATEST_COLUMNS = {
  stocks: ['symbol', 'ts', 'price', 'prevclose', 'change', 'changepct'],
  weather: ['city', 'ts', 'tempc', 'humidity', 'windkph', 'precipmm'],
} as const;

function latestColumns(names: readonly string[]): InputColumn[] {
  return names.map((Name) => ({ Name, Type: Name === 'symbol' || Name === 'city' || Name === 'ts' ? 'STRING' : 'DECIMAL' }));
}

function athenaDataSet(dataset: keyof typeof PROCESSED_COLUMNS): DataSet {
  return new DataSet({
    AwsAccountId: AWS.accountId,
    DataSetId: physicalName(dataset),
    Name: physicalName(dataset),
    ImportMode: 'SPICE',
    PhysicalTableMap: {
      [dataset]: {
        RelationalTable: {
          DataSourceArn: getAtt('QuickSightAthenaSource', 'Arn'),
          Catalog: 'AwsDataCatalog',
          Schema: ref('GlueDatabaseName'),
          Name: dataset,
          InputColumns: inputColumns(PROCESSED_COLUMNS[dataset]),
        },
      },
    },
    Permissions: permissions(principal, 'dataSet'),
    Tags: tags(),
  });
}

function latestDataSet(props: QuickSightProps, dataset: keyof typeof LATEST_COLUMNS, type: 'stock' | 'weather'): DataSet {
  const columns = LATEST_COLUMNS[dataset];
  return dependsOn(
    new DataSet({
      AwsAccountId: AWS.accountId,
      DataSetId: physicalName(`latest-${dataset}`),
      Name: physicalName(`latest-${dataset}`),
      // Live values: every dashboard load queries DynamoDB through the connector.
      ImportMode: 'DIRECT_QUERY',
      PhysicalTableMap: {
        latest: {
          CustomSql: {
            DataSourceArn: getAtt('QuickSightAthenaSource', 'Arn'),
            Name: `latest-${dataset}`,
            SqlQuery: sub(`SELECT ${columns.join(', ')} FROM "${props.catalog}"."default"."\${LatestTableName}" WHERE type = '${type}'`),
            Columns: latestColumns(columns),
          },
        },
      },
      Permissions: permissions(principal, 'dataSet'),
      Tags: tags(),
    }),
    'DynamoDbCatalog',
  );
}

/** QuickSight IDs (`${NamePrefix}-<suffix>`): the resources have no attribute returning them. */
export const QUICKSIGHT_IDS = {
  dataSource: 'athena',
  stocksDataSet: 'stocks',
  weatherDataSet: 'weather',
  stocksDashboard: 'stocks',
  weatherDashboard: 'weather',
} as const;

function spiceRefresh(dataSetLogicalId: string, dataSet: keyof typeof PROCESSED_COLUMNS): RefreshSchedule {
  const schedule = new RefreshSchedule({
    AwsAccountId: AWS.accountId,
    DataSetId: physicalName(dataSet),
    // Prod: hourly (the crawler adds partitions at quarter past). Dev: daily at 02:30 UTC, to keep
    // SPICE ingestion (and its Athena scans) cheap.
    Schedule: {
      ScheduleId: 'refresh',
      RefreshType: 'FULL_REFRESH',
      ScheduleFrequency: { Interval: ifThen(IS_PROD, 'HOURLY', 'DAILY'), TimeOfTheDay: ifThen(IS_PROD, NO_VALUE, '02:30'), TimeZone: 'UTC' },
    },
  });
  return dependsOn(schedule, dataSetLogicalId);
}

/**
 * A plain resource object rather than `new Dashboard()`: cloudform's quickSight/dashboard module
 * defines ~600 classes and costs tens of milliseconds to load (DESIGN §9 build bar); importing
 * only its types keeps the properties checked at no runtime cost.
 */
function dashboard(id: string, title: string, definition: ReturnType<typeof dashboardDefinition>): Resource {
  const properties: DashboardProperties = {
    AwsAccountId: AWS.accountId,
    DashboardId: physicalName(id),
    Name: sub(`\${NamePrefix} ${title}`),
    Definition: definition,
    Permissions: permissions(principal, 'dashboard'),
    DashboardPublishOptions: { AdHocFilteringOption: { AvailabilityStatus: 'ENABLED' }, ExportToCSVOption: { AvailabilityStatus: 'ENABLED' } },
    Tags: tags(),
  };
  return { Type: 'AWS::QuickSight::Dashboard', Properties: properties };
}

export function quickSightResources(props: QuickSightProps): Fragment {
  const f = (dataSet: string, column: string): FieldRef => ({ dataSet, column });
  const stocks = (c: string) => f('stocks', c);
  const weather = (c: string) => f('weather', c);

  const stocksDefinition = dashboardDefinition({
    sheetId: 'stocks',
    sheetName: 'Stocks',
    dataSets: { stocks: getAtt('StocksDataSet', 'Arn') },
    visuals: [
      lineChart({
        id: 'price-over-time',
        title: 'Price over time per symbol (hourly average)',
        x: dateDimension('price-over-time', stocks('ts'), 'HOUR'),
        values: [measure('price-over-time', stocks('price'), 'AVERAGE')],
        colors: categoryDimension('price-over-time', stocks('symbol'), 'color'),
      }),
      barChart({
        id: 'daily-volume',
        title: 'Daily volume per symbol',
        x: dateDimension('daily-volume', stocks('ts'), 'DAY'),
        values: [measure('daily-volume', stocks('volume'), 'MAX')],
        colors: categoryDimension('daily-volume', stocks('symbol'), 'color'),
      }),
    ],
    optional: {
      condition: props.latest,
      dataSets: { latest: getAtt('LatestStocksDataSet', 'Arn') },
      visuals: [table({ id: 'latest-quotes', title: 'Latest quote per symbol (live, DynamoDB)', columns: LATEST_COLUMNS.stocks.map((c) => f('latest', c)) })],
    },
  });
  const weatherDefinition = dashboardDefinition({
    sheetId: 'weather',
    sheetName: 'Weather',
    dataSets: { weather: getAtt('WeatherDataSet', 'Arn') },
    visuals: [
      lineChart({
        id: 'temperature',
        title: 'Temperature per city (°C, hourly average)',
        x: dateDimension('temperature', weather('ts'), 'HOUR'),
        values: [measure('temperature', weather('temp_c'), 'AVERAGE')],
        colors: categoryDimension('temperature', weather('city'), 'color'),
      }),
      barChart({
        id: 'precipitation',
        title: 'Daily precipitation per city (mm)',
        x: dateDimension('precipitation', weather('ts'), 'DAY'),
        values: [measure('precipitation', weather('precip_mm'), 'SUM')],
        colors: categoryDimension('precipitation', weather('city'), 'color'),
      }),
    ],
    optional: {
      condition: props.latest,
      dataSets: { latest: getAtt('LatestWeatherDataSet', 'Arn') },
      visuals: [
        table({ id: 'latest-observations', title: 'Latest observation per city (live, DynamoDB)', columns: LATEST_COLUMNS.weather.map((c) => f('latest', c)) }),
      ],
    },
  });

  return {
    QuickSightAthenaSource: when(
      props.enabled,
      dependsOn(
        new DataSource({
          AwsAccountId: AWS.accountId,
          DataSourceId: physicalName(QUICKSIGHT_IDS.dataSource),
          Name: physicalName('athena'),
          Type: 'ATHENA',
          DataSourceParameters: { AthenaParameters: { WorkGroup: ref('AthenaWorkGroupName') } },
          SslProperties: { DisableSsl: false },
          Permissions: permissions(principal, 'dataSource'),
          Tags: tags(),
        }),
        props.accessPolicyId,
      ),
    ),
    StocksDataSet: when(props.enabled, athenaDataSet('stocks')),
    WeatherDataSet: when(props.enabled, athenaDataSet('weather')),
    StocksDataSetRefresh: when(props.enabled, spiceRefresh('StocksDataSet', 'stocks')),
    WeatherDataSetRefresh: when(props.enabled, spiceRefresh('WeatherDataSet', 'weather')),
    LatestStocksDataSet: when(props.latest, latestDataSet(props, 'stocks', 'stock')),
    LatestWeatherDataSet: when(props.latest, latestDataSet(props, 'weather', 'weather')),
    StocksDashboard: when(props.enabled, dashboard(QUICKSIGHT_IDS.stocksDashboard, 'Stocks', stocksDefinition)),
    WeatherDashboard: when(props.enabled, dashboard(QUICKSIGHT_IDS.weatherDashboard, 'Weather', weatherDefinition)),
  };
}

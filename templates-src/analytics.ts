/**
 * analytics.yaml (roadmap step 6): the Glue database with the processed zone's tables (declared,
 * so queries and QuickSight work before the first crawl) and a crawler over the processed zone,
 * hourly by default (CrawlerSchedule; empty: on demand, as partition projection makes new days
 * queryable without it), with a least-privilege role and a security configuration encrypting
 * every mode Glue offers, the
 * Athena results bucket and a workgroup
 * with enforced, KMS-encrypted results and a scan cutoff, and the named queries the local demo
 * also runs on DuckDB (templates-src/lib/named-queries.ts).
 */
import NamedQuery from 'cloudform-types/types/athena/namedQuery';
import WorkGroup from 'cloudform-types/types/athena/workGroup';
import Crawler from 'cloudform-types/types/glue/crawler';
import Database from 'cloudform-types/types/glue/database';
import SecurityConfiguration from 'cloudform-types/types/glue/securityConfiguration';
import { COMMON_INPUTS, IS_PROD, newStackTemplate } from './lib/common';
import { AWS, equals, getAtt, ifThen, join, NO_VALUE, not, ref, split, sub } from './lib/fn';
import { processedTable } from './lib/glue';
import { NAMED_QUERIES } from './lib/named-queries';
import { bucketName, NAMES, nameText, physicalName, tagMap, tags } from './lib/names';
import { allow, role } from './lib/policy';
import { dependsOn } from './lib/resources';
import { encryptedBucket } from './lib/s3';
import type { StackDefinition } from './lib/stack';

export { NAMED_QUERIES, PROCESSED_COLUMNS, DUCKDB_SESSION_SETUP, duckdbViewSql } from './lib/named-queries';

/** Datasets the crawler catalogs; each folder `processed/<dataset>/` becomes a Glue table of that name. */
export const PROCESSED_DATASETS = ['stocks', 'weather'] as const;

/** Athena stops a query after scanning this many bytes (10 GiB). */
export const BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;

/** Days before Athena query results expire in prod (a week in dev). */
export const RESULTS_EXPIRE_DAYS = 30;

/** `NamedQuery` logical ID of a query name: `daily-average-price` → `DailyAveragePriceQuery`. */
export function namedQueryId(name: string): string {
  return `${name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}Query`;
}

export const analytics: StackDefinition = {
  id: 'Analytics',
  file: 'analytics.yaml',
  source: 'templates-src/analytics.ts',
  steps: [6],
  inputs: {
    ...COMMON_INPUTS,
    ProcessedBucketName: { output: ['DataLake', 'ProcessedBucketName'] },
    ProcessedBucketArn: { output: ['DataLake', 'ProcessedBucketArn'] },
    AccessLogsBucketName: { output: ['DataLake', 'AccessLogsBucketName'] },
    DataLakeKeyArn: { output: ['Security', 'DataLakeKeyArn'] },
    LogsKeyArn: { output: ['Security', 'LogsKeyArn'] },
    CrawlerSchedule: { parameter: 'CrawlerSchedule' },
  },
  outputs: [
    'GlueDatabaseName',
    'CrawlerName',
    'AthenaWorkGroupName',
    'AthenaResultsBucketName',
    'AthenaResultsBucketArn',
    'ProcessedTableNames',
    'NamedQueryIds',
  ],
  build() {
    const t = newStackTemplate(
      'analytics',
      'Glue catalog and crawler over the processed zone, Athena workgroup, results bucket and named queries (roadmap step 6)',
    );
    t.parameter('ProcessedBucketName', { Type: 'String', Description: 'Processed zone bucket (DataLake stack)' });
    t.parameter('ProcessedBucketArn', { Type: 'String', Description: 'Processed zone bucket ARN (DataLake stack)' });
    t.parameter('AccessLogsBucketName', { Type: 'String', Description: 'Server access log target (DataLake stack)' });
    t.parameter('DataLakeKeyArn', { Type: 'String', Description: 'S3 CMK: processed zone and Athena results (Security stack)' });
    t.parameter('LogsKeyArn', { Type: 'String', Description: 'CloudWatch Logs CMK for the crawler logs (Security stack)' });
    t.parameter('CrawlerSchedule', {
      Type: 'String',
      Description:
        'Crawler schedule (UTC cron); empty: no schedule, the crawler runs when started (the tables project their partitions, so Athena needs no crawl)',
      Default: 'cron(15 * * * ? *)',
    });
    const scheduled = t.condition('HasCrawlerSchedule', not(equals(ref('CrawlerSchedule'), '')));

    // Glue/Athena names allow only lower-case letters, digits and underscores: stockwx-dev → stockwx_dev_analytics.
    t.resource(
      'GlueDatabase',
      new Database({
        CatalogId: AWS.accountId,
        DatabaseInput: {
          Name: join('', [join('_', split('-', ref('NamePrefix'))), `_${NAMES.glueDatabase}`]),
          Description: 'Processed zone of the stock and weather data lake (tables made by the crawler)',
        },
      }),
    );
    const databaseArn = sub('arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:database/${GlueDatabase}');
    const tablesArn = sub('arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/${GlueDatabase}/*');
    const prefixes = PROCESSED_DATASETS.map((d) => `processed/${d}/`);

    // The tables the crawler would create, declared now (lib/glue.ts): `stocks`, `weather`.
    for (const dataset of PROCESSED_DATASETS) {
      t.resource(
        `${dataset.charAt(0).toUpperCase()}${dataset.slice(1)}Table`,
        processedTable({ dataset, databaseId: 'GlueDatabase', bucketNameParameter: 'ProcessedBucketName' }),
      );
    }

    // Every mode a security configuration offers, encrypted: CloudWatch logs, S3 output and job
    // bookmarks (the crawler writes no bookmarks today; a Glue job given this configuration would).
    t.resource(
      'CrawlerSecurityConfiguration',
      new SecurityConfiguration({
        Name: physicalName('crawler'),
        EncryptionConfiguration: {
          CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: ref('LogsKeyArn') },
          S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: ref('DataLakeKeyArn') }],
          JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: ref('DataLakeKeyArn') },
        },
      }),
    );
    t.resource(
      'CrawlerRole',
      role({
        // IAM names are global to the account: the region keeps two deployments of one environment apart.
        roleName: sub(`${nameText('crawler')}-\${AWS::Region}`),
        description: 'Glue crawler: reads the processed zone, writes tables of the analytics database only',
        services: ['glue.amazonaws.com'],
        statements: [
          allow(['s3:ListBucket'], ref('ProcessedBucketArn'), { StringLike: { 's3:prefix': prefixes.flatMap((p) => [p, `${p}*`]) } }),
          allow(['s3:GetBucketLocation'], ref('ProcessedBucketArn')),
          allow(
            ['s3:GetObject'],
            prefixes.map((p) => sub(`\${ProcessedBucketArn}/${p}*`)),
          ),
          allow(['kms:Decrypt', 'kms:DescribeKey'], ref('DataLakeKeyArn'), { StringEquals: { 'kms:ViaService': sub('s3.${AWS::Region}.amazonaws.com') } }),
          allow(
            [
              'glue:GetDatabase',
              'glue:GetTable',
              'glue:GetTables',
              'glue:CreateTable',
              'glue:UpdateTable',
              'glue:GetPartition',
              'glue:GetPartitions',
              'glue:BatchGetPartition',
              'glue:CreatePartition',
              'glue:BatchCreatePartition',
              'glue:UpdatePartition',
              'glue:BatchUpdatePartition',
            ],
            [sub('arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog'), databaseArn, tablesArn],
          ),
          // Crawler logs go to /aws-glue/crawlers (or a per-security-configuration group under it), encrypted with LogsKeyArn.
          allow(
            ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
            sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws-glue/crawlers*'),
          ),
        ],
      }),
    );
    t.resource(
      'ProcessedCrawler',
      dependsOn(
        new Crawler({
          Name: physicalName('processed'),
          Description: 'Catalogs processed/stocks and processed/weather (one table per folder, year/month/day partitions)',
          Role: getAtt('CrawlerRole', 'Arn'),
          DatabaseName: ref('GlueDatabase'),
          Targets: { S3Targets: prefixes.map((p) => ({ Path: sub(`s3://\${ProcessedBucketName}/${p}`) })) },
          // Each run is billed 10 minutes at least, data or not: 730 runs a month is most of a dev bill.
          // cloudform types Schedule as an object; CloudFormation takes an !If there like anywhere else.
          Schedule: ifThen(scheduled, { ScheduleExpression: ref('CrawlerSchedule') }, NO_VALUE) as unknown as Crawler['Properties']['Schedule'],
          // Incremental: only new folders (day partitions) are crawled; the schema is versioned by the writer.
          RecrawlPolicy: { RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
          SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
          // Tables at the third path level (bucket/processed/<dataset>): exactly `stocks` and `weather`,
          // the names (and locations) of the declared tables, which the crawler therefore updates
          // (schema changes only logged: the writer owns the schema) instead of creating new ones.
          Configuration: JSON.stringify({ Version: 1.0, Grouping: { TableLevelConfiguration: 3 } }),
          CrawlerSecurityConfiguration: ref('CrawlerSecurityConfiguration'),
          Tags: tagMap(),
        }),
        'StocksTable',
        'WeatherTable',
      ),
    );
    t.implements('6.1', 'GlueDatabase', 'StocksTable', 'WeatherTable', 'CrawlerSecurityConfiguration', 'CrawlerRole', 'ProcessedCrawler');

    const results = encryptedBucket('AthenaResultsBucket', {
      bucketName: bucketName(NAMES.buckets.athenaResults),
      encryption: { kmsKeyArn: ref('DataLakeKeyArn') },
      accessLogs: { bucket: ref('AccessLogsBucketName'), prefix: 'athena-results/' },
    });
    // Query results are scratch data: no IA/Glacier tiering (the default rule), just expiry (a week
    // in dev, RESULTS_EXPIRE_DAYS in prod); versioned like every data bucket, old versions gone a day later.
    results.AthenaResultsBucket!.Properties!.LifecycleConfiguration = {
      Rules: [
        {
          Id: 'expire-results',
          Status: 'Enabled',
          ExpirationInDays: ifThen(IS_PROD, RESULTS_EXPIRE_DAYS, 7),
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    };
    t.add(results);
    t.resource(
      'AthenaWorkGroup',
      new WorkGroup({
        Name: physicalName(NAMES.athenaWorkgroup),
        Description: 'Stock and weather analytics: enforced encrypted results and a per-query scan cutoff',
        State: 'ENABLED',
        RecursiveDeleteOption: true,
        WorkGroupConfiguration: {
          EnforceWorkGroupConfiguration: true,
          PublishCloudWatchMetricsEnabled: true,
          BytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
          EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
          ResultConfiguration: {
            OutputLocation: sub('s3://${AthenaResultsBucket}/results/'),
            ExpectedBucketOwner: AWS.accountId,
            EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: ref('DataLakeKeyArn') },
          },
        },
        Tags: tags(),
      }),
    );
    t.implements('6.2', 'AthenaResultsBucket', 'AthenaResultsBucketPolicy', 'AthenaWorkGroup');

    const queryIds = NAMED_QUERIES.map((q) =>
      t.resource(
        namedQueryId(q.name),
        new NamedQuery({ Name: q.name, Description: q.description, Database: ref('GlueDatabase'), WorkGroup: ref('AthenaWorkGroup'), QueryString: q.sql }),
      ),
    );
    t.implements('6.2', ...queryIds);

    t.output('GlueDatabaseName', { description: 'Glue database of the processed zone', value: ref('GlueDatabase') });
    t.output('CrawlerName', { description: 'Crawler to start after new data lands (npm run demo does locally what it does)', value: ref('ProcessedCrawler') });
    t.output('AthenaWorkGroupName', { description: 'Athena workgroup for the named queries and QuickSight', value: ref('AthenaWorkGroup') });
    t.output('AthenaResultsBucketName', { description: 'Athena results bucket', value: ref('AthenaResultsBucket') });
    t.output('AthenaResultsBucketArn', { description: 'Athena results bucket ARN', value: getAtt('AthenaResultsBucket', 'Arn') });
    t.output('ProcessedTableNames', { description: 'Tables the crawler creates (comma-separated)', value: PROCESSED_DATASETS.join(',') });
    t.output('NamedQueryIds', {
      description: `Named query IDs in order: ${NAMED_QUERIES.map((q) => q.name).join(', ')}`,
      value: join(
        ',',
        queryIds.map((id) => ref(id)),
      ),
    });
    return t.toDocument();
  },
};

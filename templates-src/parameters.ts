/**
 * Root parameters: everything a user sets per deployment (parameters/<env>.json maps onto these).
 * Stacks take them through `{ parameter: 'Name' }` wires in the registry. Grouped for the
 * console's parameter form (`AWS::CloudFormation::Interface`).
 */
import { ACCOUNT_ID, anchored, CITY_ENTRY, DEFAULT_MAX_CLOCK_SKEW_SECONDS, listOf, MARKET_DATA_PROVIDERS, optional, REGION, SYMBOL } from '../contracts/values';
import { booleanParameter, type Parameter } from './lib/template';

export interface RootParameter {
  readonly group: ParameterGroup;
  readonly definition: Parameter;
}

export type ParameterGroup = 'Deployment' | 'Data sources' | 'Alert thresholds' | 'Alerting' | 'Disaster recovery' | 'Security' | 'Features';

/**
 * Value shapes shared with the handlers and the parameter-file schema come from contracts/values.ts
 * (one definition each); patterns only CloudFormation checks are written here. parameters/schema.json
 * is generated from these definitions (tools/lib/params-schema.ts), so a bound, pattern or default
 * changed here changes the file validation too.
 */

export const ROOT_PARAMETERS: Readonly<Record<string, RootParameter>> = {
  ProjectName: {
    group: 'Deployment',
    definition: {
      Type: 'String',
      Description: 'Short project name; with Environment it prefixes every physical name',
      Default: 'stockwx',
      // 12 characters keep the longest bucket name (<prefix>-athena-results-<account>-ap-southeast-2) within S3's 63.
      AllowedPattern: '^[a-z][a-z0-9]{1,11}$',
      ConstraintDescription: '2-12 lower-case letters or digits, starting with a letter',
    },
  },
  Environment: {
    group: 'Deployment',
    definition: {
      Type: 'String',
      Description: 'dev or prod: prod adds per-AZ NAT gateways, deletion protection and longer retention',
      Default: 'dev',
      AllowedValues: ['dev', 'prod'],
    },
  },
  Symbols: {
    group: 'Data sources',
    definition: {
      Type: 'String',
      Description: 'Comma-separated stock symbols the poller fetches',
      Default: 'AAPL,MSFT,AMZN',
      AllowedPattern: listOf(SYMBOL),
      ConstraintDescription: `comma-separated, each ${SYMBOL.description}`,
    },
  },
  Cities: {
    group: 'Data sources',
    definition: {
      Type: 'String',
      Description: 'Comma-separated cities as Name:latitude:longitude for the weather poller',
      Default: 'Amsterdam:52.37:4.89,New York:40.71:-74.01',
      AllowedPattern: listOf(CITY_ENTRY),
      ConstraintDescription: `comma-separated ${CITY_ENTRY.description}; names are letters, digits, spaces, dots, apostrophes or dashes`,
    },
  },
  MarketDataProvider: {
    group: 'Data sources',
    definition: {
      Type: 'String',
      Description: 'Stock quote API the poller calls (key in Secrets Manager)',
      Default: MARKET_DATA_PROVIDERS[0],
      AllowedValues: [...MARKET_DATA_PROVIDERS],
    },
  },
  PollRateMinutes: {
    group: 'Data sources',
    definition: { Type: 'Number', Description: 'Minutes between poller runs (EventBridge Scheduler rate)', Default: 5, MinValue: 1, MaxValue: 60 },
  },
  StreamShardCount: {
    group: 'Data sources',
    definition: { Type: 'Number', Description: 'Kinesis shards; 0 selects on-demand capacity mode', Default: 0, MinValue: 0, MaxValue: 64 },
  },
  StreamRetentionHours: {
    group: 'Data sources',
    // Kinesis keeps records 24 h at the base price and bills every hour beyond (per shard-hour when provisioned).
    definition: {
      Type: 'Number',
      Description:
        'Hours the event stream keeps records (24 is the base price; more is billed as extended retention); a consumer outage longer than this loses records',
      Default: 168,
      MinValue: 24,
      MaxValue: 8760,
    },
  },
  MaxClockSkewSeconds: {
    group: 'Data sources',
    definition: {
      Type: 'Number',
      Description:
        'Seconds a tick timestamp may be ahead of its Kinesis arrival; a tick further ahead is quarantined as future-timestamp (producer clocks are untrusted)',
      Default: DEFAULT_MAX_CLOCK_SKEW_SECONDS,
      MinValue: 0,
      MaxValue: 3600,
    },
  },
  StockDropPercent: {
    group: 'Alert thresholds',
    definition: { Type: 'Number', Description: 'Alert when a price is this many percent below the previous close', Default: 10, MinValue: 0.1, MaxValue: 100 },
  },
  HeatThresholdC: {
    group: 'Alert thresholds',
    definition: { Type: 'Number', Description: 'Heat alert at or above this temperature (°C)', Default: 35, MinValue: -50, MaxValue: 60 },
  },
  ColdThresholdC: {
    group: 'Alert thresholds',
    definition: { Type: 'Number', Description: 'Cold alert at or below this temperature (°C)', Default: -10, MinValue: -80, MaxValue: 30 },
  },
  WindThresholdKph: {
    group: 'Alert thresholds',
    definition: { Type: 'Number', Description: 'Wind alert at or above this speed (km/h)', Default: 75, MinValue: 1, MaxValue: 400 },
  },
  PrecipThresholdMm: {
    group: 'Alert thresholds',
    definition: { Type: 'Number', Description: 'Precipitation alert at or above this amount per observation (mm)', Default: 20, MinValue: 0.1, MaxValue: 500 },
  },
  AlertEmail: {
    group: 'Alerting',
    definition: {
      Type: 'String',
      Description: 'Email subscribed to the four alert topics (confirm the subscription mail); empty for none',
      Default: '',
      AllowedPattern: '^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      ConstraintDescription: 'an email address, or "" for no subscription',
    },
  },
  SecondaryRegion: {
    group: 'Disaster recovery',
    definition: {
      Type: 'String',
      Description:
        'Region of the standby deployment (replica buckets and keys, table replicas, backup copies); empty picks the partner region from the RegionConfig mapping',
      Default: '',
      AllowedPattern: optional(anchored(REGION)),
      ConstraintDescription: `${REGION.description}, or empty for the partner region`,
    },
  },
  ReplicaKmsKeyArn: {
    group: 'Disaster recovery',
    definition: {
      Type: 'String',
      Description: 'KMS key ARN in the secondary region for replicated objects and table replicas (output of the secondary stack); empty disables replication',
      Default: '',
    },
  },
  HostedZoneId: {
    group: 'Disaster recovery',
    definition: {
      Type: 'String',
      Description: 'Route 53 hosted zone for the API failover records; empty disables failover routing',
      Default: '',
      AllowedPattern: '^$|^Z[A-Z0-9]{1,31}$',
      ConstraintDescription: 'a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ',
    },
  },
  ApiDomainName: {
    group: 'Disaster recovery',
    definition: {
      Type: 'String',
      Description: 'DNS name of the ingestion API (e.g. ingest.example.com) in HostedZoneId',
      Default: '',
      AllowedPattern: '^$|^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
      ConstraintDescription: 'a DNS name such as ingest.example.com',
    },
  },
  ApiCertificateArn: {
    group: 'Disaster recovery',
    definition: {
      Type: 'String',
      Description:
        'ACM certificate ARN (in this region) covering ApiDomainName, for the API custom domain the failover records point at; required when HostedZoneId is set',
      Default: '',
      AllowedPattern: '^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9-]+$',
      ConstraintDescription: 'an ACM certificate ARN in the primary region covering the API domain name (arn:aws:acm:<region>:<account>:certificate/<id>)',
    },
  },
  StandbyApiCertificateArn: {
    group: 'Disaster recovery',
    definition: {
      Type: 'String',
      Description:
        'ACM certificate ARN in the SECONDARY region covering ApiDomainName, for the standby API custom domain (secondary.yaml); a regional API domain needs a certificate of its own region, so this is never ApiCertificateArn',
      Default: '',
      AllowedPattern: '^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9-]+$',
    },
  },
  TrustedAccountIds: {
    group: 'Security',
    definition: {
      Type: 'String',
      Description: 'Comma-separated account IDs that may assume the read-only analytics role; empty for none',
      Default: '',
      AllowedPattern: optional(listOf(ACCOUNT_ID)),
      ConstraintDescription: `comma-separated, each ${ACCOUNT_ID.description}`,
    },
  },
  AnalyticsExternalId: {
    group: 'Security',
    definition: {
      Type: 'String',
      Description: 'ExternalId the trusted accounts must present when assuming the analytics role',
      Default: 'stockwx-analytics',
      MinLength: 2,
      MaxLength: 1224,
      NoEcho: true,
    },
  },
  // Account singletons (one per account and region): `false` creates nothing, so a second
  // environment, or an account where Organizations/Control Tower enabled the service, deploys.
  // The defaults create none of them; the deploy preflight sets each from what the account has.
  EnableGuardDuty: {
    group: 'Security',
    definition: booleanParameter(
      'Create the GuardDuty detector of this account and region (false: an existing detector, or none, is used; the findings rule is created either way)',
      'false',
    ),
  },
  EnableSecurityHub: {
    group: 'Security',
    definition: booleanParameter(
      'Enable Security Hub and its foundational standard in this account and region (false: it is already enabled, or not wanted)',
      'false',
    ),
  },
  EnableConfigRecorder: {
    group: 'Security',
    definition: booleanParameter(
      'Create the AWS Config recorder and delivery channel of this account and region (false when the account has one, see UseExistingConfigRecorder)',
      'false',
    ),
  },
  UseExistingConfigRecorder: {
    group: 'Security',
    definition: booleanParameter(
      'The account already records with its own AWS Config recorder (Organizations, Control Tower, another environment): create the Config rules against it and no recorder (wins over EnableConfigRecorder)',
      'false',
    ),
  },
  EnableCloudTrail: {
    group: 'Security',
    definition: booleanParameter(
      'Create the multi-region CloudTrail trail (false when the account has an organization trail or another multi-region trail: a second copy of management events is billed)',
      'false',
    ),
  },
  ManageApiGatewayAccount: {
    group: 'Security',
    definition: booleanParameter(
      "Set API Gateway's account-level CloudWatch Logs role in this region (false when a role is already set: the setting is one per account and region, last writer wins)",
      'true',
    ),
  },
  EnableKeyRotation: {
    group: 'Features',
    definition: booleanParameter(
      "Rotate the market-data API key every 30 days (needs the real key and standby keys stored first: configuring rotation runs the function's testSecret step, which calls the provider with the stored key)",
      'false',
    ),
  },
  EnableReservedConcurrency: {
    group: 'Features',
    definition: booleanParameter(
      'Reserve concurrency for the poller (1) and the notifier (2); needs an account concurrency quota of at least 103 (new accounts may have 10)',
      'false',
    ),
  },
  ProjectTagActive: {
    group: 'Features',
    definition: booleanParameter(
      'The Project cost-allocation tag is activated in Billing: the budget and the cost anomaly monitor then track this deployment only (false: the budget tracks the whole account and no anomaly monitor is created)',
      'false',
    ),
  },
  FunctionsInVpc: {
    group: 'Features',
    definition: booleanParameter(
      "Run the functions in the app VPC's private subnets (needed for DAX; reaches the internet through the NAT gateway). false: outside any VPC, they reach AWS APIs and the market, weather and Slack APIs over the internet directly, with no NAT gateway or interface endpoint to pay for",
      'true',
    ),
  },
  EnableNatGateway: {
    group: 'Features',
    definition: booleanParameter(
      "NAT gateways for the app VPC's private subnets (one in dev, one per AZ in prod); required while FunctionsInVpc is true (the poller and notifier call third-party APIs)",
      'true',
    ),
  },
  EnableInterfaceEndpoints: {
    group: 'Features',
    definition: booleanParameter(
      'Interface VPC endpoints (logs, sts, kms, secretsmanager, kinesis, sns, sqs, xray, execute-api) in the app VPC, billed per AZ-hour; the S3 and DynamoDB gateway endpoints are free and always there',
      'true',
    ),
  },
  EnableWaf: {
    group: 'Features',
    definition: booleanParameter(
      'The WAF web ACL (managed rule groups, per-IP rate limit) on the ingestion APIs; false leaves them to Cognito, the request model and stage throttling',
      'true',
    ),
  },
  CrawlerSchedule: {
    group: 'Features',
    definition: {
      Type: 'String',
      Description:
        'UTC cron expression of the Glue crawler; empty: no schedule, start it by hand (the tables use partition projection, so Athena and QuickSight see new days without a crawl)',
      Default: 'cron(15 * * * ? *)',
      AllowedPattern: '^$|^cron\\([^()]+\\)$',
      ConstraintDescription: 'a Glue cron expression such as cron(15 3 * * ? *), or empty for no schedule',
    },
  },
  EnableDax: {
    group: 'Features',
    definition: booleanParameter('Deploy a DAX cluster in front of the tables', 'false'),
  },
  EnableQuickSight: {
    group: 'Features',
    definition: booleanParameter('Create QuickSight data sets and dashboards (needs a QuickSight subscription)', 'false'),
  },
  QuickSightPrincipalArn: {
    group: 'Features',
    definition: {
      Type: 'String',
      Description: 'QuickSight user or group ARN granted the data sets and dashboards',
      Default: '',
      AllowedPattern: '^$|^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\\d{12}:(user|group)/.+$',
      ConstraintDescription: 'a QuickSight user or group ARN (arn:aws:quicksight:<region>:<account>:user/... or group/...)',
    },
  },
  MonthlyBudgetUsd: {
    group: 'Features',
    definition: {
      Type: 'Number',
      Description: 'Monthly cost budget; FinOpsAlerts at 80 % actual and 100 % forecast',
      Default: 100,
      MinValue: 1,
      MaxValue: 1_000_000,
    },
  },
  AthenaDynamoDbConnectorArn: {
    group: 'Features',
    definition: {
      Type: 'String',
      Description:
        'ARN of the Athena DynamoDB connector Lambda (Serverless Application Repository: AthenaDynamoDBConnector), deployed separately; with QuickSight it adds the latest-values data set; empty for none',
      Default: '',
      AllowedPattern: '^$|^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:function:[A-Za-z0-9_-]+$',
      ConstraintDescription:
        'the ARN of the Athena DynamoDB connector Lambda deployed separately (arn:aws:lambda:<region>:<account>:function:<name>), or empty',
    },
  },
};

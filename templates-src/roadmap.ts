/**
 * The roadmap (../shared/ROADMAP.md) as data: every step and every bullet has a stable ID.
 * Stack modules declare which logical IDs implement which bullet (`t.implements('1.1', …)`);
 * the emitter writes that map into each template's `Metadata.Roadmap`, and the report reads it back.
 */
export interface RoadmapBullet {
  /** Stable ID, `<step>.<n>`, e.g. `1.4`. */
  readonly id: string;
  /** The bullet's wording in ROADMAP.md. */
  readonly text: string;
}

export interface RoadmapStep {
  readonly step: number;
  readonly title: string;
  /** The files the roadmap names for this step. */
  readonly files: readonly string[];
  readonly bullets: readonly RoadmapBullet[];
}

function step(stepNumber: number, title: string, files: readonly string[], texts: readonly string[]): RoadmapStep {
  return {
    step: stepNumber,
    title,
    files,
    bullets: texts.map((text, i) => ({ id: `${stepNumber}.${i + 1}`, text })),
  };
}

export const ROADMAP: readonly RoadmapStep[] = [
  step(1, 'Networking', ['networking.yaml'], [
    'Build VPCs (prod-app, prod-data)',
    'Create Public & Private Subnets across AZs',
    'Deploy Internet Gateway + NAT Gateway',
    'Add VPC Endpoints (S3, DynamoDB, Logs, STS, KMS, Secrets)',
    'Configure Security Groups for API Gateway, Lambda, EC2',
  ]),
  step(2, 'Storage Foundations', ['data-lake.yaml'], [
    'Create S3 Raw Bucket (gzip JSON)',
    'Create S3 Processed Bucket (Parquet partitions)',
    'Enable Versioning + Encryption (KMS CMK)',
    'Add Lifecycle Policies → IA/Glacier',
    'Configure Cross-Region Replication (CRR)',
  ]),
  step(3, 'Ingestion & Streaming', ['streaming.yaml'], [
    'Deploy API Gateway (REST/HTTP) + Auth (Cognito/WAF)',
    'Set up EventBridge Scheduler (API polling)',
    'Create Kinesis Data Stream (partition by symbol/city)',
    'Add SQS Dead-Letter Queues',
  ]),
  step(4, 'Processing & Enrichment', ['compute.yaml'], [
    'Lambda Validator/Enricher → writes to DynamoDB + S3',
    'Lambda Aggregator → calculates rolling averages',
    'Configure DLQs + Retry Policies',
  ]),
  step(5, 'Datastores', ['datastores.yaml'], [
    'Create DynamoDB Global Table: MetricsTable',
    'Create DynamoDB Global Table: LatestTable',
    'Optional: Deploy DAX Cluster for caching',
  ]),
  step(6, 'Analytics Layer', ['analytics.yaml'], [
    'Deploy Glue Crawler for S3 processed data',
    'Set up Athena Query Results Bucket',
  ]),
  step(7, 'Dashboards', ['dashboards.yaml'], [
    'Create QuickSight Datasets (Athena + DynamoDB)',
    'Build QuickSight Dashboards (stocks, weather)',
    'Add CloudWatch Dashboards (pipeline health)',
  ]),
  step(8, 'Alerting & Anomaly Detection', ['compute.yaml', 'security.yaml'], [
    'Deploy Rules Engine Lambda (10% stock drop trigger)',
    'Configure CloudWatch Alarms (Lambda errors, Kinesis lag, DLQ depth)',
    'Set up SNS Topics: OpsAlerts, MarketAlerts, WeatherAlerts, FinOpsAlerts',
  ]),
  step(9, 'Security & Governance', ['security.yaml'], [
    'Define IAM Roles (least privilege, cross-account assume-role)',
    'Create KMS CMKs for S3, DynamoDB, Secrets',
    'Store secrets in Secrets Manager (API keys, rotation)',
    'Enable CloudTrail + Config Rules (block public S3, enforce CMKs)',
    'Turn on GuardDuty + Security Hub + WAF for API Gateway',
  ]),
  step(10, 'Resilience & DR', ['networking.yaml', 'datastores.yaml'], [
    'Configure S3 CRR → secondary region',
    'Enable DynamoDB Global Tables (multi-region)',
    'Add Route 53 Failover Routing',
    'Configure AWS Backup Plans (S3 + DynamoDB)',
  ]),
  step(11, 'CI/CD & IaC', ['root.yaml'], [
    'Organize Root Stack + Nested Stacks',
    'Version control with Git',
    'Use Parameters (symbols, cities, thresholds)',
    'Define Mappings (region-specific ARNs)',
    'Reuse templates for networking, compute, analytics',
  ]),
];

/** Every bullet ID, for validating `implements()` calls. */
export const BULLET_IDS: ReadonlySet<string> = new Set(ROADMAP.flatMap((s) => s.bullets.map((b) => b.id)));

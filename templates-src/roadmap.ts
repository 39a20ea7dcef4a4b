/**
 * The roadmap as data: every step and every bullet with an explicit, stable ID written here, not
 * derived from its position, so reordering or inserting a bullet never renumbers the others (the
 * grader's rubrics, `Metadata.Roadmap` and instructors' notes all refer to these IDs).
 * Stack modules declare which logical IDs implement which bullet (`t.implements('1.1', …)`); the
 * emitter writes that map into each template's `Metadata.Roadmap`. `npm run build:templates`
 * writes docs/roadmap.md from this file, and `npm run grade` grades every bullet.
 */
export interface RoadmapBullet {
  /** Stable ID, `<step>.<n>`, e.g. `1.4`. Never reused for another bullet. */
  readonly id: string;
  /** The bullet's wording in the roadmap. */
  readonly text: string;
  /** The roadmap marks it optional (the DAX cluster): grading does not lower the score without it. @default false */
  readonly optional?: boolean;
}

export interface RoadmapStep {
  readonly step: number;
  readonly title: string;
  /** The files the roadmap names for this step. */
  readonly files: readonly string[];
  readonly bullets: readonly RoadmapBullet[];
}

export const ROADMAP: readonly RoadmapStep[] = [
  {
    step: 1,
    title: 'Networking',
    files: ['networking.yaml'],
    bullets: [
      { id: '1.1', text: 'Build VPCs (prod-app, prod-data)' },
      { id: '1.2', text: 'Create Public & Private Subnets across AZs' },
      { id: '1.3', text: 'Deploy Internet Gateway + NAT Gateway' },
      { id: '1.4', text: 'Add VPC Endpoints (S3, DynamoDB, Logs, STS, KMS, Secrets)' },
      { id: '1.5', text: 'Configure Security Groups for API Gateway, Lambda, EC2' },
    ],
  },
  {
    step: 2,
    title: 'Storage Foundations',
    files: ['data-lake.yaml'],
    bullets: [
      { id: '2.1', text: 'Create S3 Raw Bucket (gzip JSON)' },
      { id: '2.2', text: 'Create S3 Processed Bucket (Parquet partitions)' },
      { id: '2.3', text: 'Enable Versioning + Encryption (KMS CMK)' },
      { id: '2.4', text: 'Add Lifecycle Policies → IA/Glacier' },
      { id: '2.5', text: 'Configure Cross-Region Replication (CRR)' },
    ],
  },
  {
    step: 3,
    title: 'Ingestion & Streaming',
    files: ['streaming.yaml'],
    bullets: [
      { id: '3.1', text: 'Deploy API Gateway (REST/HTTP) + Auth (Cognito/WAF)' },
      { id: '3.2', text: 'Set up EventBridge Scheduler (API polling)' },
      { id: '3.3', text: 'Create Kinesis Data Stream (partition by symbol/city)' },
      { id: '3.4', text: 'Add SQS Dead-Letter Queues' },
    ],
  },
  {
    step: 4,
    title: 'Processing & Enrichment',
    files: ['compute.yaml'],
    bullets: [
      { id: '4.1', text: 'Lambda Validator/Enricher → writes to DynamoDB + S3' },
      { id: '4.2', text: 'Lambda Aggregator → calculates rolling averages' },
      { id: '4.3', text: 'Configure DLQs + Retry Policies' },
    ],
  },
  {
    step: 5,
    title: 'Datastores',
    files: ['datastores.yaml'],
    bullets: [
      { id: '5.1', text: 'Create DynamoDB Global Table: MetricsTable' },
      { id: '5.2', text: 'Create DynamoDB Global Table: LatestTable' },
      { id: '5.3', text: 'Optional: Deploy DAX Cluster for caching', optional: true },
    ],
  },
  {
    step: 6,
    title: 'Analytics Layer',
    files: ['analytics.yaml'],
    bullets: [
      { id: '6.1', text: 'Deploy Glue Crawler for S3 processed data' },
      { id: '6.2', text: 'Set up Athena Query Results Bucket' },
    ],
  },
  {
    step: 7,
    title: 'Dashboards',
    files: ['dashboards.yaml'],
    bullets: [
      { id: '7.1', text: 'Create QuickSight Datasets (Athena + DynamoDB)' },
      { id: '7.2', text: 'Build QuickSight Dashboards (stocks, weather)' },
      { id: '7.3', text: 'Add CloudWatch Dashboards (pipeline health)' },
    ],
  },
  {
    step: 8,
    title: 'Alerting & Anomaly Detection',
    files: ['compute.yaml', 'security.yaml'],
    bullets: [
      { id: '8.1', text: 'Deploy Rules Engine Lambda (10% stock drop trigger)' },
      { id: '8.2', text: 'Configure CloudWatch Alarms (Lambda errors, Kinesis lag, DLQ depth)' },
      { id: '8.3', text: 'Set up SNS Topics: OpsAlerts, MarketAlerts, WeatherAlerts, FinOpsAlerts' },
    ],
  },
  {
    step: 9,
    title: 'Security & Governance',
    files: ['security.yaml'],
    bullets: [
      { id: '9.1', text: 'Define IAM Roles (least privilege, cross-account assume-role)' },
      { id: '9.2', text: 'Create KMS CMKs for S3, DynamoDB, Secrets' },
      { id: '9.3', text: 'Store secrets in Secrets Manager (API keys, rotation)' },
      { id: '9.4', text: 'Enable CloudTrail + Config Rules (block public S3, enforce CMKs)' },
      { id: '9.5', text: 'Turn on GuardDuty + Security Hub + WAF for API Gateway' },
    ],
  },
  {
    step: 10,
    title: 'Resilience & DR',
    files: ['networking.yaml', 'datastores.yaml'],
    bullets: [
      { id: '10.1', text: 'Configure S3 CRR → secondary region' },
      { id: '10.2', text: 'Enable DynamoDB Global Tables (multi-region)' },
      { id: '10.3', text: 'Add Route 53 Failover Routing' },
      { id: '10.4', text: 'Configure AWS Backup Plans (S3 + DynamoDB)' },
    ],
  },
  {
    step: 11,
    title: 'CI/CD & IaC',
    files: ['root.yaml'],
    bullets: [
      { id: '11.1', text: 'Organize Root Stack + Nested Stacks' },
      { id: '11.2', text: 'Version control with Git' },
      { id: '11.3', text: 'Use Parameters (symbols, cities, thresholds)' },
      { id: '11.4', text: 'Define Mappings (region-specific ARNs)' },
      { id: '11.5', text: 'Reuse templates for networking, compute, analytics' },
    ],
  },
];

/** Every bullet ID, for validating `implements()` calls and rubrics. */
export const BULLET_IDS: ReadonlySet<string> = new Set(ROADMAP.flatMap((s) => s.bullets.map((b) => b.id)));

/**
 * The parameter-file format (`parameters/<env>.json`), derived from the root parameters.
 *
 * One table, {@link FILE_FIELDS}, says which file key feeds which root parameter and how its
 * value is written as a CloudFormation parameter string. From it and `ROOT_PARAMETERS`
 * (templates-src/parameters.ts: types, bounds, patterns, defaults) come:
 * - the JSON Schema `parameters/schema.json`, written by `npm run build:templates` and checked
 *   by its `--check` ({@link parameterFileSchema}, {@link syncParameterSchema});
 * - the file → root mapping tools/lib/params.ts applies (`FILE_TO_ROOT`).
 * So a bound changed in templates-src/parameters.ts changes the file validation with it; only
 * the file's own shape (nesting, which keys are required, list sizes) is written here.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CFN_LIMITS } from '../../contracts/cloudformation-limits';
import { anchored, CITY_NAME, LATITUDE_RANGE, LONGITUDE_RANGE, REGION, SYMBOL, ACCOUNT_ID } from '../../contracts/values';
import type { Parameter } from '../../templates-src/lib/template';
import { ROOT_PARAMETERS } from '../../templates-src/parameters';

/** A JSON Schema node (the subset we generate). */
export interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
  maxProperties?: number;
  propertyNames?: SchemaNode;
  $ref?: string;
  definitions?: Record<string, SchemaNode>;
  [keyword: string]: unknown;
}

/** How a file value becomes a root parameter string. */
export type Encoding = 'string' | 'number' | 'boolean' | 'list' | ((file: FileLike) => string | undefined);

/** The parsed file as the encoders see it (tools/lib/params.ts has the typed `ParameterFile`). */
export type FileLike = Readonly<Record<string, unknown>>;

export interface FileField {
  /** Dotted path in the file: `thresholds.windKph`. */
  readonly path: string;
  /** The root parameter it feeds. */
  readonly root: string;
  readonly encoding: Encoding;
  /**
   * A boolean file key that switches this field on: while it is not `true` the root parameter is
   * sent as '' (feature off) whatever the field holds. @default none (always applies)
   */
  readonly enabledBy?: string;
}

/** Tags the deploy tool sets on every stack itself; a file may not set them (tools/lib/params.ts). */
export const TOOL_TAGS = ['Environment', 'ManagedBy'] as const;

function definition(root: string): Parameter {
  const p = ROOT_PARAMETERS[root];
  if (!p) throw new Error(`tools/lib/params-schema.ts: root parameter ${root} does not exist in templates-src/parameters.ts`);
  return p.definition;
}

interface LeafOptions {
  /** JSON `integer` instead of `number`. @default false */
  readonly integer?: boolean;
  /** The file must give a non-empty value (the root's `^$|` alternative, "feature off", is dropped). @default false */
  readonly nonEmpty?: boolean;
  /** A `'true'`/`'false'` root parameter written as a JSON boolean. @default false */
  readonly boolean?: boolean;
  /** Overrides the description (what error messages say a value "must be"). @default the root's ConstraintDescription, else its Description */
  readonly description?: string;
}

/** The schema of one file value, from its root parameter's definition. */
export function leafFromRoot(root: string, options: LeafOptions = {}): SchemaNode {
  const d = definition(root);
  const node: SchemaNode = {};
  const description =
    options.description ??
    (d.AllowedPattern !== undefined && d.ConstraintDescription !== undefined ? String(d.ConstraintDescription) : String(d.Description ?? ''));
  if (description) node.description = description;
  if (options.boolean) {
    node.type = 'boolean';
    if (d.Default !== undefined) node.default = d.Default === 'true';
    return node;
  }
  if (d.Type === 'Number') {
    node.type = options.integer ? 'integer' : 'number';
    if (d.MinValue !== undefined) node.minimum = Number(d.MinValue);
    if (d.MaxValue !== undefined) node.maximum = Number(d.MaxValue);
    if (d.Default !== undefined) node.default = Number(d.Default);
    return node;
  }
  node.type = 'string';
  if (d.AllowedValues !== undefined) node.enum = (d.AllowedValues as unknown[]).map(String);
  if (d.AllowedPattern !== undefined) {
    const pattern = String(d.AllowedPattern);
    if (options.nonEmpty) {
      if (!pattern.startsWith('^$|'))
        throw new Error(`tools/lib/params-schema.ts: ${root}'s AllowedPattern has no "^$|" alternative to drop for a non-empty file value`);
      node.pattern = pattern.slice(3);
    } else node.pattern = pattern;
  }
  if (d.MinLength !== undefined) node.minLength = Number(d.MinLength);
  if (d.MaxLength !== undefined) node.maxLength = Number(d.MaxLength);
  if (d.Default !== undefined && !options.nonEmpty) node.default = String(d.Default);
  return node;
}

const get = (file: FileLike, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), file);

/**
 * File key → root parameter, in file order. Every root parameter is here or in
 * `LEFT_TO_DEFAULT` (tools/lib/params.ts; a test checks both cover ROOT_PARAMETERS exactly).
 */
export const FILE_FIELDS: readonly FileField[] = [
  { path: 'projectName', root: 'ProjectName', encoding: 'string' },
  { path: 'environment', root: 'Environment', encoding: 'string' },
  { path: 'regions.secondary', root: 'SecondaryRegion', encoding: 'string' },
  { path: 'symbols', root: 'Symbols', encoding: 'list' },
  {
    path: 'cities',
    root: 'Cities',
    encoding: (file) => (get(file, 'cities') as { name: string; lat: number; lon: number }[] | undefined)?.map((c) => `${c.name}:${c.lat}:${c.lon}`).join(','),
  },
  { path: 'marketDataProvider', root: 'MarketDataProvider', encoding: 'string' },
  { path: 'pollRateMinutes', root: 'PollRateMinutes', encoding: 'number' },
  { path: 'streamShardCount', root: 'StreamShardCount', encoding: 'number' },
  { path: 'streamRetentionHours', root: 'StreamRetentionHours', encoding: 'number' },
  { path: 'crawlerSchedule', root: 'CrawlerSchedule', encoding: 'string' },
  { path: 'maxClockSkewSeconds', root: 'MaxClockSkewSeconds', encoding: 'number' },
  { path: 'thresholds.stockDropPercent', root: 'StockDropPercent', encoding: 'number' },
  { path: 'thresholds.heatC', root: 'HeatThresholdC', encoding: 'number' },
  { path: 'thresholds.coldC', root: 'ColdThresholdC', encoding: 'number' },
  { path: 'thresholds.windKph', root: 'WindThresholdKph', encoding: 'number' },
  { path: 'thresholds.precipMm', root: 'PrecipThresholdMm', encoding: 'number' },
  { path: 'alerts.email', root: 'AlertEmail', encoding: 'string' },
  { path: 'toggles.dax', root: 'EnableDax', encoding: 'boolean' },
  { path: 'toggles.quickSight', root: 'EnableQuickSight', encoding: 'boolean' },
  { path: 'toggles.guardDuty', root: 'EnableGuardDuty', encoding: 'boolean' },
  { path: 'toggles.securityHub', root: 'EnableSecurityHub', encoding: 'boolean' },
  { path: 'toggles.configRecorder', root: 'EnableConfigRecorder', encoding: 'boolean' },
  { path: 'toggles.existingConfigRecorder', root: 'UseExistingConfigRecorder', encoding: 'boolean' },
  { path: 'toggles.cloudTrail', root: 'EnableCloudTrail', encoding: 'boolean' },
  { path: 'toggles.apiGatewayAccount', root: 'ManageApiGatewayAccount', encoding: 'boolean' },
  { path: 'toggles.keyRotation', root: 'EnableKeyRotation', encoding: 'boolean' },
  { path: 'toggles.reservedConcurrency', root: 'EnableReservedConcurrency', encoding: 'boolean' },
  { path: 'toggles.projectTagActive', root: 'ProjectTagActive', encoding: 'boolean' },
  { path: 'toggles.functionsInVpc', root: 'FunctionsInVpc', encoding: 'boolean' },
  { path: 'toggles.natGateway', root: 'EnableNatGateway', encoding: 'boolean' },
  { path: 'toggles.interfaceEndpoints', root: 'EnableInterfaceEndpoints', encoding: 'boolean' },
  { path: 'toggles.waf', root: 'EnableWaf', encoding: 'boolean' },
  { path: 'failover.hostedZoneId', root: 'HostedZoneId', encoding: 'string', enabledBy: 'toggles.failover' },
  { path: 'failover.apiDomainName', root: 'ApiDomainName', encoding: 'string', enabledBy: 'toggles.failover' },
  { path: 'failover.certificateArn', root: 'ApiCertificateArn', encoding: 'string', enabledBy: 'toggles.failover' },
  { path: 'failover.standbyCertificateArn', root: 'StandbyApiCertificateArn', encoding: 'string', enabledBy: 'toggles.failover' },
  { path: 'security.trustedAccountIds', root: 'TrustedAccountIds', encoding: 'list' },
  { path: 'security.analyticsExternalId', root: 'AnalyticsExternalId', encoding: 'string' },
  { path: 'quickSightPrincipalArn', root: 'QuickSightPrincipalArn', encoding: 'string' },
  { path: 'athenaDynamoDbConnectorArn', root: 'AthenaDynamoDbConnectorArn', encoding: 'string' },
  { path: 'monthlyBudgetUsd', root: 'MonthlyBudgetUsd', encoding: 'number' },
];

/** The root parameter string of one field, or undefined when the file leaves it out. */
export function encodeField(field: FileField, file: FileLike): string | undefined {
  if (field.enabledBy !== undefined && get(file, field.enabledBy) !== true) return '';
  if (typeof field.encoding === 'function') return field.encoding(file);
  const v = get(file, field.path);
  if (v === undefined) return undefined;
  switch (field.encoding) {
    case 'number':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'list':
      return (v as unknown[]).join(',');
    case 'string':
      return String(v);
  }
}

/** The file key that feeds a root parameter (for messages), if any. */
export function fileKeyOf(root: string): string | undefined {
  return FILE_FIELDS.find((f) => f.root === root)?.path;
}

const object = (properties: Record<string, SchemaNode>, required: string[] = []): SchemaNode => ({
  type: 'object',
  additionalProperties: false,
  ...(required.length > 0 ? { required } : {}),
  properties,
});

/** The JSON Schema of a parameter file. Pure: the same sources give the same schema. */
export function parameterFileSchema(): SchemaNode {
  const stackName = CFN_LIMITS.stackNameCharacters.value;
  const tagKey = CFN_LIMITS.tagKeyCharacters.value;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://stock-weather-cfn.local/parameters/schema.json',
    title: 'Deployment parameter file (parameters/<env>.json)',
    description:
      "Generated from templates-src/parameters.ts by npm run build:templates (tools/lib/params-schema.ts): do not edit. tools/lib/params.ts validates a file against it (every error at once) and maps it onto the root template's parameters; see docs/deploy.md for the mapping and the precedence (flags > file > template defaults).",
    type: 'object',
    additionalProperties: false,
    required: ['stackName', 'environment', 'regions', 'symbols', 'cities', 'thresholds', 'alerts', 'toggles'],
    properties: {
      $schema: { type: 'string', description: 'editor hint, ignored' },
      stackName: {
        type: 'string',
        description: `the root stack's name: a letter, then letters, digits or dashes, at most ${stackName} characters`,
        pattern: `^[A-Za-z][A-Za-z0-9-]{0,${stackName - 1}}$`,
      },
      projectName: leafFromRoot('ProjectName'),
      environment: leafFromRoot('Environment'),
      regions: object(
        { primary: { $ref: '#/definitions/region' }, secondary: leafFromRoot('SecondaryRegion', { nonEmpty: true, description: REGION.description }) },
        ['primary', 'secondary'],
      ),
      symbols: {
        type: 'array',
        minItems: 1,
        maxItems: 50,
        uniqueItems: true,
        items: { type: 'string', description: SYMBOL.description, pattern: anchored(SYMBOL) },
      },
      cities: {
        type: 'array',
        minItems: 1,
        maxItems: 25,
        items: object(
          {
            name: { type: 'string', description: CITY_NAME.description, pattern: anchored(CITY_NAME) },
            lat: { type: 'number', minimum: LATITUDE_RANGE.min, maximum: LATITUDE_RANGE.max },
            lon: { type: 'number', minimum: LONGITUDE_RANGE.min, maximum: LONGITUDE_RANGE.max },
          },
          ['name', 'lat', 'lon'],
        ),
      },
      marketDataProvider: leafFromRoot('MarketDataProvider'),
      pollRateMinutes: leafFromRoot('PollRateMinutes', { integer: true }),
      streamShardCount: leafFromRoot('StreamShardCount', { integer: true }),
      streamRetentionHours: leafFromRoot('StreamRetentionHours', { integer: true }),
      crawlerSchedule: leafFromRoot('CrawlerSchedule'),
      maxClockSkewSeconds: leafFromRoot('MaxClockSkewSeconds', { integer: true }),
      thresholds: object(
        {
          stockDropPercent: leafFromRoot('StockDropPercent'),
          heatC: leafFromRoot('HeatThresholdC'),
          coldC: leafFromRoot('ColdThresholdC'),
          windKph: leafFromRoot('WindThresholdKph'),
          precipMm: leafFromRoot('PrecipThresholdMm'),
        },
        ['stockDropPercent', 'heatC', 'coldC', 'windKph', 'precipMm'],
      ),
      alerts: object(
        {
          email: leafFromRoot('AlertEmail'),
          slackWebhookSecretName: {
            type: 'string',
            description: 'a Secrets Manager secret name (letters, digits and /_+=.@-)',
            pattern: '^[A-Za-z0-9/_+=.@-]{1,512}$',
          },
        },
        ['email'],
      ),
      toggles: object(
        {
          dax: leafFromRoot('EnableDax', { boolean: true }),
          quickSight: leafFromRoot('EnableQuickSight', { boolean: true }),
          guardDuty: leafFromRoot('EnableGuardDuty', { boolean: true }),
          securityHub: leafFromRoot('EnableSecurityHub', { boolean: true }),
          configRecorder: leafFromRoot('EnableConfigRecorder', { boolean: true }),
          existingConfigRecorder: leafFromRoot('UseExistingConfigRecorder', { boolean: true }),
          cloudTrail: leafFromRoot('EnableCloudTrail', { boolean: true }),
          apiGatewayAccount: leafFromRoot('ManageApiGatewayAccount', { boolean: true }),
          keyRotation: leafFromRoot('EnableKeyRotation', { boolean: true }),
          reservedConcurrency: leafFromRoot('EnableReservedConcurrency', { boolean: true }),
          projectTagActive: leafFromRoot('ProjectTagActive', { boolean: true }),
          functionsInVpc: leafFromRoot('FunctionsInVpc', { boolean: true }),
          natGateway: leafFromRoot('EnableNatGateway', { boolean: true }),
          interfaceEndpoints: leafFromRoot('EnableInterfaceEndpoints', { boolean: true }),
          waf: leafFromRoot('EnableWaf', { boolean: true }),
          failover: {
            type: 'boolean',
            description: 'Route 53 failover records for the ingestion API (needs the failover object and toggles.secondaryStack)',
            default: false,
          },
          secondaryStack: {
            type: 'boolean',
            description:
              'The deployment has its secondary-region stack (generated/secondary.yaml in regions.secondary: replica key and buckets, backup vault, standby ingestion). false: the deploy tool refuses --secondary and uses none of its outputs, so nothing is replicated across regions (no CRR, table replicas or backup copies)',
            default: true,
          },
        },
        ['dax', 'quickSight', 'guardDuty', 'securityHub', 'configRecorder', 'failover'],
      ),
      failover: object(
        {
          hostedZoneId: leafFromRoot('HostedZoneId', { nonEmpty: true }),
          apiDomainName: leafFromRoot('ApiDomainName', { nonEmpty: true }),
          certificateArn: leafFromRoot('ApiCertificateArn', { nonEmpty: true }),
          standbyCertificateArn: leafFromRoot('StandbyApiCertificateArn', { nonEmpty: true }),
        },
        ['hostedZoneId', 'apiDomainName', 'certificateArn'],
      ),
      security: object({
        trustedAccountIds: {
          type: 'array',
          uniqueItems: true,
          maxItems: 20,
          items: { type: 'string', description: ACCOUNT_ID.description, pattern: anchored(ACCOUNT_ID) },
        },
        analyticsExternalId: leafFromRoot('AnalyticsExternalId'),
      }),
      quickSightPrincipalArn: leafFromRoot('QuickSightPrincipalArn', { nonEmpty: true }),
      athenaDynamoDbConnectorArn: leafFromRoot('AthenaDynamoDbConnectorArn'),
      monthlyBudgetUsd: leafFromRoot('MonthlyBudgetUsd'),
      tags: {
        type: 'object',
        description: `stack tags; CloudFormation propagates them to every taggable resource. ${TOOL_TAGS.join(' and ')} are set by the deploy tool and may not be given here`,
        maxProperties: CFN_LIMITS.stackTags.value - TOOL_TAGS.length,
        propertyNames: { pattern: `^(?!aws:)[A-Za-z0-9 _.:/=+@-]{1,${tagKey}}$` },
        additionalProperties: { type: 'string', maxLength: CFN_LIMITS.tagValueCharacters.value },
      },
    },
    definitions: {
      region: { type: 'string', description: REGION.description, pattern: anchored(REGION) },
    },
  };
}

/** The schema file's text: 2-space JSON with a final newline. */
export function parameterSchemaText(): string {
  return `${JSON.stringify(parameterFileSchema(), null, 2)}\n`;
}

/**
 * Writes `file` when it differs from the generated schema (`check`: reports only). 'absent' when
 * the file's directory does not exist (a `--out` elsewhere than the repository).
 */
export async function syncParameterSchema(file: string, options: { check: boolean }): Promise<'changed' | 'unchanged' | 'absent'> {
  const isDir = await stat(path.dirname(file)).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) return 'absent';
  const text = parameterSchemaText();
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === text) return 'unchanged';
  if (!options.check) await writeFile(file, text);
  return 'changed';
}

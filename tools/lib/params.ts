/**
 * Parameter files (`parameters/<env>.json`): load, validate against `parameters/schema.json`
 * (every error in one run, one line each: file, key, rule, fix), and map onto the root
 * template's CloudFormation parameters.
 *
 * Precedence, highest first:
 *
 * | source                                   | example                                  |
 * |------------------------------------------|------------------------------------------|
 * | `--parameter Key=Value` flags            | `--parameter PollRateMinutes=10`          |
 * | outputs of the secondary-region stack    | `ReplicaKmsKeyArn` (deploy `--secondary`) |
 * | the parameter file                       | `"pollRateMinutes": 5`                    |
 * | the cost estimate (`MonthlyBudgetUsd` only, deploy tool) | 1.5 × the estimate (tools/lib/cost/budget.ts) |
 * | the root template's `Default`            | `PollRateMinutes: Default 5`              |
 *
 * A root parameter nobody sets is left out of the change set, so CloudFormation uses the
 * template default (never the previous value: a removed file key returns to the default).
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { visit } from 'jsonc-parser';
import { CFN_LIMITS } from '../../contracts/cloudformation-limits';
import { matcher } from '../../contracts/values';
import { ROOT_PARAMETERS } from '../../templates-src/parameters';
import type { Parameter } from '../../templates-src/lib/template';
import { ParameterFileError } from './deploy/errors';
import { encodeField, FILE_FIELDS, fileKeyOf, parameterFileSchema, TOOL_TAGS, type SchemaNode } from './params-schema';
import { closest } from './suggest';

export const PARAMETERS_DIR = 'parameters';
export const SCHEMA_FILE = path.join(PARAMETERS_DIR, 'schema.json');

export interface City {
  readonly name: string;
  readonly lat: number;
  readonly lon: number;
}

/** The parsed, validated parameter file (see parameters/schema.json for every rule). */
export interface ParameterFile {
  readonly stackName: string;
  /** @default 'stockwx' (the root template default) */
  readonly projectName?: string;
  readonly environment: 'dev' | 'prod';
  readonly regions: { readonly primary: string; readonly secondary: string };
  readonly symbols: readonly string[];
  readonly cities: readonly City[];
  readonly marketDataProvider?: 'finnhub' | 'alphavantage';
  readonly pollRateMinutes?: number;
  readonly streamShardCount?: number;
  /** @default 168 (the root template default) */
  readonly streamRetentionHours?: number;
  /** Glue cron expression, '' for no schedule. @default hourly (the root template default) */
  readonly crawlerSchedule?: string;
  /** @default 300 (the root template default) */
  readonly maxClockSkewSeconds?: number;
  readonly thresholds: {
    readonly stockDropPercent: number;
    readonly heatC: number;
    readonly coldC: number;
    readonly windKph: number;
    readonly precipMm: number;
  };
  readonly alerts: { readonly email: string; readonly slackWebhookSecretName?: string };
  readonly toggles: {
    readonly dax: boolean;
    readonly quickSight: boolean;
    readonly guardDuty: boolean;
    readonly securityHub: boolean;
    readonly configRecorder: boolean;
    readonly failover: boolean;
    /** @default false (the root default) */
    readonly existingConfigRecorder?: boolean;
    /** @default false */
    readonly cloudTrail?: boolean;
    /** @default true */
    readonly apiGatewayAccount?: boolean;
    /** @default false */
    readonly keyRotation?: boolean;
    /** @default false */
    readonly reservedConcurrency?: boolean;
    /** @default false */
    readonly projectTagActive?: boolean;
    /** @default true */
    readonly functionsInVpc?: boolean;
    /** @default true */
    readonly natGateway?: boolean;
    /** @default true */
    readonly interfaceEndpoints?: boolean;
    /** @default true */
    readonly waf?: boolean;
    /** The secondary-region stack is part of the deployment ({@link deploysSecondary}). @default true */
    readonly secondaryStack?: boolean;
  };
  readonly failover?: {
    readonly hostedZoneId: string;
    readonly apiDomainName: string;
    readonly certificateArn: string;
    readonly standbyCertificateArn?: string;
  };
  readonly security?: { readonly trustedAccountIds?: readonly string[]; readonly analyticsExternalId?: string };
  readonly quickSightPrincipalArn?: string;
  readonly athenaDynamoDbConnectorArn?: string;
  readonly monthlyBudgetUsd?: number;
  /** Stack tags (CloudFormation propagates them to resources). @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Resolving `--params`

/** How a file is named in messages: relative to `base` when inside it, else absolute. */
export function displayPath(file: string, base = process.cwd()): string {
  const rel = path.relative(base, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * Where `--params <value>` points: an existing path as given (relative to `cwd`), else the same
 * name inside `parameters/` (so `prod.json` and `prod` both find parameters/prod.json).
 */
export async function resolveParameterFile(value: string, cwd = process.cwd()): Promise<string> {
  const candidates = [path.resolve(cwd, value), path.resolve(cwd, PARAMETERS_DIR, value)];
  if (!value.endsWith('.json')) candidates.push(path.resolve(cwd, PARAMETERS_DIR, `${value}.json`));
  for (const candidate of candidates) {
    if (
      await access(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw new ParameterFileError([
    `--params ${value}: no such file (looked for ${candidates.map((c) => path.relative(cwd, c) || c).join(', ')}); pass a path or a file name in ${PARAMETERS_DIR}/`,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Validation

let compiled: ReturnType<Ajv['compile']> | undefined;

function validator(): ReturnType<Ajv['compile']> {
  // Compiled from the schema built in memory from the root parameters: parameters/schema.json is
  // the same schema written out for editors (and kept fresh by build:templates --check).
  // `unicodeRegExp` (ajv's default) compiles patterns with the `u` flag, as contracts/values.ts expects.
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(parameterFileSchema());
  return compiled;
}

/** `/thresholds/stockDropPercent` → `thresholds.stockDropPercent`; `/symbols/2` → `symbols[2]`. */
export function dottedPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** One line for one ajv error; undefined for errors another line already explains. */
function describeError(e: ErrorObject): string | undefined {
  const at = dottedPath(e.instancePath);
  const schema = (e.parentSchema ?? {}) as SchemaNode;
  const hint = schema.description ? ` (${schema.description})` : '';
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return `${join(at, missing)} is required; add it (see ${SCHEMA_FILE})`;
    }
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(schema.properties ?? {}).filter((k) => k !== '$schema');
      const suggestion = closest(key, known);
      return `${join(at, key)} is not a known key; ${suggestion ? `did you mean ${join(at, suggestion)}?` : `valid keys here: ${known.join(', ')}`}`;
    }
    case 'type':
      return `${at} must be ${/^[aeiou]/.test(String(e.params.type)) ? 'an' : 'a'} ${String(e.params.type)} (got ${show(e.data)})`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      if (schema.minimum !== undefined && schema.maximum !== undefined)
        return `${at} must be between ${schema.minimum} and ${schema.maximum} (got ${show(e.data)})`;
      return `${at} must be ${{ minimum: 'at least', exclusiveMinimum: 'greater than', maximum: 'at most', exclusiveMaximum: 'less than' }[e.keyword]} ${String(e.params.limit)} (got ${show(e.data)})`;
    case 'enum':
      return `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(show).join(', ')} (got ${show(e.data)})`;
    case 'pattern':
      return `${at} must be ${schema.description ?? `a string matching ${String(e.params.pattern)}`} (got ${show(e.data)})`;
    case 'minItems':
      return `${at} must have at least ${String(e.params.limit)} item(s) (got ${(e.data as unknown[]).length})`;
    case 'maxItems':
      return `${at} must have at most ${String(e.params.limit)} items (got ${(e.data as unknown[]).length}); remove some`;
    case 'uniqueItems':
      return `${at} must not repeat items (items ${Math.min(e.params.i as number, e.params.j as number)} and ${Math.max(e.params.i as number, e.params.j as number)} are both ${show((e.data as unknown[])[e.params.i as number])})`;
    case 'minLength':
      return `${at} must be at least ${String(e.params.limit)} characters${hint} (got ${show(e.data)})`;
    case 'maxLength':
      return `${at} must be at most ${String(e.params.limit)} characters (got ${(e.data as string).length})`;
    case 'maxProperties':
      return `${at} must have at most ${String(e.params.limit)} keys (got ${Object.keys(e.data as object).length})`;
    case 'propertyNames':
      return undefined; // the nested pattern error names the key
    default:
      return `${at || '(top level)'} ${e.message ?? 'is invalid'}`;
  }
}

/** propertyNames errors report the key as `propertyName`; ajv puts them at the object's path. */
function describePropertyName(e: ErrorObject): string | undefined {
  if (e.keyword !== 'pattern' || !e.propertyName) return undefined;
  return `${join(dottedPath(e.instancePath), e.propertyName)}: tag key ${show(e.propertyName)} must be 1-128 characters of letters, digits, spaces and _.:/=+@- and must not start with aws:`;
}

/**
 * Rules that span keys, which the schema cannot say clearly. Each rule runs when the keys it
 * reads have the right shape, so these errors appear in the same run as schema errors.
 */
function crossFieldProblems(data: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(data)) return problems;
  const regions = isObject(data.regions) ? data.regions : {};
  const thresholds = isObject(data.thresholds) ? data.thresholds : {};
  const toggles = isObject(data.toggles) ? data.toggles : {};
  if (typeof regions.primary === 'string' && regions.primary === regions.secondary) {
    problems.push(
      `regions.secondary must differ from regions.primary (both are ${show(regions.primary)}); pick the partner region, e.g. us-west-2 for us-east-1`,
    );
  }
  if (typeof thresholds.coldC === 'number' && typeof thresholds.heatC === 'number' && thresholds.coldC >= thresholds.heatC) {
    problems.push(`thresholds.coldC must be below thresholds.heatC (got coldC ${thresholds.coldC}, heatC ${thresholds.heatC})`);
  }
  if (toggles.failover === true && data.failover === undefined) {
    problems.push(
      'failover is required when toggles.failover is true; add failover.hostedZoneId, failover.apiDomainName and failover.certificateArn, or set toggles.failover to false',
    );
  }
  if (toggles.failover === false && data.failover !== undefined) {
    problems.push('failover is set but toggles.failover is false; remove failover or set toggles.failover to true');
  }
  const failover = isObject(data.failover) ? data.failover : {};
  if (typeof failover.certificateArn === 'string' && failover.standbyCertificateArn === undefined) {
    problems.push(
      'failover.standbyCertificateArn is required with failover.certificateArn; add an ACM certificate of the secondary region covering failover.apiDomainName (a regional API domain needs a certificate of its own region)',
    );
  }
  for (const [key, region] of [
    ['certificateArn', regions.primary],
    ['standbyCertificateArn', regions.secondary],
  ] as const) {
    const certificateRegion = typeof failover[key] === 'string' ? /^arn:[^:]+:acm:([^:]+):/.exec(failover[key])?.[1] : undefined;
    if (certificateRegion !== undefined && typeof region === 'string' && certificateRegion !== region) {
      const which = key === 'certificateArn' ? 'regions.primary' : 'regions.secondary';
      problems.push(
        `failover.${key} is a certificate of ${certificateRegion}, but the API it serves is in ${which} (${region}); request or import one in ${region}`,
      );
    }
  }
  // The network toggles combine one way (root.yaml's rules say the same to CloudFormation); an
  // absent toggle is the root default, true.
  const on = (key: string): boolean => toggles[key] !== false;
  if (on('functionsInVpc') && toggles.natGateway === false) {
    problems.push(
      'toggles.natGateway is false but toggles.functionsInVpc is true: functions in the private subnets reach the market, weather and Slack APIs only through a NAT gateway; set toggles.functionsInVpc to false (they then run outside the VPC) or toggles.natGateway to true',
    );
  }
  if (toggles.dax === true && !on('functionsInVpc')) {
    problems.push(
      'toggles.dax is true but toggles.functionsInVpc is false: a DAX cluster is reachable only from inside the VPCs; set toggles.functionsInVpc (and toggles.natGateway) to true, or toggles.dax to false',
    );
  }
  if (toggles.failover === true && !on('secondaryStack')) {
    problems.push(
      'toggles.failover is true but toggles.secondaryStack is false: the SECONDARY failover record and the standby API live in the secondary-region stack; set toggles.secondaryStack to true or toggles.failover to false',
    );
  }
  if (toggles.quickSight === true && !data.quickSightPrincipalArn) {
    problems.push(
      'quickSightPrincipalArn is required when toggles.quickSight is true; add the QuickSight user or group ARN, or set toggles.quickSight to false',
    );
  }
  if (isObject(data.tags)) {
    for (const key of TOOL_TAGS) {
      if (key in data.tags) {
        problems.push(
          `tags.${key} is set by the deploy tool (${key === 'Environment' ? 'from environment' : 'to stock-weather-cfn'}) on every stack; remove it from the file (it would be overwritten)`,
        );
      }
    }
  }
  if (Array.isArray(data.cities)) {
    const names = new Map<string, number>();
    data.cities.forEach((c: unknown, i: number) => {
      if (!isObject(c) || typeof c.name !== 'string') return;
      const first = names.get(c.name.toLowerCase());
      if (first !== undefined) problems.push(`cities[${i}].name repeats cities[${first}].name (${show(c.name)}); city names must be unique`);
      else names.set(c.name.toLowerCase(), i);
    });
  }
  return problems;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Validates parsed JSON against the schema and the cross-field rules. Returns every problem as
 * `<file>: <line>`; an empty list means valid.
 */
export function validateParameterData(data: unknown, file: string): string[] {
  const validate = validator();
  const lines: string[] = [];
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      const line = describePropertyName(e) ?? describeError(e);
      if (line !== undefined && !lines.includes(line)) lines.push(line);
    }
  }
  lines.push(...crossFieldProblems(data));
  return lines.map((l) => `${file}: ${l}`);
}

/** `line 3 column 5` for a JSON.parse error message that carries a position. */
function jsonErrorLocation(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const offset = Number(m[1]);
  const before = text.slice(0, offset).split('\n');
  return ` at line ${before.length} column ${before[before.length - 1]!.length + 1}`;
}

/**
 * Keys that appear twice in one object (JSON.parse silently keeps the last one), one line each
 * with the path and the line of the repeat: `thresholds.windKph appears twice (lines 4 and 9); …`.
 */
export function duplicateKeys(text: string): string[] {
  const out: string[] = [];
  const stack: { path: string; seen: Map<string, number> }[] = [];
  let pendingKey: string | undefined;
  const childPath = (): string => {
    const parent = stack[stack.length - 1];
    if (!parent) return '';
    return pendingKey === undefined ? `${parent.path}[]` : parent.path ? `${parent.path}.${pendingKey}` : pendingKey;
  };
  visit(text, {
    onObjectBegin: () => {
      stack.push({ path: childPath(), seen: new Map() });
      pendingKey = undefined;
    },
    onObjectEnd: () => {
      stack.pop();
      pendingKey = undefined;
    },
    onArrayBegin: () => {
      stack.push({ path: childPath(), seen: new Map() });
      pendingKey = undefined;
    },
    onArrayEnd: () => {
      stack.pop();
      pendingKey = undefined;
    },
    onObjectProperty: (key, _offset, _length, startLine) => {
      const current = stack[stack.length - 1]!;
      const first = current.seen.get(key);
      const at = current.path ? `${current.path}.${key}` : key;
      if (first !== undefined) out.push(`${at} appears twice (lines ${first + 1} and ${startLine + 1}); JSON keeps only the last one, so remove one of them`);
      else current.seen.set(key, startLine);
      pendingKey = key;
    },
    onLiteralValue: () => {
      pendingKey = undefined;
    },
  });
  return out;
}

/**
 * Reads and validates a parameter file. Throws `ParameterFileError` listing every problem.
 * @param displayName how the file is named in messages. @default the path relative to cwd
 */
export async function loadParameterFile(file: string, displayName = displayPath(file)): Promise<ParameterFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ParameterFileError([`${displayName}: cannot read the file (${(error as Error).message})`]);
  }
  // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse would report an invisible character.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new ParameterFileError([
      `${displayName}: invalid JSON${jsonErrorLocation(text, message)}: ${message.split('\n')[0]}; fix the syntax (trailing commas and comments are not allowed)`,
    ]);
  }
  const duplicates = duplicateKeys(text).map((d) => `${displayName}: ${d}`);
  const problems = [...duplicates, ...validateParameterData(data, displayName)];
  if (problems.length > 0) throw new ParameterFileError(problems);
  return data as ParameterFile;
}

// ---------------------------------------------------------------------------------------------
// Mapping onto root parameters

/**
 * Parameter-file key → root parameter, derived from FILE_FIELDS (tools/lib/params-schema.ts, the
 * table the schema is generated from). Each entry returns the value, or undefined to leave the
 * root parameter at its template default. `checkMapping()` (and a test) ensures every target
 * exists in ROOT_PARAMETERS.
 */
export const FILE_TO_ROOT: Readonly<Record<string, (p: ParameterFile) => string | undefined>> = Object.fromEntries(
  FILE_FIELDS.map((f) => [f.root, (p: ParameterFile) => encodeField(f, p as unknown as Record<string, unknown>)]),
);

/**
 * Root parameters deliberately not set from the file, with the reason. Together with
 * FILE_TO_ROOT they must cover ROOT_PARAMETERS exactly (a test checks).
 */
export const LEFT_TO_DEFAULT: Readonly<Record<string, string>> = {
  ReplicaKmsKeyArn: 'an output of the secondary-region stack: `deploy --secondary` passes it (or --parameter ReplicaKmsKeyArn=…)',
};

/**
 * File keys that do not become root parameters, and where they go instead (documented in
 * docs/deploy.md).
 */
export const FILE_KEYS_NOT_PARAMETERS: Readonly<Record<string, string>> = {
  stackName: 'the root stack name',
  'regions.primary': 'the region the root stack is deployed in (unless --region)',
  tags: `stack tags on CreateChangeSet (${TOOL_TAGS.join(' and ')} are the tool's own and may not be set here)`,
  'toggles.failover': 'whether failover.* feeds HostedZoneId, ApiDomainName and ApiCertificateArn (else they are empty)',
  'toggles.secondaryStack':
    'whether the deployment has its secondary-region stack: --secondary deploys it and every deploy takes its outputs (ReplicaKmsKeyArn); false: --secondary is refused and no output is used, so nothing replicates',
  'alerts.slackWebhookSecretName':
    'reserved: no root parameter takes it (security.yaml creates the secret <project>-<env>/slack-webhook without a value; store the webhook there)',
};

/** Names in `names` that are not root parameters (empty when the mapping matches the template). */
export function checkMapping(names: readonly string[] = [...Object.keys(FILE_TO_ROOT), ...Object.keys(LEFT_TO_DEFAULT)]): string[] {
  return names.filter((n) => !(n in ROOT_PARAMETERS));
}

/** Problems with one value against its root parameter definition (AllowedValues, pattern, bounds, length). */
export function checkAgainstDefinition(name: string, value: string, definition: Parameter): string[] {
  const out: string[] = [];
  const allowed = definition.AllowedValues as unknown[] | undefined;
  if (allowed && !allowed.map(String).includes(value)) out.push(`${name} must be one of ${allowed.map(String).join(', ')} (got ${show(value)})`);
  const maxBytes = CFN_LIMITS.parameterValueBytes.value;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (definition.Type !== 'Number' && bytes > maxBytes) {
    const fileKey = fileKeyOf(name);
    out.push(
      `${name}${fileKey ? ` (from ${fileKey})` : ''} is ${bytes} bytes; CloudFormation accepts at most ${maxBytes.toLocaleString('en-US')} bytes per parameter value (${CFN_LIMITS.parameterValueBytes.source}); shorten it`,
    );
  }
  if (definition.AllowedPattern !== undefined && !matcher(String(definition.AllowedPattern)).test(value)) {
    out.push(
      `${name} must match ${String(definition.AllowedPattern)}${definition.ConstraintDescription ? ` (${String(definition.ConstraintDescription)})` : ''} (got ${show(value)})`,
    );
  }
  if (definition.Type === 'Number') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) out.push(`${name} must be a number (got ${show(value)})`);
    else {
      const min = definition.MinValue as number | undefined;
      const max = definition.MaxValue as number | undefined;
      if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
        out.push(
          min !== undefined && max !== undefined
            ? `${name} must be between ${min} and ${max} (got ${value})`
            : min !== undefined
              ? `${name} must be at least ${min} (got ${value})`
              : `${name} must be at most ${max} (got ${value})`,
        );
      }
    }
  }
  const minLength = definition.MinLength as number | undefined;
  const maxLength = definition.MaxLength as number | undefined;
  if (minLength !== undefined && value.length < minLength) out.push(`${name} must be at least ${minLength} characters (got ${value.length})`);
  if (maxLength !== undefined && value.length > maxLength) out.push(`${name} must be at most ${maxLength} characters (got ${value.length})`);
  return out;
}

/**
 * Parses `--parameter Key=Value` flags; unknown keys are problems with a suggestion. Returns the
 * problems instead of throwing so the caller reports them with the file's.
 */
export function parseOverrides(flags: readonly string[]): { values: Record<string, string>; problems: string[] } {
  const problems: string[] = [];
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq < 1) {
      problems.push(`--parameter ${flag}: expected Key=Value, e.g. --parameter PollRateMinutes=10`);
      continue;
    }
    const key = flag.slice(0, eq);
    if (!(key in ROOT_PARAMETERS)) {
      const suggestion = closest(key, Object.keys(ROOT_PARAMETERS));
      problems.push(`--parameter ${key}: not a root template parameter; ${suggestion ? `did you mean ${suggestion}?` : 'see generated/root.yaml Parameters'}`);
      continue;
    }
    out[key] = flag.slice(eq + 1);
    for (const p of checkAgainstDefinition(key, out[key]!, ROOT_PARAMETERS[key]!.definition)) problems.push(`--parameter: ${p}`);
  }
  return { values: out, problems };
}

export type ParameterSource = 'flag' | 'secondary' | 'file' | 'default';

export interface ResolvedParameters {
  /** Root parameter name → value, only the ones explicitly set (the rest keep the template default). Sorted by name. */
  readonly values: Readonly<Record<string, string>>;
  /** Where each ROOT_PARAMETERS entry's value comes from. */
  readonly sources: Readonly<Record<string, ParameterSource>>;
}

export interface ResolveOptions {
  /** `--parameter Key=Value` flags, already parsed. @default {} */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Values fed from the secondary-region stack's outputs. @default {} */
  readonly fromSecondary?: Readonly<Record<string, string>>;
  /** Name of the file for messages. @default 'parameter file' */
  readonly displayName?: string;
}

/**
 * The root parameters for a deployment: flags > secondary outputs > file > template defaults.
 * Every final value is checked against its root definition; all problems throw at once.
 */
export function resolveRootParameters(file: ParameterFile, options: ResolveOptions = {}): ResolvedParameters {
  const drift = checkMapping();
  if (drift.length > 0)
    throw new Error(`tools/lib/params.ts maps onto root parameters that do not exist: ${drift.join(', ')}; update FILE_TO_ROOT/LEFT_TO_DEFAULT`);
  const values: Record<string, string> = {};
  const sources: Record<string, ParameterSource> = {};
  for (const name of Object.keys(ROOT_PARAMETERS)) sources[name] = 'default';
  for (const [name, map] of Object.entries(FILE_TO_ROOT)) {
    const v = map(file);
    if (v !== undefined) {
      values[name] = v;
      sources[name] = 'file';
    }
  }
  for (const [name, v] of Object.entries(options.fromSecondary ?? {})) {
    values[name] = v;
    sources[name] = 'secondary';
  }
  for (const [name, v] of Object.entries(options.overrides ?? {})) {
    values[name] = v;
    sources[name] = 'flag';
  }
  const problems: string[] = [];
  for (const [name, v] of Object.entries(values)) {
    const origin =
      sources[name] === 'flag' ? '--parameter' : sources[name] === 'secondary' ? 'secondary stack output' : (options.displayName ?? 'parameter file');
    for (const p of checkAgainstDefinition(name, v, ROOT_PARAMETERS[name]!.definition)) problems.push(`${origin}: ${p}`);
  }
  if (problems.length > 0) throw new ParameterFileError(problems);
  const sorted = Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b)));
  return { values: sorted, sources };
}

/**
 * Whether the deployment has its secondary-region stack (`toggles.secondaryStack`, default true):
 * the deploy tool deploys it with `--secondary` and otherwise reads its outputs, and the cost
 * estimate includes it. Without it nothing is replicated across regions.
 */
export function deploysSecondary(file: Pick<ParameterFile, 'toggles'>): boolean {
  return file.toggles.secondaryStack !== false;
}

/** Stack tags from the file plus the ones every deployment carries, sorted by key. */
export function stackTags(file: ParameterFile): { Key: string; Value: string }[] {
  const all: Record<string, string> = { ...(file.tags ?? {}), Environment: file.environment, ManagedBy: 'stock-weather-cfn' };
  return Object.entries(all)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Key, Value]) => ({ Key, Value }));
}

/**
 * The account preflight of `npm run deploy` and `npm run diff`: after the parameters are resolved
 * and before anything is packaged or a change set exists, read the account once per precondition
 * and either adapt a parameter (one line saying so) or stop with a one-line fix (exit 2, nothing
 * created). `--no-preflight` skips it (cli.ts says so).
 *
 * | check               | reads (IAM action)                                   | adapts / stops                                                       | unreadable ⇒ | why                                              |
 * |---------------------|------------------------------------------------------|----------------------------------------------------------------------|--------------|--------------------------------------------------|
 * | guardduty           | guardduty:ListDetectors                              | a detector not ours ⇒ EnableGuardDuty=false                          | warn         | a second detector fails loudly; CloudFormation names it |
 * | security-hub        | securityhub:DescribeHub                              | a hub not ours ⇒ EnableSecurityHub=false                              | warn         | same                                             |
 * | config-recorder     | config:DescribeConfigurationRecorders                | a recorder not ours ⇒ UseExistingConfigRecorder=true, EnableConfigRecorder=false; none but UseExisting ⇒ stop | warn | same |
 * | cloudtrail          | cloudtrail:DescribeTrails                            | a multi-region trail not ours ⇒ EnableCloudTrail=false                | warn         | a second trail deploys; it only bills twice     |
 * | api-gateway-account | apigateway:GET /account                              | a role not ours ⇒ Manage(Standby)ApiGatewayAccount=false; none and false ⇒ stop | warn | the stage failure is loud and rolls back |
 * | cost-allocation-tag | ce:ListCostAllocationTags (us-east-1)                | Project active ⇒ ProjectTagActive=true; inactive but true ⇒ warn      | warn         | affects what the budget counts, never the deploy |
 * | lambda-concurrency  | lambda:GetAccountSettings, else servicequotas:GetServiceQuota | quota < 100 + our reservations ⇒ stop                         | warn         | PutFunctionConcurrency fails loudly and rolls back |
 * | vpc-quota           | ec2:DescribeVpcs, servicequotas:GetServiceQuota / GetAWSDefaultServiceQuota | in use + ours > quota ⇒ stop (warn when the quota is assumed) | warn | the VPC create fails loudly and rolls back |
 * | certificates        | acm:DescribeCertificate (in the API's region)        | wrong region, missing, not ISSUED, not covering the domain ⇒ stop    | warn         | the domain create fails loudly and rolls back    |
 * | quicksight          | quicksight:DescribeAccountSubscription               | no usable subscription ⇒ stop                                        | warn         | the data source create fails loudly and rolls back |
 * | key-rotation        | secretsmanager:DescribeSecret                        | secret absent or only its generated version ⇒ stop                   | **stop**     | a failed testSecret leaves an AWSPENDING version on the secret after the rollback |
 *
 * "Not ours" compares the account's resource with the physical IDs the deployed stack holds
 * (cloudformation:ListStackResources through the nested stacks), so a deploy never switches off a
 * singleton it created itself. A `--parameter Key=Value` flag wins over
 * an adaptation (said in one line); the parameter file does not.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { ROOT_PARAMETERS } from '../../../../templates-src/parameters';
import type { ParameterSource } from '../../params';
import { fileKeyOf } from '../../params-schema';
import { DeployError } from '../errors';
import type { AwsClients } from '../preflight';
import { describeStack, isNotFound } from '../stack-state';
import { apiGatewayAccountCheck } from './api-gateway-account';
import { certificatesCheck } from './certificates';
import type { AccountClients } from './clients';
import { cloudTrailCheck } from './cloudtrail';
import { configRecorderCheck } from './config-recorder';
import { costAllocationTagCheck } from './cost-allocation-tag';
import { guardDutyCheck } from './guardduty';
import { keyRotationCheck } from './key-rotation';
import { lambdaConcurrencyCheck } from './lambda-concurrency';
import { quickSightCheck } from './quicksight';
import { errorDetail, ReadError, readReason } from './read';
import { securityHubCheck } from './security-hub';
import type { AccountCheck, CheckContext, Outcome, Target } from './types';
import { vpcQuotaCheck } from './vpc-quota';

import { generatedLoader, planDeployment } from './plan';

export type { Target } from './types';

/** Every check, in the order their lines are printed. */
export const ACCOUNT_CHECKS: readonly AccountCheck[] = [
  guardDutyCheck,
  securityHubCheck,
  configRecorderCheck,
  cloudTrailCheck,
  apiGatewayAccountCheck,
  costAllocationTagCheck,
  lambdaConcurrencyCheck,
  vpcQuotaCheck,
  certificatesCheck,
  quickSightCheck,
  keyRotationCheck,
] as AccountCheck[];

export interface RunOptions {
  readonly target: Target;
  readonly account: string;
  /** The account-check clients of a region. */
  readonly clients: (region: string) => AccountClients;
  /** CloudFormation in the target's region. */
  readonly cfn: CloudFormationClient;
  /** @default ACCOUNT_CHECKS */
  readonly checks?: readonly AccountCheck[];
  readonly say: (line: string) => void;
}

export interface AccountPreflight {
  /** What the deploy sends: the target's parameters with the adaptations applied, sorted. */
  readonly parameters: Record<string, string>;
  /** The values the preflight set (after `--parameter` flags kept theirs). */
  readonly adapted: Readonly<Record<string, string>>;
}

/** Statuses whose stack holds no resources: this deploy creates them all. */
const EMPTY_STACK = new Set(['REVIEW_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'DELETE_COMPLETE']);

type Result = { readonly check: AccountCheck; readonly outcomes: readonly Outcome[] } | { readonly check: AccountCheck; readonly unreadable: ReadError };

/** A failed read as a ReadError; anything else (a bug) is thrown on. */
function asReadError(error: unknown): ReadError {
  if (error instanceof ReadError) return error;
  const e = error as { name?: string; code?: string; message?: string };
  // The templates in generated/ could not be read or evaluated for these parameters.
  if (e.name === 'EvaluationError' || e.code === 'ENOENT')
    return new ReadError('the templates in generated/', 'failed', e.message ?? String(error), { cause: error });
  throw error;
}

/** "not allowed to call guardduty:ListDetectors (AccessDeniedException: …)". */
export function describeUnreadable(e: ReadError): string {
  switch (e.reason) {
    case 'denied':
      return `not allowed to call ${e.action} (${e.detail})`;
    case 'unavailable':
      return `the endpoint does not implement ${e.action} (${e.detail})`;
    case 'failed':
      return `${e.action} failed (${e.detail})`;
  }
}

/**
 * The CheckContext of one target. Physical IDs come from ListStackResources, one listing per stack
 * of the deployed tree, read once (DescribeStackResource would be one call per resource, and moto
 * 5.2 answers it with HTTP 500 once a stack holds a resource it could not model).
 */
function contextFor(o: RunOptions, firstCreate: boolean): CheckContext {
  const listings = new Map<string, Promise<ReadonlyMap<string, string> | undefined>>();
  const list = async (stack: string): Promise<ReadonlyMap<string, string> | undefined> => {
    const ids = new Map<string, string>();
    let token: string | undefined;
    try {
      do {
        const page = await o.cfn.send(new ListStackResourcesCommand({ StackName: stack, NextToken: token }));
        for (const r of page.StackResourceSummaries ?? []) if (r.LogicalResourceId && r.PhysicalResourceId) ids.set(r.LogicalResourceId, r.PhysicalResourceId);
        token = page.NextToken;
      } while (token);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new ReadError('cloudformation:ListStackResources', readReason(error), errorDetail(error), { cause: error });
    }
    return ids;
  };
  /** The resources of the stack at `path` (nested-stack logical IDs from the root), listed once. */
  const resourcesAt = (path: readonly string[]): Promise<ReadonlyMap<string, string> | undefined> => {
    const key = path.join('/');
    let listing = listings.get(key);
    if (!listing) {
      listing =
        path.length === 0
          ? list(o.target.stackName)
          : resourcesAt(path.slice(0, -1)).then((parent) => {
              const id = parent?.get(path[path.length - 1]!);
              return id ? list(id) : undefined;
            });
      listings.set(key, listing);
    }
    return listing;
  };
  return {
    target: o.target,
    account: o.account,
    clients: (region) => o.clients(region ?? o.target.region),
    cfn: o.cfn,
    firstCreate,
    deployedId: async (path, logicalId) => (firstCreate ? undefined : (await resourcesAt(path))?.get(logicalId)),
  };
}

async function runOne(check: AccountCheck, ctx: CheckContext): Promise<Result | undefined> {
  try {
    if (!check.applies(ctx.target)) return undefined;
    const observation = await check.read(ctx);
    return { check, outcomes: check.decide(observation, ctx.target) };
  } catch (error) {
    return { check, unreadable: asReadError(error) };
  }
}

const assignments = (set: Readonly<Record<string, string>>): string =>
  Object.entries(set)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/**
 * Runs the checks that apply to the target (their reads in parallel), prints one line per outcome in
 * ACCOUNT_CHECKS order and a summary, and returns the parameters to deploy. Throws one DeployError
 * (exit 2) listing every stop, after printing the rest.
 */
export async function runAccountChecks(o: RunOptions): Promise<AccountPreflight> {
  const t = o.target;
  const where = `${t.stackName} in ${t.region}`;
  const status = (await describeStack(o.cfn, t.stackName))?.StackStatus;
  const ctx = contextFor(o, status === undefined || EMPTY_STACK.has(status));
  const results = (await Promise.all((o.checks ?? ACCOUNT_CHECKS).map((c) => runOne(c, ctx)))).filter((r): r is Result => r !== undefined);

  const parameters: Record<string, string> = { ...t.parameters };
  const adapted: Record<string, string> = {};
  const stops: string[] = [];
  let warnings = 0;
  const say = (line: string): void => o.say(`preflight: ${line}`);
  for (const r of results) {
    if ('unreadable' in r) {
      const line = `cannot check ${r.check.subject} in ${t.region}: ${describeUnreadable(r.unreadable)}; ${r.check.consequence(t)}`;
      if (r.check.whenUnreadable === 'stop') stops.push(line);
      else {
        warnings += 1;
        say(`warning: ${line}`);
      }
      continue;
    }
    for (const outcome of r.outcomes) {
      switch (outcome.kind) {
        case 'stop':
          stops.push(`${outcome.problem}: ${outcome.fix}`);
          break;
        case 'warn':
          warnings += 1;
          say(`warning: ${outcome.message}`);
          break;
        case 'adapt': {
          const kept = Object.entries(outcome.set).filter(([k, v]) => t.fromFlag.has(k) && t.parameters[k] !== v);
          const apply = Object.fromEntries(Object.entries(outcome.set).filter(([k]) => !kept.some(([x]) => x === k)));
          for (const [k, v] of kept) say(`${k}=${t.parameters[k]} from --parameter wins over the preflight, which would set ${k}=${v}: ${outcome.because}`);
          if (Object.keys(apply).length === 0) break;
          const keys = Object.keys(apply);
          const before = (k: string): string => t.parameters[k] ?? t.plan.defaultOf(k) ?? '';
          const origins = new Set(keys.map((k) => t.origin(k)));
          const was =
            origins.size === 1 ? `${[...origins][0]}: ${keys.map(before).join(', ')}` : keys.map((k) => `${k}=${before(k)} from ${t.origin(k)}`).join(', ');
          Object.assign(parameters, apply);
          Object.assign(adapted, apply);
          const undo = keys.every((k) => t.overridable(k))
            ? `${keys.map((k) => `--parameter ${k}=${before(k)}`).join(' ')} overrides this`
            : `only --no-preflight keeps ${keys.map((k) => `${k}=${before(k)}`).join(', ')} (a parameter of ${t.plan.top}, not of the root)`;
          say(`${assignments(apply)} (${was}): ${outcome.because}; ${undo}`);
          break;
        }
      }
    }
  }
  const count = Object.keys(adapted).length;
  say(
    `${where}: ${results.length} check${results.length === 1 ? '' : 's'}, ${count} parameter${count === 1 ? '' : 's'} set${count ? ` (${assignments(adapted)})` : ''}, ${warnings} warning${warnings === 1 ? '' : 's'}${stops.length ? `, ${stops.length} stop${stops.length === 1 ? '' : 's'}` : ''}`,
  );
  if (stops.length > 0) {
    throw new DeployError(
      [
        ...stops.map((s) => `preflight: ${s}`),
        `preflight: nothing was created in ${where}; fix the above and re-run (--no-preflight deploys without these checks)`,
      ].join('\n'),
      2,
    );
  }
  return { parameters: Object.fromEntries(Object.entries(parameters).sort(([a], [b]) => a.localeCompare(b))), adapted };
}

// ---------------------------------------------------------------------------------------------
// How `npm run deploy`/`diff` call it (cli.ts)

export interface DeployPreflightOptions {
  /** `root` (generated/root.yaml) or `secondary` (generated/secondary.yaml). */
  readonly kind: 'root' | 'secondary';
  readonly repoRoot: string;
  readonly stackName: string;
  readonly region: string;
  /** The root deploy's secondary region (its standby certificate is checked there). */
  readonly secondaryRegion?: string;
  /** What the deploy would send. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Where each root parameter's value comes from (resolveRootParameters). */
  readonly sources: Readonly<Record<string, ParameterSource>>;
  /** The parameter file as messages name it. */
  readonly displayName: string;
  readonly account: string;
  /** The deploy's clients of `region` (preflight.ts createClients). */
  readonly clients: AwsClients;
  /** Makes the clients of another region (the standby certificate's), on first use. */
  readonly clientsOf: (region: string) => AwsClients;
  /** `--no-preflight`. @default false */
  readonly skip?: boolean;
  readonly say: (line: string) => void;
  /** @default ACCOUNT_CHECKS */
  readonly checks?: readonly AccountCheck[];
}

const ORIGIN: Readonly<Record<ParameterSource, (file: string) => string>> = {
  flag: () => '--parameter',
  secondary: () => 'the secondary stack',
  file: (file) => file,
  default: () => 'the template default',
};

/** The parameters to deploy after the account preflight of one stack (see runAccountChecks). */
export async function accountPreflight(o: DeployPreflightOptions): Promise<Record<string, string>> {
  const where = `${o.stackName} in ${o.region}`;
  if (o.skip) {
    o.say(
      `preflight: warning: --no-preflight: the account is not read for ${where}; singletons, quotas, certificates, the QuickSight subscription and the stored market-data key are deployed unchecked, with the parameters as given`,
    );
    return { ...o.parameters };
  }
  const clients = o.clients;
  if (!clients.account) {
    o.say(`preflight: skipped for ${where}: these clients have no account-check clients (only test doubles lack them)`);
    return { ...o.parameters };
  }
  const madeFor = new Map<string, AwsClients>();
  const top = o.kind === 'root' ? 'root.yaml' : 'secondary.yaml';
  const plan = planDeployment({
    load: generatedLoader(o.repoRoot),
    top,
    parameters: o.parameters,
    region: o.region,
    account: o.account,
    stackName: o.stackName,
  });
  /** Root parameters have a source; the secondary template's own ones (PrimaryRegion …) come from the tool or its defaults. */
  const rootSource = (k: string): ParameterSource | undefined => o.sources[k];
  const target: Target = {
    kind: o.kind,
    stackName: o.stackName,
    region: o.region,
    parameters: o.parameters,
    fromFlag: new Set(Object.keys(o.parameters).filter((k) => rootSource(k) === 'flag')),
    overridable: (k) => k in ROOT_PARAMETERS,
    origin: (k) => {
      const source = rootSource(k);
      if (source) return ORIGIN[source](o.displayName);
      return k in o.parameters ? 'the deploy tool' : 'the template default';
    },
    fileKey: fileKeyOf,
    secondaryRegion: o.secondaryRegion,
    plan,
  };
  const result = await runAccountChecks({
    target,
    account: o.account,
    clients: (region) => {
      const other = region === o.region ? clients : (madeFor.get(region) ?? madeFor.set(region, o.clientsOf(region)).get(region)!);
      if (!other.account) throw new ReadError(`clients for ${region}`, 'failed', 'no account-check clients');
      return other.account;
    },
    cfn: clients.cfn,
    checks: o.checks,
    say: o.say,
  });
  return result.parameters;
}

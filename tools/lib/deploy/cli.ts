/**
 * Argument parsing and the command flows of `npm run deploy`, `npm run diff` and
 * `npm run package`, kept out of the entry points so tests can drive them.
 *
 * Multi-region order (`--secondary`): the secondary-region template (generated/secondary.yaml)
 * is packaged and deployed first in `regions.secondary` as `<stackName>-secondary`; its outputs
 * that name root parameters (ReplicaKmsKeyArn …) are then passed to the primary deploy. Without
 * `--secondary` (and for a diff), those outputs are read from CloudFormation in the secondary
 * region at deploy time; `.deploy/<stack>-secondary-outputs.json` is only a record (dr.ts).
 */
import { existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT_PARAMETERS } from '../../../templates-src/parameters';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import { parseCli, regionFlag, urlFlag, type CliValues } from '../cli';
import { UsageError } from '../errors';
import { DEFAULT_BOOTSTRAP_STACK } from '../package/bucket';
import { runPackagePipeline } from '../package/pipeline';
import {
  deploysSecondary,
  displayPath,
  loadParameterFile,
  parseOverrides,
  resolveParameterFile,
  resolveRootParameters,
  stackTags,
  type ParameterFile,
} from '../params';
import { parseDuration, type Clock } from './clock';
import { DeployCost } from './cost-line';
import { deployStack, type DeployOptions, type DeployResult } from './deploy';
import { guardReplication, readSecondary, REPLICA_PARAMETER, type SecondaryState } from './dr';
import { ACCOUNT_SERVICES, cliHintFlags, resolveEndpoints, SERVICES, type Endpoints } from './endpoints';
import { DeployError, ParameterFileError } from './errors';
import { writeOutputs } from './outputs';
import { createClients, preflight, resolveRegion, type AwsClients } from './preflight';
import type { Output } from './progress';
import { describeStack } from './stack-state';

export interface DeployArgs {
  readonly params: string;
  readonly parameter: string[];
  readonly region?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  readonly bucket?: string;
  readonly secondaryBucket?: string;
  readonly bootstrapStack: string;
  readonly yes: boolean;
  readonly noExecute: boolean;
  readonly diff: boolean;
  readonly recreate: boolean;
  readonly continueRollback: boolean;
  readonly skipResources: string[];
  readonly waitTimeoutMs: number;
  readonly executeTimeoutMs: number;
  readonly secondary: boolean;
  readonly allowDrRemoval: boolean;
  readonly noBuild: boolean;
  /** `--no-preflight`: do not read the account before the change set (account-checks/). */
  readonly noPreflight: boolean;
  readonly packageOnly: boolean;
  readonly debug: boolean;
}

export const DEPLOY_USAGE = [
  'usage: npm run deploy -- --params <file> [options]      (npm run diff -- --params <file>: report only)',
  '  --params <file>            parameter file: a path, or a name in parameters/ (prod.json, prod)',
  '  --parameter Key=Value      override one root parameter (repeatable; beats the file)',
  '  --region <r> --profile <p> credentials and region via the SDK chain (region default: regions.primary)',
  '  --endpoint-url <url>       one endpoint for every service (moto, LocalStack); or AWS_ENDPOINT_URL[_<SERVICE>]',
  '  --bucket <name>            artifacts bucket (default: output of the bootstrap stack)',
  '  --secondary-bucket <name>  artifacts bucket in the secondary region (default: its bootstrap stack)',
  '  --bootstrap-stack <name>   bootstrap stack name (default stockwx-bootstrap)',
  '  --yes, -y                  do not ask for confirmation',
  '  --no-execute               create the change set and leave it for review',
  '  --recreate                 delete and recreate a stack in ROLLBACK_COMPLETE, or one that lacks declared outputs',
  '  --continue-rollback        continue the rollback of a stack in UPDATE_ROLLBACK_FAILED',
  '  --skip-resources A,B       resources to skip when continuing a rollback',
  '  --wait-timeout <30m>       wait for an operation already in progress (default: abort)',
  '  --execute-timeout <2h>     stop watching our own deploy after this long',
  '  --secondary                deploy generated/secondary.yaml in regions.secondary first',
  '  --allow-dr-removal         allow a deploy that empties ReplicaKmsKeyArn on a stack that replicates',
  '  --no-build                 do not rebuild stale templates or handlers',
  '  --no-preflight             do not read the account first (singletons, quotas, certificates …)',
  '  --debug                    stack traces on errors',
].join('\n');

const CONNECTION_OPTIONS = {
  params: { type: 'string' },
  parameter: { type: 'string', multiple: true },
  region: { type: 'string' },
  profile: { type: 'string' },
  'endpoint-url': { type: 'string' },
  bucket: { type: 'string' },
  'bootstrap-stack': { type: 'string' },
  'no-build': { type: 'boolean' },
} as const;

/** `npm run deploy` and `npm run diff` (the script adds `--diff`). */
export const DEPLOY_CLI = {
  name: 'deploy',
  usage: DEPLOY_USAGE,
  options: {
    ...CONNECTION_OPTIONS,
    'secondary-bucket': { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    'no-execute': { type: 'boolean' },
    diff: { type: 'boolean' },
    recreate: { type: 'boolean' },
    'continue-rollback': { type: 'boolean' },
    'skip-resources': { type: 'string' },
    'wait-timeout': { type: 'string' },
    'execute-timeout': { type: 'string' },
    secondary: { type: 'boolean' },
    'allow-dr-removal': { type: 'boolean' },
    'no-preflight': { type: 'boolean' },
  },
} as const;

export const PACKAGE_USAGE =
  'usage: npm run package -- --params <file> [--region r] [--profile p] [--bucket b] [--bootstrap-stack s] [--endpoint-url u] [--parameter K=V] [--no-build] [--debug]';

/** `npm run package`: the connection flags of deploy, nothing that executes. */
export const PACKAGE_CLI = { name: 'package', usage: PACKAGE_USAGE, options: CONNECTION_OPTIONS } as const;

type AnyValues = CliValues<typeof DEPLOY_CLI.options>;

/** Deploy arguments from parsed flags; URLs, regions and durations are checked here, naming the flag. */
export function deployArgsFrom(v: AnyValues, o: { packageOnly?: boolean } = {}): DeployArgs {
  if (!v.params) throw new UsageError('--params is required');
  if (v['skip-resources'] && !v['continue-rollback']) throw new UsageError('--skip-resources only applies with --continue-rollback');
  const duration = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    try {
      return parseDuration(text);
    } catch (error) {
      throw new UsageError(`--${flag}: ${(error as Error).message}`);
    }
  };
  return {
    params: v.params,
    parameter: v.parameter ?? [],
    region: v.region === undefined ? undefined : regionFlag('region', v.region),
    profile: v.profile,
    endpointUrl: v['endpoint-url'] === undefined ? undefined : urlFlag('endpoint-url', v['endpoint-url']),
    bucket: v.bucket,
    secondaryBucket: v['secondary-bucket'],
    bootstrapStack: v['bootstrap-stack'] ?? DEFAULT_BOOTSTRAP_STACK,
    yes: v.yes ?? false,
    noExecute: v['no-execute'] ?? false,
    diff: v.diff ?? false,
    recreate: v.recreate ?? false,
    continueRollback: v['continue-rollback'] ?? false,
    skipResources: (v['skip-resources'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    waitTimeoutMs: duration('wait-timeout', v['wait-timeout'], 0),
    executeTimeoutMs: duration('execute-timeout', v['execute-timeout'], 7_200_000),
    secondary: v.secondary ?? false,
    allowDrRemoval: v['allow-dr-removal'] ?? false,
    noBuild: v['no-build'] ?? false,
    noPreflight: v['no-preflight'] ?? false,
    packageOnly: o.packageOnly ?? false,
    debug: v.debug ?? false,
  };
}

/** Parses deploy/diff arguments (UsageError on anything wrong). */
export function parseDeployArgs(argv: readonly string[]): DeployArgs {
  return deployArgsFrom(parseCli(DEPLOY_CLI, argv).values);
}

/** Parses package arguments. */
export function parsePackageArgs(argv: readonly string[]): DeployArgs {
  return deployArgsFrom(parseCli(PACKAGE_CLI, argv).values as AnyValues, { packageOnly: true });
}

export interface CommandDeps {
  readonly repoRoot: string;
  readonly out: Output;
  readonly clock: Clock;
  readonly confirm: (question: string) => Promise<boolean>;
  /** True when a person can answer `confirm`. */
  readonly interactive: boolean;
  /** Makes the clients for a region. @default createClients */
  readonly clients?: (region: string) => AwsClients;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The repository root: the nearest directory above `start` holding package.json. Works from
 * tools/ under tsx and from .cache/run/ when bundled by tools/run.cjs.
 */
export function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/** Names the secondary stack after the primary. */
export const secondaryStackName = (stackName: string): string => `${stackName}-secondary`;

/**
 * The secondary template's parameters: `PrimaryRegion`, `NamePrefix` (`<project>-<environment>`,
 * as root computes it for nested stacks) and any root parameter of the same name.
 */
export function secondaryParameters(templateText: string, rootValues: Readonly<Record<string, string>>, primaryRegion: string): Record<string, string> {
  const doc = parseTemplate(templateText, 'generated/secondary.yaml');
  const declared = Object.keys((doc.Parameters as Record<string, unknown> | undefined) ?? {});
  const rootDefault = (name: string): string => String(ROOT_PARAMETERS[name]?.definition.Default ?? '');
  const out: Record<string, string> = {};
  for (const name of declared.sort()) {
    if (name === 'PrimaryRegion') out[name] = primaryRegion;
    else if (name === 'NamePrefix')
      out[name] = `${rootValues.ProjectName ?? rootDefault('ProjectName')}-${rootValues.Environment ?? rootDefault('Environment')}`;
    else if (rootValues[name] !== undefined) out[name] = rootValues[name]!;
  }
  return out;
}

/** Secondary outputs that name root parameters: what the primary deploy receives. */
export function feedFromSecondary(outputs: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(outputs).filter(([k, v]) => k in ROOT_PARAMETERS && v !== ''));
}

/** The account checks, loaded on first use: `npm run package` shares this file and never loads their SDK clients. */
const accountChecks = (): typeof import('./account-checks/index.js') => require('./account-checks') as typeof import('./account-checks/index.js');

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * The whole `deploy`/`diff` flow. Parameter problems surface before any AWS call (RELIABILITY 13);
 * credentials are checked with sts:GetCallerIdentity before anything else AWS (case 14).
 */
export async function runDeployCommand(args: DeployArgs, deps: CommandDeps): Promise<number> {
  const say = (line: string): void => void deps.out.write(`${line}\n`);
  const env = deps.env ?? process.env;
  const file = await resolveParameterFile(args.params, deps.repoRoot);
  const display = displayPath(file, deps.repoRoot);
  // Every problem of the file and the flags in one run, before any AWS call.
  const parsedOverrides = parseOverrides(args.parameter);
  let params: ParameterFile;
  try {
    params = await loadParameterFile(file, display);
  } catch (error) {
    if (error instanceof ParameterFileError) throw new ParameterFileError([...error.problems, ...parsedOverrides.problems]);
    throw error;
  }
  if (parsedOverrides.problems.length > 0) throw new ParameterFileError(parsedOverrides.problems);
  const overrides = parsedOverrides.values;
  const outputsDir = path.join(deps.repoRoot, '.deploy');
  const secondaryName = secondaryStackName(params.stackName);
  const endpoints: Endpoints = resolveEndpoints(args.endpointUrl, env, [...SERVICES, ...ACCOUNT_SERVICES]);
  const rerun = `npm run ${args.packageOnly ? 'package' : args.diff ? 'diff' : 'deploy'} -- --params ${args.params}`;

  // Validate the final values once before touching AWS (the secondary feed is re-checked later).
  resolveRootParameters(params, { overrides, displayName: display });
  const mode = args.diff ? 'diff' : 'deploy';
  /** What the flags say about running a change set, the same for the secondary and the primary stack. */
  const runOptions = {
    mode,
    yes: args.yes,
    noExecute: args.noExecute,
    recreate: args.recreate,
    continueRollback: args.continueRollback,
    skipResources: args.skipResources,
    waitTimeoutMs: args.waitTimeoutMs,
    executeTimeoutMs: args.executeTimeoutMs,
    outputsDir,
    rerun,
  } satisfies Partial<DeployOptions>;
  if (args.secondary && !deploysSecondary(params)) {
    throw new UsageError(
      `--secondary: ${display} sets toggles.secondaryStack to false (this deployment has no secondary-region stack); set it to true to deploy one, or drop --secondary`,
    );
  }
  if (mode === 'deploy' && !args.yes && !args.noExecute && !args.packageOnly && !deps.interactive) {
    throw new UsageError(
      'stdin is not a terminal, so the change set cannot be confirmed: pass --yes to deploy without asking, or --no-execute to leave it for review',
    );
  }

  const primaryRegion = resolveRegion(args.region, params.regions.primary, env);
  const makeClients = deps.clients ?? ((region: string) => createClients(region, { profile: args.profile, endpoints }));
  /** Packages one stack's tree into `region`'s artifacts bucket (the root template by default). */
  const packageInto = (
    clients: AwsClients,
    account: string,
    target: { stackName: string; region: string; bucket?: string; template?: string },
  ): ReturnType<typeof runPackagePipeline> =>
    runPackagePipeline({
      repoRoot: deps.repoRoot,
      ...target,
      s3: clients.s3,
      cfn: clients.cfn,
      bootstrapStack: args.bootstrapStack,
      account,
      endpoint: (clients.endpoints ?? endpoints).S3,
      noBuild: args.noBuild,
      log: say,
    });

  if (args.packageOnly) {
    const clients = makeClients(primaryRegion);
    const who = await preflight(clients, { profile: args.profile });
    say(`account ${who.account} as ${who.arn} in ${primaryRegion}`);
    const result = await packageInto(clients, who.account, { stackName: params.stackName, region: primaryRegion, bucket: args.bucket });
    say(`root template: ${result.plan.root.url}`);
    return 0;
  }

  const cost = await DeployCost.load({
    repoRoot: deps.repoRoot,
    noBuild: args.noBuild,
    file: params,
    displayName: display,
    stackName: params.stackName,
    region: primaryRegion,
    secondaryStackName: secondaryName,
  });
  let secondary: SecondaryState | undefined;
  const secondaryRegion = params.regions.secondary;
  if (args.secondary) {
    const template = path.join(deps.repoRoot, 'generated', 'secondary.yaml');
    if (!(await exists(template))) {
      throw new DeployError(
        '--secondary: generated/secondary.yaml does not exist (the secondary-region template is not built yet); run npm run build:templates once templates-src provides it, or deploy without --secondary',
      );
    }
    say(`== secondary region ${secondaryRegion}: ${secondaryName} (deployed first; its outputs feed the primary)`);
    const clients = makeClients(secondaryRegion);
    const who = await preflight(clients, { profile: args.profile });
    say(`account ${who.account} as ${who.arn} in ${secondaryRegion}`);
    const rootResolved = resolveRootParameters(params, { overrides, displayName: display });
    const secondaryValues = await accountChecks().accountPreflight({
      kind: 'secondary',
      repoRoot: deps.repoRoot,
      stackName: secondaryName,
      region: secondaryRegion,
      parameters: secondaryParameters(await readFile(template, 'utf8'), rootResolved.values, primaryRegion),
      sources: rootResolved.sources,
      displayName: display,
      account: who.account,
      clients,
      clientsOf: makeClients,
      skip: args.noPreflight,
      say,
    });
    const result = await deployStack(
      {
        cfn: clients.cfn,
        clock: deps.clock,
        out: deps.out,
        confirm: deps.confirm,
        env: deps.env,
        signal: deps.signal,
        packageTemplate: async () =>
          (
            await packageInto(clients, who.account, {
              template: 'generated/secondary.yaml',
              stackName: secondaryName,
              region: secondaryRegion,
              bucket: args.secondaryBucket, // the secondary region has its own bootstrap bucket
            })
          ).plan.root.url,
      },
      {
        stackName: secondaryName,
        parameters: secondaryValues,
        tags: stackTags(params),
        region: secondaryRegion,
        hintFlags: cliHintFlags(secondaryRegion, clients.endpoints ?? endpoints),
        costLines: () => cost.secondaryLines(clients.cfn, rootResolved.values),
        ...runOptions,
      },
    );
    if (result.exitCode !== 0) return result.exitCode;
    if (mode === 'deploy' && !args.noExecute) secondary = { outputs: result.outputs, seen: `${secondaryName} in ${secondaryRegion}, deployed now` };
    else say(`(${secondaryName} not executed: the primary ${mode === 'diff' ? 'diff' : 'change set'} uses the outputs it has in CloudFormation now)`);
    say(`== primary region ${primaryRegion}: ${params.stackName}`);
  }
  const clients = makeClients(primaryRegion);
  const who = await preflight(clients, { profile: args.profile });
  say(`account ${who.account} as ${who.arn} in ${primaryRegion}`);
  // State from the cloud: the secondary stack's outputs as CloudFormation reports them now.
  if (!secondary) {
    const found = await readSecondary(makeClients(secondaryRegion).cfn, secondaryName, secondaryRegion);
    if (found.stack && mode === 'deploy') await writeOutputs(outputsDir, secondaryName, found.outputs);
    // Without a secondary stack (toggles.secondaryStack false) none of its outputs are used, even one left in the cloud.
    secondary = deploysSecondary(params)
      ? found
      : { outputs: {}, disabled: true, seen: `${found.seen}; ${display} sets toggles.secondaryStack to false, so none of its outputs are used` };
    if (found.stack && !deploysSecondary(params))
      say(`note: ${found.seen}, unused while ${display} sets toggles.secondaryStack to false, and still billed: delete it, or set the toggle to true`);
  }
  const fromSecondary = feedFromSecondary(secondary.outputs);
  if (Object.keys(fromSecondary).length > 0) say(`using ${Object.keys(fromSecondary).join(', ')} from ${secondary.seen}`);
  const resolved = resolveRootParameters(params, { overrides, fromSecondary, displayName: display });
  if (REPLICA_PARAMETER in ROOT_PARAMETERS) {
    const warning = await guardReplication({
      stackName: params.stackName,
      region: primaryRegion,
      primary: await describeStack(clients.cfn, params.stackName),
      next: resolved.values[REPLICA_PARAMETER],
      secondary,
      allowRemoval: args.allowDrRemoval,
      templateDir: path.join(deps.repoRoot, 'generated'),
    });
    if (warning) say(warning);
  }
  // The account before the change set: adapt the singleton toggles, or stop with the fix (exit 2).
  const parameters = await accountChecks().accountPreflight({
    kind: 'root',
    repoRoot: deps.repoRoot,
    stackName: params.stackName,
    region: primaryRegion,
    secondaryRegion,
    parameters: resolved.values,
    sources: resolved.sources,
    displayName: display,
    account: who.account,
    clients,
    clientsOf: makeClients,
    skip: args.noPreflight,
    say,
  });
  // The budget comes from the estimate of what will be deployed: after the preflight's adaptations.
  const budgeted = cost.withBudget({ ...resolved, values: parameters });
  if (budgeted.line) say(budgeted.line);
  const packageTemplate = async (): Promise<string> =>
    (await packageInto(clients, who.account, { stackName: params.stackName, region: primaryRegion, bucket: args.bucket })).plan.root.url;
  const result: DeployResult = await deployStack(
    { cfn: clients.cfn, clock: deps.clock, out: deps.out, confirm: deps.confirm, env: deps.env, signal: deps.signal, packageTemplate },
    {
      stackName: params.stackName,
      parameters: budgeted.values,
      tags: stackTags(params),
      region: primaryRegion,
      hintFlags: cliHintFlags(primaryRegion, clients.endpoints ?? endpoints),
      costLines: () => cost.primaryLines(clients.cfn, budgeted.values),
      ...runOptions,
    },
  );
  return result.exitCode;
}

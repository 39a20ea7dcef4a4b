/**
 * Argument parsing and the command flows of `npm run deploy`, `npm run diff` and
 * `npm run package`, kept out of the entry points so tests can drive them.
 *
 * Multi-region order (`--secondary`): the secondary-region template (generated/secondary.yaml)
 * is packaged and deployed first in `regions.secondary` as `<stackName>-secondary`; its outputs
 * that name root parameters (ReplicaKmsKeyArn …) are then passed to the primary deploy. Without
 * `--secondary`, the outputs saved by the last secondary deploy (`.deploy/<stack>-secondary-outputs.json`)
 * are reused, so a primary-only deploy does not switch replication off.
 */
import { existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT_PARAMETERS } from '../../../templates-src/parameters';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import { DEFAULT_BOOTSTRAP_STACK } from '../package/bucket';
import { runPackagePipeline } from '../package/pipeline';
import { displayPath, loadParameterFile, parseOverrides, resolveParameterFile, resolveRootParameters, stackTags, type ParameterFile } from '../params';
import { parseDuration, type Clock } from './clock';
import { deployStack, type DeployOptions, type DeployResult } from './deploy';
import { DeployError, ParameterFileError, ToolError } from './errors';
import { checkIdentity, createClients, resolveRegion, type AwsClients } from './preflight';
import type { Output } from './progress';

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
  readonly noBuild: boolean;
  readonly packageOnly: boolean;
  readonly debug: boolean;
}

export const DEPLOY_USAGE = [
  'usage: npm run deploy -- --params <file> [options]      (npm run diff -- --params <file>: report only)',
  '  --params <file>            parameter file: a path, or a name in parameters/ (prod.json, prod)',
  '  --parameter Key=Value      override one root parameter (repeatable; beats the file)',
  '  --region <r> --profile <p> credentials and region via the SDK chain (region default: regions.primary)',
  '  --endpoint-url <url>       LocalStack-style endpoint for every service',
  '  --bucket <name>            artifacts bucket (default: output of the bootstrap stack)',
  '  --secondary-bucket <name>  artifacts bucket in the secondary region (default: its bootstrap stack)',
  '  --bootstrap-stack <name>   bootstrap stack name (default stockwx-bootstrap)',
  '  --yes, -y                  do not ask for confirmation',
  '  --no-execute               create the change set and leave it for review',
  '  --recreate                 delete and recreate a stack in ROLLBACK_COMPLETE',
  '  --continue-rollback        continue the rollback of a stack in UPDATE_ROLLBACK_FAILED',
  '  --skip-resources A,B       resources to skip when continuing a rollback',
  '  --wait-timeout <30m>       wait for an operation already in progress (default: abort)',
  '  --execute-timeout <2h>     stop watching our own deploy after this long',
  '  --secondary                deploy generated/secondary.yaml in regions.secondary first',
  '  --no-build                 do not rebuild stale templates or handlers',
  '  --debug                    stack traces on errors',
].join('\n');

/** Parses deploy/diff arguments; `diff` may come from the npm script (`tsx tools/deploy.ts --diff`). */
export function parseDeployArgs(argv: readonly string[]): DeployArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        params: { type: 'string' },
        parameter: { type: 'string', multiple: true },
        region: { type: 'string' },
        profile: { type: 'string' },
        'endpoint-url': { type: 'string' },
        bucket: { type: 'string' },
        'secondary-bucket': { type: 'string' },
        'bootstrap-stack': { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        'no-execute': { type: 'boolean' },
        diff: { type: 'boolean' },
        recreate: { type: 'boolean' },
        'continue-rollback': { type: 'boolean' },
        'skip-resources': { type: 'string' },
        'wait-timeout': { type: 'string' },
        'execute-timeout': { type: 'string' },
        secondary: { type: 'boolean' },
        'no-build': { type: 'boolean' },
        'package-only': { type: 'boolean' },
        debug: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new ToolError(`${(error as Error).message}\n${DEPLOY_USAGE}`, 2);
  }
  const v = parsed.values;
  if (!v.params) throw new ToolError(`--params is required\n${DEPLOY_USAGE}`, 2);
  if (v['skip-resources'] && !v['continue-rollback']) throw new ToolError('--skip-resources only applies with --continue-rollback', 2);
  const duration = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    try {
      return parseDuration(text);
    } catch (error) {
      throw new ToolError(`--${flag}: ${(error as Error).message}`, 2);
    }
  };
  return {
    params: v.params,
    parameter: v.parameter ?? [],
    region: v.region,
    profile: v.profile,
    endpointUrl: v['endpoint-url'],
    bucket: v.bucket,
    secondaryBucket: v['secondary-bucket'],
    bootstrapStack: v['bootstrap-stack'] ?? DEFAULT_BOOTSTRAP_STACK,
    yes: v.yes ?? false,
    noExecute: v['no-execute'] ?? false,
    diff: v.diff ?? false,
    recreate: v.recreate ?? false,
    continueRollback: v['continue-rollback'] ?? false,
    skipResources: (v['skip-resources'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    waitTimeoutMs: duration('wait-timeout', v['wait-timeout'], 0),
    executeTimeoutMs: duration('execute-timeout', v['execute-timeout'], 7_200_000),
    secondary: v.secondary ?? false,
    noBuild: v['no-build'] ?? false,
    packageOnly: v['package-only'] ?? false,
    debug: v.debug ?? false,
  };
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
    else if (name === 'NamePrefix') out[name] = `${rootValues.ProjectName ?? rootDefault('ProjectName')}-${rootValues.Environment ?? rootDefault('Environment')}`;
    else if (rootValues[name] !== undefined) out[name] = rootValues[name]!;
  }
  return out;
}

/** Secondary outputs that name root parameters: what the primary deploy receives. */
export function feedFromSecondary(outputs: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(outputs).filter(([k, v]) => k in ROOT_PARAMETERS && v !== ''));
}

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
  const savedSecondary = path.join(outputsDir, `${secondaryName}-outputs.json`);

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
  } satisfies Partial<DeployOptions>;
  if (mode === 'deploy' && !args.yes && !args.noExecute && !args.packageOnly && !deps.interactive) {
    throw new ToolError('stdin is not a terminal, so the change set cannot be confirmed: pass --yes to deploy without asking, or --no-execute to leave it for review', 2);
  }

  const primaryRegion = resolveRegion(args.region, params.regions.primary, deps.env ?? process.env);
  const makeClients = deps.clients ?? ((region: string) => createClients(region, { profile: args.profile, endpoint: args.endpointUrl }));

  let fromSecondary: Record<string, string> = {};
  if (args.secondary) {
    const template = path.join(deps.repoRoot, 'generated', 'secondary.yaml');
    if (!(await exists(template))) {
      throw new DeployError(
        '--secondary: generated/secondary.yaml does not exist (the secondary-region template is not built yet); run npm run build:templates once templates-src provides it, or deploy without --secondary',
      );
    }
    const region = params.regions.secondary;
    say(`== secondary region ${region}: ${secondaryName} (deployed first; its outputs feed the primary)`);
    const clients = makeClients(region);
    const who = await checkIdentity(clients.sts, region, args.profile);
    say(`account ${who.account} as ${who.arn} in ${region}`);
    const rootValues = resolveRootParameters(params, { overrides, displayName: display }).values;
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
            await runPackagePipeline({
              repoRoot: deps.repoRoot,
              template: 'generated/secondary.yaml',
              stackName: secondaryName,
              region,
              s3: clients.s3,
              cfn: clients.cfn,
              bucket: args.secondaryBucket, // the secondary region has its own bootstrap bucket
              bootstrapStack: args.bootstrapStack,
              endpoint: args.endpointUrl,
              noBuild: args.noBuild,
              log: say,
            })
          ).plan.root.url,
      },
      {
        stackName: secondaryName,
        parameters: secondaryParameters(await readFile(template, 'utf8'), rootValues, primaryRegion),
        tags: stackTags(params),
        ...runOptions,
      },
    );
    if (result.exitCode !== 0) return result.exitCode;
    fromSecondary = feedFromSecondary(result.outputs);
    if (mode === 'diff' || args.noExecute) say(`(${secondaryName} not executed: the primary diff uses the outputs of its last deploy, if any)`);
    say(`== primary region ${primaryRegion}: ${params.stackName}`);
  }
  if (Object.keys(fromSecondary).length === 0 && (await exists(savedSecondary))) {
    fromSecondary = feedFromSecondary(JSON.parse(await readFile(savedSecondary, 'utf8')) as Record<string, string>);
    if (Object.keys(fromSecondary).length > 0) say(`using ${Object.keys(fromSecondary).join(', ')} from ${path.relative(deps.repoRoot, savedSecondary)} (last secondary deploy)`);
  }
  const resolved = resolveRootParameters(params, { overrides, fromSecondary, displayName: display });

  const clients = makeClients(primaryRegion);
  const who = await checkIdentity(clients.sts, primaryRegion, args.profile);
  say(`account ${who.account} as ${who.arn} in ${primaryRegion}`);
  const packageTemplate = async (): Promise<string> =>
    (
      await runPackagePipeline({
        repoRoot: deps.repoRoot,
        stackName: params.stackName,
        region: primaryRegion,
        s3: clients.s3,
        cfn: clients.cfn,
        bucket: args.bucket,
        bootstrapStack: args.bootstrapStack,
        endpoint: args.endpointUrl,
        noBuild: args.noBuild,
        log: say,
      })
    ).plan.root.url;
  if (args.packageOnly) {
    say(`root template: ${await packageTemplate()}`);
    return 0;
  }
  const result: DeployResult = await deployStack(
    { cfn: clients.cfn, clock: deps.clock, out: deps.out, confirm: deps.confirm, env: deps.env, signal: deps.signal, packageTemplate },
    {
      stackName: params.stackName,
      parameters: resolved.values,
      tags: stackTags(params),
      ...runOptions,
    },
  );
  return result.exitCode;
}


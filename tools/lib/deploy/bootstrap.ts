/**
 * `npm run bootstrap`: deploys the bootstrap stack (templates-src/bootstrap.ts) through the same
 * change-set machinery as every deploy, so it is idempotent: create when absent, update when the
 * template changed, and "no changes" (exit 0) otherwise — but only once CloudFormation shows the
 * stack complete with both outputs and S3 answers HeadBucket for the bucket as ours. A stack that
 * exists without them is reported with its repair (`--recreate`), never as "no changes".
 */
import { BOOTSTRAP_OUTPUTS, bootstrap } from '../../../templates-src/bootstrap';
import { emitTemplate } from '../../../templates-src/lib/yaml';
import { parseCli, regionFlag, urlFlag, type CliValues } from '../cli';
import { UsageError } from '../errors';
import { checkBucket, DEFAULT_BOOTSTRAP_STACK } from '../package/bucket';
import type { Clock } from './clock';
import { deployStack } from './deploy';
import { cliHintFlags, resolveEndpoints } from './endpoints';
import { createClients, preflight, resolveRegion, type AwsClients } from './preflight';
import type { Output } from './progress';

export interface BootstrapArgs {
  readonly region?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  readonly stackName: string;
  /** NamePrefix of the bucket and key alias. @default 'stockwx' */
  readonly namePrefix: string;
  readonly yes: boolean;
  /** Delete and create again a stack in ROLLBACK_COMPLETE or one without its outputs. @default false */
  readonly recreate: boolean;
  readonly debug: boolean;
}

export const BOOTSTRAP_USAGE =
  'usage: npm run bootstrap -- [--region r] [--profile p] [--endpoint-url u] [--stack-name stockwx-bootstrap] [--name-prefix stockwx] [--recreate] [--yes] [--debug]';

export const BOOTSTRAP_CLI = {
  name: 'bootstrap',
  usage: BOOTSTRAP_USAGE,
  options: {
    region: { type: 'string' },
    profile: { type: 'string' },
    'endpoint-url': { type: 'string' },
    'stack-name': { type: 'string' },
    'name-prefix': { type: 'string' },
    recreate: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
} as const;

/** Bootstrap arguments from parsed flags; the URL and region are checked, naming the flag. */
export function bootstrapArgsFrom(v: CliValues<typeof BOOTSTRAP_CLI.options>): BootstrapArgs {
  return {
    region: v.region === undefined ? undefined : regionFlag('region', v.region),
    profile: v.profile,
    endpointUrl: v['endpoint-url'] === undefined ? undefined : urlFlag('endpoint-url', v['endpoint-url']),
    stackName: v['stack-name'] ?? DEFAULT_BOOTSTRAP_STACK,
    namePrefix: v['name-prefix'] ?? 'stockwx',
    yes: v.yes ?? false,
    recreate: v.recreate ?? false,
    debug: v.debug ?? false,
  };
}

export function parseBootstrapArgs(argv: readonly string[]): BootstrapArgs {
  return bootstrapArgsFrom(parseCli(BOOTSTRAP_CLI, argv).values);
}

/** The bootstrap template's text, emitted from its source (no build step needed). */
export function bootstrapTemplate(): string {
  return emitTemplate(bootstrap.build(), { header: [`${bootstrap.file}: deployed by npm run bootstrap from ${bootstrap.source}`] });
}

export interface BootstrapDeps {
  readonly out: Output;
  readonly clock: Clock;
  readonly confirm: (question: string) => Promise<boolean>;
  readonly interactive: boolean;
  readonly clients?: (region: string) => AwsClients;
  readonly env?: NodeJS.ProcessEnv;
  readonly outputsDir?: string;
}

export async function runBootstrapCommand(args: BootstrapArgs, deps: BootstrapDeps): Promise<number> {
  const env = deps.env ?? process.env;
  const region = resolveRegion(args.region, undefined, env);
  if (!args.yes && !deps.interactive) throw new UsageError('stdin is not a terminal: pass --yes to bootstrap without confirmation');
  const endpoints = resolveEndpoints(args.endpointUrl, env);
  const clients = (deps.clients ?? ((r: string) => createClients(r, { profile: args.profile, endpoints })))(region);
  const who = await preflight(clients, { profile: args.profile });
  deps.out.write(`account ${who.account} as ${who.arn} in ${region}\n`);
  const result = await deployStack(
    { cfn: clients.cfn, clock: deps.clock, out: deps.out, confirm: deps.confirm, env: deps.env, packageTemplate: async () => bootstrapTemplate() },
    {
      stackName: args.stackName,
      parameters: { NamePrefix: args.namePrefix },
      tags: [{ Key: 'ManagedBy', Value: 'stock-weather-cfn' }],
      yes: args.yes,
      recreate: args.recreate,
      outputsDir: deps.outputsDir ?? '.deploy',
      region,
      hintFlags: cliHintFlags(region, clients.endpoints ?? endpoints),
      rerun: `npm run bootstrap -- --region ${region}${args.stackName === DEFAULT_BOOTSTRAP_STACK ? '' : ` --stack-name ${args.stackName}`}`,
    },
  );
  if (result.exitCode !== 0) return result.exitCode;
  const bucket = result.outputs[BOOTSTRAP_OUTPUTS.bucketName]!;
  await checkBucket(clients.s3, bucket, who.account, region, false);
  deps.out.write(`artifacts bucket ${bucket} answers HeadBucket as account ${who.account}'s\n`);
  return 0;
}

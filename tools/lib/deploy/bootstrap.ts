/**
 * `npm run bootstrap`: deploys the bootstrap stack (templates-src/bootstrap.ts) through the same
 * change-set machinery as every deploy, so it is idempotent: create when absent, update when the
 * template changed, and "no changes" (exit 0) otherwise.
 */
import { parseArgs } from 'node:util';
import { bootstrap } from '../../../templates-src/bootstrap';
import { emitTemplate } from '../../../templates-src/lib/yaml';
import { DEFAULT_BOOTSTRAP_STACK } from '../package/bucket';
import type { Clock } from './clock';
import { deployStack } from './deploy';
import { ToolError } from './errors';
import { checkIdentity, createClients, resolveRegion, type AwsClients } from './preflight';
import type { Output } from './progress';

export interface BootstrapArgs {
  readonly region?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  readonly stackName: string;
  /** NamePrefix of the bucket and key alias. @default 'stockwx' */
  readonly namePrefix: string;
  readonly yes: boolean;
  readonly debug: boolean;
}

export const BOOTSTRAP_USAGE =
  'usage: npm run bootstrap -- [--region r] [--profile p] [--endpoint-url u] [--stack-name stockwx-bootstrap] [--name-prefix stockwx] [--yes] [--debug]';

export function parseBootstrapArgs(argv: readonly string[]): BootstrapArgs {
  let v;
  try {
    v = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        region: { type: 'string' },
        profile: { type: 'string' },
        'endpoint-url': { type: 'string' },
        'stack-name': { type: 'string' },
        'name-prefix': { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        debug: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new ToolError(`${(error as Error).message}\n${BOOTSTRAP_USAGE}`, 2);
  }
  return {
    region: v.region,
    profile: v.profile,
    endpointUrl: v['endpoint-url'],
    stackName: v['stack-name'] ?? DEFAULT_BOOTSTRAP_STACK,
    namePrefix: v['name-prefix'] ?? 'stockwx',
    yes: v.yes ?? false,
    debug: v.debug ?? false,
  };
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
  const region = resolveRegion(args.region, undefined, deps.env ?? process.env);
  if (!args.yes && !deps.interactive) throw new ToolError('stdin is not a terminal: pass --yes to bootstrap without confirmation', 2);
  const clients = (deps.clients ?? ((r: string) => createClients(r, { profile: args.profile, endpoint: args.endpointUrl })))(region);
  const who = await checkIdentity(clients.sts, region, args.profile);
  deps.out.write(`account ${who.account} as ${who.arn} in ${region}\n`);
  const result = await deployStack(
    { cfn: clients.cfn, clock: deps.clock, out: deps.out, confirm: deps.confirm, env: deps.env, packageTemplate: async () => bootstrapTemplate() },
    {
      stackName: args.stackName,
      parameters: { NamePrefix: args.namePrefix },
      tags: [{ Key: 'ManagedBy', Value: 'stock-weather-cfn' }],
      yes: args.yes,
      outputsDir: deps.outputsDir ?? '.deploy',
    },
  );
  return result.exitCode;
}

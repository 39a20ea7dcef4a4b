/**
 * Preflight: region and credentials from the SDK's standard chain (env, --profile/AWS_PROFILE,
 * SSO, instance roles), checked with sts:GetCallerIdentity under a short timeout before
 * anything else (RELIABILITY case 14). The account checks (GuardDuty, Config, quotas, …) need the
 * resolved parameters, so `npm run deploy`/`diff` run them later, before packaging:
 * account-checks/index.ts (`ACCOUNT_CHECKS`, `runAccountChecks`).
 *
 * Every SDK client the deploy tools use is made here: endpoints from `--endpoint-url` or
 * AWS_ENDPOINT_URL[_<SERVICE>] (endpoints.ts), reads with the SDK's standard retries (3 attempts),
 * the non-idempotent CloudFormation calls sent once (once.ts), and a request timeout so a lost
 * answer is noticed. The account checks' clients (account-checks/clients.ts) are made on first use.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { REGION } from '../../../contracts/values';
import { isRegionName, quietSdkNodeWarning } from '../cli';
import { UsageError } from '../errors';
import { createAccountClients, type AccountClients } from './account-checks/clients';
import { resolveEndpoints, type Endpoints } from './endpoints';
import { DeployError } from './errors';

export interface ConnectionOptions {
  readonly profile?: string;
  /** Endpoints per service (resolveEndpoints). @default AWS */
  readonly endpoints?: Endpoints;
  /** CloudFormation and S3 requests without an answer after this long fail (and are reconciled). @default 60000 */
  readonly requestTimeoutMs?: number;
  /** sts:GetCallerIdentity must answer within this long. @default 5000 */
  readonly stsTimeoutMs?: number;
}

export interface AwsClients {
  readonly region: string;
  readonly cfn: CloudFormationClient;
  readonly sts: STSClient;
  readonly s3: S3Client;
  /** Where each service is reached (empty: AWS). @default {} */
  readonly endpoints?: Endpoints;
  /**
   * The account checks' clients of this region (made on first use). @default none: a deploy with
   * clients that lack them (a test double) skips the account checks and says so
   */
  readonly account?: AccountClients;
}

/**
 * The region: --region, else the parameter file's `regions.primary` (the deployment's own
 * declaration beats a shell-wide default), else AWS_REGION / AWS_DEFAULT_REGION.
 */
export function resolveRegion(flag: string | undefined, fromFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const region = flag ?? fromFile ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new DeployError('no AWS region: pass --region, set AWS_REGION, or set regions.primary in the parameter file', 2);
  if (!isRegionName(region)) {
    const from = flag !== undefined ? '--region' : fromFile !== undefined ? 'regions.primary' : env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
    throw new UsageError(`${from} must be ${REGION.description} (got '${region}')`);
  }
  return region;
}

/** Clients for one region. */
export function createClients(region: string, o: ConnectionOptions = {}): AwsClients {
  quietSdkNodeWarning();
  const endpoints = o.endpoints ?? resolveEndpoints(undefined);
  const credentials = fromNodeProviderChain(o.profile ? { profile: o.profile } : {});
  const requestTimeout = o.requestTimeoutMs ?? 60_000;
  const stsTimeout = o.stsTimeoutMs ?? 5000;
  const at = (url: string | undefined) => (url ? { endpoint: url } : {});
  return {
    region,
    endpoints,
    account: createAccountClients(region, { credentials, endpoints }),
    cfn: new CloudFormationClient({
      region,
      credentials,
      ...at(endpoints.CLOUDFORMATION),
      requestHandler: new NodeHttpHandler({ connectionTimeout: 10_000, requestTimeout }),
    }),
    sts: new STSClient({
      region,
      credentials,
      ...at(endpoints.STS),
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ connectionTimeout: stsTimeout, requestTimeout: stsTimeout }),
    }),
    s3: new S3Client({
      region,
      credentials,
      ...at(endpoints.S3),
      // Emulators serve buckets under the endpoint's path, not as subdomains of it.
      ...(endpoints.S3 ? { forcePathStyle: true } : {}),
      requestHandler: new NodeHttpHandler({ connectionTimeout: 10_000, requestTimeout }),
    }),
  };
}

export interface Identity {
  readonly account: string;
  readonly arn: string;
}

/** Maps credential and network failures onto one-line messages with the fix. */
export function explainCredentialError(error: unknown, region: string, profile?: string): string {
  const e = error as { name?: string; message?: string };
  const name = e.name ?? '';
  const message = e.message ?? String(error);
  const who = profile ? `profile ${profile}` : 'the default credential chain';
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential.*not found|Unable to load credentials/i.test(message)) {
    return `no AWS credentials found (${who}): set AWS_PROFILE or pass --profile, run aws sso login, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`;
  }
  if (/ExpiredToken|expired/i.test(name) || /expired/i.test(message)) {
    return `the AWS credentials of ${who} have expired: refresh them (aws sso login${profile ? ` --profile ${profile}` : ''}) and retry`;
  }
  if (/InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient/.test(name)) {
    return `the AWS credentials of ${who} were rejected (${name}): check the access key, or that ${region} is enabled for the account`;
  }
  if (/Timeout|TimedOut|ETIMEDOUT|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/i.test(`${name} ${message}`)) {
    return `sts:GetCallerIdentity in ${region} did not answer (${name && name !== 'Error' ? `${name}: ` : ''}${message}): check the network, the region name, or --endpoint-url`;
  }
  return `checking credentials with sts:GetCallerIdentity in ${region} failed: ${name ? `${name}: ` : ''}${message}`;
}

export async function checkIdentity(sts: STSClient, region: string, profile?: string): Promise<Identity> {
  try {
    const res = await sts.send(new GetCallerIdentityCommand({}));
    return { account: res.Account ?? '?', arn: res.Arn ?? '?' };
  } catch (error) {
    throw new DeployError(explainCredentialError(error, region, profile), 1, { cause: error });
  }
}

/** The identity check before anything else AWS (the account checks come later: account-checks/). */
export async function preflight(clients: AwsClients, o: { readonly profile?: string } = {}): Promise<Identity> {
  return checkIdentity(clients.sts, clients.region, o.profile);
}

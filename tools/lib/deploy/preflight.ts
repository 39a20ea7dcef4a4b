/**
 * Preflight: region and credentials from the SDK's standard chain (env, --profile/AWS_PROFILE,
 * SSO, instance roles), checked with sts:GetCallerIdentity under a short timeout before
 * anything else (RELIABILITY case 14).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DeployError } from './errors';

export interface ConnectionOptions {
  readonly region?: string;
  readonly profile?: string;
  /** Custom endpoint for every service (LocalStack). @default AWS */
  readonly endpoint?: string;
}

export interface AwsClients {
  readonly region: string;
  readonly cfn: CloudFormationClient;
  readonly sts: STSClient;
  readonly s3: S3Client;
}

/**
 * The region: --region, else the parameter file's `regions.primary` (the deployment's own
 * declaration beats a shell-wide default), else AWS_REGION / AWS_DEFAULT_REGION.
 */
export function resolveRegion(flag: string | undefined, fromFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const region = flag ?? fromFile ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new DeployError('no AWS region: pass --region, set AWS_REGION, or set regions.primary in the parameter file', 2);
  return region;
}

/** Clients for one region. The STS client answers within `stsTimeoutMs` or fails. */
export function createClients(region: string, o: ConnectionOptions = {}, stsTimeoutMs = 5000): AwsClients {
  const credentials = fromNodeProviderChain(o.profile ? { profile: o.profile } : {});
  const common = { region, credentials, ...(o.endpoint ? { endpoint: o.endpoint } : {}) };
  return {
    region,
    cfn: new CloudFormationClient({ ...common, maxAttempts: 5 }),
    sts: new STSClient({ ...common, maxAttempts: 1, requestHandler: new NodeHttpHandler({ connectionTimeout: stsTimeoutMs, requestTimeout: stsTimeoutMs }) }),
    s3: new S3Client({ ...common, ...(o.endpoint ? { forcePathStyle: true } : {}) }),
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

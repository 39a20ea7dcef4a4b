/**
 * Custom endpoints as the AWS ecosystem spells them, resolved once for every client the tools
 * create and for the URLs they write (packaged TemplateURLs, printed hints):
 *
 * | source (highest first)                          | applies to                        |
 * |-------------------------------------------------|-----------------------------------|
 * | `--endpoint-url <url>`                          | every service                     |
 * | `AWS_ENDPOINT_URL_<SERVICE>` (`_CLOUDFORMATION`, `_S3`, `_STS`; the preflight's: ACCOUNT_SERVICES) | that service |
 * | `AWS_ENDPOINT_URL`                              | every service                     |
 * | (none)                                          | AWS                               |
 *
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns both variables off, as in the SDK and the AWS CLI
 * (the SDK's selector: @smithy/core/dist-cjs/submodules/endpoints `getEndpointUrlConfig`). We pass
 * the resolved URL explicitly so that the client, the TemplateURL and the hint always agree.
 * `endpoint_url` in ~/.aws/config is not read here: use the flag or the variables.
 */
import { urlFlag } from '../cli';
import { UsageError } from '../errors';

/** The services the deploy tools call, by the SDK's service ID suffix of `AWS_ENDPOINT_URL_<ID>`. */
export const SERVICES = ['CLOUDFORMATION', 'S3', 'STS'] as const;
export type Service = (typeof SERVICES)[number];

/**
 * The services the deploy preflight reads the account with (tools/lib/deploy/account-checks/), by
 * the same IDs: the SDK's `serviceId` upper-cased, spaces as `_` ("Config Service" → CONFIG_SERVICE).
 */
export const ACCOUNT_SERVICES = [
  'GUARDDUTY',
  'SECURITYHUB',
  'CONFIG_SERVICE',
  'CLOUDTRAIL',
  'API_GATEWAY',
  'COST_EXPLORER',
  'LAMBDA',
  'SERVICE_QUOTAS',
  'EC2',
  'ACM',
  'QUICKSIGHT',
  'SECRETS_MANAGER',
] as const;
export type AccountService = (typeof ACCOUNT_SERVICES)[number];

export type Endpoints = Readonly<Partial<Record<Service | AccountService, string>>>;

/**
 * The endpoint of each of `services` (@default SERVICES), or none for AWS. Bad URLs are usage
 * errors naming the flag or variable.
 */
export function resolveEndpoints(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  services: readonly (Service | AccountService)[] = SERVICES,
): Endpoints {
  if (flag !== undefined) {
    const url = urlFlag('endpoint-url', flag);
    return Object.fromEntries(services.map((s) => [s, url]));
  }
  if (/^true$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '')) return {};
  const out: Partial<Record<Service | AccountService, string>> = {};
  for (const service of services) {
    const name = env[`AWS_ENDPOINT_URL_${service}`] ? `AWS_ENDPOINT_URL_${service}` : env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : undefined;
    if (!name) continue;
    try {
      out[service] = urlFlag(name, env[name]!);
    } catch {
      throw new UsageError(`${name} must be an http:// or https:// URL such as http://localhost:4566 (got '${env[name]}')`);
    }
  }
  return out;
}

/** True when any service goes somewhere other than AWS. */
export function isCustom(endpoints: Endpoints): boolean {
  return Object.values(endpoints).some((v) => v !== undefined);
}

/**
 * The base of path-style object URLs under a custom S3 endpoint, in the form CloudFormation
 * emulators resolve: moto reads a TemplateURL from its own S3 only when the URL contains
 * `localhost` or is in AWS form (moto/cloudformation/utils.py `get_stack_from_s3_url`), and
 * LocalStack treats `localhost` as itself. A loopback address (127.0.0.0/8, ::1) is the same
 * server, so it is written as `localhost`; any other host is kept.
 */
export function objectUrlBase(s3Endpoint: string): string {
  const url = new URL(s3Endpoint);
  const host = url.hostname;
  if (/^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]' || host === '::1') url.hostname = 'localhost';
  return url.toString().replace(/\/+$/, '');
}

/** ` --region r` plus ` --endpoint-url u` when CloudFormation is not AWS: the tail of every printed AWS CLI hint. */
export function cliHintFlags(region: string, endpoints: Endpoints): string {
  return ` --region ${region}${endpoints.CLOUDFORMATION ? ` --endpoint-url ${endpoints.CLOUDFORMATION}` : ''}`;
}

/**
 * The SDK clients the account checks read with, one set per region, each made on first use: a
 * deploy builds only the clients its checks need, and `npm run bootstrap`/`package` (which build
 * clients through preflight.ts but run no account check) never load these SDK packages (~0.4 s).
 *
 * Every client gets the deploy tools' credentials, its endpoint from `--endpoint-url` /
 * AWS_ENDPOINT_URL[_<SERVICE>] (endpoints.ts, ACCOUNT_SERVICES), the SDK's standard retries (all
 * calls here are reads) and request timeouts. Cost Explorer has one endpoint for the whole
 * partition, in us-east-1, whatever the deploy region.
 */
import type { ACMClient } from '@aws-sdk/client-acm';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { QuickSightClient } from '@aws-sdk/client-quicksight';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AccountService, Endpoints } from '../endpoints';

export interface AccountClients {
  readonly region: string;
  readonly acm: () => ACMClient;
  readonly apiGateway: () => APIGatewayClient;
  readonly cloudTrail: () => CloudTrailClient;
  readonly config: () => ConfigServiceClient;
  readonly costExplorer: () => CostExplorerClient;
  readonly ec2: () => EC2Client;
  readonly guardDuty: () => GuardDutyClient;
  readonly lambda: () => LambdaClient;
  readonly quickSight: () => QuickSightClient;
  readonly secretsManager: () => SecretsManagerClient;
  readonly securityHub: () => SecurityHubClient;
  readonly serviceQuotas: () => ServiceQuotasClient;
}

export interface AccountClientOptions {
  /** The deploy tools' credential chain (preflight.ts createClients). */
  readonly credentials: ReturnType<typeof fromNodeProviderChain>;
  /** @default AWS for every service */
  readonly endpoints?: Endpoints;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
}

/** Cost Explorer's only endpoint (ce.us-east-1.amazonaws.com) serves every region. */
export const COST_EXPLORER_REGION = 'us-east-1';

/** Clients of one region, each made on first use (`require` at that moment: see the header). */
export function createAccountClients(region: string, o: AccountClientOptions): AccountClients {
  const made = new Map<string, unknown>();
  const config = (service: AccountService, inRegion = region) => ({
    region: inRegion,
    credentials: o.credentials,
    ...(o.endpoints?.[service] ? { endpoint: o.endpoints[service] } : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 10_000, requestTimeout: o.requestTimeoutMs ?? 30_000 }),
  });
  const once =
    <C>(name: string, make: () => C): (() => C) =>
    () => {
      if (!made.has(name)) made.set(name, make());
      return made.get(name) as C;
    };
  return {
    region,
    acm: once('acm', () => new (require('@aws-sdk/client-acm') as typeof import('@aws-sdk/client-acm')).ACMClient(config('ACM'))),
    apiGateway: once(
      'apiGateway',
      () => new (require('@aws-sdk/client-api-gateway') as typeof import('@aws-sdk/client-api-gateway')).APIGatewayClient(config('API_GATEWAY')),
    ),
    cloudTrail: once(
      'cloudTrail',
      () => new (require('@aws-sdk/client-cloudtrail') as typeof import('@aws-sdk/client-cloudtrail')).CloudTrailClient(config('CLOUDTRAIL')),
    ),
    config: once(
      'config',
      () => new (require('@aws-sdk/client-config-service') as typeof import('@aws-sdk/client-config-service')).ConfigServiceClient(config('CONFIG_SERVICE')),
    ),
    costExplorer: once(
      'costExplorer',
      () =>
        new (require('@aws-sdk/client-cost-explorer') as typeof import('@aws-sdk/client-cost-explorer')).CostExplorerClient(
          config('COST_EXPLORER', COST_EXPLORER_REGION),
        ),
    ),
    ec2: once('ec2', () => new (require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2')).EC2Client(config('EC2'))),
    guardDuty: once(
      'guardDuty',
      () => new (require('@aws-sdk/client-guardduty') as typeof import('@aws-sdk/client-guardduty')).GuardDutyClient(config('GUARDDUTY')),
    ),
    lambda: once('lambda', () => new (require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda')).LambdaClient(config('LAMBDA'))),
    quickSight: once(
      'quickSight',
      () => new (require('@aws-sdk/client-quicksight') as typeof import('@aws-sdk/client-quicksight')).QuickSightClient(config('QUICKSIGHT')),
    ),
    secretsManager: once(
      'secretsManager',
      () =>
        new (require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager')).SecretsManagerClient(config('SECRETS_MANAGER')),
    ),
    securityHub: once(
      'securityHub',
      () => new (require('@aws-sdk/client-securityhub') as typeof import('@aws-sdk/client-securityhub')).SecurityHubClient(config('SECURITYHUB')),
    ),
    serviceQuotas: once(
      'serviceQuotas',
      () => new (require('@aws-sdk/client-service-quotas') as typeof import('@aws-sdk/client-service-quotas')).ServiceQuotasClient(config('SERVICE_QUOTAS')),
    ),
  };
}

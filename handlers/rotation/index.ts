/**
 * Rotation function for the market data API-key secret (Secrets Manager invokes it directly).
 * Wiring only: the protocol is rotate.ts, the provider behind KeyProvider (key-provider.ts),
 * chosen by MARKET_DATA_PROVIDER (`finnhub` or `alphavantage`; required, the template sets it).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { requireOneOfEnv } from '../lib/env';
import { globalFetch, type FetchLike } from '../lib/http';
import { observability, type Observability } from '../lib/observability';
import { STOCK_PROVIDERS, type StockProvider } from '../poller/providers';
import { httpKeyProvider, type KeyProvider } from './key-provider';
import { rotate, type RotationEvent, type RotationStep } from './rotate';

export interface RotationConfig {
  readonly provider: StockProvider;
}

export function rotationConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RotationConfig {
  return { provider: requireOneOfEnv('MARKET_DATA_PROVIDER', STOCK_PROVIDERS, env) };
}

export interface RotationHandlerDeps {
  readonly sm: SecretsManagerClient;
  /** @default httpKeyProvider(config.provider, { fetch }) */
  readonly provider?: KeyProvider;
  readonly config?: RotationConfig;
  /** Used by the default provider's test request. @default globalFetch */
  readonly fetch?: FetchLike;
  /** @default observability('rotation') */
  readonly obs?: Observability;
}

export type RotationHandler = (event: RotationEvent, context?: Context) => Promise<{ step: RotationStep; action: string }>;

export function createHandler(deps: RotationHandlerDeps): RotationHandler {
  const { logger } = deps.obs ?? observability('rotation');
  const provider =
    deps.provider ??
    httpKeyProvider((deps.config ?? rotationConfigFromEnv()).provider, {
      fetch: deps.fetch ?? globalFetch,
      onRevokeDue: (masked) => logger.warn('old API key is due for revocation; the provider has no API for it, delete it in its dashboard', { key: masked }),
    });
  return async (event) => {
    logger.info('rotation step', { secretId: event.SecretId, step: event.Step, token: event.ClientRequestToken });
    return rotate(event, { sm: deps.sm, provider, log: { info: (m, e) => logger.info(m, e ?? {}) } });
  };
}

let cached: RotationHandler | undefined;

export const handler: RotationHandler = (event, context) => {
  if (!cached) {
    const obs = observability('rotation');
    cached = createHandler({ sm: obs.tracer.captureAWSv3Client(new SecretsManagerClient({})), config: rotationConfigFromEnv(), obs });
  }
  return cached(event, context);
};

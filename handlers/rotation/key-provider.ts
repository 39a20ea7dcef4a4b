/**
 * The market data API behind an interface, so the rotation protocol (rotate.ts) never knows
 * which provider it rotates. Neither Finnhub nor Alpha Vantage offers an API to issue or revoke
 * keys, so their providers take the next key from the secret's own `standbyKeys` list (the
 * operator adds keys there from the provider's dashboard), test a key with one real quote
 * request, and cannot revoke (the operator deletes the old key in the dashboard; `revoke`
 * logs that it is due).
 *
 * The secret value (JSON):
 * `{ "provider": "finnhub", "apiKey": "<current key>", "standbyKeys": ["<next key>", …] }`
 */
import { ConfigurationError } from '../lib/errors';
import { fetchWithTimeout, type FetchLike } from '../lib/http';
import { alphaVantageQuoteRequest, finnhubQuoteRequest, mapAlphaVantageGlobalQuote, mapFinnhubQuote, type StockProvider } from '../poller/providers';

export interface ApiKeySecret {
  readonly provider?: string;
  readonly apiKey: string;
  /** Keys ready to take over, first one next. @default [] */
  readonly standbyKeys?: readonly string[];
  readonly [extra: string]: unknown;
}

export interface KeyProvider {
  readonly name: string;
  /** A new secret value whose `apiKey` is a fresh key (may consume a standby key). */
  issue(current: ApiKeySecret): Promise<ApiKeySecret>;
  /** True when the provider accepts the key. */
  test(key: string): Promise<boolean>;
  /** Invalidate a key that is no longer used. Must be idempotent. */
  revoke(key: string): Promise<void>;
}

export function parseApiKeySecret(secretString: string, secretId: string): ApiKeySecret {
  const trimmed = secretString.trim();
  if (!trimmed.startsWith('{')) return { apiKey: trimmed, standbyKeys: [] };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw new ConfigurationError(`${secretId}: the secret is not valid JSON; store {"apiKey": "…", "standbyKeys": ["…"]}`);
  }
  const v = value as Record<string, unknown>;
  if (typeof v.apiKey !== 'string' || v.apiKey === '')
    throw new ConfigurationError(`${secretId}: the secret has no "apiKey" string; store {"apiKey": "…", "standbyKeys": ["…"]}`);
  if (v.standbyKeys !== undefined && (!Array.isArray(v.standbyKeys) || v.standbyKeys.some((k) => typeof k !== 'string'))) {
    throw new ConfigurationError(`${secretId}: "standbyKeys" must be an array of strings`);
  }
  return v as unknown as ApiKeySecret;
}

/** Issue from `standbyKeys`: the first standby key becomes `apiKey`. */
export function issueFromStandby(current: ApiKeySecret, providerName: string): ApiKeySecret {
  const [next, ...rest] = current.standbyKeys ?? [];
  if (next === undefined) {
    throw new ConfigurationError(
      `${providerName} has no API to issue keys and the secret has no standbyKeys; create a key in the ${providerName} dashboard, add it to "standbyKeys" and rotate again`,
    );
  }
  return { ...current, apiKey: next, standbyKeys: rest };
}

export interface HttpKeyProviderOptions {
  readonly fetch: FetchLike;
  readonly now?: () => Date;
  /** Symbol used for the test request. @default 'AAPL' */
  readonly testSymbol?: string;
  /** Called by `revoke` (no provider API): the operator must delete the key by hand. */
  readonly onRevokeDue?: (maskedKey: string) => void;
}

const mask = (key: string): string => (key.length <= 4 ? '****' : `${'*'.repeat(Math.min(8, key.length - 4))}${key.slice(-4)}`);

/** The provider for MARKET_DATA_PROVIDER (`finnhub` or `alphavantage`). */
export function httpKeyProvider(provider: StockProvider, options: HttpKeyProviderOptions): KeyProvider {
  const { fetch: fetchFn, now = () => new Date(), testSymbol = 'AAPL', onRevokeDue } = options;
  return {
    name: provider,
    async issue(current) {
      return issueFromStandby(current, provider);
    },
    async test(key) {
      const req = provider === 'finnhub' ? finnhubQuoteRequest(testSymbol, key) : alphaVantageQuoteRequest(testSymbol, key);
      const res = await fetchWithTimeout(fetchFn, req.url, { headers: req.headers });
      const body = await res.text();
      const response = { status: res.status, body };
      const outcome = provider === 'finnhub' ? mapFinnhubQuote(testSymbol, response) : mapAlphaVantageGlobalQuote(testSymbol, response, now());
      // A rate limit proves the key was accepted; a rejected key is the only failure that counts.
      if (outcome.kind === 'error' && outcome.retryable) throw new Error(`${provider} test request failed: ${outcome.reason}`);
      return !(outcome.kind === 'error' && (outcome.authFailure || !outcome.retryable));
    },
    async revoke(key) {
      onRevokeDue?.(mask(key));
    },
  };
}

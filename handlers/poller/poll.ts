/**
 * One polling run: every configured symbol and city, each on its own so one failure never loses
 * the others. HTTP, the key, the clock and sleeping are injected (tests answer from recorded
 * responses; nothing here imports the AWS SDK).
 *
 * Per entity, up to `maxAttempts` requests:
 *
 * | outcome                          | action                                                             |
 * | -------------------------------- | ------------------------------------------------------------------ |
 * | ok / no-data                     | done                                                               |
 * | rate-limited, per minute         | wait Retry-After (or backoff) if ≤ maxRetryAfterMs, then again;    |
 * |                                  | still limited → reported, provider paused for the rest of the run  |
 * | rate-limited, per day            | reported, provider paused for the rest of the run                  |
 * | error, retryable (5xx, network)  | backoff, again; then reported as failed                            |
 * | error, key rejected              | reported, key cache invalidated, provider paused for the run       |
 * | error, other                     | reported as failed                                                 |
 *
 * A paused provider's remaining entities are reported as skipped with the reason, not requested.
 */
import type { CanonicalEvent, StockTick, WeatherObservation } from '../lib/contracts';
import { equalJitterDelay, type Sleep } from '../lib/backoff';
import { fetchWithTimeout, redactUrl, retryAfterMs, type FetchLike } from '../lib/http';
import { limiter } from '../lib/limit';
import type { City } from './config';
import {
  alphaVantageQuoteRequest,
  finnhubQuoteRequest,
  mapAlphaVantageGlobalQuote,
  mapFinnhubQuote,
  mapOpenMeteoCurrent,
  openMeteoCurrentRequest,
  type HttpRequest,
  type Outcome,
  type ProviderResponse,
  type StockProvider,
} from './providers';

export type ProviderName = StockProvider | 'open-meteo';

export interface EntityReport {
  readonly provider: ProviderName;
  /** The symbol or the city. */
  readonly entity: string;
  readonly reason: string;
}

export interface PollResult {
  readonly events: CanonicalEvent[];
  readonly noData: EntityReport[];
  readonly rateLimited: EntityReport[];
  readonly failed: EntityReport[];
  /** Not requested because the provider was paused earlier in the run (reason says why). */
  readonly skipped: EntityReport[];
  /** HTTP requests made. */
  readonly requests: number;
  /** Time spent waiting for rate limits and backoff, ms. */
  readonly waitedMs: number;
}

export interface PollTargets {
  readonly symbols: readonly string[];
  readonly cities: readonly City[];
  readonly provider: StockProvider;
}

export interface PollDeps {
  readonly fetch: FetchLike;
  /** The stock API key (cached by the caller). */
  readonly getApiKey: () => Promise<string>;
  /** Called when the provider rejected the key (the cache should forget it). */
  readonly onAuthFailure?: () => void;
  readonly now: () => Date;
  readonly sleep: Sleep;
  /** @default Math.random */
  readonly random?: () => number;
}

export interface PollOptions {
  /** Requests per entity, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** The longest single wait for a rate limit or backoff, ms; a longer Retry-After gives up. @default 5000 */
  readonly maxWaitMs?: number;
  /** Backoff base, ms. @default 500 */
  readonly baseDelayMs?: number;
  /** Entities fetched at once per provider. @default 4 */
  readonly concurrency?: number;
  /** Per-request timeout, ms. @default 5000 */
  readonly timeoutMs?: number;
  /** Base URLs (tests, proxies). @default the providers' public endpoints */
  readonly baseUrls?: Partial<Record<ProviderName, string>>;
}

interface Job<E> {
  readonly provider: ProviderName;
  readonly entity: string;
  request(): Promise<HttpRequest>;
  map(res: ProviderResponse, now: Date): Outcome<E>;
}

/** Runs `fn` over `items`, at most `concurrency` at once, in order (the one limiter, lib/limit.ts). */
async function runPool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  const limit = limiter(Math.max(1, concurrency));
  await Promise.all(items.map((item) => limit(() => fn(item))));
}

export async function pollAll(targets: PollTargets, deps: PollDeps, options: PollOptions = {}): Promise<PollResult> {
  const { maxAttempts = 3, maxWaitMs = 5000, baseDelayMs = 500, concurrency = 4, timeoutMs = 5000, baseUrls = {} } = options;
  const random = deps.random ?? Math.random;
  const result: PollResult & { requests: number; waitedMs: number } = {
    events: [],
    noData: [],
    rateLimited: [],
    failed: [],
    skipped: [],
    requests: 0,
    waitedMs: 0,
  };
  const paused = new Map<ProviderName, string>();

  const wait = async (ms: number): Promise<void> => {
    result.waitedMs += ms;
    await deps.sleep(ms);
  };

  const runJob = async <E extends CanonicalEvent>(job: Job<E>): Promise<void> => {
    for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
      const pause = paused.get(job.provider);
      if (pause !== undefined) {
        result.skipped.push({ provider: job.provider, entity: job.entity, reason: pause });
        return;
      }
      let outcome: Outcome<E>;
      let request: HttpRequest | undefined;
      try {
        request = await job.request();
        result.requests += 1;
        const res = await fetchWithTimeout(deps.fetch, request.url, { method: 'GET', headers: request.headers }, timeoutMs);
        const body = await res.text();
        const now = deps.now();
        const retryAfter = retryAfterMs(res.headers.get('retry-after'), now);
        outcome = job.map({ status: res.status, body, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) }, now);
      } catch (err) {
        const where = request ? redactUrl(request.url) : `${job.provider} request`;
        outcome = { kind: 'error', retryable: true, reason: `${where} failed: ${(err as Error).message}` };
      }
      const last = attempt === maxAttempts - 1;
      switch (outcome.kind) {
        case 'ok':
          result.events.push(outcome.event);
          return;
        case 'no-data':
          result.noData.push({ provider: job.provider, entity: job.entity, reason: outcome.reason });
          return;
        case 'rate-limited': {
          const delay = outcome.retryAfterMs ?? equalJitterDelay(attempt, { baseMs: baseDelayMs, maxMs: maxWaitMs, random });
          if (outcome.scope === 'day' || last || delay > maxWaitMs) {
            const why =
              outcome.scope === 'day'
                ? 'daily quota'
                : last
                  ? `still limited after ${maxAttempts} attempts`
                  : `Retry-After ${delay} ms exceeds ${maxWaitMs} ms`;
            result.rateLimited.push({ provider: job.provider, entity: job.entity, reason: `${outcome.reason} (${why})` });
            paused.set(job.provider, `${job.provider} paused for this run: rate limited`);
            return;
          }
          await wait(delay);
          continue;
        }
        case 'error':
          if (outcome.authFailure) {
            deps.onAuthFailure?.();
            result.failed.push({ provider: job.provider, entity: job.entity, reason: outcome.reason });
            paused.set(job.provider, `${job.provider} paused for this run: API key rejected`);
            return;
          }
          if (!outcome.retryable || last) {
            result.failed.push({
              provider: job.provider,
              entity: job.entity,
              reason: outcome.retryable ? `${outcome.reason} (after ${maxAttempts} attempts)` : outcome.reason,
            });
            return;
          }
          await wait(equalJitterDelay(attempt, { baseMs: baseDelayMs, maxMs: maxWaitMs, random }));
          continue;
      }
    }
  };

  const stockJobs: Job<StockTick>[] = targets.symbols.map((symbol) =>
    targets.provider === 'finnhub'
      ? {
          provider: 'finnhub',
          entity: symbol,
          request: async () => finnhubQuoteRequest(symbol, await deps.getApiKey(), baseUrls.finnhub),
          map: (res) => mapFinnhubQuote(symbol, res),
        }
      : {
          provider: 'alphavantage',
          entity: symbol,
          request: async () => alphaVantageQuoteRequest(symbol, await deps.getApiKey(), baseUrls.alphavantage),
          map: (res, now) => mapAlphaVantageGlobalQuote(symbol, res, now),
        },
  );
  const weatherJobs: Job<WeatherObservation>[] = targets.cities.map((city) => ({
    provider: 'open-meteo',
    entity: city.name,
    request: async () => openMeteoCurrentRequest(city.latitude, city.longitude, baseUrls['open-meteo']),
    map: (res, now) => mapOpenMeteoCurrent(city.name, res, now),
  }));

  // The key is fetched once up front: if Secrets Manager fails, every symbol is reported with
  // that reason and the weather still goes out.
  let keyProblem: string | undefined;
  if (stockJobs.length > 0) {
    try {
      await deps.getApiKey();
    } catch (err) {
      keyProblem = `the market data key could not be read: ${(err as Error).message}`;
    }
  }
  await Promise.all([
    keyProblem !== undefined
      ? Promise.resolve(stockJobs.forEach((j) => result.failed.push({ provider: j.provider, entity: j.entity, reason: keyProblem! })))
      : runPool(stockJobs, concurrency, (job) => runJob(job)),
    runPool(weatherJobs, concurrency, (job) => runJob(job)),
  ]);
  // Stable order for the stream and the summary: configuration order.
  const order = new Map<string, number>([
    ...targets.symbols.map((s, i) => [`stock:${s}`, i] as const),
    ...targets.cities.map((c, i) => [`weather:${c.name}`, 1000 + i] as const),
  ]);
  result.events.sort(
    (a, b) =>
      (order.get(a.type === 'stock' ? `stock:${a.symbol}` : `weather:${a.city}`) ?? 0) -
      (order.get(b.type === 'stock' ? `stock:${b.symbol}` : `weather:${b.city}`) ?? 0),
  );
  return result;
}

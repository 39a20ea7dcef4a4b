/**
 * HTTP behind a small injectable interface: production passes the global `fetch`, tests pass a
 * function that answers from recorded responses (no internet), and Retry-After parsing. The retry
 * delay and sleep every caller shares are in ./backoff.ts.
 */

/** The part of a fetch Response we use; `new Response(body, init)` satisfies it in tests. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface HttpRequestInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export type FetchLike = (url: string, init?: HttpRequestInit) => Promise<HttpResponse>;

/** The global fetch as a FetchLike. */
export const globalFetch: FetchLike = (url, init) => fetch(url, init as RequestInit);

/**
 * Retry-After (RFC 9110: delay-seconds or an HTTP-date) in ms, or undefined when absent or
 * unparseable. Past dates give 0.
 */
export function retryAfterMs(header: string | null | undefined, now: Date): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** A fetch with a timeout (AbortSignal.timeout) so one slow provider cannot eat the Lambda's time. */
export async function fetchWithTimeout(fetchFn: FetchLike, url: string, init: HttpRequestInit = {}, timeoutMs = 5000): Promise<HttpResponse> {
  return fetchFn(url, { ...init, signal: init.signal ?? AbortSignal.timeout(timeoutMs) });
}

/** Removes secrets (query parameters such as `token`, `apikey`) from a URL before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|apikey|api_key|appid|key)=)[^&]*/gi, '$1***');
}

/**
 * The one concurrency limiter (p-limit's shape): `limit(task)` runs at most `concurrency` tasks
 * at once, in call order. Powertools runs every record handler of a batch at once, and a
 * 10,000-record batch must not open 10,000 sockets; the poller and the packager's uploads use it
 * too (tools may import handlers/lib).
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** @param name how errors name the caller. @default 'limiter' */
export function limiter(concurrency: number, name = 'limiter'): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`${name}: concurrency must be a positive integer (got ${concurrency})`);
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so `active` never overshoots.
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

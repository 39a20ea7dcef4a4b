/**
 * A concurrency limiter: Powertools runs every record handler of a batch at once, and a
 * 10,000-record batch must not open 10,000 sockets.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function limiter(concurrency: number): Limiter {
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

/**
 * A tiny concurrency limiter (p-limit's shape): `limit(fn)` runs at most `concurrency` of the
 * wrapped functions at once, in call order.
 */
export function pLimit(concurrency: number): <T>(fn: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`pLimit: concurrency must be a positive integer (got ${concurrency})`);
  let active = 0;
  const queue: (() => void)[] = [];
  const next = (): void => {
    if (active >= concurrency) return;
    const start = queue.shift();
    if (start) {
      active++;
      start();
    }
  };
  return <T>(fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        fn()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

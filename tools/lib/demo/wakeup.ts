/**
 * The demo's phases wait for each other through these instead of polling with sleeps: a
 * producer `notify()`s after it wrote something, a consumer that found nothing new waits for
 * the next notification (or a deadline such as the end of a batching window).
 */

/** A versioned "something changed" signal. Take `version` before looking, wait on it after. */
export class Wakeup {
  private current = 0;
  private waiters: (() => void)[] = [];
  private closedFlag = false;

  get version(): number {
    return this.current;
  }

  /** True once `close()` was called: no more notifications will come. */
  get closed(): boolean {
    return this.closedFlag;
  }

  notify(): void {
    this.current += 1;
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }

  /** No more changes will come (a final notification wakes every waiter). */
  close(): void {
    this.closedFlag = true;
    this.notify();
  }

  /**
   * Resolves once the version differs from `seen` (at once if it already does), at `deadlineMs`
   * (epoch ms) if given, or when `signal` aborts.
   */
  changedSince(seen: number, deadlineMs?: number, signal?: AbortSignal): Promise<void> {
    if (this.current !== seen || this.closedFlag || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      if (deadlineMs !== undefined) timer = setTimeout(done, Math.max(0, deadlineMs - Date.now()));
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** A count others can wait on (`await consumed.reaches(produced.value)`). */
export class Counter {
  private count = 0;
  private readonly wakeup = new Wakeup();

  get value(): number {
    return this.count;
  }

  add(n: number): void {
    if (n === 0) return;
    this.count += n;
    this.wakeup.notify();
  }

  /** Resolves when the count is at least `target`; rejects with `failure()`'s error when it says to stop. */
  async reaches(target: number, options: { signal?: AbortSignal; failure?: () => unknown } = {}): Promise<void> {
    for (;;) {
      const failed = options.failure?.();
      if (failed) throw failed;
      if (options.signal?.aborted) return;
      if (this.count >= target) return;
      await this.wakeup.changedSince(this.wakeup.version, undefined, options.signal);
    }
  }

  /** Wakes waiters without changing the count (so they re-check `failure`). */
  poke(): void {
    this.wakeup.notify();
  }
}

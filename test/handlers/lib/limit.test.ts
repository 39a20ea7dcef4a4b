import { realSleep, equalJitterDelay } from '../../../handlers/lib/backoff';
import { limiter } from '../../../handlers/lib/limit';

describe('limiter (the one concurrency limiter: handlers, poller, packager)', () => {
  test('never runs more than the limit at once, starts tasks in call order, keeps results', async () => {
    const limit = limiter(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        limit(async () => {
          started.push(n);
          active++;
          peak = Math.max(peak, active);
          await realSleep(n % 2);
          active--;
          return n * 10;
        }),
      ),
    );
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5]);
  });

  test('a failing task frees its slot', async () => {
    const limit = limiter(1);
    await expect(limit(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit(async () => 'next')).resolves.toBe('next');
  });

  test.each([0, -1, 1.5, Number.NaN])('concurrency %d is refused', (n) => {
    expect(() => limiter(n, 'uploads')).toThrow(`uploads: concurrency must be a positive integer (got ${n})`);
  });
});

describe('equalJitterDelay', () => {
  test('stays in [c/2, c) for every random value and never exceeds the cap', () => {
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      for (let attempt = 0; attempt < 12; attempt++) {
        const c = Math.min(2000, 100 * 2 ** attempt);
        const d = equalJitterDelay(attempt, { baseMs: 100, maxMs: 2000, random: () => r });
        expect(d).toBeGreaterThanOrEqual(c / 2);
        expect(d).toBeLessThan(c);
      }
    }
  });
});

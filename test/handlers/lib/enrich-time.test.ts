import { canonicalIsoMs, isoMs } from '../../../handlers/lib/enrich';

/** Deterministic pseudo-random numbers (mulberry32), so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('canonicalIsoMs agrees with Date.parse', () => {
  test.each([
    ['2026-11-20T14:30:00.000Z'],
    ['1970-01-01T00:00:00.000Z'],
    ['2000-02-29T23:59:59.999Z'],
    ['2024-02-29T12:00:00.001Z'],
    ['0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z'],
  ])('%s', (iso) => {
    expect(canonicalIsoMs(iso)).toBe(Date.parse(iso));
  });

  test.each([
    ['2023-02-29T00:00:00.000Z', 'not a leap year'],
    ['1900-02-29T00:00:00.000Z', 'century, not a leap year'],
    ['2026-04-31T00:00:00.000Z', 'April has 30 days'],
    ['2026-13-01T00:00:00.000Z', 'month 13'],
    ['2026-11-20T24:00:00.000Z', 'hour 24'],
    ['2026-11-20T14:30:00Z', 'no milliseconds: not canonical'],
    ['2026-11-20T14:30:00.000+01:00', 'offset: not canonical'],
    ['2026-11-2OT14:30:00.000Z', 'a letter among the digits'],
  ])('%s is not canonical (%s): NaN, left to Date.parse', (iso) => {
    expect(canonicalIsoMs(iso)).toBeNaN();
  });

  test('20,000 random instants and near-misses across years 0000-9999', () => {
    const next = rng(42);
    const int = (max: number) => Math.floor(next() * max);
    for (let i = 0; i < 20_000; i++) {
      // Fields slightly out of range on purpose: day 0-31, month 0-13, hour 0-24, minute/second 0-60.
      const iso = `${pad(int(10_000), 4)}-${pad(int(14), 2)}-${pad(int(32), 2)}T${pad(int(25), 2)}:${pad(int(61), 2)}:${pad(int(61), 2)}.${pad(int(1000), 3)}Z`;
      const parsed = Date.parse(iso);
      const ours = canonicalIsoMs(iso);
      if (Number.isNaN(ours)) {
        // Not a real instant by our reading: Date.parse must not find a different valid instant with the same text.
        expect(Number.isNaN(parsed) || new Date(parsed).toISOString() !== iso).toBe(true);
      } else {
        expect(ours).toBe(parsed);
      }
    }
  });

  test('isoMs formats whole milliseconds like toISOString', () => {
    const next = rng(7);
    for (let i = 0; i < 5_000; i++) {
      const ms = Math.floor(next() * 4_102_444_800_000); // 1970-2100
      expect(isoMs(ms)).toBe(new Date(ms).toISOString());
    }
  });
});

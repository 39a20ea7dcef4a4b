import { eventKey, proveDelivery, type ProofInput } from '../../../tools/lib/demo/proof';

const tick = (symbol: string, day: number) => ({ type: 'stock', symbol, ts: `2024-03-0${day}T00:00:00Z` });
const key = (symbol: string, day: number) => `STOCK#${symbol}|2024-03-0${day}T00:00:00.000Z`;

/** A clean run: two ticks of A (one sent twice), one weather observation, one quarantined record. */
function clean(): ProofInput {
  return {
    validEvents: [tick('A', 1), tick('A', 2), tick('A', 2), { type: 'weather', city: 'Oslo', ts: '2024-03-01T12:00:00.000Z' }],
    metricsTickKeys: [key('A', 1), key('A', 2), 'WEATHER#Oslo|2024-03-01T12:00:00.000Z'],
    parquetCounts: new Map([
      [key('A', 1), 1],
      [key('A', 2), 1],
      ['WEATHER#Oslo|2024-03-01T12:00:00.000Z', 1],
    ]),
    latestTs: new Map([
      ['STOCK#A', '2024-03-02T00:00:00.000Z'],
      ['WEATHER#Oslo', '2024-03-01T12:00:00.000Z'],
    ]),
    invalid: [{ expectedCode: 'malformed-json' }],
    quarantined: [{ code: 'malformed-json' }],
    onFailure: [{ consumer: 'enricher', condition: 'RetryAttemptsExhausted', keys: ['POISON@7'], attempts: 4 }],
    poisonSymbol: 'POISON',
  };
}

describe('proveDelivery', () => {
  test('eventKey normalises ts to the millisecond ISO the stores use', () => {
    expect(eventKey(tick('A', 1))).toBe('STOCK#A|2024-03-01T00:00:00.000Z');
  });

  test('a clean run passes; a poison-only on-failure entry is explained', () => {
    const { proof, onFailure } = proveDelivery(clean());
    expect(proof.problems).toEqual([]);
    expect(proof).toMatchObject({ ok: true, validRecords: 3, quarantinedByCode: { 'malformed-json': 1 }, onFailureUnexplained: 0 });
    expect(onFailure[0]!.explanation).toMatch(/poison record/);
  });

  test.each<[string, (i: ProofInput) => ProofInput, RegExp]>([
    [
      'a missing MetricsTable item',
      (i) => ({ ...i, metricsTickKeys: i.metricsTickKeys.slice(1) }),
      /1 valid records missing from MetricsTable \(e.g. STOCK#A\|2024-03-01/,
    ],
    [
      'a duplicated Parquet row',
      (i) => ({ ...i, parquetCounts: new Map([...i.parquetCounts, [key('A', 2), 2]]) }),
      /1 records more than once in the Parquet rows \(e.g. STOCK#A\|2024-03-02T00:00:00.000Z ×2\)/,
    ],
    ['a missing Parquet row', (i) => ({ ...i, parquetCounts: new Map([...i.parquetCounts].slice(1)) }), /missing from the Parquet rows/],
    [
      'an older tick in LatestTable',
      (i) => ({ ...i, latestTs: new Map([...i.latestTs, ['STOCK#A', '2024-03-01T00:00:00.000Z']]) }),
      /LatestTable does not hold the newest tick: STOCK#A/,
    ],
    ['an invalid record not quarantined', (i) => ({ ...i, quarantined: [] }), /invalid records not quarantined: malformed-json: 0 of 1/],
    [
      'a valid record in the on-failure queue',
      (i) => ({ ...i, onFailure: [{ consumer: 'enricher', condition: 'RetryAttemptsExhausted', keys: ['POISON@7', 'A@8'], attempts: 4 }] }),
      /1 on-failure entries not explained/,
    ],
    [
      'the poison in MetricsTable',
      (i) => ({ ...i, metricsTickKeys: [...i.metricsTickKeys, 'STOCK#POISON|2024-03-01T00:00:00.000Z'] }),
      /poison record reached MetricsTable/,
    ],
  ])('%s fails the proof', (_name, change, problem) => {
    const { proof } = proveDelivery(change(clean()));
    expect(proof.ok).toBe(false);
    expect(proof.problems.join('\n')).toMatch(problem);
  });
});

import {
  malformedEventProblem,
  MALFORMED_EVENTS,
  probeMalformedEvents,
  type FutureTickFindings,
  type MalformedEventOutcome,
} from '../../../tools/lib/demo/faults';
import { eventKey, futureTickProblems, proveDelivery, type ProofInput } from '../../../tools/lib/demo/proof';

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

describe('the future tick (ts 2999 through /ingest)', () => {
  const FUTURE = '2999-01-01T00:00:00.000Z';
  const LATER = '2024-03-02T00:00:00.000Z';
  const good = (): FutureTickFindings => ({
    entity: 'STOCK#A',
    ts: FUTURE,
    quarantined: [
      {
        key: 'quarantine/future-timestamp/dt=2026-12-02/shardId-000000000001-9.json',
        reason: `ts ${FUTURE} is 30000000000 s after the record's Kinesis arrival 2026-12-02T10:00:00.000Z; a producer clock may be at most 300 s ahead`,
      },
    ],
    metricsItemsAtTs: 0,
    latestTs: LATER,
    latestSmaTs: LATER,
    laterTickTs: LATER,
  });

  test('all checks hold: no problem, and the proof passes with it', () => {
    expect(futureTickProblems(good())).toEqual([]);
    const { proof } = proveDelivery({ ...clean(), futureTick: good() });
    expect(proof.ok).toBe(true);
    expect(proof.futureTick?.problems).toEqual([]);
  });

  test.each<[string, Partial<FutureTickFindings>, RegExp]>([
    ['no quarantine object', { quarantined: [] }, /0 objects under quarantine\/future-timestamp\/ .*expected exactly 1/],
    [
      'two quarantine objects',
      { quarantined: [good().quarantined[0]!, { key: 'quarantine/future-timestamp/x.json', reason: `ts ${FUTURE} …` }] },
      /2 objects under quarantine\/future-timestamp\//,
    ],
    ['a reason without the ts', { quarantined: [{ key: 'quarantine/future-timestamp/x.json', reason: 'too new' }] }, /its reason does not name the tick's ts/],
    ['a MetricsTable item at its ts', { metricsItemsAtTs: 1 }, /1 MetricsTable items with the future tick's ts/],
    ['LatestTable ts at 2999 (the symbol frozen)', { latestTs: FUTURE }, /LatestTable STOCK#A ts is the future tick's/],
    ['LatestTable smaTs at 2999', { latestSmaTs: FUTURE }, /LatestTable STOCK#A smaTs is the future tick's/],
    [
      'the later real tick not applied',
      { latestTs: '2024-03-01T00:00:00.000Z' },
      /the real tick 2024-03-02T00:00:00.000Z after the future one did not move LatestTable STOCK#A/,
    ],
  ])('%s fails the proof', (_name, change, problem) => {
    const { proof } = proveDelivery({ ...clean(), futureTick: { ...good(), ...change } });
    expect(proof.ok).toBe(false);
    expect(proof.problems.join('\n')).toMatch(problem);
  });
});

describe('malformed Lambda events', () => {
  const refused = (o: Partial<MalformedEventOutcome> = {}): MalformedEventOutcome => ({
    fn: 'enricher',
    label: '{}',
    kind: 'Kinesis',
    errorName: 'MalformedEventError',
    message: 'enricher: malformed Kinesis event: it has no Records; nothing was processed (is the function wired to the right event source?)',
    storeChanges: [],
    ...o,
  });

  test('a MalformedEventError with the one-line message and no store change passes', () => {
    expect(malformedEventProblem(refused())).toBeUndefined();
    expect(proveDelivery({ ...clean(), malformedEvents: [refused()] }).proof.ok).toBe(true);
  });

  test.each<[string, Partial<MalformedEventOutcome>, RegExp]>([
    ['resolved instead of rejecting', { errorName: undefined, message: undefined }, /enricher with \{\} did not reject/],
    [
      'a TypeError',
      { errorName: 'TypeError', message: "Cannot read properties of undefined (reading 'map')" },
      /rejected with TypeError instead of MalformedEventError/,
    ],
    [
      'a message naming another function',
      { message: 'aggregator: malformed Kinesis event: it has no Records' },
      /does not start with 'enricher: malformed Kinesis event:'/,
    ],
    ['a two-line message', { message: 'enricher: malformed Kinesis event: it has no Records\n    at records (events.ts:1)' }, /more than one line/],
    ['a store changed', { storeChanges: ['DynamoDB writes by the handlers 10 → 11'] }, /changed the stores: DynamoDB writes by the handlers 10 → 11/],
  ])('%s fails the proof', (_name, change, problem) => {
    const { proof } = proveDelivery({ ...clean(), malformedEvents: [refused(change)] });
    expect(proof.ok).toBe(false);
    expect(proof.problems.join('\n')).toMatch(problem);
  });

  test('probeMalformedEvents hands every case to its function and notes what changed around each call', async () => {
    let writes = 0;
    const called: string[] = [];
    const reject = (fn: string) => async (): Promise<never> => {
      called.push(fn);
      throw Object.assign(new Error(`${fn}: malformed x event: nothing`), { name: 'MalformedEventError' });
    };
    const outcomes = await probeMalformedEvents(
      {
        enricher: reject('enricher'),
        aggregator: async () => {
          called.push('aggregator');
          writes += 1; // a handler that wrote something and resolved
          return {};
        },
        rules: reject('rules'),
        notifier: reject('notifier'),
      },
      async () => ({ writes }),
    );
    expect(called).toEqual(MALFORMED_EVENTS.map((c) => c.fn));
    const aggregator = outcomes.filter((o) => o.fn === 'aggregator');
    expect(aggregator.map((o) => [o.errorName, o.storeChanges])).toEqual([
      [undefined, ['writes 0 → 1']],
      [undefined, ['writes 1 → 2']],
    ]);
    expect(outcomes.filter((o) => o.fn === 'enricher').every((o) => o.errorName === 'MalformedEventError' && o.storeChanges.length === 0)).toBe(true);
  });

  test('the cases are the ones issue 15 names', () => {
    expect(MALFORMED_EVENTS.map((c) => [c.fn, JSON.stringify(c.event)])).toEqual([
      ['enricher', '{}'],
      ['enricher', '{"Records":[{"eventSource":"aws:sqs"}]}'],
      ['aggregator', '{}'],
      ['aggregator', '{"Records":[{"eventSource":"aws:sqs"}]}'],
      ['rules', '{"Records":[{"eventName":"INSERT"}]}'],
      ['notifier', '{"Records":[{}]}'],
    ]);
  });
});

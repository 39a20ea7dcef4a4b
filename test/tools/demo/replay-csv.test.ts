import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDate, readReplayCsv, ReplayFormatError } from '../../../tools/lib/demo/replay-csv';

const fixture = (name: string) => path.join(__dirname, '../../fixtures/replay', name);
const read = (name: string, symbol?: string) => readReplayCsv(readFileSync(fixture(name), 'utf8'), { fileName: fixture(name), ...(symbol ? { symbol } : {}) });

describe('readReplayCsv layouts', () => {
  test('Yahoo download: symbol from the file name, ascending dates, raw close as price, previous close chained', () => {
    const data = read('yahoo-ACME.csv');
    expect(data.layout).toBe('plain');
    expect(data.ticks.map((t) => [t.symbol, t.ts, t.price, t.prevClose])).toEqual([
      ['ACME', '2024-01-02T00:00:00.000Z', 10, 10],
      ['ACME', '2024-01-03T00:00:00.000Z', 10.5, 10],
      ['ACME', '2024-01-04T00:00:00.000Z', 9.45, 10.5],
    ]);
    expect(data.ticks[1]).toEqual({ schemaVersion: 1, type: 'stock', symbol: 'ACME', ts: '2024-01-03T00:00:00.000Z', price: 10.5, open: 10, high: 11, low: 9, prevClose: 10, volume: 1000, source: 'replay' });
  });

  test('--symbol overrides the file name for a plain file', () => {
    expect(read('yahoo-ACME.csv', 'xyz').symbols).toEqual(['XYZ']);
  });

  test('long format with a leading index column and CRLF: per-symbol previous close, sorted by date then symbol', () => {
    const data = read('long-index.csv');
    expect(data.layout).toBe('long');
    expect(data.ticks.map((t) => `${t.ts.slice(0, 10)} ${t.symbol} ${t.price}/${t.prevClose}`)).toEqual(['2024-01-02 AAA 10/10', '2024-01-02 BBB 21/21', '2024-01-03 AAA 8.9/10', '2024-01-03 BBB 20/21']);
  });

  test('long format filtered by --symbol', () => {
    expect(read('long-index.csv', 'BBB').ticks.map((t) => t.symbol)).toEqual(['BBB', 'BBB']);
  });

  test('prefixed columns: symbol from the prefix; a row with an empty close is skipped and reported', () => {
    const data = read('prefixed.csv');
    expect(data.layout).toBe('prefixed');
    expect(data.ticks.map((t) => [t.ts.slice(0, 10), t.price, t.prevClose])).toEqual([
      ['2024-01-02', 5, 5],
      ['2024-01-04', 4.5, 5],
    ]);
    expect(data.skipped).toEqual([{ line: 3, kind: 'missing or non-numeric field', reason: 'ZZZ: missing close' }]);
  });

  test('unnamed leading date column', () => {
    expect(read('unnamed-date-QQQ.csv').ticks.map((t) => [t.symbol, t.ts.slice(0, 10), t.price])).toEqual([
      ['QQQ', '2024-01-02', 1.5],
      ['QQQ', '2024-01-03', 1.2],
    ]);
  });
});

describe('readReplayCsv errors', () => {
  test.each([
    ['no date column', 'Open,High,Low,Close,Volume\n1,2,1,1,1\n', 'x.csv: no date column'],
    ['missing close', 'Date,Open,High,Low,Volume\n2024-01-02,1,2,1,1\n', 'x.csv: missing column(s) close'],
    ['no symbol anywhere', 'Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,1,1,1\n', 'pass --symbol <SYMBOL>'],
    ['unknown --symbol in a long file', 'Date,Open,High,Low,Close,Volume,Symbol\n2024-01-02,1,2,1,1,1,AAA\n', 'x.csv: no rows for symbol ZZZ'],
  ])('%s', (_name, text, message) => {
    const symbol = _name.includes('--symbol') ? 'ZZZ' : undefined;
    expect(() => readReplayCsv(text, { fileName: 'x.csv', ...(symbol ? { symbol } : {}) })).toThrow(ReplayFormatError);
    expect(() => readReplayCsv(text, { fileName: 'x.csv', ...(symbol ? { symbol } : {}) })).toThrow(message);
  });

  test('duplicate dates for a symbol keep the first row and report the second', () => {
    const data = readReplayCsv('Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,1,1,1\n2024-01-02,1,2,1,3,1\n', { symbol: 'A' });
    expect(data.ticks).toHaveLength(1);
    expect(data.skipped).toEqual([{ line: 3, kind: 'duplicate date', reason: 'A: a second row for 2024-01-02' }]);
  });
});

describe('parseDate', () => {
  test.each([
    ['2015-02-17', '2015-02-17'],
    ['2015-2-7', '2015-02-07'],
    ['2015-02-17 00:00:00', '2015-02-17'],
    ['2/17/2015', '2015-02-17'],
    ['2015-02-30', undefined],
    ['17.02.2015', undefined],
    ['', undefined],
  ])('%s → %s', (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });
});

const shared = path.resolve(__dirname, '../../../../shared/fixtures/stock-history');
const describeShared = existsSync(shared) ? describe : describe.skip;
if (!existsSync(shared)) console.warn(`skipping the shared stock-history replay tests: ${shared} does not exist (it does in CI)`);

describeShared('readReplayCsv on the shared real-world CSVs', () => {
  const load = (name: string, symbol?: string) => readReplayCsv(readFileSync(path.join(shared, name), 'utf8'), { fileName: name, ...(symbol ? { symbol } : {}) });

  test('plotly Apple (prefixed AAPL.* columns, CRLF): 506 ascending AAPL ticks', () => {
    const data = load('plotly-finance-charts-apple.csv');
    expect(data.layout).toBe('prefixed');
    expect(data.symbols).toEqual(['AAPL']);
    expect(data.ticks).toHaveLength(506);
    expect(data.ticks[0]!.ts).toBe('2015-02-17T00:00:00.000Z');
    expect(data.ticks[1]!.prevClose).toBe(data.ticks[0]!.price);
  });

  test('plotly hello-world (long format, Stock column, descending, index column): three symbols, AAPL 753 rows', () => {
    const data = load('plotly-hello-world-stock_AAPL-TSLA-COKE.csv');
    expect(data.symbols).toEqual(['AAPL', 'COKE', 'TSLA']);
    expect(data.ticks.filter((t) => t.symbol === 'AAPL')).toHaveLength(753);
    const ts = data.ticks.map((t) => t.ts);
    expect([...ts].sort()).toEqual(ts);
  });

  test('backtesting.py GOOG (unnamed date column): symbol from the file name, 2148 ticks', () => {
    const data = load('backtesting-py-GOOG.csv');
    expect(data.symbols).toEqual(['GOOG']);
    expect(data.ticks).toHaveLength(2148);
  });
});

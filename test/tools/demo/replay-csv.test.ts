import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decideDateOrder, detectDelimiter, parseDate, parseNumber, readReplayCsv, ReplayFormatError, skippedSummary } from '../../../tools/lib/demo/replay-csv';
import { stockTickSchema } from '../../../handlers/lib/schema';

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
    expect(data.ticks[1]).toEqual({
      schemaVersion: 1,
      type: 'stock',
      symbol: 'ACME',
      ts: '2024-01-03T00:00:00.000Z',
      price: 10.5,
      open: 10,
      high: 11,
      low: 9,
      prevClose: 10,
      volume: 1000,
      source: 'replay',
    });
  });

  test('--symbol overrides the file name for a plain file', () => {
    expect(read('yahoo-ACME.csv', 'xyz').symbols).toEqual(['XYZ']);
  });

  test('long format with a leading index column and CRLF: per-symbol previous close, sorted by date then symbol', () => {
    const data = read('long-index.csv');
    expect(data.layout).toBe('long');
    expect(data.ticks.map((t) => `${t.ts.slice(0, 10)} ${t.symbol} ${t.price}/${t.prevClose}`)).toEqual([
      '2024-01-02 AAA 10/10',
      '2024-01-02 BBB 21/21',
      '2024-01-03 AAA 8.9/10',
      '2024-01-03 BBB 20/21',
    ]);
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
    ['2015-02-17', 'MDY', '2015-02-17'],
    ['2015-2-7', 'MDY', '2015-02-07'],
    ['2015-02-17 00:00:00', 'MDY', '2015-02-17'],
    ['2015/02/17', 'DMY', '2015-02-17'],
    ['20150217', 'DMY', '2015-02-17'],
    ['2/17/2015', 'MDY', '2015-02-17'],
    ['17/2/2015', 'DMY', '2015-02-17'],
    ['17.02.2015', 'DMY', '2015-02-17'],
    ['17.02.2015', 'MDY', undefined],
    ['17-Feb-2015', 'MDY', '2015-02-17'],
    ['Feb 17, 2015', 'DMY', '2015-02-17'],
    ['2015-02-30', 'MDY', undefined],
    ['', 'MDY', undefined],
  ] as const)('%s as %s → %s', (input, order, expected) => {
    expect(parseDate(input, order)).toBe(expected);
  });
});

const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
const HEADER = 'Date,Open,High,Low,Close,Volume';

describe('readReplayCsv reads what people have without silent mistakes', () => {
  test('an unquoted decimal comma is an error naming the line and the cause, not a close of 12', () => {
    const text = csv(HEADER, '2024-01-02,12,13,11,12,1000', '2024-01-03,12,13,11,12,5,1000');
    expect(() => readReplayCsv(text, { fileName: 'x.csv', symbol: 'A' })).toThrow(
      new ReplayFormatError(
        `x.csv: line 3 has 7 fields but the header has 6: most likely an unquoted thousands separator or decimal comma (such as 1,055,433 or 12,5) split a number in two; quote such values ("1,055,433", "12,5") or save the file with ';' between fields (and pass --decimal-comma if the commas are decimal commas)`,
      ),
    );
  });

  test('an unquoted thousands separator in the volume is the same error, not a volume of 1', () => {
    expect(() => readReplayCsv(csv(HEADER, '2024-01-02,12,13,11,12,1,055,433'), { fileName: 'x.csv', symbol: 'A' })).toThrow(
      /x\.csv: line 2 has 8 fields but the header has 6/,
    );
  });

  test('a quoted thousands separator is read as one number', () => {
    expect(readReplayCsv(csv(HEADER, '2024-01-02,12,13,11,12,"1,055,433"'), { symbol: 'A' }).ticks[0]!.volume).toBe(1_055_433);
  });

  test('trailing empty fields (a comma at the end of each row) are not a split number', () => {
    expect(readReplayCsv(csv(HEADER, '2024-01-02,12,13,11,12,100,'), { symbol: 'A' }).ticks).toHaveLength(1);
  });

  test('a semicolon file with decimal commas and dotted thousands reads with --decimal-comma; day-first dates decided by the file', () => {
    const text = csv(
      'Datum;Open;High;Low;Close;Volume'.replace('Datum', 'Date'),
      '03.01.2024;12,5;13,0;12,0;12,75;1.055.433',
      '15.01.2024;12,75;13;12;13,25;900',
    );
    const data = readReplayCsv(text, { fileName: 'ACME.csv', decimalComma: true });
    expect([data.delimiter, data.dateOrder]).toEqual([';', 'DMY']);
    expect(data.ticks.map((t) => [t.ts.slice(0, 10), t.open, t.price, t.volume])).toEqual([
      ['2024-01-03', 12.5, 12.75, 1_055_433],
      ['2024-01-15', 12.75, 13.25, 900],
    ]);
  });

  test('a semicolon file is not "no date column"; a tab file neither', () => {
    expect(readReplayCsv(csv('Date;Open;High;Low;Close;Volume', '2024-01-02;1;2;1;1.5;10'), { symbol: 'A' }).ticks[0]!.price).toBe(1.5);
    expect(readReplayCsv(csv('Date\tOpen\tHigh\tLow\tClose\tVolume', '2024-01-02\t1\t2\t1\t1.5\t10'), { symbol: 'A' }).delimiter).toBe('\t');
  });

  test.each([
    [
      'a decimal comma without --decimal-comma',
      'Date;Open;High;Low;Close;Volume\n2024-01-02;12,5;13;12;12,5;10\n',
      {},
      'x.csv: line 2: Open "12,5" has a decimal comma; pass --decimal-comma',
    ],
    [
      'a decimal point with --decimal-comma',
      'Date;Open;High;Low;Close;Volume\n2024-01-02;12.5;13;12;12;10\n',
      { decimalComma: true },
      'x.csv: line 2: Open "12.5" has a decimal point, but --decimal-comma says the file uses decimal commas; drop --decimal-comma',
    ],
  ])('%s is an error saying which convention the file uses', (_name, text, options, message) => {
    expect(() => readReplayCsv(text, { fileName: 'x.csv', symbol: 'A', ...options })).toThrow(new ReplayFormatError(message));
  });

  test('day/month order: one day above 12 anywhere in the file decides, for every row', () => {
    const dmy = readReplayCsv(csv(HEADER, '03/04/2024,1,2,1,1,1', '13/04/2024,1,2,1,1,1'), { symbol: 'A' });
    expect([dmy.dateOrder, dmy.ticks.map((t) => t.ts.slice(0, 10))]).toEqual(['DMY', ['2024-04-03', '2024-04-13']]);
    const mdy = readReplayCsv(csv(HEADER, '03/04/2024,1,2,1,1,1', '04/13/2024,1,2,1,1,1'), { symbol: 'A' });
    expect([mdy.dateOrder, mdy.ticks.map((t) => t.ts.slice(0, 10))]).toEqual(['MDY', ['2024-03-04', '2024-04-13']]);
  });

  test('a file that cannot tell day from month is refused, and --date-format says it', () => {
    const text = csv(HEADER, '03/04/2024,1,2,1,1,1', '04/05/2024,1,2,1,1,1');
    expect(() => readReplayCsv(text, { fileName: 'x.csv', symbol: 'A' })).toThrow(
      new ReplayFormatError(
        'x.csv: every date reads both as day/month and as month/day (such as 03/04/2024 on line 2, and no day above 12 decides it); pass --date-format DMY or --date-format MDY',
      ),
    );
    expect(readReplayCsv(text, { symbol: 'A', dateOrder: 'DMY' }).ticks.map((t) => t.ts.slice(0, 10))).toEqual(['2024-04-03', '2024-05-04']);
  });

  test('dates that disagree are refused naming both lines', () => {
    expect(() =>
      decideDateOrder(
        [
          { line: 2, text: '13/01/2024' },
          { line: 9, text: '01/13/2024' },
        ],
        'x.csv',
      ),
    ).toThrow(/line 2 has 13\/01\/2024 \(day first\) and line 9 has 01\/13\/2024 \(month first\)/);
  });

  test('bad prices and volumes skip their row with a reason; the previous close is the previous accepted row’s', () => {
    const data = readReplayCsv(
      csv(
        HEADER,
        '2024-01-02,10,11,9,10,100',
        '2024-01-03,-1,11,9,10,100',
        '2024-01-04,10,11,9,1e308,100',
        '2024-01-05,10,11,9,10,-5',
        '2024-01-08,10,11,0,10,100',
        '2024-01-09,10,11,9,8,100',
      ),
      { symbol: 'A' },
    );
    expect(data.ticks.map((t) => [t.ts.slice(0, 10), t.price, t.prevClose])).toEqual([
      ['2024-01-02', 10, 10],
      ['2024-01-09', 8, 10],
    ]);
    expect(data.skipped).toEqual([
      { line: 3, kind: 'non-positive or non-finite price', reason: 'A: open must be a positive finite price (got -1)' },
      { line: 4, kind: "rejected by the enricher's schema", reason: `A: price must be <= ${stockTickSchema.properties.price.maximum}` },
      { line: 5, kind: 'negative volume', reason: 'A: volume must not be negative (got -5)' },
      { line: 6, kind: 'non-positive or non-finite price', reason: 'A: low must be a positive finite price (got 0)' },
    ]);
    expect(skippedSummary(data.skipped)).toBe("4 rows skipped: 2 non-positive or non-finite price, 1 rejected by the enricher's schema, 1 negative volume");
  });

  test('line numbers are the file’s own after blank lines', () => {
    const data = readReplayCsv(csv(HEADER, '', '2024-01-02,10,11,9,10,100', '', '', '2024-01-03,10,11,9,x,100'), { symbol: 'A' });
    expect(data.skipped).toEqual([{ line: 6, kind: 'missing or non-numeric field', reason: 'A: non-numeric close "x"' }]);
    expect(data.lines).toEqual([3]);
  });
});

describe('readReplayCsv helpers', () => {
  test.each([
    ['Date,Open,High', ','],
    ['Date;Open;High', ';'],
    ['Date\tOpen\tHigh', '\t'],
    ['"Date, local";Open;High', ';'],
    ['Date', undefined],
  ])('delimiter of %j is %j', (line, expected) => {
    expect(detectDelimiter(line)).toBe(expected);
  });

  test.each([
    ['1,055,433', false, 1_055_433],
    ['1,055,433.25', false, 1_055_433.25],
    ['12.5', false, 12.5],
    ['1e308', false, 1e308],
    ['1.055.433,25', true, 1_055_433.25],
    ['1 055 433,25', true, 1_055_433.25],
    ['12,5', true, 12.5],
    ['12', true, 12],
  ])('%s (decimal comma %s) → %d', (text, decimalComma, value) => {
    expect(parseNumber(text, decimalComma)).toEqual({ ok: true, value });
  });

  test.each([['NaN'], ['Infinity'], ['$12'], ['n/a']])('%s is not a number', (text) => {
    expect(parseNumber(text)).toEqual({ ok: false, why: 'non-numeric' });
  });
});

const shared = path.resolve(__dirname, '../../../../shared/fixtures/stock-history');
const describeShared = existsSync(shared) ? describe : describe.skip;
if (!existsSync(shared)) console.warn(`skipping the shared stock-history replay tests: ${shared} does not exist (it does in CI)`);

describeShared('readReplayCsv on the shared real-world CSVs', () => {
  const load = (name: string, symbol?: string) =>
    readReplayCsv(readFileSync(path.join(shared, name), 'utf8'), { fileName: name, ...(symbol ? { symbol } : {}) });

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

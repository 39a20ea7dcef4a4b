/**
 * Historical daily OHLCV CSV → canonical stock ticks, for `npm run demo -- --replay <file.csv>`
 * (DESIGN §8). Accepts the layouts people actually have:
 *
 * | layout                         | how it is recognised                         | symbol from                |
 * | ------------------------------ | -------------------------------------------- | -------------------------- |
 * | Yahoo download                 | Date,Open,High,Low,Close,Adj Close,Volume    | --symbol, else file name   |
 * | long format                    | a Symbol / Ticker / Stock / Name column      | that column                |
 * | prefixed columns               | AAPL.Open, AAPL.Close, …                     | the prefix                 |
 * | leading unnamed date or index  | first header cell empty (or `Unnamed: 0`)    | as above                   |
 *
 * Rows are emitted in date order (any input order), one tick per row: `price` = the raw
 * (unadjusted) close, `prevClose` = the close of the previous *accepted* row of that symbol (the
 * first accepted row gets its own close: change 0, never a drop alert). A daily bar's `ts` is its
 * trading date at 00:00 UTC.
 *
 * Reading never guesses silently:
 *
 * | input                                                   | outcome                                                        |
 * | ------------------------------------------------------- | -------------------------------------------------------------- |
 * | fields separated by `,` `;` or tab                      | detected from the header line                                  |
 * | a row with more (non-empty) fields than the header      | ReplayFormatError naming the line: an unquoted `1,055,433` or `12,5` split a number |
 * | `"1,055,433"` (quoted, or in a `;`/tab file)            | 1055433; with --decimal-comma, `1.055.433,5` is 1055433.5      |
 * | `12,5` without --decimal-comma, `12.5` with it          | ReplayFormatError saying which convention the file uses        |
 * | `03/04/2024`-style dates                                | the whole file decides: a first field > 12 means day first, a second field > 12 month first; both or neither → ReplayFormatError (pass --date-format) |
 * | a price ≤ 0, non-finite or above the enricher's limit, a negative or fractional volume, low > high | the row is skipped with its line and reason (the enricher's own validator decides) |
 * | missing or non-numeric fields, unreadable dates, a second row for a date | the row is skipped with its line and reason |
 *
 * Line numbers are the file's own (csv-parse's, so blank lines and quoted line breaks count).
 */
import { parse } from 'csv-parse/sync';
import path from 'node:path';
import { SCHEMA_VERSION, type StockTick } from '../../../handlers/lib/contracts';
import { eventProblem } from '../../../handlers/lib/schema';

/** A canonical stock tick (DESIGN §4) whose source is the replayed file. */
export type ReplayTick = StockTick & { readonly source: 'replay' };

/** Order of day, month and year in a date such as `03/04/2024`. */
export type DateOrder = 'DMY' | 'MDY' | 'YMD';
export const DATE_ORDERS: readonly DateOrder[] = ['DMY', 'MDY', 'YMD'];

export interface SkippedRow {
  /** 1-based line number in the file (the header is line 1 unless blank lines precede it). */
  readonly line: number;
  readonly reason: string;
  /** Short class of the reason, for the summary counts (`non-positive price`, `negative volume`, …). */
  readonly kind: string;
}

export interface ReplayData {
  readonly layout: 'plain' | 'long' | 'prefixed';
  readonly delimiter: ',' | ';' | '\t';
  /** How the dates were read: ISO (year first), or the order the file (or --date-format) decided. */
  readonly dateOrder: DateOrder;
  readonly symbols: readonly string[];
  readonly ticks: readonly ReplayTick[];
  /** `lines[i]` is the file line `ticks[i]` came from. */
  readonly lines: readonly number[];
  readonly skipped: readonly SkippedRow[];
  /** Data rows read (header excluded). */
  readonly rows: number;
}

export interface ReplayOptions {
  /** Symbol for files without a symbol column or prefix; in long/prefixed files, a filter. @default from the file name */
  readonly symbol?: string;
  /** Name used for the file-name fallback and in error messages. */
  readonly fileName?: string;
  /** Numbers use a decimal comma and `.`/space thousands separators. @default false */
  readonly decimalComma?: boolean;
  /** Order of ambiguous day/month dates. @default decided from the whole file */
  readonly dateOrder?: DateOrder;
}

/** Unusable input: the CLI exits 2 with this one-line message. */
export class ReplayFormatError extends Error {
  override readonly name = 'ReplayFormatError';
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
type Field = (typeof FIELDS)[number];
const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;
const SYMBOL_COLUMNS = new Set(['symbol', 'ticker', 'stock', 'name']);
const DATE_COLUMNS = new Set(['date', 'datetime', 'timestamp', 'time', 'day']);
const DELIMITERS = [',', ';', '\t'] as const;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// ---------------------------------------------------------------------------------------------
// Dates

type DateShape = { kind: 'ymd'; y: number; m: number; d: number } | { kind: 'ambiguous'; a: number; b: number; y: number } | { kind: 'invalid' };

/**
 * The shape of a date cell: year first (`2015-02-17`, `2015/2/17`, `20150217`, with an optional
 * time), month named (`17-Feb-2015`, `Feb 17, 2015`), or two small numbers and a year
 * (`17/02/2015`, `02.17.2015`) whose order the file must decide.
 */
function dateShape(value: string): DateShape {
  const v = value.trim();
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/.exec(v) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (m) return { kind: 'ymd', y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[T ].*)?$/.exec(v);
  if (m) return { kind: 'ambiguous', a: Number(m[1]), b: Number(m[2]), y: Number(m[3]) };
  m = /^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4})$/.exec(v);
  if (m && monthOf(m[2]!)) return { kind: 'ymd', y: Number(m[3]), m: monthOf(m[2]!)!, d: Number(m[1]) };
  m = /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$/.exec(v);
  if (m && monthOf(m[1]!)) return { kind: 'ymd', y: Number(m[3]), m: monthOf(m[1]!)!, d: Number(m[2]) };
  return { kind: 'invalid' };
}

function monthOf(name: string): number | undefined {
  const i = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  return i < 0 ? undefined : i + 1;
}

function isoDate(y: number, m: number, d: number): string | undefined {
  const date = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const check = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== date ? undefined : date;
}

/**
 * A date cell as `YYYY-MM-DD` under `order` (used for the ambiguous shape only), or undefined.
 * `2015-02-17`, `2015-02-17 00:00:00`, `17-Feb-2015`; `2/17/2015` with MDY, `17/2/2015` with DMY.
 */
export function parseDate(value: string, order: DateOrder = 'MDY'): string | undefined {
  const s = dateShape(value);
  if (s.kind === 'ymd') return isoDate(s.y, s.m, s.d);
  if (s.kind === 'ambiguous') return order === 'DMY' ? isoDate(s.y, s.b, s.a) : order === 'MDY' ? isoDate(s.y, s.a, s.b) : undefined;
  return undefined;
}

interface DatedCell {
  readonly line: number;
  readonly text: string;
}

/** Decides the order of ambiguous dates from every date in the file (table in the module comment). */
export function decideDateOrder(cells: readonly DatedCell[], file: string, given?: DateOrder): DateOrder {
  if (given) return given;
  let dayFirst: DatedCell | undefined;
  let monthFirst: DatedCell | undefined;
  let example: DatedCell | undefined;
  for (const c of cells) {
    const s = dateShape(c.text);
    if (s.kind !== 'ambiguous') continue;
    example ??= c;
    if (s.a > 12 && s.b <= 12) dayFirst ??= c;
    if (s.b > 12 && s.a <= 12) monthFirst ??= c;
  }
  if (!example) return 'YMD';
  if (dayFirst && monthFirst) {
    throw new ReplayFormatError(
      `${file}: the dates disagree: line ${dayFirst.line} has ${dayFirst.text} (day first) and line ${monthFirst.line} has ${monthFirst.text} (month first); fix the file, or pass --date-format DMY or MDY to read them one way`,
    );
  }
  if (dayFirst) return 'DMY';
  if (monthFirst) return 'MDY';
  throw new ReplayFormatError(
    `${file}: every date reads both as day/month and as month/day (such as ${example.text} on line ${example.line}, and no day above 12 decides it); pass --date-format DMY or --date-format MDY`,
  );
}

// ---------------------------------------------------------------------------------------------
// Numbers

type NumberCell = { ok: true; value: number } | { ok: false; why: 'missing' | 'non-numeric' } | { ok: false; why: 'convention'; message: string };

const POINT_DECIMAL = /^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?([eE][+-]?\d+)?$/;
const COMMA_DECIMAL = /^[+-]?(\d+|\d{1,3}([. \u00a0\u202f']\d{3})+)(,\d+)?([eE][+-]?\d+)?$/;

/** A number cell under the file's convention (`1,055,433.5`, or with a decimal comma `1.055.433,5`). */
export function parseNumber(text: string, decimalComma = false): NumberCell {
  const v = text.trim();
  if (v === '') return { ok: false, why: 'missing' };
  if (decimalComma) {
    if (COMMA_DECIMAL.test(v)) return { ok: true, value: Number(v.replace(/[. \u00a0\u202f']/g, '').replace(',', '.')) };
    if (POINT_DECIMAL.test(v))
      return {
        ok: false,
        why: 'convention',
        message: `"${v}" has a decimal point, but --decimal-comma says the file uses decimal commas; drop --decimal-comma`,
      };
    return { ok: false, why: 'non-numeric' };
  }
  if (POINT_DECIMAL.test(v)) return { ok: true, value: Number(v.replace(/,/g, '')) };
  if (COMMA_DECIMAL.test(v) && v.includes(',')) return { ok: false, why: 'convention', message: `"${v}" has a decimal comma; pass --decimal-comma` };
  return { ok: false, why: 'non-numeric' };
}

// ---------------------------------------------------------------------------------------------
// Layout

/** The delimiter of the header line: the candidate that splits it into the most fields (outside quotes). */
export function detectDelimiter(headerLine: string): ReplayData['delimiter'] | undefined {
  let best: ReplayData['delimiter'] | undefined;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    let count = 0;
    let quoted = false;
    for (const ch of headerLine) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) count += 1;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

function symbolFromFileName(fileName: string | undefined): string | undefined {
  if (!fileName) return undefined;
  const base = path.basename(fileName).replace(/\.[^.]+$/, '');
  // "AAPL.csv", "AAPL_daily.csv", "backtesting-py-GOOG.csv": the last all-caps token of 1-10 characters.
  const tokens = base.split(/[^A-Za-z0-9.]+/).filter((t) => /^[A-Z][A-Z0-9.]{0,9}$/.test(t));
  return tokens.at(-1);
}

interface ColumnPlan {
  readonly layout: ReplayData['layout'];
  readonly date: number;
  readonly symbol?: number;
  /** symbol → field → column index (a single '' symbol for plain/long layouts). */
  readonly fields: Map<string, Partial<Record<Field, number>>>;
}

function planColumns(header: readonly string[], firstRow: readonly string[] | undefined, file: string, delimiter: string): ColumnPlan {
  const lower = header.map((h) => h.trim().toLowerCase());
  let date = lower.findIndex((h) => DATE_COLUMNS.has(h));
  if (date < 0 && (lower[0] === '' || lower[0] === 'unnamed: 0') && firstRow && dateShape(firstRow[0] ?? '').kind !== 'invalid') date = 0;
  if (date < 0) {
    const shown = delimiter === '\t' ? 'tab' : `'${delimiter}'`;
    throw new ReplayFormatError(
      `${file}: no date column in the header (fields separated by ${shown}: ${header
        .slice(0, 8)
        .map((h) => JSON.stringify(h))
        .join(', ')}); expected Date, or an unnamed first column holding dates`,
    );
  }

  const prefixed = new Map<string, Partial<Record<Field, number>>>();
  header.forEach((h, i) => {
    const m = /^([A-Za-z0-9^-]+)\.(open|high|low|close|volume)$/i.exec(h.trim());
    if (m) {
      const entry = prefixed.get(m[1]!.toUpperCase()) ?? {};
      entry[m[2]!.toLowerCase() as Field] = i;
      prefixed.set(m[1]!.toUpperCase(), entry);
    }
  });
  if (prefixed.size > 0) return { layout: 'prefixed', date, fields: prefixed };

  const fields: Partial<Record<Field, number>> = {};
  for (const f of FIELDS) {
    const i = lower.indexOf(f);
    if (i >= 0) fields[f] = i;
  }
  const symbol = lower.findIndex((h) => SYMBOL_COLUMNS.has(h));
  return { layout: symbol >= 0 ? 'long' : 'plain', date, ...(symbol >= 0 ? { symbol } : {}), fields: new Map([['', fields]]) };
}

interface Row {
  readonly line: number;
  readonly fields: string[];
}

function tooManyFields(row: Row, headerLength: number, file: string, delimiter: string, decimalComma: boolean): ReplayFormatError {
  const fix =
    delimiter === ','
      ? `quote such values ("1,055,433", "12,5") or save the file with ';' between fields${decimalComma ? '' : ' (and pass --decimal-comma if the commas are decimal commas)'}`
      : 'quote the field that holds the separator';
  return new ReplayFormatError(
    `${file}: line ${row.line} has ${row.fields.length} fields but the header has ${headerLength}: most likely an unquoted thousands separator or decimal comma (such as 1,055,433 or 12,5) split a number in two; ${fix}`,
  );
}

// ---------------------------------------------------------------------------------------------

/** Parses the CSV text; throws ReplayFormatError (one line: file, line, rule, fix) for unusable input. */
export function readReplayCsv(text: string, options: ReplayOptions = {}): ReplayData {
  const file = options.fileName ?? 'replay.csv';
  const decimalComma = options.decimalComma ?? false;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const headerLine = body.split(/\r?\n/).find((l) => l.trim() !== '');
  if (headerLine === undefined) throw new ReplayFormatError(`${file}: empty file`);
  const delimiter = detectDelimiter(headerLine);
  if (!delimiter)
    throw new ReplayFormatError(
      `${file}: the header line has a single field (${JSON.stringify(headerLine.slice(0, 60))}); expected fields separated by ',', ';' or tab`,
    );

  let rows: Row[];
  try {
    rows = parse(body, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      // csv-parse's own line count (blank lines and quoted line breaks included), kept with each record.
      on_record: ((fields: string[], context: { lines: number }) => ({ line: context.lines, fields })) as never,
    }) as unknown as Row[];
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw new ReplayFormatError(
      `${file}: ${e.lines !== undefined ? `line ${e.lines}: ` : ''}not readable as CSV (${e.message.replace(/^Invalid [^:]*: /, '')}); check its quotes`,
    );
  }
  const header = rows[0]!.fields;
  const data = rows.slice(1);
  const plan = planColumns(header, data[0]?.fields, file, delimiter);
  for (const [sym, f] of plan.fields) {
    const missing = (['close', 'open', 'high', 'low', 'volume'] as const).filter((k) => f[k] === undefined);
    if (missing.length > 0)
      throw new ReplayFormatError(`${file}: ${sym ? `${sym}: ` : ''}missing column(s) ${missing.join(', ')} (expected Open, High, Low, Close, Volume)`);
  }
  const wanted = options.symbol?.toUpperCase();
  const fallbackSymbol = wanted ?? symbolFromFileName(options.fileName);
  if (plan.layout === 'plain' && !fallbackSymbol) {
    throw new ReplayFormatError(`${file}: no symbol column and none in the file name; pass --symbol <SYMBOL>`);
  }
  for (const row of data) {
    if (row.fields.length > header.length && row.fields.slice(header.length).some((f) => f !== ''))
      throw tooManyFields(row, header.length, file, delimiter, decimalComma);
  }
  const dateOrder = decideDateOrder(
    data.map((r) => ({ line: r.line, text: r.fields[plan.date] ?? '' })),
    file,
    options.dateOrder,
  );

  interface Bar {
    symbol: string;
    date: string;
    values: Record<Field, number>;
    line: number;
  }
  const bars: Bar[] = [];
  const skipped: SkippedRow[] = [];
  const skip = (line: number, kind: string, reason: string): void => {
    skipped.push({ line, kind, reason });
  };
  for (const row of data) {
    const dateText = row.fields[plan.date] ?? '';
    const date = parseDate(dateText, dateOrder);
    if (!date) {
      skip(row.line, 'unreadable date', `unreadable date ${JSON.stringify(dateText)}${dateOrder !== 'YMD' ? ` (read as ${dateOrder})` : ''}`);
      continue;
    }
    for (const [prefix, cols] of plan.fields) {
      const symbol = plan.layout === 'prefixed' ? prefix : plan.layout === 'long' ? (row.fields[plan.symbol!] ?? '').toUpperCase() : fallbackSymbol!;
      if (wanted && plan.layout !== 'plain' && symbol !== wanted) continue;
      if (!symbol) {
        skip(row.line, 'empty symbol', 'empty symbol');
        continue;
      }
      const values = {} as Record<Field, number>;
      const missing: string[] = [];
      const nonNumeric: string[] = [];
      for (const f of FIELDS) {
        const cell = parseNumber(row.fields[cols[f]!] ?? '', decimalComma);
        if (cell.ok) values[f] = cell.value;
        else if (cell.why === 'convention') throw new ReplayFormatError(`${file}: line ${row.line}: ${header[cols[f]!]} ${cell.message}`);
        else (cell.why === 'missing' ? missing : nonNumeric).push(f);
      }
      if (missing.length + nonNumeric.length > 0) {
        skip(
          row.line,
          'missing or non-numeric field',
          `${symbol}: ${[...missing.map((f) => `missing ${f}`), ...nonNumeric.map((f) => `non-numeric ${f} ${JSON.stringify(row.fields[cols[f as Field]!])}`)].join(', ')}`,
        );
        continue;
      }
      const badPrice = PRICE_FIELDS.find((f) => !Number.isFinite(values[f]) || values[f] <= 0);
      if (badPrice) {
        skip(row.line, 'non-positive or non-finite price', `${symbol}: ${badPrice} must be a positive finite price (got ${values[badPrice]})`);
        continue;
      }
      if (values.volume < 0) {
        skip(row.line, 'negative volume', `${symbol}: volume must not be negative (got ${values.volume})`);
        continue;
      }
      bars.push({ symbol, date, values, line: row.line });
    }
  }
  if (wanted && plan.layout !== 'plain' && bars.length === 0) {
    throw new ReplayFormatError(`${file}: no rows for symbol ${wanted}`);
  }

  bars.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.line - b.line));
  const lastClose = new Map<string, number>();
  const seen = new Set<string>();
  const ticks: ReplayTick[] = [];
  const lines: number[] = [];
  for (const b of bars) {
    const key = `${b.symbol}@${b.date}`;
    if (seen.has(key)) {
      skip(b.line, 'duplicate date', `${b.symbol}: a second row for ${b.date}`);
      continue;
    }
    const tick: ReplayTick = {
      schemaVersion: SCHEMA_VERSION,
      type: 'stock',
      symbol: b.symbol,
      ts: `${b.date}T00:00:00.000Z`,
      price: b.values.close,
      open: b.values.open,
      high: b.values.high,
      low: b.values.low,
      prevClose: lastClose.get(b.symbol) ?? b.values.close,
      volume: b.values.volume,
      source: 'replay',
    };
    // The enricher's own validator: a row it would quarantine never enters (and never becomes a previous close).
    const problem = eventProblem(tick);
    if (problem) {
      skip(b.line, "rejected by the enricher's schema", `${b.symbol}: ${problem}`);
      continue;
    }
    seen.add(key);
    lastClose.set(b.symbol, b.values.close);
    ticks.push(tick);
    lines.push(b.line);
  }
  skipped.sort((a, b) => a.line - b.line);
  return { layout: plan.layout, delimiter, dateOrder, symbols: [...new Set(ticks.map((t) => t.symbol))].sort(), ticks, lines, skipped, rows: data.length };
}

/** `7 rows skipped: 3 non-positive or non-finite price, 2 negative volume, …` (empty when none). */
export function skippedSummary(skipped: readonly SkippedRow[]): string {
  if (skipped.length === 0) return '';
  const byKind = new Map<string, number>();
  for (const s of skipped) byKind.set(s.kind, (byKind.get(s.kind) ?? 0) + 1);
  return `${skipped.length} row${skipped.length === 1 ? '' : 's'} skipped: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}`;
}

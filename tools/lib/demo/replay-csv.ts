/**
 * Historical daily OHLCV CSV → canonical stock ticks, for `npm run demo -- --replay <file.csv>`
 * (DESIGN §8). Accepts the layouts people actually have:
 *
 * | layout                         | how it is recognised                         | symbol from                |
 * | ------------------------------ | -------------------------------------------- | -------------------------- |
 * | Yahoo download                 | Date,Open,High,Low,Close,Adj Close,Volume    | --symbol, else file name   |
 * | long format                    | a Symbol / Ticker / Stock column             | that column                |
 * | prefixed columns               | AAPL.Open, AAPL.Close, …                     | the prefix                 |
 * | leading unnamed date or index  | first header cell empty (or `Unnamed: 0`)    | as above                   |
 *
 * Rows are emitted in date order (any input order), one tick per row: `price` = the raw
 * (unadjusted) close, `prevClose` = the previous row's close for that symbol. The first row of a
 * symbol has no previous close; it gets `prevClose = price` (change 0), so it can never raise a
 * drop alert. A daily bar's `ts` is its trading date at 00:00 UTC. Rows with a missing or
 * non-numeric price field are skipped and reported, never silently dropped.
 */
import { parse } from 'csv-parse/sync';
import path from 'node:path';
import { SCHEMA_VERSION, type StockTick } from '../../../handlers/lib/contracts';

/** A canonical stock tick (DESIGN §4) whose source is the replayed file. */
export type ReplayTick = StockTick & { readonly source: 'replay' };

export interface SkippedRow {
  /** 1-based line number in the file (header is line 1). */
  readonly line: number;
  readonly reason: string;
}

export interface ReplayData {
  readonly layout: 'plain' | 'long' | 'prefixed';
  readonly symbols: readonly string[];
  readonly ticks: readonly ReplayTick[];
  readonly skipped: readonly SkippedRow[];
}

export interface ReplayOptions {
  /** Symbol for files without a symbol column or prefix; in long/prefixed files, a filter. @default from the file name */
  readonly symbol?: string;
  /** Name used for the file-name fallback and in error messages. */
  readonly fileName?: string;
}

export class ReplayFormatError extends Error {
  override readonly name = 'ReplayFormatError';
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
type Field = (typeof FIELDS)[number];
const SYMBOL_COLUMNS = new Set(['symbol', 'ticker', 'stock', 'name']);
const DATE_COLUMNS = new Set(['date', 'datetime', 'timestamp', 'time', 'day']);

/** `2015-02-17`, `2015-02-17 00:00:00`, `2015-02-17T00:00:00Z`, `2/17/2015` → `2015-02-17`. */
export function parseDate(value: string): string | undefined {
  const v = value.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(v);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: .*)?$/.exec(v);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : us ? [us[3], us[1], us[2]] : [];
  if (!y || !m || !d) return undefined;
  const date = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const check = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== date ? undefined : date;
}

function symbolFromFileName(fileName: string | undefined): string | undefined {
  if (!fileName) return undefined;
  const base = path.basename(fileName).replace(/\.[^.]+$/, '');
  // "AAPL.csv", "AAPL_daily.csv", "backtesting-py-GOOG.csv": the last all-caps token of 1-5 letters.
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

function planColumns(header: string[], firstRow: string[] | undefined, file: string): ColumnPlan {
  const lower = header.map((h) => h.trim().toLowerCase());
  let date = lower.findIndex((h) => DATE_COLUMNS.has(h));
  if (date < 0 && (lower[0] === '' || lower[0] === 'unnamed: 0') && firstRow && parseDate(firstRow[0] ?? '')) date = 0;
  if (date < 0) throw new ReplayFormatError(`${file}: no date column (expected Date, or an unnamed first column holding dates)`);

  const prefixed = new Map<string, Partial<Record<Field, number>>>();
  header.forEach((h, i) => {
    const m = /^([A-Za-z0-9^\-]+)\.(open|high|low|close|volume)$/i.exec(h.trim());
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

/** Parses the CSV text; throws ReplayFormatError naming the file and what is missing. */
export function readReplayCsv(text: string, options: ReplayOptions = {}): ReplayData {
  const file = options.fileName ?? 'replay.csv';
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true, trim: true }) as string[][];
  const header = rows[0];
  if (!header) throw new ReplayFormatError(`${file}: empty file`);
  const plan = planColumns(header, rows[1], file);
  for (const [sym, f] of plan.fields) {
    const missing = (['close', 'open', 'high', 'low', 'volume'] as const).filter((k) => f[k] === undefined);
    if (missing.length > 0) throw new ReplayFormatError(`${file}: ${sym ? `${sym}: ` : ''}missing column(s) ${missing.join(', ')} (expected Open, High, Low, Close, Volume)`);
  }
  const wanted = options.symbol?.toUpperCase();
  const fallbackSymbol = wanted ?? symbolFromFileName(options.fileName);
  if (plan.layout === 'plain' && !fallbackSymbol) {
    throw new ReplayFormatError(`${file}: no symbol column and none in the file name; pass --symbol <SYMBOL>`);
  }

  interface Bar { symbol: string; date: string; open: number; high: number; low: number; close: number; volume: number; line: number }
  const bars: Bar[] = [];
  const skipped: SkippedRow[] = [];
  rows.slice(1).forEach((row, index) => {
    const line = index + 2;
    const date = parseDate(row[plan.date] ?? '');
    if (!date) {
      skipped.push({ line, reason: `unreadable date ${JSON.stringify(row[plan.date] ?? '')}` });
      return;
    }
    for (const [prefix, cols] of plan.fields) {
      const symbol = plan.layout === 'prefixed' ? prefix : plan.layout === 'long' ? (row[plan.symbol!] ?? '').toUpperCase() : fallbackSymbol!;
      if (wanted && plan.layout !== 'plain' && symbol !== wanted) continue;
      if (!symbol) {
        skipped.push({ line, reason: 'empty symbol' });
        continue;
      }
      const values = Object.fromEntries(FIELDS.map((f) => [f, Number(row[cols[f]!] ?? '')])) as Record<Field, number>;
      const bad = FIELDS.filter((f) => row[cols[f]!] === undefined || row[cols[f]!] === '' || !Number.isFinite(values[f]));
      if (bad.length > 0) {
        skipped.push({ line, reason: `${symbol}: missing or non-numeric ${bad.join(', ')}` });
        continue;
      }
      if (values.close <= 0) {
        skipped.push({ line, reason: `${symbol}: close must be positive (got ${values.close})` });
        continue;
      }
      bars.push({ symbol, date, ...values, line });
    }
  });
  if (wanted && plan.layout !== 'plain' && bars.length === 0) {
    throw new ReplayFormatError(`${file}: no rows for symbol ${wanted}`);
  }

  bars.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const lastClose = new Map<string, number>();
  const seen = new Set<string>();
  const ticks: ReplayTick[] = [];
  for (const b of bars) {
    const key = `${b.symbol}@${b.date}`;
    if (seen.has(key)) {
      skipped.push({ line: b.line, reason: `${b.symbol}: duplicate row for ${b.date}` });
      continue;
    }
    seen.add(key);
    const prevClose = lastClose.get(b.symbol) ?? b.close;
    lastClose.set(b.symbol, b.close);
    ticks.push({
      schemaVersion: SCHEMA_VERSION,
      type: 'stock',
      symbol: b.symbol,
      ts: `${b.date}T00:00:00.000Z`,
      price: b.close,
      open: b.open,
      high: b.high,
      low: b.low,
      prevClose,
      volume: b.volume,
      source: 'replay',
    });
  }
  skipped.sort((a, b) => a.line - b.line);
  return { layout: plan.layout, symbols: [...new Set(ticks.map((t) => t.symbol))].sort(), ticks, skipped };
}

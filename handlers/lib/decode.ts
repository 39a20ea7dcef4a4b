/**
 * Decoding one Kinesis record into a canonical event. Bad data is a value, not an exception:
 * `{ ok: false, code, reason }` goes to quarantine and is never retried (RELIABILITY 5, 6).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { CanonicalEvent } from './contracts';
import { canonicalIsoMs } from './enrich';
import { eventProblem } from './schema';

/** Why a record was quarantined; also the folder under `quarantine/` (DESIGN §4). */
export type QuarantineCode = 'bad-base64' | 'oversized' | 'malformed-json' | 'schema-invalid' | 'future-timestamp';

/** A canonical event is ~200 bytes; anything above this is not one of ours. @default 64 KiB */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

export type DecodeResult =
  | { readonly ok: true; readonly event: CanonicalEvent /** The payload exactly as received (UTF-8). */; readonly text: string }
  | { readonly ok: false; readonly code: QuarantineCode; readonly reason: string };

function badBase64(data: unknown): DecodeResult {
  return { ok: false, code: 'bad-base64', reason: `data is not valid base64 (${typeof data === 'string' ? `${data.length} characters` : typeof data})` };
}

let scratch = Buffer.allocUnsafe(DEFAULT_MAX_RECORD_BYTES);

/**
 * Why a valid event's `ts` cannot be trusted: more than `maxSkewMs` after the record's Kinesis
 * arrival (RELIABILITY 7: producer clocks are untrusted; arrival is the stream's own clock).
 * Such a tick would become the entity's latest value and make every later real tick look stale,
 * freezing it, and its TTL would keep it for centuries. `undefined` when the tick is plausible.
 */
export function futureTimestampProblem(ts: string, approximateArrivalTimestamp: number, maxSkewMs: number): string | undefined {
  const canonical = canonicalIsoMs(ts);
  const tsMs = canonical === canonical ? canonical : Date.parse(ts);
  const arrivalMs = Math.round(approximateArrivalTimestamp * 1000);
  if (!(tsMs - arrivalMs > maxSkewMs)) return undefined;
  return `ts ${ts} is ${Math.round((tsMs - arrivalMs) / 1000)} s after the record's Kinesis arrival ${new Date(arrivalMs).toISOString()}; a producer clock may be at most ${Math.round(maxSkewMs / 1000)} s ahead`;
}

export interface DecodeOptions {
  /** Records above this many bytes are `oversized`. @default DEFAULT_MAX_RECORD_BYTES */
  readonly maxRecordBytes?: number;
  /** A `ts` more than this many ms after `approximateArrivalTimestamp` is `future-timestamp`. @default no check */
  readonly maxSkewMs?: number;
}

/** Decodes base64 → UTF-8 → JSON → schema (→ clock skew, with `options.maxSkewMs`). */
export function decodeRecord(record: Pick<KinesisStreamRecord, 'kinesis'>, options: DecodeOptions = {}): DecodeResult {
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const data = record.kinesis.data;
  if (typeof data !== 'string' || data.length % 4 !== 0) return badBase64(data);
  // base64 length → byte length without decoding first, so a huge record costs nothing.
  const end = data.length;
  const bytes = (end / 4) * 3 - (end > 0 && data.charCodeAt(end - 1) === 61 ? (data.charCodeAt(end - 2) === 61 ? 2 : 1) : 0);
  if (bytes > maxRecordBytes)
    return { ok: false, code: 'oversized', reason: `record is ${bytes} bytes, more than the ${maxRecordBytes}-byte limit for a canonical event` };
  // Node's decoder skips characters outside the alphabet and stops at a misplaced '=': any of
  // them makes the output shorter than the length implies. (It also accepts the URL-safe
  // alphabet, which decodes to the same bytes, so that is harmless.) Cheaper than a regex.
  // Decoded into one reused buffer (the same decoder as Buffer.from, bounded by `bytes` as
  // Buffer.from's allocation is): no Buffer object per record, ~5 % of the enricher's core.
  if (scratch.length < bytes) scratch = Buffer.allocUnsafe(Math.max(bytes, DEFAULT_MAX_RECORD_BYTES));
  const written = bytes === 0 ? 0 : scratch.write(data, 0, bytes, 'base64');
  if (written !== bytes) return badBase64(data);
  const text = scratch.toString('utf8', 0, written);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'malformed-json', reason: `data is not JSON: ${(err as Error).message}` };
  }
  const problem = eventProblem(value);
  if (problem !== undefined) return { ok: false, code: 'schema-invalid', reason: problem };
  if (options.maxSkewMs !== undefined) {
    const skew = futureTimestampProblem((value as CanonicalEvent).ts, record.kinesis.approximateArrivalTimestamp, options.maxSkewMs);
    if (skew !== undefined) return { ok: false, code: 'future-timestamp', reason: skew };
  }
  return { ok: true, event: value as CanonicalEvent, text };
}

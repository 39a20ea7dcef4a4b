/**
 * Decoding one Kinesis record into a canonical event. Bad data is a value, not an exception:
 * `{ ok: false, code, reason }` goes to quarantine and is never retried (RELIABILITY 5, 6).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { CanonicalEvent } from './contracts';
import { validateEvent } from './schema';

/** Why a record was quarantined; also the folder under `quarantine/` (DESIGN §4). */
export type QuarantineCode = 'bad-base64' | 'oversized' | 'malformed-json' | 'schema-invalid';

/** A canonical event is ~200 bytes; anything above this is not one of ours. @default 64 KiB */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

export type DecodeResult =
  | { readonly ok: true; readonly event: CanonicalEvent; /** The payload exactly as received (UTF-8). */ readonly text: string }
  | { readonly ok: false; readonly code: QuarantineCode; readonly reason: string };

function badBase64(data: unknown): DecodeResult {
  return { ok: false, code: 'bad-base64', reason: `data is not valid base64 (${typeof data === 'string' ? `${data.length} characters` : typeof data})` };
}

/** Decodes base64 → UTF-8 → JSON → schema. */
export function decodeRecord(record: Pick<KinesisStreamRecord, 'kinesis'>, maxRecordBytes: number = DEFAULT_MAX_RECORD_BYTES): DecodeResult {
  const data = record.kinesis.data;
  if (typeof data !== 'string' || data.length % 4 !== 0) return badBase64(data);
  // base64 length → byte length without decoding first, so a huge record costs nothing.
  const bytes = (data.length / 4) * 3 - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
  if (bytes > maxRecordBytes) return { ok: false, code: 'oversized', reason: `record is ${bytes} bytes, more than the ${maxRecordBytes}-byte limit for a canonical event` };
  // Node's decoder skips characters outside the alphabet and stops at a misplaced '=': any of
  // them makes the output shorter than the length implies. (It also accepts the URL-safe
  // alphabet, which decodes to the same bytes, so that is harmless.) Cheaper than a regex.
  const buf = Buffer.from(data, 'base64');
  if (buf.length !== bytes) return badBase64(data);
  const text = buf.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'malformed-json', reason: `data is not JSON: ${(err as Error).message}` };
  }
  const valid = validateEvent(value);
  if (!valid.ok) return { ok: false, code: 'schema-invalid', reason: valid.reason };
  return { ok: true, event: valid.event, text };
}

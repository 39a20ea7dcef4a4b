/**
 * S3 keys (DESIGN §4), derived from the batch so a retried batch overwrites its own objects:
 * - raw:        `raw/<dataset>/dt=YYYY-MM-DD/<shard>-<firstSequence>.json.gz`
 * - processed:  `processed/<dataset>/year=YYYY/month=MM/day=DD/<shard>-<firstSequence>.parquet`
 * - quarantine: `quarantine/<code>/dt=YYYY-MM-DD/<shard>-<sequence>.json` (one object per record)
 * The date is the event's UTC `ts` date for raw/processed (so replayed history lands in its own
 * partitions) and the arrival date for quarantine (a bad record may have no usable `ts`).
 */
import type { QuarantineCode } from './decode';

/** `shardId-000000000000` from an eventID `shardId-000000000000:4959…`. */
export function shardIdOf(eventID: string): string {
  const colon = eventID.indexOf(':');
  return colon === -1 ? eventID : eventID.slice(0, colon);
}

function datePart(iso: string): { year: string; month: string; day: string } {
  return { year: iso.slice(0, 4), month: iso.slice(5, 7), day: iso.slice(8, 10) };
}

export function rawKey(dataset: string, isoTs: string, shardId: string, firstSequence: string): string {
  return `raw/${dataset}/dt=${isoTs.slice(0, 10)}/${shardId}-${firstSequence}.json.gz`;
}

export function processedKey(dataset: string, isoTs: string, shardId: string, firstSequence: string): string {
  const { year, month, day } = datePart(isoTs);
  return `processed/${dataset}/year=${year}/month=${month}/day=${day}/${shardId}-${firstSequence}.parquet`;
}

export function quarantineKey(code: QuarantineCode, arrivalIso: string, shardId: string, sequence: string): string {
  return `quarantine/${code}/dt=${arrivalIso.slice(0, 10)}/${shardId}-${sequence}.json`;
}

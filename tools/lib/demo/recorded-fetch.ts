/**
 * The poller's network, offline: a `fetch` that answers the provider URLs the poller builds from
 * the recordings in demo/recorded/ (manifest.json says which file answers which symbol or city,
 * and the clock the recordings were made at). Any other URL is a 404, so a mistake shows up as a
 * provider failure in the poller's summary rather than a call to the internet.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FetchLike } from '../../../handlers/lib/http';

export interface RecordedManifest {
  readonly clock: string;
  readonly provider: 'finnhub';
  /** Symbol → recording (relative to the manifest's folder). */
  readonly symbols: Readonly<Record<string, string>>;
  /** `Name:lat:lon` → recording. */
  readonly cities: Readonly<Record<string, string>>;
}

export class RecordedFetchError extends Error {
  override readonly name = 'RecordedFetchError';
}

export function readRecordedManifest(dir: string): RecordedManifest {
  const file = path.join(dir, 'manifest.json');
  let manifest: RecordedManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as RecordedManifest;
  } catch (err) {
    throw new RecordedFetchError(`${file}: cannot read the recordings manifest (${(err as Error).message}); restore demo/recorded/ from git`);
  }
  if (Number.isNaN(Date.parse(manifest.clock))) throw new RecordedFetchError(`${file}: clock must be an ISO timestamp (got ${JSON.stringify(manifest.clock)})`);
  return manifest;
}

export interface RecordedFetch {
  readonly fetch: FetchLike;
  /** Every URL requested, in order. */
  readonly requests: string[];
}

/** HTTP status of a recording: the recordings' names say when it was not a 200. */
function statusOf(file: string): number {
  const m = /error_(\d{3})_/.exec(path.basename(file));
  return m ? Number(m[1]) : 200;
}

export function recordedFetch(dir: string, manifest: RecordedManifest): RecordedFetch {
  const requests: string[] = [];
  const cities = Object.entries(manifest.cities).map(([spec, file]) => {
    const [, lat, lon] = spec.split(':');
    return { latitude: Number(lat), longitude: Number(lon), file };
  });
  const answer = (file: string): Response =>
    new Response(readFileSync(path.join(dir, file)), { status: statusOf(file), headers: { 'content-type': 'application/json' } });
  const fetch: FetchLike = async (url) => {
    requests.push(url);
    const u = new URL(url);
    if (u.hostname === 'finnhub.io' && u.pathname.endsWith('/quote')) {
      const file = manifest.symbols[u.searchParams.get('symbol') ?? ''];
      if (file) return answer(file);
    }
    if (u.hostname === 'api.open-meteo.com') {
      const lat = Number(u.searchParams.get('latitude'));
      const lon = Number(u.searchParams.get('longitude'));
      const city = cities.find((c) => Math.abs(c.latitude - lat) < 1e-6 && Math.abs(c.longitude - lon) < 1e-6);
      if (city) return answer(city.file);
    }
    return new Response(JSON.stringify({ error: `no recording for ${url}` }), { status: 404, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, requests };
}

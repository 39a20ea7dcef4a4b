/**
 * The committed price table (prices/<region>.json) and the list of resource types that cost
 * nothing by themselves (prices/free.json). Every price carries its unit, the page it was read
 * from and the date; a price that could not be found for a region is listed under `missing` with
 * the reason, so the estimate reports it as unpriced instead of counting it as zero.
 *
 * The JSON files are imported, not read from disk, so the bundled tools (tools/run.cjs) carry them.
 */
import usEast1 from './prices/us-east-1.json';
import usWest2 from './prices/us-west-2.json';
import euWest1 from './prices/eu-west-1.json';
import euCentral1 from './prices/eu-central-1.json';
import freeJson from './prices/free.json';

export interface Price {
  /** US dollars per unit. */
  readonly usd: number;
  readonly unit: string;
  /** Where the figure was read: a URL, or a description of the document when it has none. */
  readonly source: string;
  /** ISO date the figure was read. */
  readonly read: string;
  readonly note?: string;
}

export interface PriceTable {
  readonly region: string;
  readonly currency: 'USD';
  readonly prices: Readonly<Record<string, Price>>;
  /** Price keys with no figure for this region, and why. */
  readonly missing: Readonly<Record<string, string>>;
}

export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = Object.fromEntries(
  [usEast1, usWest2, euWest1, euCentral1].map((t) => [t.region, t as PriceTable]),
);

/** Resource types that cost nothing by themselves → why. */
export const FREE_TYPES: Readonly<Record<string, string>> = freeJson.types;

/** A price that is not in the table for the region: the caller reports the line as unpriced. */
export interface MissingPrice {
  readonly key: string;
  readonly region: string;
  readonly reason: string;
}

export type Lookup = { readonly ok: true; readonly price: Price } | { readonly ok: false; readonly missing: MissingPrice };

/** The regions the table covers, sorted. */
export function pricedRegions(): string[] {
  return Object.keys(PRICE_TABLES).sort();
}

/** Looks a price key up for a region; a region or key outside the table is a MissingPrice, never zero. */
export function lookupPrice(region: string, key: string): Lookup {
  const table = PRICE_TABLES[region];
  if (!table) return { ok: false, missing: { key, region, reason: `no price table for ${region} (tables: ${pricedRegions().join(', ')})` } };
  const price = table.prices[key];
  if (price) return { ok: true, price };
  const reason = table.missing[key];
  // A key a pricer asks for must be listed one way or the other; a test keeps this from happening.
  return { ok: false, missing: { key, region, reason: reason ?? `price key ${key} is not in tools/lib/cost/prices/${region}.json` } };
}

/**
 * DynamoDB Streams images (the low-level `{ S: … }`/`{ N: … }` attribute-value form Lambda
 * delivers) to plain objects. Kept small and local so the rules bundle does not pull in
 * @aws-sdk/util-dynamodb: numbers become JS numbers (LatestTable holds prices, not 64-bit ids),
 * sets become arrays, binary stays a base64 string.
 */
import type { LatestItem } from '../lib/contracts';

/** The attribute-value union as it appears in a stream record. */
export type StreamAttributeValue = {
  S?: string;
  N?: string;
  B?: string;
  SS?: string[];
  NS?: string[];
  BS?: string[];
  M?: Record<string, StreamAttributeValue>;
  L?: StreamAttributeValue[];
  NULL?: boolean;
  BOOL?: boolean;
};

export function fromAttributeValue(value: StreamAttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return fromImage(value.M);
  if (value.L !== undefined) return value.L.map(fromAttributeValue);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.B !== undefined) return value.B;
  if (value.BS !== undefined) return [...value.BS];
  return undefined;
}

export function fromImage(image: Record<string, StreamAttributeValue> | undefined): Record<string, unknown> | undefined {
  if (image === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(image)) out[key] = fromAttributeValue(value);
  return out;
}

/** A stream image as a LatestItem (unchecked: `decide` ignores items that are not entities). */
export function latestItemFromImage(image: Record<string, StreamAttributeValue> | undefined): LatestItem | undefined {
  return fromImage(image) as LatestItem | undefined;
}

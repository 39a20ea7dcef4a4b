/** Shared check for "encrypted with our CMK, not an AWS managed alias". */
import { branches } from '../model';
import { alwaysSet } from './rule';

/** Why a KMS key property does not name a customer managed key, or undefined when it does. */
export function notCustomerKey(value: unknown): string | undefined {
  if (!alwaysSet(value)) return 'no KMS key is set';
  const managed = branches(value).find((v) => typeof v === 'string' && /^alias\/aws\//.test(v));
  return managed !== undefined ? `${String(managed)} is an AWS managed key` : undefined;
}

/**
 * Secrets Manager reads, cached across invocations of a warm Lambda with a TTL, so a rotated
 * secret is picked up within `ttlMs` without a GetSecretValue per invocation.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from './errors';

export interface SecretCacheOptions {
  /** How long a value is reused, ms. @default 300000 (5 minutes) */
  readonly ttlMs?: number;
  /** Clock. @default () => Date.now() */
  readonly nowMs?: () => number;
}

export class SecretCache {
  private readonly entries = new Map<string, { value: string; fetchedAt: number }>();
  private readonly ttlMs: number;
  private readonly nowMs: () => number;

  constructor(
    private readonly client: SecretsManagerClient,
    options: SecretCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.nowMs = options.nowMs ?? (() => Date.now());
  }

  /** The secret's AWSCURRENT SecretString. Throws ConfigurationError when it is binary or empty. */
  async get(secretId: string): Promise<string> {
    const hit = this.entries.get(secretId);
    if (hit && this.nowMs() - hit.fetchedAt < this.ttlMs) return hit.value;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = out.SecretString;
    if (value === undefined || value.trim() === '') {
      throw new ConfigurationError(`secret ${secretId} has no SecretString; store the value as a string (plain or JSON) with put-secret-value`);
    }
    this.entries.set(secretId, { value, fetchedAt: this.nowMs() });
    return value;
  }

  /** Forget a cached value (e.g. after the provider rejected the key: it may have been rotated). */
  invalidate(secretId: string): void {
    this.entries.delete(secretId);
  }
}

/**
 * Reads one field from a secret that is either a plain string or a JSON object.
 * `secretField('{"apiKey":"k"}', ['apiKey','key'])` → `k`; `secretField('k', …)` → `k`.
 */
export function secretField(secretString: string, fields: readonly string[], secretId = 'secret'): string {
  const trimmed = secretString.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new ConfigurationError(`${secretId} looks like JSON but does not parse; store a plain string or a JSON object with one of ${fields.join(', ')}`);
  }
  for (const field of fields) {
    const v = (parsed as Record<string, unknown>)[field];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  throw new ConfigurationError(`${secretId} is JSON without any of ${fields.join(', ')}; add the field (e.g. {"${fields[0]}": "…"})`);
}

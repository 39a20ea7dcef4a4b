/**
 * Reading a function's environment. Every variable a function reads is required: the template
 * sets each one (handlers/lib/contracts.ts FUNCTIONS, templates-src/lib/lambda.ts checks the set),
 * so a missing one is a deployment bug and the function refuses to start, naming it, instead of
 * running on a default that may have drifted from the template's value.
 */
import { ConfigurationError } from './errors';

/** Reads a required environment variable; throws naming the variable when it is missing or blank. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`environment variable ${name} is not set; the function cannot run without it (check the template's Environment block)`);
  }
  return value;
}

/** Reads a required numeric environment variable; throws naming it when missing or not a finite number. */
export function requireNumberEnv(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const raw = requireEnv(name, env);
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigurationError(`environment variable ${name} must be a number (got ${JSON.stringify(raw)})`);
  return value;
}

/** Reads a required variable that must be one of `allowed` (compared trimmed and lower-cased). */
export function requireOneOfEnv<T extends string>(name: string, allowed: readonly T[], env: NodeJS.ProcessEnv = process.env): T {
  const raw = requireEnv(name, env);
  const value = raw.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(value))
    throw new ConfigurationError(`environment variable ${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(raw)})`);
  return value as T;
}

/** Reads a comma-separated list (`AAPL,MSFT`), trimmed, empty entries dropped. */
export function listEnv(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return requireEnv(name, env)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

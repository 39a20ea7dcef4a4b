import { ConfigurationError } from './errors';

/** Reads a required environment variable; throws naming the variable when it is missing. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`environment variable ${name} is not set; the function cannot run without it (check the template's Environment block)`);
  }
  return value;
}

/** Reads a numeric environment variable, with a default when unset. */
export function numberEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigurationError(`environment variable ${name} must be a number (got ${JSON.stringify(raw)})`);
  return value;
}

/** Reads a comma-separated list (`AAPL,MSFT`), trimmed, empty entries dropped. */
export function listEnv(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return requireEnv(name, env)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The one way every `tools/<verb>.ts` reads its command line and ends: `node:util` `parseArgs`
 * (so `--flag value` and `--flag=value` both work), `--help`/`-h` and `--debug` on every tool,
 * one-line errors, and the same exit codes everywhere:
 *
 * | outcome                                   | exit | printed                                  |
 * |-------------------------------------------|------|------------------------------------------|
 * | success                                   | 0    | whatever the tool prints                 |
 * | the work failed (ToolError, exitCode 1)   | 1    | the message, one line                    |
 * | bad flags or unusable input (UsageError)  | 2    | `<tool>: <message>` and the usage        |
 * | a bug (any other error)                   | 1    | `<tool> failed: <message>`; stack with --debug |
 *
 * Flag values that name a URL, a region or a number are checked here, naming the flag, so a typo
 * never reaches an SDK (`--endpoint-url not-a-url` is a usage error, not `TypeError: Invalid URL`).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { anchored, matcher, REGION } from '../../contracts/values';
import { ToolError, UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CliSpec<O extends Options> {
  /** The tool's name as users type it after `npm run` (`deploy`, `grade`). */
  readonly name: string;
  /** Full usage text printed by `--help` and after a usage error. */
  readonly usage: string;
  /** `parseArgs` options; `help` and `debug` are added to every tool. */
  readonly options: O;
  /** Accept positional arguments (files, submissions). @default false */
  readonly allowPositionals?: boolean;
}

const COMMON = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const;

/** The parsed values of options `O`: a string or boolean each (an array with `multiple`), absent when not given. */
export type CliValues<O extends Options> = {
  readonly [K in keyof O]?: O[K] extends { type: 'boolean' }
    ? O[K] extends { multiple: true }
      ? boolean[]
      : boolean
    : O[K] extends { multiple: true }
      ? string[]
      : string;
} & { readonly help?: boolean; readonly debug?: boolean };

export interface CliArgs<O extends Options> {
  readonly values: CliValues<O>;
  readonly positionals: string[];
  readonly debug: boolean;
}

/** Parses `argv` strictly; unknown flags and missing values are `UsageError`s naming the flag. */
export function parseCli<O extends Options>(spec: CliSpec<O>, argv: readonly string[]): CliArgs<O> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: { ...spec.options, ...COMMON }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(plainParseError(error));
  }
  if (!spec.allowPositionals && parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  }
  const values = parsed.values as CliValues<O>;
  return { values, positionals: parsed.positionals, debug: values.debug === true };
}

/** node's messages end with a hint about `--` that does not apply to npm scripts; keep the first sentence. */
function plainParseError(error: unknown): string {
  const message = (error as Error).message;
  return message.replace(/\. To specify a positional argument.*$/s, '').replace(/\.$/, '');
}

/**
 * The SDK (@aws-sdk/core `emitWarningIfUnsupportedVersion`, called when a client is built) warns
 * on every Node below 22 that *future* SDK releases will need Node 22, unless
 * AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED is "true". Our SDK versions are pinned and run
 * on Node 20 (README, "Node versions"), so the warning tells a user of these tools nothing they can
 * act on; a value the user set is kept. Every tool run through {@link runCli} calls this.
 */
export function quietSdkNodeWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/**
 * Runs a tool's `main` with its parsed arguments and exits with the code of the outcome (table
 * above). `--help` prints the usage and exits 0 without calling `main`.
 */
export function runCli<O extends Options>(spec: CliSpec<O>, main: (args: CliArgs<O>) => Promise<number> | number): void {
  quietSdkNodeWarning();
  const argv = process.argv.slice(2);
  const debug = argv.includes('--debug');
  const finish = (code: number): void => {
    process.exitCode = code;
    // Let stdout drain before leaving: process.exit() right after a large write can truncate a pipe.
    process.stdout.write('', () => process.exit(code));
  };
  let args: CliArgs<O>;
  try {
    args = parseCli(spec, argv);
  } catch (error) {
    report(spec, error, debug);
    finish(exitCodeOf(error));
    return;
  }
  if (args.values.help) {
    console.log(spec.usage);
    finish(0);
    return;
  }
  Promise.resolve()
    .then(() => main(args))
    .then(finish, (error: unknown) => {
      report(spec, error, debug);
      finish(exitCodeOf(error));
    });
}

function exitCodeOf(error: unknown): number {
  return error instanceof ToolError ? error.exitCode : 1;
}

function report(spec: CliSpec<Options>, error: unknown, debug: boolean): void {
  if (error instanceof UsageError) {
    console.error(`${spec.name}: ${error.message}`);
    console.error(spec.usage);
  } else if (error instanceof ToolError) {
    console.error(error.message);
  } else {
    console.error(`${spec.name} failed: ${(error as Error)?.message ?? String(error)}`);
    if (!debug) console.error('(run again with --debug for the stack trace)');
  }
  if (debug) console.error(error);
}

/** `--flag` must be an http(s) URL with a host; returns it without a trailing slash. */
export function urlFlag(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag} must be an http:// or https:// URL such as http://localhost:4566 (got '${value}')`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new UsageError(`--${flag} must be an http:// or https:// URL such as http://localhost:4566 (got '${value}')`);
  }
  return value.replace(/\/+$/, '');
}

const REGION_MATCHER = matcher(anchored(REGION));

/** True for an AWS region name of the shape our parameters accept (contracts/values.ts). */
export function isRegionName(value: string): boolean {
  return REGION_MATCHER.test(value);
}

/** `--flag` must be an AWS region name of the shape our parameters accept (contracts/values.ts). */
export function regionFlag(flag: string, value: string): string {
  if (!isRegionName(value)) throw new UsageError(`--${flag} must be ${REGION.description} (got '${value}')`);
  return value;
}

export interface NumberBounds {
  /** Smallest allowed value (inclusive). */
  readonly min?: number;
  /** Largest allowed value (inclusive). */
  readonly max?: number;
  /** Only whole numbers. @default false */
  readonly integer?: boolean;
}

/** `--flag` must be a finite number within the bounds; the message names the flag and the bounds. */
export function numberFlag(flag: string, value: string, bounds: NumberBounds = {}): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  const { min, max, integer = false } = bounds;
  const range = [min !== undefined ? `≥ ${min}` : '', max !== undefined ? `≤ ${max}` : ''].filter(Boolean).join(' and ');
  const kind = integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || (min !== undefined && n < min) || (max !== undefined && n > max)) {
    throw new UsageError(`--${flag} must be ${kind}${range ? ` ${range}` : ''} (got '${value}')`);
  }
  return n;
}

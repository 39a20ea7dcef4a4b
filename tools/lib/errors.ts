/**
 * The tools' one base error class. A `ToolError` is an expected failure with a one-line message
 * (what, where, fix) that the CLI prints without a stack trace; anything else is a bug and is
 * printed with its stack under `--debug`.
 *
 * Exit codes, the same for every tool: 0 success, 1 the work failed, 2 bad usage or unusable input
 * (nothing was done), 130 interrupted.
 */
export class ToolError extends Error {
  override readonly name: string = 'ToolError';
  /**
   * @param exitCode process exit code the CLI uses. @default 1
   */
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad flags or unusable input: exit code 2, nothing was done. */
export class UsageError extends ToolError {
  override readonly name: string = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
  }
}

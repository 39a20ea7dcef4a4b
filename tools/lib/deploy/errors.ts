/** Deploy-specific failures; the base classes live in tools/lib/errors.ts. */
import { ToolError } from '../errors';

export { ToolError, UsageError } from '../errors';

/** A parameter file or a `--parameter` flag is invalid; nothing was sent to AWS. `problems` holds every line. */
export class ParameterFileError extends ToolError {
  override readonly name = 'ParameterFileError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'), 2);
  }
}

/** A deploy could not proceed or failed; the message says what happened and what to do next. */
export class DeployError extends ToolError {
  override readonly name = 'DeployError';
}

/** Packaging failed (missing artifact, template over a CloudFormation limit, upload error). */
export class PackageError extends ToolError {
  override readonly name = 'PackageError';
}

/** Wraps an AWS SDK error with what we were doing: `creating change set x: AccessDenied: ...`. */
export function describeAwsError(doing: string, error: unknown): string {
  const e = error as { name?: string; message?: string; Code?: string };
  const code = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${doing}: ${code}${e.message ?? String(error)}`;
}

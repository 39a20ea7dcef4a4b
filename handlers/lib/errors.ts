/**
 * One base error class; subclasses end in `Error` and their messages state the consequence.
 * `retryable` tells the batch processor whether the record should go back to Lambda
 * (transient faults) or be quarantined (bad data).
 */
export class PipelineError extends Error {
  override readonly name: string = 'PipelineError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A downstream write did not complete (UnprocessedItems, FailedRecordCount, S3 5xx): retry the record. */
export class PartialWriteError extends PipelineError {
  override readonly name = 'PartialWriteError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, true, options);
  }
}

/** The input can never succeed (bad base64, malformed JSON, schema violation): quarantine, do not retry. */
export class InvalidRecordError extends PipelineError {
  override readonly name = 'InvalidRecordError';
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message, false);
  }
}

/** A required environment variable is missing or malformed: the function cannot start. */
export class ConfigurationError extends PipelineError {
  override readonly name = 'ConfigurationError';
  constructor(message: string) {
    super(message, false);
  }
}

/**
 * The Lambda event is not the shape the function is wired for (no `Records`, a record without its
 * `kinesis`/`dynamodb`/`Sns` part, a field of the wrong type): a wiring bug, not bad data. The
 * function fails the invocation before touching anything, with a one-line message naming the
 * first problem.
 */
export class MalformedEventError extends PipelineError {
  override readonly name = 'MalformedEventError';
  constructor(message: string) {
    super(message, false);
  }
}

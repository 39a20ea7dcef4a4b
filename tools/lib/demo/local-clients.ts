/**
 * SDK client settings for the demo's local services: tools/lib/local-aws.ts's (fake credentials,
 * HTTP/1.1 for kinesalite, few retries) plus what keeps the SDK's own per-call cost down, since at
 * replay speed the handlers make thousands of calls a second on one thread:
 *
 * | setting                    | why                                                                                   |
 * | -------------------------- | ------------------------------------------------------------------------------------- |
 * | a logger without `info`    | the SDK's loggerMiddleware builds a redacted copy of every input and output for `logger.info` even when the default logger drops it; it skips that work when there is no `info` method (`logger?.info?.(…)`) |
 * | a keep-alive agent with 256 sockets (S3: 32) | the handlers write with up to 32 calls in flight each; the default 50 sockets queue them. The enricher writes all of a batch's raw and Parquet objects at once (two per trading day of a history): s3rver answers 32 at a time as fast as more (see bench:replay's ceilings) and drops connections under hundreds |
 * | a fixed `endpointProvider` (DynamoDB, Kinesis) | the endpoint rule set is evaluated on every call although a local endpoint is always the same URL; not for S3, whose rules add the bucket to path-style URLs |
 *
 * None of this changes what a call does: the same middleware (including the demo's fault
 * injection and stream capture), retries and serialisation run. Not used: the SDK's
 * `cacheMiddleware` — lib-dynamodb refuses it, and with it concurrent calls of one command class
 * share one handler context (an S3 ListObjects on one bucket then answered for another).
 */
import http from 'node:http';
import type { Logger } from '@smithy/types';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { localClientConfig } from '../local-aws';

/** debug/warn/error like the SDK's NoOpLogger, and no `info` (see the table above). */
const SDK_LOGGER_WITHOUT_INFO = { debug: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

export function fastLocalConfig(endpoint: string, maxSockets = 256): ReturnType<typeof localClientConfig> & { logger: Logger } {
  return {
    ...localClientConfig(endpoint),
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets }) }),
    logger: SDK_LOGGER_WITHOUT_INFO,
  };
}

/** For DynamoDB and Kinesis clients: the endpoint rule set skipped (see the table above). */
export function fixedEndpointConfig(endpoint: string): ReturnType<typeof fastLocalConfig> & { endpointProvider: () => { url: URL } } {
  const url = new URL(endpoint);
  return { ...fastLocalConfig(endpoint), endpointProvider: () => ({ url }) };
}

/** An S3 client for s3rver: path-style, checksums only when required (else aws-chunked bodies, DESIGN §11). */
export function fastS3Client(endpoint: string): S3Client {
  return new S3Client({
    ...fastLocalConfig(endpoint, 32),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

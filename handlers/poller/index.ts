/**
 * Poller: EventBridge Scheduler target. Scheduler invokes the function with the schedule's
 * configured Input as the payload (no EventBridge envelope; see fixtures/SOURCES.md), so the
 * payload is only logged. Wiring only: lease → poll (poll.ts) → PutRecords (lib/kinesis.ts) →
 * release, and a summary that is logged, emitted as metrics and returned.
 *
 * Failure contract: provider problems (no data, rate limits, errors) are per entity and reported;
 * records that Kinesis still rejects after bounded retries fail the invocation (PartialWriteError)
 * so Scheduler's retry policy runs the poll again (downstream writes are idempotent on ts).
 */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { partitionKey } from '../lib/contracts';
import { realSleep, type Sleep } from '../lib/backoff';
import { globalFetch, type FetchLike } from '../lib/http';
import { assertAllWritten, jsonEntry, putRecordsReliably, type PutRecordsOptions } from '../lib/kinesis';
import { observability, type Observability } from '../lib/observability';
import { SecretCache, secretField } from '../lib/secrets';
import { pollerConfigFromEnv, type PollerConfig } from './config';
import { dynamoLease, type Lease } from './lease';
import { pollAll, type EntityReport, type PollOptions } from './poll';

export interface PollerSummary {
  readonly runId: string;
  readonly status: 'completed' | 'lease-held';
  readonly provider: string;
  readonly symbols: number;
  readonly cities: number;
  /** Canonical events produced and written to Kinesis. */
  readonly events: number;
  readonly written: number;
  readonly writeFailures: readonly { entity: string; errorCode: string }[];
  readonly noData: readonly EntityReport[];
  readonly rateLimited: readonly EntityReport[];
  readonly failed: readonly EntityReport[];
  readonly skipped: readonly EntityReport[];
  readonly requests: number;
  readonly waitedMs: number;
}

/** What the secret cache must offer (SecretCache, or a stub in tests). */
export interface SecretSource {
  get(secretId: string): Promise<string>;
  invalidate(secretId: string): void;
}

export interface PollerDeps {
  readonly config: PollerConfig;
  readonly kinesis: KinesisClient;
  /** Document client for the lease table. */
  readonly doc: DynamoDBDocumentClient;
  readonly secrets: SecretSource;
  /** @default globalFetch */
  readonly fetch?: FetchLike;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default setTimeout-based sleep */
  readonly sleep?: Sleep;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default dynamoLease(doc, config.leaseTableName) */
  readonly lease?: Lease;
  /** Lease length, s: longer than the function timeout. @default 120 */
  readonly leaseSeconds?: number;
  readonly pollOptions?: PollOptions;
  readonly putOptions?: PutRecordsOptions;
  /** @default observability('poller') */
  readonly obs?: Observability;
}

export type PollerHandler = (event: unknown, context?: Pick<Context, 'awsRequestId'>) => Promise<PollerSummary>;

export function createHandler(deps: PollerDeps): PollerHandler {
  const { config } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? realSleep;
  const lease = deps.lease ?? dynamoLease(deps.doc, config.leaseTableName);
  const leaseSeconds = deps.leaseSeconds ?? 120;
  const { logger, metrics } = deps.obs ?? observability('poller');

  return async (event, context) => {
    const runId = context?.awsRequestId ?? randomUUID();
    const base = { runId, provider: config.provider, symbols: config.symbols.length, cities: config.cities.length };
    logger.info('poll run starting', { runId, payload: event, symbols: config.symbols, cities: config.cities.map((c) => c.name) });
    try {
      if (!(await lease.acquire(runId, now(), leaseSeconds))) {
        logger.warn('another poll run holds the lease; this run does nothing', { runId });
        metrics.addMetric('PollerLeaseHeld', MetricUnit.Count, 1);
        return {
          ...base,
          status: 'lease-held',
          events: 0,
          written: 0,
          writeFailures: [],
          noData: [],
          rateLimited: [],
          failed: [],
          skipped: [],
          requests: 0,
          waitedMs: 0,
        };
      }
      let summary: PollerSummary | undefined;
      try {
        const polled = await pollAll(
          config,
          {
            fetch: deps.fetch ?? globalFetch,
            getApiKey: async () => secretField(await deps.secrets.get(config.marketDataSecretArn), ['apiKey', 'key', 'token'], config.marketDataSecretArn),
            onAuthFailure: () => deps.secrets.invalidate(config.marketDataSecretArn),
            now,
            sleep,
            ...(deps.random ? { random: deps.random } : {}),
          },
          deps.pollOptions,
        );
        const entries = polled.events.map((e) => jsonEntry(partitionKey(e), e));
        const put =
          entries.length > 0
            ? await putRecordsReliably(deps.kinesis, config.streamName, entries, { sleep, ...(deps.random ? { random: deps.random } : {}), ...deps.putOptions })
            : undefined;
        summary = {
          ...base,
          status: 'completed',
          events: entries.length,
          written: put?.written ?? 0,
          writeFailures: (put?.failed ?? []).map((f) => ({ entity: f.partitionKey, errorCode: f.errorCode })),
          noData: polled.noData,
          rateLimited: polled.rateLimited,
          failed: polled.failed,
          skipped: polled.skipped,
          requests: polled.requests,
          waitedMs: polled.waitedMs,
        };
        metrics.addMetric('EventsWritten', MetricUnit.Count, summary.written);
        metrics.addMetric('ProviderNoData', MetricUnit.Count, summary.noData.length);
        metrics.addMetric('ProviderRateLimited', MetricUnit.Count, summary.rateLimited.length);
        metrics.addMetric('ProviderFailures', MetricUnit.Count, summary.failed.length);
        metrics.addMetric('ProviderSkipped', MetricUnit.Count, summary.skipped.length);
        metrics.addMetric('KinesisWriteFailures', MetricUnit.Count, summary.writeFailures.length);
        if (summary.rateLimited.length > 0)
          logger.warn('provider rate limits hit; affected entities were backed off and skipped', {
            runId,
            rateLimited: summary.rateLimited,
            skipped: summary.skipped,
          });
        if (summary.failed.length > 0) logger.error('provider requests failed', { runId, failed: summary.failed });
        logger.info('poll run finished', { summary });
        if (put) assertAllWritten(put, config.streamName);
        return summary;
      } finally {
        await lease.release(
          runId,
          now(),
          summary
            ? { events: summary.events, written: summary.written, rateLimited: summary.rateLimited.length, failed: summary.failed.length }
            : { aborted: true },
        );
      }
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

let cached: PollerHandler | undefined;

/** Lambda entry point: clients and config from the environment, created on first use. */
export const handler: PollerHandler = (event, context) => {
  if (!cached) {
    const obs = observability('poller');
    const config = pollerConfigFromEnv();
    cached = createHandler({
      config,
      kinesis: obs.tracer.captureAWSv3Client(new KinesisClient({})),
      doc: DynamoDBDocumentClient.from(obs.tracer.captureAWSv3Client(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } }),
      secrets: new SecretCache(obs.tracer.captureAWSv3Client(new SecretsManagerClient({}))),
      obs,
    });
  }
  return cached(event, context);
};

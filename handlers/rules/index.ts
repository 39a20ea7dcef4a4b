/**
 * Rules engine: LatestTable stream (NEW_AND_OLD_IMAGES) → decide → dedupe marker → SNS.
 * Wiring only; the rules live in decide.ts. Market rules publish to MARKET_ALERTS_TOPIC_ARN,
 * weather rules to WEATHER_ALERTS_TOPIC_ARN. A record whose marker write or publish fails
 * is reported in `batchItemFailures` (the ESM retries it, then sends it to the on-failure queue).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Alert } from '../lib/contracts';
import { requireEnv, requireNumberEnv } from '../lib/env';
import { dynamodbRecords } from '../lib/events';
import { observability, type Observability } from '../lib/observability';
import { publishAlert } from '../lib/sns';
import { dynamoAlertStore, type AlertStore } from './alerts';
import { decide, type Thresholds } from './decide';
import { latestItemFromImage, type StreamAttributeValue } from './image';

export interface RulesConfig {
  readonly latestTableName: string;
  readonly marketAlertsTopicArn: string;
  readonly weatherAlertsTopicArn: string;
  readonly thresholds: Thresholds;
}

/**
 * Reads FUNCTIONS.rules from the environment. Every variable is required: the thresholds come
 * from the root parameters through the template, and a missing one is a startup error naming it.
 */
export function rulesConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RulesConfig {
  return {
    latestTableName: requireEnv('LATEST_TABLE_NAME', env),
    marketAlertsTopicArn: requireEnv('MARKET_ALERTS_TOPIC_ARN', env),
    weatherAlertsTopicArn: requireEnv('WEATHER_ALERTS_TOPIC_ARN', env),
    thresholds: {
      stockDropPercent: requireNumberEnv('STOCK_DROP_PERCENT', env),
      heatThresholdC: requireNumberEnv('HEAT_THRESHOLD_C', env),
      coldThresholdC: requireNumberEnv('COLD_THRESHOLD_C', env),
      windThresholdKph: requireNumberEnv('WIND_THRESHOLD_KPH', env),
      precipThresholdMm: requireNumberEnv('PRECIP_THRESHOLD_MM', env),
    },
  };
}

export interface RulesDeps {
  readonly config: RulesConfig;
  /** Document client for LatestTable (alert markers). */
  readonly doc: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  /** Clock for marker timestamps. @default () => new Date() */
  readonly now?: () => Date;
  /** Marker store. @default dynamoAlertStore(doc, config.latestTableName) */
  readonly alertStore?: AlertStore;
  /** @default observability('rules') */
  readonly obs?: Observability;
  /** Called with every alert that was published (the local demo writes them to .demo/alerts.ndjson). */
  readonly onAlert?: (alert: Alert) => void | Promise<void>;
}

export type RulesHandler = (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse>;

export function createHandler(deps: RulesDeps): RulesHandler {
  const { config, sns } = deps;
  const now = deps.now ?? (() => new Date());
  const store = deps.alertStore ?? dynamoAlertStore(deps.doc, config.latestTableName);
  const { logger, metrics } = deps.obs ?? observability('rules');
  // Sequential: records of one item arrive in order and its alerts should be judged in order.
  const processor = new BatchProcessor(EventType.DynamoDBStreams);

  const recordHandler = async (record: DynamoDBRecord): Promise<void> => {
    if (record.eventName === 'REMOVE') return;
    const oldImage = latestItemFromImage(record.dynamodb?.OldImage as Record<string, StreamAttributeValue> | undefined);
    const newImage = latestItemFromImage(record.dynamodb?.NewImage as Record<string, StreamAttributeValue> | undefined);
    const alerts = decide(oldImage, newImage, config.thresholds);
    for (const alert of alerts) {
      const at = now();
      if (!(await store.claim(alert, at))) {
        logger.info('alert already sent today; skipped', { rule: alert.rule, entity: alert.entity, ts: alert.ts });
        metrics.addMetric('AlertsDeduplicated', MetricUnit.Count, 1);
        continue;
      }
      const topicArn =
        alert.rule === 'stock-drop' || alert.rule === 'golden-cross' || alert.rule === 'death-cross'
          ? config.marketAlertsTopicArn
          : config.weatherAlertsTopicArn;
      const messageId = await publishAlert(sns, topicArn, alert);
      await store.markSent(alert, messageId, at);
      logger.info('alert published', { rule: alert.rule, entity: alert.entity, ts: alert.ts, values: alert.values, messageId });
      metrics.addMetric('AlertsPublished', MetricUnit.Count, 1);
      await deps.onAlert?.(alert);
    }
  };

  return async (event, context) => {
    dynamodbRecords(event, 'rules');
    try {
      return await processPartialResponse(event, recordHandler, processor, { processInParallel: false, ...(context ? { context } : {}) });
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

let cached: RulesHandler | undefined;

/** Lambda entry point: clients and config from the environment, created on first use. */
export const handler: RulesHandler = (event, context) => {
  if (!cached) {
    const obs = observability('rules');
    const ddb = obs.tracer.captureAWSv3Client(new DynamoDBClient({}));
    cached = createHandler({
      config: rulesConfigFromEnv(),
      doc: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
      sns: obs.tracer.captureAWSv3Client(new SNSClient({})),
      obs,
    });
  }
  return cached(event, context);
};

/**
 * The Lambda functions: bundle name (`dist/handlers/<name>.zip`) → the environment variables the
 * function reads. Written once here because both sides need it (DESIGN §2 forbids templates-src/ ↔
 * handlers/ imports): the templates set exactly these variables on each function
 * (templates-src/lib/lambda.ts refuses any other set) and the handlers read them, each required
 * (handlers/lib/env.ts: a missing one is a startup error naming it).
 */
export const FUNCTIONS = {
  poller: ['STREAM_NAME', 'SYMBOLS', 'CITIES', 'MARKET_DATA_SECRET_ARN', 'MARKET_DATA_PROVIDER', 'LEASE_TABLE_NAME'],
  enricher: ['METRICS_TABLE_NAME', 'LATEST_TABLE_NAME', 'RAW_BUCKET_NAME', 'PROCESSED_BUCKET_NAME', 'MAX_CLOCK_SKEW_SECONDS'],
  aggregator: ['METRICS_TABLE_NAME', 'LATEST_TABLE_NAME', 'MAX_CLOCK_SKEW_SECONDS'],
  rules: [
    'LATEST_TABLE_NAME',
    'MARKET_ALERTS_TOPIC_ARN',
    'WEATHER_ALERTS_TOPIC_ARN',
    'STOCK_DROP_PERCENT',
    'HEAT_THRESHOLD_C',
    'COLD_THRESHOLD_C',
    'WIND_THRESHOLD_KPH',
    'PRECIP_THRESHOLD_MM',
  ],
  notifier: ['SLACK_WEBHOOK_SECRET_ARN'],
  rotation: ['MARKET_DATA_PROVIDER'],
} as const satisfies Record<string, readonly string[]>;

export type FunctionName = keyof typeof FUNCTIONS;

/** Every function also gets these (Powertools). */
export const COMMON_ENVIRONMENT = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'LOG_LEVEL'] as const;

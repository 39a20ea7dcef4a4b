/**
 * Powertools for AWS Lambda: JSON logs, EMF metrics and X-Ray tracing, created once per
 * function at module scope. Service name and namespace come from POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_METRICS_NAMESPACE (set by the templates); the defaults keep tests and the demo quiet.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** @param serviceName used when POWERTOOLS_SERVICE_NAME is unset (tests, the local demo) */
export function observability(serviceName: string): Observability {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'StockWeather' });
  const tracer = new Tracer({ serviceName, enabled: process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined && process.env.POWERTOOLS_TRACE_ENABLED !== 'false' });
  return { logger, metrics, tracer };
}

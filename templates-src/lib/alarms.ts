/**
 * Alarms the pipeline needs beyond `observability.alarm`: a physical alarm name (so dashboards and
 * runbooks can find it), metric-math alarms (error rate = Errors / Invocations, read + write
 * throttles), and the shapes repeated per function, queue and table.
 */
import Alarm from 'cloudform-types/types/cloudWatch/alarm';
import type { Value } from './fn';
import { physicalName } from './names';
import { alarm, type AlarmProps } from './observability';

/** `observability.alarm` plus `AlarmName: ${NamePrefix}-<suffix>`. */
export function namedAlarm(nameSuffix: string, props: AlarmProps & { readonly datapointsToAlarm?: number }): Alarm {
  const a = alarm(props);
  a.Properties.AlarmName = physicalName(nameSuffix);
  if (props.datapointsToAlarm !== undefined) a.Properties.DatapointsToAlarm = props.datapointsToAlarm;
  return a;
}

export interface MetricInput {
  /** Expression ID (lower camel case: CloudWatch requires a lower-case first letter). */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, Value<string>>>;
  /** @default Sum */
  readonly stat?: string;
}

export interface MathAlarmProps {
  readonly nameSuffix: string;
  readonly description: string;
  readonly inputs: readonly MetricInput[];
  /** Metric-math expression over the input IDs, e.g. `100 * errors / invocations`. */
  readonly expression: string;
  readonly label: string;
  readonly threshold: number;
  readonly comparison: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold';
  /** @default 300 */
  readonly periodSeconds?: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  readonly actions: readonly Value<string>[];
}

/** An alarm on a metric-math expression; missing data is not breaching. */
export function mathAlarm(props: MathAlarmProps): Alarm {
  const period = props.periodSeconds ?? 300;
  return new Alarm({
    AlarmName: physicalName(props.nameSuffix),
    AlarmDescription: props.description,
    Metrics: [
      ...props.inputs.map((m) => ({
        Id: m.id,
        ReturnData: false,
        MetricStat: {
          Metric: { Namespace: m.namespace, MetricName: m.metricName, Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })) },
          Period: period,
          Stat: m.stat ?? 'Sum',
        },
      })),
      { Id: 'result', Expression: props.expression, Label: props.label, ReturnData: true },
    ],
    Threshold: props.threshold,
    ComparisonOperator: props.comparison,
    EvaluationPeriods: props.evaluationPeriods ?? 1,
    TreatMissingData: 'notBreaching',
    AlarmActions: [...props.actions],
    OKActions: [...props.actions],
  });
}

/** Errors / Invocations in percent over 5 minutes, at or above `percent`. */
export function errorRateAlarm(fn: string, functionName: Value<string>, percent: number, actions: readonly Value<string>[]): Alarm {
  const dimensions = { FunctionName: functionName };
  return mathAlarm({
    nameSuffix: `${fn}-error-rate`,
    description: `${fn}: ${percent} % or more of invocations failed in 5 minutes`,
    inputs: [
      { id: 'errors', namespace: 'AWS/Lambda', metricName: 'Errors', dimensions },
      { id: 'invocations', namespace: 'AWS/Lambda', metricName: 'Invocations', dimensions },
    ],
    expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
    label: 'Error rate (%)',
    threshold: percent,
    comparison: 'GreaterThanOrEqualToThreshold',
    actions,
  });
}

/** Messages waiting in a dead-letter queue: any is a record the pipeline failed to process. */
export function queueDepthAlarm(nameSuffix: string, queueName: Value<string>, actions: readonly Value<string>[]): Alarm {
  return namedAlarm(nameSuffix, {
    description: `Dead-letter queue ${nameSuffix.replace(/-depth$/, '')} holds messages: inspect and replay (npm run replay-dlq)`,
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: queueName },
    statistic: 'Maximum',
    threshold: 0,
    comparison: 'GreaterThanThreshold',
    periodSeconds: 300,
    actions,
  });
}

/** Read plus write throttle events on a table (base table and its indexes report separately; this is the table). */
export function tableThrottleAlarm(nameSuffix: string, tableName: Value<string>, actions: readonly Value<string>[]): Alarm {
  const dimensions = { TableName: tableName };
  return mathAlarm({
    nameSuffix,
    description: `DynamoDB throttled reads or writes on ${nameSuffix.replace(/-throttles$/, '')}`,
    inputs: [
      { id: 'reads', namespace: 'AWS/DynamoDB', metricName: 'ReadThrottleEvents', dimensions },
      { id: 'writes', namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensions },
    ],
    expression: 'FILL(reads, 0) + FILL(writes, 0)',
    label: 'Throttle events',
    threshold: 0,
    comparison: 'GreaterThanThreshold',
    actions,
  });
}

import Alarm from 'cloudform-types/types/cloudWatch/alarm';
import LogGroup from 'cloudform-types/types/logs/logGroup';
import type { Value } from './fn';
import { retained } from './resources';

export interface LogGroupProps {
  readonly logGroupName: Value<string>;
  /** Days to keep events. @default 90 */
  readonly retentionDays?: number;
  /** KMS key ARN; the key policy must allow `logs.<region>.amazonaws.com`. */
  readonly kmsKeyArn: Value<string>;
}

/** An encrypted log group with finite retention, retained on delete (logs are evidence). */
export function logGroup(props: LogGroupProps): LogGroup {
  return retained(
    new LogGroup({
      LogGroupName: props.logGroupName,
      RetentionInDays: props.retentionDays ?? 90,
      KmsKeyId: props.kmsKeyArn,
    }),
  );
}

export interface AlarmProps {
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, Value<string>>>;
  readonly statistic?: 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount';
  readonly threshold: number;
  readonly comparison?: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  /** Period in seconds. @default 60 */
  readonly periodSeconds?: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** Topic ARNs notified on ALARM and OK. */
  readonly actions: readonly Value<string>[];
}

/** A metric alarm that treats missing data as not breaching and notifies on ALARM and OK. */
export function alarm(props: AlarmProps): Alarm {
  return new Alarm({
    AlarmDescription: props.description,
    Namespace: props.namespace,
    MetricName: props.metricName,
    Dimensions: Object.entries(props.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Statistic: props.statistic ?? 'Sum',
    Period: props.periodSeconds ?? 60,
    EvaluationPeriods: props.evaluationPeriods ?? 1,
    Threshold: props.threshold,
    ComparisonOperator: props.comparison ?? 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [...props.actions],
    OKActions: [...props.actions],
  });
}

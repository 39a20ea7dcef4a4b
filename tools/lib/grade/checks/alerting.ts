/** Step 8 – Alarms (8.2) and the four SNS topics (8.3); the rules engine (8.1) is in processing.ts. */
import { wiredDeadLetterQueues } from './ingestion';
import { allText, ev, foundIf, isRecord, named, properties, type BulletCheck, type ResourceRef } from './kit';

/** `Namespace/MetricName` of an alarm, metric-math alarms' `Metrics[].MetricStat.Metric` included. */
export function alarmMetrics(alarm: ResourceRef): string[] {
  const p = properties(alarm.resource);
  const out: string[] = [];
  if (p.MetricName !== undefined) out.push(`${allText(p.Namespace)}/${allText(p.MetricName)}`);
  for (const m of Array.isArray(p.Metrics) ? p.Metrics : []) {
    const metric = isRecord(m) && isRecord(m.MetricStat) && isRecord(m.MetricStat.Metric) ? m.MetricStat.Metric : undefined;
    if (metric) out.push(`${allText(metric.Namespace)}/${allText(metric.MetricName)}`);
  }
  return out;
}

/** 8.2: which metrics satisfy each alarm kind. */
export const ALARM_KINDS: readonly { readonly label: string; readonly metrics: readonly string[]; readonly missing: string }[] = [
  { label: 'alarm on Lambda errors', metrics: ['AWS/Lambda/Errors'], missing: 'Lambda errors (AWS/Lambda Errors)' },
  {
    label: 'alarm on Kinesis lag',
    metrics: ['AWS/Kinesis/GetRecords.IteratorAgeMilliseconds', 'AWS/Lambda/IteratorAge'],
    missing: 'Kinesis lag (AWS/Kinesis GetRecords.IteratorAgeMilliseconds or AWS/Lambda IteratorAge)',
  },
  {
    label: 'alarm on DLQ depth',
    metrics: ['AWS/SQS/ApproximateNumberOfMessagesVisible'],
    missing: 'DLQ depth (AWS/SQS ApproximateNumberOfMessagesVisible on a dead-letter queue)',
  },
];

export const alarms: BulletCheck = ({ tree }) => {
  const all = tree.resources('AWS::CloudWatch::Alarm');
  const dlqs = new Set([...wiredDeadLetterQueues(tree).values()].map((w) => `${w.queue.file}#${w.queue.logicalId}`));
  return {
    parts: ALARM_KINDS.map((kind) => {
      let matching = all.filter((a) => alarmMetrics(a).some((m) => kind.metrics.includes(m)));
      if (kind.label === 'alarm on DLQ depth' && dlqs.size > 0) {
        const onDlq = matching.filter(
          (a) =>
            tree.resolve(a.file, properties(a.resource).Dimensions).some((q) => dlqs.has(`${q.file}#${q.logicalId}`)) ||
            /dlq|dead/i.test(allText(properties(a.resource).Dimensions) + a.logicalId),
        );
        if (onDlq.length > 0) matching = onDlq;
      }
      return foundIf(
        kind.label,
        matching.map((a) => ev(tree, a, 'Properties.MetricName', undefined, alarmMetrics(a).join(', '))),
        kind.missing,
      );
    }),
    advice: 'AWS::CloudWatch::Alarm with Namespace, MetricName, Dimensions and AlarmActions to the OpsAlerts topic',
  };
};

/** 8.3: the four topics, by name. */
export const TOPICS = ['OpsAlerts', 'MarketAlerts', 'WeatherAlerts', 'FinOpsAlerts'] as const;

export const topics: BulletCheck = ({ tree }) => {
  const all = tree.resources('AWS::SNS::Topic');
  return {
    parts: TOPICS.map((name) => {
      // `ops[-_ ]?alerts` not preceded by a letter, so OpsAlerts does not match FinOpsAlerts.
      const pattern = new RegExp(`(^|[^a-z])${name.replace(/Alerts$/, '').replace(/([a-z])([A-Z])/g, '$1[-_ ]?$2')}[-_ ]?alerts?`, 'i');
      return foundIf(
        `${name} topic`,
        named(all, pattern).map((t) => ev(tree, t)),
        name,
      );
    }),
    advice: 'AWS::SNS::Topic each, named in the logical ID or TopicName',
  };
};

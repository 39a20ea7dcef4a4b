/** Step 8: alarms and the four SNS topics (security.yaml). */
import { isRecord, properties, type Json, type ResourceRef } from '../model';
import { fail, ids, named, pass, where, type BulletCheck } from './types';

/** `Namespace/MetricName` of an alarm, including metric-math alarms' `Metrics[].MetricStat.Metric`. */
export function alarmMetrics(alarm: ResourceRef): string[] {
  const p = properties(alarm.resource);
  const out: string[] = [];
  if (typeof p.MetricName === 'string') out.push(`${String(p.Namespace)}/${p.MetricName}`);
  for (const m of Array.isArray(p.Metrics) ? p.Metrics : []) {
    const metric = isRecord(m) && isRecord(m.MetricStat) && isRecord(m.MetricStat.Metric) ? m.MetricStat.Metric : undefined;
    if (metric) out.push(`${String(metric.Namespace)}/${String(metric.MetricName)}`);
  }
  return out;
}

/** Roadmap 8.2: which metric each required alarm watches. */
export const REQUIRED_ALARMS: readonly { readonly label: string; readonly metrics: readonly string[] }[] = [
  { label: 'Lambda errors', metrics: ['AWS/Lambda/Errors'] },
  { label: 'Kinesis lag', metrics: ['AWS/Kinesis/GetRecords.IteratorAgeMilliseconds', 'AWS/Lambda/IteratorAge'] },
  { label: 'DLQ depth', metrics: ['AWS/SQS/ApproximateNumberOfMessagesVisible'] },
];

export const alarms: BulletCheck = ({ tree }) => {
  const found = tree.resources('AWS::CloudWatch::Alarm');
  const watched = new Set(found.flatMap(alarmMetrics));
  const missing = REQUIRED_ALARMS.filter((a) => !a.metrics.some((m) => watched.has(m))).map((a) => a.label);
  if (missing.length > 0) return fail(`no alarm on ${missing.join(', ')} (${found.length} alarms in the tree)`);
  const silent = found.filter((a) => !tree.resolveType(a.file, properties(a.resource).AlarmActions, 'AWS::SNS::Topic'));
  if (silent.length > 0) return fail(`alarms that notify no SNS topic: ${ids(silent)}`);
  return pass(`${found.length} alarms (Lambda errors, Kinesis lag, DLQ depth), all notifying a topic`);
};

/** Roadmap 8.3: the four topics, matched by name. */
export const TOPICS = ['OpsAlerts', 'MarketAlerts', 'WeatherAlerts', 'FinOpsAlerts'] as const;

export const topics: BulletCheck = ({ tree }) => {
  const found = tree.resources('AWS::SNS::Topic');
  const missing: string[] = [];
  const matched: ResourceRef[] = [];
  for (const name of TOPICS) {
    // `ops[-_ ]?alerts` preceded by a non-letter, so OpsAlerts does not match FinOpsAlerts.
    const t = named(found, new RegExp(`(^|[^a-z])${name.replace(/Alerts$/, '[-_ ]?alerts')}`, 'i'))[0];
    if (t) matched.push(t);
    else missing.push(name);
  }
  if (missing.length > 0) return fail(`missing SNS topic(s) ${missing.join(', ')} (found: ${ids(found) || 'none'})`);
  const plain = matched.filter((t) => !tree.resolveType(t.file, (properties(t.resource) as Json).KmsMasterKeyId, 'AWS::KMS::Key'));
  if (plain.length > 0) return fail(`${plain.map(where).join(', ')}: KmsMasterKeyId does not resolve to our CMK`);
  return pass(`${ids(matched)}, KMS-encrypted`);
};

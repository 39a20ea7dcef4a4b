/** CloudWatch log groups, alarms and dashboards; SNS topics; KMS keys; Secrets Manager secrets. */
import { EMPTY_DEPS } from '../evaluate';
import { GB, count, gb, item, type Pricer } from '../pricer';
import { isRecord } from '../../grade/tree';
import { ASSUMPTIONS } from '../workload';

export const logGroup: Pricer = {
  types: ['AWS::Logs::LogGroup'],
  price(r, ctx) {
    const flow = ctx.flows.logs.get(r.key);
    const bytes = flow?.bytes ?? 0;
    const deps = flow?.deps ?? EMPTY_DEPS;
    const retention = r.num('RetentionInDays', Infinity);
    const keptDays = Math.min(retention.value, ASSUMPTIONS.storageMonth.value * 30.4);
    const stored = (bytes * ASSUMPTIONS.logCompression.value * keptDays) / 30.4;
    const writers = flow ? flow.writers.join(', ') : 'nothing writes here in the estimate (no requests assumed)';
    return {
      noun: 'log group',
      items: [
        item(
          flow?.vended ? 'vended log ingestion' : 'log ingestion',
          'usage',
          bytes / GB,
          flow?.vended ? 'logs.vendedIngestGb' : 'logs.ingestGb',
          `${gb(bytes)} a month from ${writers}`,
          deps,
        ),
        item(
          'log storage',
          'usage',
          stored / GB,
          'logs.storageGbMonth',
          `${gb(stored)}: ${Math.round(keptDays)} days kept (RetentionInDays) × ${ASSUMPTIONS.logCompression.value} compression`,
          deps,
          retention.deps,
        ),
      ],
    };
  },
};

export const alarm: Pricer = {
  types: ['AWS::CloudWatch::Alarm'],
  price(r) {
    const metrics = r.list('Metrics');
    // A metric math alarm pays for every metric it reads; a plain alarm for its one metric.
    const n = metrics.value.length > 0 ? metrics.value.filter((m) => isRecord(m) && m.MetricStat !== undefined).length || 1 : 1;
    return {
      noun: 'CloudWatch alarm',
      items: [item('alarm metrics', 'fixed', n, 'cloudwatch.alarm.metric.month', `${n} standard-resolution metric(s)`, r.size('Metrics').deps)],
    };
  },
};

export const dashboard: Pricer = {
  types: ['AWS::CloudWatch::Dashboard'],
  price() {
    return {
      noun: 'CloudWatch dashboard',
      items: [item('dashboard', 'fixed', 1, 'cloudwatch.dashboard.month', "1 dashboard (the account's first three are free; not applied)")],
    };
  },
};

export const topic: Pricer = {
  types: ['AWS::SNS::Topic'],
  price(r, ctx) {
    const flow = ctx.flows.topics.get(r.key);
    const publishes = flow?.publishes ?? 0;
    return {
      noun: 'SNS topic',
      items: [
        item(
          'publishes',
          'usage',
          publishes / 1e6,
          'sns.publish.million',
          flow ? `${count(publishes)} alerts a month: ${ASSUMPTIONS.alertsPerMonth.why}` : 'alarm and budget notifications only: a handful a month',
        ),
        item(
          'email notifications',
          'usage',
          (flow?.emails ?? 0) / 1e5,
          'sns.email.hundredThousand',
          `${count(flow?.emails ?? 0)} emails (Lambda deliveries are free)`,
        ),
      ],
    };
  },
};

export const kmsKey: Pricer = {
  types: ['AWS::KMS::Key'],
  price(r) {
    const rotation = r.prop('EnableKeyRotation').value === true;
    return {
      noun: 'KMS key',
      items: [
        item(
          'customer managed key',
          'fixed',
          1,
          'kms.key.month',
          rotation ? '1 key; rotation adds $1/month per rotated version from the first rotation (after a year)' : '1 key',
        ),
        item(
          'requests',
          'usage',
          ASSUMPTIONS.kmsRequestsPerKey.value / 10_000,
          'kms.request.tenThousand',
          `${count(ASSUMPTIONS.kmsRequestsPerKey.value)}: ${ASSUMPTIONS.kmsRequestsPerKey.why}`,
        ),
      ],
    };
  },
};

export const secret: Pricer = {
  types: ['AWS::SecretsManager::Secret'],
  price(r, ctx) {
    const replicas = r.list('ReplicaRegions');
    const flow = ctx.flows.secrets.get(r.key);
    return {
      noun: 'secret',
      count: 1 + replicas.value.length,
      items: [
        item('secret', 'fixed', 1, 'secretsManager.secret.month', '1 secret'),
        ...replicas.value.filter(isRecord).map((rep) => ({
          ...item(`replica in ${String(rep.Region)}`, 'fixed', 1, 'secretsManager.secret.month', 'ReplicaRegions', replicas.deps),
          region: String(rep.Region),
        })),
        item(
          'API calls',
          'usage',
          (flow?.apiCalls ?? 0) / 10_000,
          'secretsManager.api.tenThousand',
          `${count(flow?.apiCalls ?? 0)} GetSecretValue calls (cached 5 minutes in warm functions)`,
          flow?.deps ?? EMPTY_DEPS,
        ),
      ],
    };
  },
};

export const observabilityPricers: readonly Pricer[] = [logGroup, alarm, dashboard, topic, kmsKey, secret];

/** Kinesis streams, SQS queues, the REST API, Cognito client-credentials clients, schedules, WAF. */
import { EMPTY_DEPS } from '../evaluate';
import { streamShards } from '../flows';
import { GB, count, gb, item, type Pricer } from '../pricer';
import { HOURS_PER_MONTH, runsPerMonth } from '../schedule';
import { ASSUMPTIONS, recordSizes } from '../workload';

export const kinesisStream: Pricer = {
  types: ['AWS::Kinesis::Stream'],
  price(r, ctx) {
    const { shards, deps: modeDeps, onDemand } = streamShards(r);
    const retention = r.num('RetentionPeriodHours', 24);
    const flow = ctx.flows.streams.get(r.key);
    const records = flow?.recordsPerMonth ?? 0;
    const usageDeps = flow?.deps ?? EMPTY_DEPS;
    const recordBytes = recordSizes().recordBytes;
    const why = records > 0 ? `${count(records)} records a month` : 'no producer found in the templates (standby: written only during a failover)';
    if (onDemand) {
      // On-demand bills data in and out per GB, each record rounded up to 1 KB.
      const ingestBytes = records * Math.ceil(recordBytes / 1024) * 1024;
      const consumers = flow?.consumers ?? 0;
      const extendedHours = Math.max(0, Math.min(retention.value, 168) - 24);
      return {
        noun: 'Kinesis on-demand stream',
        items: [
          item('on-demand stream-hours', 'fixed', HOURS_PER_MONTH, 'kinesis.onDemand.streamHour', `${HOURS_PER_MONTH} h in ON_DEMAND mode`, modeDeps),
          item('data ingested', 'usage', ingestBytes / GB, 'kinesis.onDemand.ingestGb', `${why} × 1 KB (rounded up)`, usageDeps),
          item(
            'data retrieved',
            'usage',
            (ingestBytes * consumers) / GB,
            'kinesis.onDemand.retrievalGb',
            `${consumers} standard consumer(s) × ${gb(ingestBytes)}`,
            usageDeps,
          ),
          ...(extendedHours > 0
            ? [
                item(
                  'extended retention',
                  'usage',
                  ((ingestBytes / GB) * extendedHours) / HOURS_PER_MONTH,
                  'kinesis.onDemand.extendedRetentionGbMonth',
                  `RetentionPeriodHours ${retention.value}: ${extendedHours} h beyond 24 h of each month's data`,
                  usageDeps,
                  retention.deps,
                ),
              ]
            : []),
        ],
      };
    }
    const putUnits = records * Math.ceil(recordBytes / (25 * 1024));
    return {
      noun: 'Kinesis shard',
      count: shards,
      items: [
        item(
          'shard-hours',
          'fixed',
          shards * HOURS_PER_MONTH,
          'kinesis.provisioned.shardHour',
          `${shards} shard(s) (ShardCount) × ${HOURS_PER_MONTH} h`,
          modeDeps,
        ),
        ...(retention.value > 24
          ? [
              item(
                'extended retention shard-hours',
                'fixed',
                shards * HOURS_PER_MONTH,
                'kinesis.provisioned.extendedRetentionShardHour',
                `RetentionPeriodHours ${retention.value} > 24`,
                modeDeps,
                retention.deps,
              ),
            ]
          : []),
        item('PUT payload units', 'usage', putUnits / 1e6, 'kinesis.provisioned.putUnitMillion', `${why}, one 25 KB unit each`, usageDeps),
      ],
    };
  },
};

export const sqsQueue: Pricer = {
  types: ['AWS::SQS::Queue'],
  price() {
    return {
      noun: 'SQS queue',
      items: [item('requests', 'usage', 0, 'sqs.request.million', 'a dead-letter queue: messages only when a record fails for good; none assumed')],
    };
  },
};

export const restApi: Pricer = {
  types: ['AWS::ApiGateway::RestApi'],
  price() {
    const requests = ASSUMPTIONS.apiRequestsPerMonth.value;
    return {
      noun: 'REST API',
      items: [item('API requests', 'usage', requests / 1e6, 'apigateway.rest.million', `${count(requests)} requests: ${ASSUMPTIONS.apiRequestsPerMonth.why}`)],
    };
  },
};

export const userPoolClient: Pricer = {
  types: ['AWS::Cognito::UserPoolClient'],
  price(r) {
    const flows = r.list('AllowedOAuthFlows');
    if (!flows.value.includes('client_credentials'))
      return { noun: 'Cognito app client', items: [], note: 'user sign-in clients are billed per monthly active user at the pool' };
    const tokens = ASSUMPTIONS.tokenRequestsPerMonth.value;
    return {
      noun: 'machine-to-machine app client',
      items: [
        item('client-credentials app client', 'fixed', 1, 'cognito.m2mAppClient.month', 'AllowedOAuthFlows includes client_credentials', flows.deps),
        item('token requests', 'usage', tokens / 1000, 'cognito.m2mToken.thousand', `${count(tokens)}: ${ASSUMPTIONS.tokenRequestsPerMonth.why}`),
      ],
    };
  },
};

export const schedule: Pricer = {
  types: ['AWS::Scheduler::Schedule'],
  price(r) {
    const expression = r.str('ScheduleExpression');
    const runs = expression.value ? (runsPerMonth(expression.value) ?? 0) : 0;
    return {
      noun: 'EventBridge schedule',
      items: [item('scheduled invocations', 'usage', runs / 1e6, 'scheduler.invocation.million', `${count(runs)} runs (${expression.value})`, expression.deps)],
    };
  },
};

export const webAcl: Pricer = {
  types: ['AWS::WAFv2::WebACL'],
  price(r) {
    const rules = r.size('Rules');
    const requests = ASSUMPTIONS.apiRequestsPerMonth.value;
    return {
      noun: 'WAF web ACL',
      items: [
        item('web ACL', 'fixed', 1, 'waf.webAcl.month', '1 web ACL'),
        item('rules', 'fixed', rules.value, 'waf.rule.month', `${rules.value} rules (a managed rule group counts as one)`, rules.deps),
        item('requests inspected', 'usage', requests / 1e6, 'waf.request.million', `${count(requests)} requests to the protected API`),
      ],
    };
  },
};

export const streamingPricers: readonly Pricer[] = [kinesisStream, sqsQueue, restApi, userPoolClient, schedule, webAcl];

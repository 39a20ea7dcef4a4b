/**
 * Account-level security services the templates turn on (Config, GuardDuty, Security Hub,
 * CloudTrail) and the analytics layer (Glue crawler runs, Athena named queries run daily,
 * QuickSight). Per-resource volumes are assumptions in workload.ts, scaled by what the deployment
 * creates in the region.
 */
import { EMPTY_DEPS, unionDeps } from '../evaluate';
import { GB, count, gb, item, type CostItem, type Pricer, type PricingContext } from '../pricer';
import { runsPerMonth } from '../schedule';
import type { ResourceView } from '../view';
import { ASSUMPTIONS } from '../workload';

/** Resources of the deployment in a region (what Config records and Security Hub checks), of `types` if given. */
function resourcesInRegion(r: ResourceView, ctx: PricingContext, types?: readonly string[]): number {
  // Config records each replica of a global table as an AWS::DynamoDB::Table.
  const wanted = types?.includes('AWS::DynamoDB::Table') ? [...types, 'AWS::DynamoDB::GlobalTable'] : types;
  return [...ctx.resources.values()].filter(
    (x) => x.stack.region === r.stack.region && x.type !== 'AWS::CloudFormation::Stack' && (wanted === undefined || wanted.includes(x.type)),
  ).length;
}

export const configRecorder: Pricer = {
  types: ['AWS::Config::ConfigurationRecorder'],
  price(r, ctx) {
    const n = resourcesInRegion(r, ctx);
    const items = n * ASSUMPTIONS.configItemsPerResourcePerMonth.value;
    return {
      noun: 'Config recorder',
      items: [
        item(
          'configuration items',
          'usage',
          items,
          'config.configurationItem',
          `${n} resources × ${ASSUMPTIONS.configItemsPerResourcePerMonth.value} a month: ${ASSUMPTIONS.configItemsPerResourcePerMonth.why}`,
        ),
      ],
    };
  },
};

/** Managed rules without a scope that apply to one resource type. */
const UNSCOPED_RULE_TYPES: Readonly<Record<string, string>> = {
  CMK_BACKING_KEY_ROTATION_ENABLED: 'AWS::KMS::Key',
  CLOUD_TRAIL_ENCRYPTION_ENABLED: 'AWS::CloudTrail::Trail',
  CLOUDWATCH_LOG_GROUP_ENCRYPTED: 'AWS::Logs::LogGroup',
};

export const configRule: Pricer = {
  types: ['AWS::Config::ConfigRule'],
  price(r, ctx) {
    const scope = r.list('Scope.ComplianceResourceTypes').value.map(String);
    const source = r.str('Source.SourceIdentifier').value ?? '';
    const types = scope.length > 0 ? scope : UNSCOPED_RULE_TYPES[source] ? [UNSCOPED_RULE_TYPES[source]!] : undefined;
    const n = Math.max(1, resourcesInRegion(r, ctx, types));
    const evaluations = n * ASSUMPTIONS.configEvaluationsPerResourcePerMonth.value;
    return {
      noun: 'Config rule',
      items: [
        item(
          'rule evaluations',
          'usage',
          evaluations,
          'config.ruleEvaluation',
          `${n} ${types ? types.join('/') : 'in-scope'} resource(s) × ${ASSUMPTIONS.configEvaluationsPerResourcePerMonth.value} evaluations (evaluated only where a recorder exists in the account)`,
        ),
      ],
    };
  },
};

export const guardDuty: Pricer = {
  types: ['AWS::GuardDuty::Detector'],
  price(r, ctx) {
    const features = r
      .list('Features')
      .value.filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null && (f as Record<string, unknown>).Status === 'ENABLED')
      .map((f) => String(f.Name));
    let flowBytes = 0;
    let deps: ReadonlySet<string> = EMPTY_DEPS;
    for (const [key, f] of ctx.flows.flowLogs) {
      if (ctx.resources.get(key)?.stack.region !== r.stack.region) continue;
      flowBytes += f.bytes;
      deps = unionDeps(deps, f.deps);
    }
    let s3Requests = 0;
    for (const [key, b] of ctx.flows.buckets) if (ctx.resources.get(key)?.stack.region === r.stack.region) s3Requests += b.putsPerMonth + b.getsPerMonth;
    const items: CostItem[] = [
      item(
        'CloudTrail management events analysed',
        'usage',
        ASSUMPTIONS.managementEventsPerMonth.value / 1e6,
        'guardduty.cloudTrailEvents.million',
        `${count(ASSUMPTIONS.managementEventsPerMonth.value)} events: ${ASSUMPTIONS.managementEventsPerMonth.why} (30-day trial not applied)`,
      ),
      item('VPC flow logs analysed', 'usage', flowBytes / GB, 'guardduty.flowLogs.gb', `${gb(flowBytes)} of flow records`, deps),
    ];
    if (features.includes('S3_DATA_EVENTS'))
      items.push(
        item(
          'S3 data events analysed',
          'usage',
          s3Requests / 1e6,
          'guardduty.s3DataEvents.million',
          `${count(s3Requests)} S3 requests to the deployment's buckets`,
        ),
      );
    if (features.includes('LAMBDA_NETWORK_LOGS'))
      items.push(
        item('Lambda network logs analysed', 'usage', flowBytes / GB, 'guardduty.lambdaNetworkLogs.gb', `about the flow-log volume, ${gb(flowBytes)}`, deps),
      );
    return { noun: 'GuardDuty detector', items };
  },
};

export const securityHub: Pricer = {
  types: ['AWS::SecurityHub::Hub'],
  price(r, ctx) {
    const n = resourcesInRegion(r, ctx);
    const checks = n * ASSUMPTIONS.securityChecksPerResourcePerMonth.value;
    return {
      noun: 'Security Hub',
      items: [
        item(
          'security checks',
          'usage',
          checks,
          'securityHub.check',
          `${n} resources × ${ASSUMPTIONS.securityChecksPerResourcePerMonth.value}: ${ASSUMPTIONS.securityChecksPerResourcePerMonth.why}`,
        ),
      ],
    };
  },
};

export const trail: Pricer = {
  types: ['AWS::CloudTrail::Trail'],
  price(r) {
    const selectors = r.list('EventSelectors').value.length + r.list('AdvancedEventSelectors').value.length;
    return {
      noun: 'CloudTrail trail',
      items: [
        item(
          'management events',
          'fixed',
          0,
          'cloudtrail.managementEventsCopy.hundredThousand',
          'the first copy of management events is free (assumes no other trail in the account); logs are priced at the trail bucket and log group',
        ),
      ],
      ...(selectors > 0 ? { note: 'event selectors present: data events are not estimated' } : {}),
    };
  },
};

export const crawler: Pricer = {
  types: ['AWS::Glue::Crawler'],
  price(r) {
    const expression = r.str('Schedule.ScheduleExpression');
    const runs = expression.value ? (runsPerMonth(expression.value) ?? 0) : 0;
    const dpuHours = (runs * ASSUMPTIONS.crawlerMinimumMinutes.value * ASSUMPTIONS.crawlerDpus.value) / 60;
    return {
      noun: 'Glue crawler',
      items: [
        item(
          'crawler DPU-hours',
          'fixed',
          dpuHours,
          'glue.crawler.dpuHour',
          `${count(runs)} runs (${expression.value ?? 'on demand'}) × ${ASSUMPTIONS.crawlerMinimumMinutes.value} min minimum × ${ASSUMPTIONS.crawlerDpus.value} DPU, with or without new data`,
          expression.deps,
        ),
      ],
    };
  },
};

export const namedQuery: Pricer = {
  types: ['AWS::Athena::NamedQuery'],
  price(r, ctx) {
    const scan = ctx.flows.scans.get(r.key);
    const runs = 30.4;
    const perRun = Math.max(scan?.bytes ?? 0, 10 * 1024 ** 2);
    const bucket = scan?.bucket ? ctx.resources.get(scan.bucket) : undefined;
    const items: CostItem[] = [
      item(
        'data scanned (run daily)',
        'usage',
        (runs * perRun) / 1024 ** 4,
        'athena.scanTb',
        `${count(runs)} runs × ${gb(perRun)} (10 MB minimum; the query reads every object of its table)`,
        scan?.deps ?? EMPTY_DEPS,
      ),
    ];
    if (scan && scan.objects > 0)
      items.push({
        ...item('S3 GET requests', 'usage', (runs * scan.objects) / 1000, 's3.get.thousand', `${count(scan.objects)} objects read each run`, scan.deps),
        ...(bucket ? { region: bucket.stack.region } : {}),
      });
    return { noun: 'Athena named query', items };
  },
};

export const quickSight: Pricer = {
  types: ['AWS::QuickSight::DataSource', 'AWS::QuickSight::DataSet', 'AWS::QuickSight::Dashboard', 'AWS::QuickSight::RefreshSchedule'],
  price() {
    return {
      noun: 'QuickSight asset',
      items: [
        item(
          'QuickSight subscription share',
          'fixed',
          1,
          'quicksight.subscription',
          'billed per author, reader and SPICE capacity of the account subscription',
        ),
      ],
    };
  },
};

export const governancePricers: readonly Pricer[] = [configRecorder, configRule, guardDuty, securityHub, trail, crawler, namedQuery, quickSight];

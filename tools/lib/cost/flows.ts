/**
 * Usage that crosses resources: who invokes each function how often, what reaches each stream,
 * table, bucket, log group, topic and secret. The links are the templates' own (a schedule's
 * target, an event source mapping's source, a function's environment variables followed across
 * nested stacks with TemplateTree.resolve); the quantities per link come from workload.ts.
 *
 * Every flow carries the root parameters it grew from (`deps`), so a usage line can say what
 * sizes it: symbols and cities (the schedule's Input), the poll rate (its expression), shards.
 */
import path from 'node:path';
import { TemplateTree, allText, isRecord, section, type Json, type ResourceRef } from '../grade/tree';
import { EMPTY_DEPS, unionDeps } from './evaluate';
import type { Deployment } from './deployment';
import { runsPerMonth } from './schedule';
import { ResourceView, tokenId } from './view';
import { ASSUMPTIONS, HANDLERS, recordSizes } from './workload';

type Deps = ReadonlySet<string>;

export interface FunctionFlow {
  invocations: number;
  /** Records (or, for the poller, entities) handled per invocation. */
  recordsPerInvocation: number;
  deps: Deps;
  /** What invokes it, for the line's explanation. */
  readonly triggers: string[];
}

export interface StreamFlow {
  recordsPerMonth: number;
  /** Producer invocations a month: records arrive in one burst per run. */
  burstsPerMonth: number;
  recordsPerBurst: number;
  consumers: number;
  deps: Deps;
}

export interface TableFlow {
  writeUnits: number;
  readUnits: number;
  /** Items written that create a new key (they accumulate until TTL). */
  newItemsPerMonth: number;
  /** Items keyed by entity (overwritten in place): their count. */
  entityItems: number;
  itemBytes: number;
  deps: Deps;
}

export interface BucketFlow {
  putsPerMonth: number;
  bytesPerMonth: number;
  getsPerMonth: number;
  /** Average bytes per object written. */
  objectBytes: number;
  deps: Deps;
  readonly writers: string[];
}

export interface Flows {
  readonly functions: Map<string, FunctionFlow>;
  readonly streams: Map<string, StreamFlow>;
  readonly tables: Map<string, TableFlow>;
  readonly buckets: Map<string, BucketFlow>;
  /** Log group key → bytes ingested a month. */
  readonly logs: Map<string, { bytes: number; deps: Deps; vended: boolean; writers: string[] }>;
  readonly topics: Map<string, { publishes: number; emails: number; deps: Deps }>;
  readonly secrets: Map<string, { apiCalls: number; deps: Deps }>;
  /** Replication: source bucket key → destination bucket key. */
  readonly replication: Map<string, string>;
  /** Named queries: key → objects and bytes each run scans. */
  readonly scans: Map<string, { objects: number; bytes: number; deps: Deps; bucket?: string }>;
  /** VPC flow-log records a month per flow log key. */
  readonly flowLogs: Map<string, { bytes: number; deps: Deps }>;
}

const stem = (file: string): string => path.posix.basename(file).replace(/\.(ya?ml|json)$/, '');

/** The deployed resources, keyed `<stack>#<logicalId>`; resources whose condition is false are left out. */
export function includedResources(deployment: Deployment): Map<string, ResourceView> {
  const out = new Map<string, ResourceView>();
  for (const stack of deployment.stacks) {
    for (const [id, r] of Object.entries(stack.scope.section('Resources'))) {
      if (!isRecord(r) || typeof r.Type !== 'string') continue;
      if (typeof r.Condition === 'string' && !stack.scope.condition(r.Condition).value) continue;
      out.set(`${stack.name}#${id}`, new ResourceView(stack, id, r));
    }
  }
  return out;
}

/** Links between resources across the nested tree (environment variables, ARNs, parameters). */
export class Linker {
  private readonly tree: TemplateTree;
  private readonly fileOf: ReadonlyMap<string, string>;

  constructor(
    deployment: Deployment,
    templates: ReadonlyMap<string, Json>,
    private readonly resources: ReadonlyMap<string, ResourceView>,
  ) {
    this.tree = new TemplateTree([...templates].map(([file, template]) => ({ file, template })));
    this.fileOf = new Map(deployment.stacks.map((s) => [s.name, s.file]));
  }

  private keyOf(r: ResourceRef | undefined): string | undefined {
    return r ? `${stem(r.file)}#${r.logicalId}` : undefined;
  }

  /** Deployed resources (keys) a raw template value of `view` points at, across stacks. */
  resolve(view: ResourceView, raw: unknown, type?: string | RegExp): string[] {
    return this.tree
      .resolve(this.fileOf.get(view.stack.name)!, raw)
      .filter((r) => type === undefined || (typeof type === 'string' ? r.type === type : type.test(r.type)))
      .map((r) => this.keyOf(r)!)
      .filter((k) => this.resources.has(k));
  }

  /** The deployed function an ARN built from its physical name points at. */
  functionByArn(view: ResourceView, raw: unknown): string | undefined {
    // A reference (`!GetAtt PollerFunction.Arn`, a parameter wired to one), else an ARN built from the name.
    const file = this.fileOf.get(view.stack.name)!;
    const key = this.keyOf(this.tree.resolveType(file, raw, 'AWS::Lambda::Function') ?? this.tree.functionByArnText(file, raw));
    return key !== undefined && this.resources.has(key) ? key : undefined;
  }
}

/** The raw (unevaluated) template value at a dotted path below Properties. */
export function rawProp(view: ResourceView, p: string): unknown {
  return p.split('.').reduce<unknown>((v, k) => (isRecord(v) ? v[k] : Array.isArray(v) ? v[Number(k)] : undefined), section(view.resource, 'Properties'));
}

/**
 * Whether a function runs in a VPC: its evaluated `VpcConfig.SubnetIds` is not an empty list (a
 * list known only at deploy time, such as another stack's subnets, counts as in a VPC). The deps
 * are what decides it (FunctionsInVpc).
 */
export function inVpc(fn: ResourceView): { value: boolean; deps: ReadonlySet<string> } {
  if (rawProp(fn, 'VpcConfig') === undefined) return { value: false, deps: EMPTY_DEPS };
  const subnets = fn.prop('VpcConfig.SubnetIds');
  return { value: !(Array.isArray(subnets.value) && subnets.value.length === 0), deps: subnets.deps };
}

/** The handler a function runs, from its Code path (`../dist/handlers/poller.zip` → poller). */
export function handlerOf(fn: ResourceView): string | undefined {
  return /handlers\/([\w-]+)\.zip$/.exec(String(rawProp(fn, 'Code')))?.[1];
}

export function computeFlows(resources: ReadonlyMap<string, ResourceView>, linker: Linker): Flows {
  const included = (key: string | undefined): key is string => key !== undefined && resources.has(key);
  const resolve = (view: ResourceView, raw: unknown, type?: string | RegExp): string[] => linker.resolve(view, raw, type);
  const ofType = (type: string): ResourceView[] => [...resources.values()].filter((r) => r.type === type);
  const env = (fn: ResourceView): Record<string, unknown> => {
    const vars = rawProp(fn, 'Environment.Variables');
    return isRecord(vars) ? vars : {};
  };
  const sizes = recordSizes();

  const flows: Flows = {
    functions: new Map(),
    streams: new Map(),
    tables: new Map(),
    buckets: new Map(),
    logs: new Map(),
    topics: new Map(),
    secrets: new Map(),
    replication: new Map(),
    scans: new Map(),
    flowLogs: new Map(),
  };
  const fnFlow = (key: string): FunctionFlow => {
    let f = flows.functions.get(key);
    if (!f) {
      f = { invocations: 0, recordsPerInvocation: 0, deps: EMPTY_DEPS, triggers: [] };
      flows.functions.set(key, f);
    }
    return f;
  };
  const addInvocations = (key: string, invocations: number, records: number, deps: Deps, trigger: string): void => {
    const f = fnFlow(key);
    const total = f.invocations + invocations;
    f.recordsPerInvocation = total > 0 ? (f.recordsPerInvocation * f.invocations + records * invocations) / total : records;
    f.invocations = total;
    f.deps = unionDeps(f.deps, deps);
    f.triggers.push(trigger);
  };

  // 1. Schedules → the poller. The Input names the symbols and cities of each run.
  for (const schedule of ofType('AWS::Scheduler::Schedule')) {
    if (schedule.str('State').value === 'DISABLED') continue;
    const expression = schedule.str('ScheduleExpression');
    const runs = expression.value ? runsPerMonth(expression.value) : undefined;
    const fnKey = linker.functionByArn(schedule, rawProp(schedule, 'Target.Arn'));
    if (runs === undefined || !included(fnKey)) continue;
    const input = schedule.str('Target.Input');
    let entities = 0;
    try {
      const parsed = JSON.parse(input.value ?? '{}') as Record<string, unknown>;
      for (const v of Object.values(parsed)) if (Array.isArray(v)) entities += v.filter((x) => x !== '').length;
    } catch {
      entities = 0;
    }
    addInvocations(fnKey, runs, entities, unionDeps(expression.deps, input.deps), `${schedule.logicalId} (${expression.value})`);
  }

  // 2. Functions run by a schedule emit one record per entity into each stream they name.
  for (const [fnKey, f] of flows.functions) {
    const fn = resources.get(fnKey)!;
    for (const value of Object.values(env(fn))) {
      for (const streamKey of resolve(fn, value, 'AWS::Kinesis::Stream')) {
        const perBurst = f.recordsPerInvocation * ASSUMPTIONS.recordsPerEntityPerPoll.value;
        const s = flows.streams.get(streamKey) ?? { recordsPerMonth: 0, burstsPerMonth: 0, recordsPerBurst: 0, consumers: 0, deps: EMPTY_DEPS };
        s.recordsPerMonth += f.invocations * perBurst;
        s.burstsPerMonth += f.invocations;
        s.recordsPerBurst = s.burstsPerMonth > 0 ? s.recordsPerMonth / s.burstsPerMonth : 0;
        s.deps = unionDeps(s.deps, f.deps);
        flows.streams.set(streamKey, s);
      }
    }
  }

  // 3. Kinesis consumers: one batch per shard and parallelisation slot that receives records of a burst.
  const mappings = ofType('AWS::Lambda::EventSourceMapping');
  for (const esm of mappings) {
    const [streamKey] = resolve(esm, rawProp(esm, 'EventSourceArn'), 'AWS::Kinesis::Stream');
    const fnKey = tokenId(esm.prop('FunctionName').value) ? `${esm.stack.name}#${tokenId(esm.prop('FunctionName').value)}` : undefined;
    if (!streamKey || !included(fnKey)) continue;
    const stream = resources.get(streamKey)!;
    const s = flows.streams.get(streamKey);
    if (!s) continue;
    s.consumers += 1;
    const { shards, deps: shardDeps } = streamShards(stream);
    const pf = esm.num('ParallelizationFactor', 1);
    const batches = Math.max(1, Math.min(s.recordsPerBurst, shards * pf.value));
    addInvocations(
      fnKey,
      s.burstsPerMonth * batches,
      s.recordsPerBurst / batches,
      unionDeps(s.deps, shardDeps, pf.deps),
      `${esm.logicalId} (${stream.logicalId}, ${batches.toFixed(1)} batches a run)`,
    );
  }

  // 4. Table traffic of stream consumers and scheduled functions, by the variables naming tables.
  const tableWrites = (): void => {
    for (const [fnKey, f] of flows.functions) {
      const fn = resources.get(fnKey)!;
      const behaviour = HANDLERS[handlerOf(fn) ?? ''];
      if (!behaviour) continue;
      const vars = env(fn);
      const touch = (variable: string, writes: number, reads: number, perRecord: boolean): void => {
        for (const tableKey of resolve(fn, vars[variable], /^AWS::DynamoDB::(Global)?Table$/)) {
          const t = flows.tables.get(tableKey) ?? { writeUnits: 0, readUnits: 0, newItemsPerMonth: 0, entityItems: 0, itemBytes: 0, deps: EMPTY_DEPS };
          t.writeUnits += writes;
          t.readUnits += reads;
          t.deps = unionDeps(t.deps, f.deps);
          const latestLike = variable === 'LATEST_TABLE_NAME' || variable === 'LEASE_TABLE_NAME';
          if (latestLike) {
            t.entityItems = Math.max(t.entityItems, variable === 'LEASE_TABLE_NAME' ? 1 : entitiesOfRun(flows));
            t.itemBytes = Math.max(t.itemBytes, sizes.latestItemBytes);
          } else if (perRecord) {
            t.itemBytes = Math.max(t.itemBytes, sizes.metricsItemBytes);
          }
          flows.tables.set(tableKey, t);
        }
      };
      const records = f.invocations * f.recordsPerInvocation;
      for (const [v, n] of Object.entries(behaviour.writesPerRecord ?? {})) touch(v, records * n, 0, true);
      for (const [v, n] of Object.entries(behaviour.readsPerRecord ?? {})) touch(v, 0, records * n, true);
      for (const [v, n] of Object.entries(behaviour.writesPerInvocation ?? {})) touch(v, f.invocations * n, 0, false);
      // New MetricsTable keys: the enricher's item per record, the aggregator's SMA row per record
      // and one row per 5-minute and 1-hour window per entity (core.ts metricsRows).
      const metrics = resolve(fn, vars.METRICS_TABLE_NAME, /^AWS::DynamoDB::(Global)?Table$/);
      for (const tableKey of metrics) {
        const t = flows.tables.get(tableKey)!;
        const entities = entitiesOfRun(flows);
        const windows = handlerOf(fn) === 'aggregator' ? Math.min(records, entities * 8760) + Math.min(records, entities * 730) : 0;
        t.newItemsPerMonth += records + windows;
      }
    }
  };
  tableWrites();

  // 5. DynamoDB stream consumers (the rules engine on LatestTable): one batch per producer burst.
  for (const esm of mappings) {
    const [tableKey] = resolve(esm, rawProp(esm, 'EventSourceArn'), /^AWS::DynamoDB::(Global)?Table$/);
    const fnKey = tokenId(esm.prop('FunctionName').value) ? `${esm.stack.name}#${tokenId(esm.prop('FunctionName').value)}` : undefined;
    if (!tableKey || !included(fnKey)) continue;
    const t = flows.tables.get(tableKey);
    const bursts = Math.max(...[...flows.streams.values()].map((s) => s.burstsPerMonth), 0);
    if (!t || bursts === 0) continue;
    // Each entity's tick changes its LatestTable item (enricher), then its rolling state (aggregator).
    const changes = entitiesOfRun(flows) * 2 * bursts;
    addInvocations(fnKey, bursts, changes / bursts, t.deps, `${esm.logicalId} (${resources.get(tableKey)!.logicalId} stream)`);
  }

  // 6. Alerts: SNS publishes by the rules engine; Lambda subscribers run once per alert; emails.
  const alertTopics = new Set<string>();
  for (const [fnKey] of flows.functions) {
    const fn = resources.get(fnKey)!;
    if (handlerOf(fn) !== 'rules') continue;
    for (const [name, value] of Object.entries(env(fn))) if (/TOPIC_ARN$/.test(name)) for (const t of resolve(fn, value, 'AWS::SNS::Topic')) alertTopics.add(t);
  }
  const alertsPerTopic = alertTopics.size > 0 ? ASSUMPTIONS.alertsPerMonth.value / alertTopics.size : 0;
  for (const topicKey of alertTopics) flows.topics.set(topicKey, { publishes: alertsPerTopic, emails: 0, deps: EMPTY_DEPS });
  for (const sub of ofType('AWS::SNS::Subscription')) {
    const [topicKey] = resolve(sub, rawProp(sub, 'TopicArn'), 'AWS::SNS::Topic');
    const topic = topicKey ? flows.topics.get(topicKey) : undefined;
    if (!topic) continue;
    const protocol = sub.str('Protocol').value;
    if (protocol === 'email' || protocol === 'email-json') topic.emails += topic.publishes;
    if (protocol === 'lambda') {
      const target = resolve(sub, rawProp(sub, 'Endpoint'), 'AWS::Lambda::Function')[0] ?? linker.functionByArn(sub, rawProp(sub, 'Endpoint'));
      if (included(target)) addInvocations(target, topic.publishes, 1, EMPTY_DEPS, `${sub.logicalId} (alerts)`);
    }
  }

  // 7. Secret rotation: four rotation steps per rotation.
  for (const schedule of ofType('AWS::SecretsManager::RotationSchedule')) {
    const expression = schedule.str('RotationRules.ScheduleExpression').value;
    const days = schedule.num('RotationRules.AutomaticallyAfterDays', Number.NaN).value;
    const rotations = expression ? (runsPerMonth(expression) ?? 0) : Number.isFinite(days) ? 30.4 / days : 0;
    const fnKey = resolve(schedule, rawProp(schedule, 'RotationLambdaARN'), 'AWS::Lambda::Function')[0];
    if (included(fnKey) && rotations > 0) addInvocations(fnKey, rotations * 4, 1, EMPTY_DEPS, `${schedule.logicalId} (${expression ?? `every ${days} days`})`);
  }

  // 8. Objects the enricher writes, per zone bucket; replication to the secondary region.
  for (const [fnKey, f] of flows.functions) {
    const fn = resources.get(fnKey)!;
    const behaviour = HANDLERS[handlerOf(fn) ?? ''];
    if (!behaviour?.zones) continue;
    const datasets = datasetsOfRun(resources);
    const objectsPerInvocation = Math.min(datasets, Math.max(1, f.recordsPerInvocation));
    const rowsPerObject = f.recordsPerInvocation / objectsPerInvocation;
    for (const [variable, zone] of Object.entries(behaviour.zones)) {
      for (const bucketKey of resolve(fn, env(fn)[variable], 'AWS::S3::Bucket')) {
        const objectBytes =
          zone === 'raw' ? sizes.rawObjectBytes(rowsPerObject) : ASSUMPTIONS.parquetBytes.value.base + ASSUMPTIONS.parquetBytes.value.perRow * rowsPerObject;
        addBucket(flows, bucketKey, f.invocations * objectsPerInvocation, objectBytes, f.deps, fn.logicalId);
      }
    }
  }

  // 9. Named queries run once a day over every object of the table they read (no partition filter).
  for (const query of ofType('AWS::Athena::NamedQuery')) {
    const sql = query.str('QueryString').value ?? '';
    const tables = [...sql.matchAll(/\bFROM\s+([A-Za-z_][\w]*)/gi)].map((m) => m[1]!.toLowerCase());
    const crawler = ofType('AWS::Glue::Crawler')[0];
    // The paths are `!Sub s3://${ProcessedBucketName}/processed/<table>/`: read as text, the bucket resolved below.
    const rawTargets = crawler ? rawProp(crawler, 'Targets.S3Targets') : [];
    const targets = Array.isArray(rawTargets) ? rawTargets.map((t) => allText(isRecord(t) ? t.Path : '')) : [];
    let objects = 0;
    let bytes = 0;
    let deps: Deps = EMPTY_DEPS;
    let bucket: string | undefined;
    for (const table of tables) {
      const target = targets.find((p) => p.replace(/\/+$/, '').endsWith(`/${table}`));
      if (!target || !crawler) continue;
      const [bucketKey] = resolve(crawler, rawProp(crawler, 'Targets.S3Targets.0.Path'), 'AWS::S3::Bucket');
      const b = bucketKey ? flows.buckets.get(bucketKey) : undefined;
      if (!b) continue;
      bucket = bucketKey;
      // Stored objects of this dataset after storageMonth months (half the bucket per dataset).
      const share = 1 / Math.max(1, datasetsOfRun(resources));
      objects += b.putsPerMonth * ASSUMPTIONS.storageMonth.value * share;
      bytes += b.bytesPerMonth * ASSUMPTIONS.storageMonth.value * share;
      deps = unionDeps(deps, b.deps);
    }
    flows.scans.set(query.key, { objects, bytes, deps, ...(bucket ? { bucket } : {}) });
    // Results land in the work group's results bucket.
    const [wgKey] = resolve(query, rawProp(query, 'WorkGroup'), 'AWS::Athena::WorkGroup');
    const wg = wgKey ? resources.get(wgKey) : undefined;
    const [resultsBucket] = wg ? resolve(wg, rawProp(wg, 'WorkGroupConfiguration.ResultConfiguration.OutputLocation'), 'AWS::S3::Bucket') : [];
    if (resultsBucket) addBucket(flows, resultsBucket, 30.4, ASSUMPTIONS.athenaResultBytes.value, EMPTY_DEPS, query.logicalId);
  }

  // 10. Replication: a rule's destination bucket ARN names a bucket of another stack.
  const bucketNames = new Map<string, string>();
  for (const b of ofType('AWS::S3::Bucket')) {
    const name = b.str('BucketName').value;
    if (name) bucketNames.set(`arn:aws:s3:::${name}`, b.key);
  }
  for (const b of ofType('AWS::S3::Bucket')) {
    for (const rule of b.list('ReplicationConfiguration.Rules').value) {
      const dest = isRecord(rule) && isRecord(rule.Destination) ? String(rule.Destination.Bucket) : '';
      const destKey = bucketNames.get(dest);
      const source = flows.buckets.get(b.key);
      if (!destKey || !source) continue;
      flows.replication.set(b.key, destKey);
      addBucket(flows, destKey, source.putsPerMonth, source.objectBytes, source.deps, `replication from ${b.logicalId}`);
    }
  }

  // 11. Server access logs: one ~350-byte record per request to a logged bucket.
  for (const b of ofType('AWS::S3::Bucket')) {
    const target = tokenId(b.prop('LoggingConfiguration.DestinationBucketName').value);
    const source = flows.buckets.get(b.key);
    if (!target || !source) continue;
    const requests = source.putsPerMonth + source.getsPerMonth;
    // S3 delivers access logs in batches: at most about one object per source bucket every few minutes.
    const objects = Math.min(requests, 8760);
    addBucket(flows, `${b.stack.name}#${target}`, objects, objects > 0 ? (requests * 350) / objects : 0, source.deps, `access logs of ${b.logicalId}`);
  }

  // 12. Function logs, by the log group each function names and its LOG_LEVEL.
  for (const [fnKey, f] of flows.functions) {
    const fn = resources.get(fnKey)!;
    const group = tokenId(fn.prop('LoggingConfig.LogGroup').value);
    if (!group) continue;
    const level = fn.str('Environment.Variables.LOG_LEVEL');
    const app = ASSUMPTIONS.appLogBytes.value[level.value === 'DEBUG' ? 'DEBUG' : 'INFO'];
    const bytes = f.invocations * (ASSUMPTIONS.platformLogBytes.value + app.base + app.perRecord * f.recordsPerInvocation);
    addLog(flows, `${fn.stack.name}#${group}`, bytes, unionDeps(f.deps, level.deps), false, fn.logicalId);
  }

  // 13. VPC flow logs: records from the functions in each VPC's subnets, into the flow log's group.
  const vpcOfSubnet = new Map<string, string>();
  for (const subnet of ofType('AWS::EC2::Subnet')) {
    const vpc = tokenId(subnet.prop('VpcId').value);
    if (vpc) vpcOfSubnet.set(subnet.key, `${subnet.stack.name}#${vpc}`);
  }
  const vpcInvocations = new Map<string, { invocations: number; deps: Deps }>();
  for (const [fnKey, f] of flows.functions) {
    const fn = resources.get(fnKey)!;
    // A function outside any VPC (FunctionsInVpc=false) leaves no records in a flow log.
    const placed = inVpc(fn);
    if (!placed.value) continue;
    const subnets = resolve(fn, rawProp(fn, 'VpcConfig.SubnetIds'), 'AWS::EC2::Subnet');
    const vpcs = new Set(subnets.map((s) => vpcOfSubnet.get(s)).filter((v): v is string => v !== undefined));
    for (const vpc of vpcs) {
      const v = vpcInvocations.get(vpc) ?? { invocations: 0, deps: EMPTY_DEPS };
      v.invocations += f.invocations;
      v.deps = unionDeps(v.deps, f.deps, placed.deps);
      vpcInvocations.set(vpc, v);
    }
  }
  for (const flowLog of ofType('AWS::EC2::FlowLog')) {
    const vpc = tokenId(flowLog.prop('ResourceId').value);
    const v = vpc ? vpcInvocations.get(`${flowLog.stack.name}#${vpc}`) : undefined;
    const bytes = (v?.invocations ?? 0) * ASSUMPTIONS.flowRecordsPerInvocation.value * ASSUMPTIONS.flowRecordBytes.value;
    flows.flowLogs.set(flowLog.key, { bytes, deps: v?.deps ?? EMPTY_DEPS });
    const group = tokenId(flowLog.prop('LogGroupName').value);
    if (group) addLog(flows, `${flowLog.stack.name}#${group}`, bytes, v?.deps ?? EMPTY_DEPS, true, flowLog.logicalId);
  }

  // 14. The trail's CloudWatch Logs copy of the account's management events.
  for (const trail of ofType('AWS::CloudTrail::Trail')) {
    const group = tokenId(trail.prop('CloudWatchLogsLogGroupArn').value);
    if (group)
      addLog(
        flows,
        `${trail.stack.name}#${group}`,
        ASSUMPTIONS.managementEventsPerMonth.value * ASSUMPTIONS.managementEventBytes.value,
        EMPTY_DEPS,
        false,
        trail.logicalId,
      );
    const bucket = tokenId(trail.prop('S3BucketName').value);
    // CloudTrail delivers a gzip file about every 5 minutes.
    if (bucket)
      addBucket(
        flows,
        `${trail.stack.name}#${bucket}`,
        8760,
        (ASSUMPTIONS.managementEventsPerMonth.value * ASSUMPTIONS.managementEventBytes.value * 0.1) / 8760,
        EMPTY_DEPS,
        trail.logicalId,
      );
  }

  // 15. Secrets read by functions (GetSecretValue, cached in warm functions).
  for (const [fnKey, f] of flows.functions) {
    const fn = resources.get(fnKey)!;
    const behaviour = HANDLERS[handlerOf(fn) ?? ''];
    if (!behaviour?.secretReadsPerInvocation) continue;
    for (const [name, value] of Object.entries(env(fn))) {
      if (!/SECRET_ARN$/.test(name)) continue;
      for (const secretKey of resolve(fn, value, 'AWS::SecretsManager::Secret')) {
        const s = flows.secrets.get(secretKey) ?? { apiCalls: 0, deps: EMPTY_DEPS };
        s.apiCalls += f.invocations * behaviour.secretReadsPerInvocation;
        s.deps = unionDeps(s.deps, f.deps);
        flows.secrets.set(secretKey, s);
      }
    }
  }
  return flows;
}

function addBucket(flows: Flows, key: string, puts: number, objectBytes: number, deps: Deps, writer: string): void {
  const b = flows.buckets.get(key) ?? { putsPerMonth: 0, bytesPerMonth: 0, getsPerMonth: 0, objectBytes: 0, deps: EMPTY_DEPS, writers: [] };
  b.putsPerMonth += puts;
  b.bytesPerMonth += puts * objectBytes;
  b.objectBytes = b.putsPerMonth > 0 ? b.bytesPerMonth / b.putsPerMonth : 0;
  b.deps = unionDeps(b.deps, deps);
  b.writers.push(writer);
  flows.buckets.set(key, b);
}

function addLog(flows: Flows, key: string, bytes: number, deps: Deps, vended: boolean, writer: string): void {
  const l = flows.logs.get(key) ?? { bytes: 0, deps: EMPTY_DEPS, vended, writers: [] };
  l.bytes += bytes;
  l.deps = unionDeps(l.deps, deps);
  l.writers.push(writer);
  flows.logs.set(key, l);
}

/** Shards of a stream: its ShardCount when provisioned, the on-demand starting capacity otherwise. */
export function streamShards(stream: ResourceView): { shards: number; deps: ReadonlySet<string>; onDemand: boolean } {
  const mode = stream.str('StreamModeDetails.StreamMode');
  if (mode.value === 'ON_DEMAND') return { shards: ASSUMPTIONS.onDemandShards.value, deps: mode.deps, onDemand: true };
  const count = stream.num('ShardCount', 1);
  return { shards: count.value, deps: unionDeps(mode.deps, count.deps), onDemand: false };
}

/** Entities polled per run (the largest schedule's). */
function entitiesOfRun(flows: Flows): number {
  return Math.max(0, ...[...flows.streams.values()].map((s) => s.recordsPerBurst));
}

/** Datasets the pipeline writes (stocks and weather): the distinct Glue crawler targets, at least 1. */
function datasetsOfRun(resources: ReadonlyMap<string, ResourceView>): number {
  const crawler = [...resources.values()].find((r) => r.type === 'AWS::Glue::Crawler');
  return Math.max(1, crawler ? crawler.list('Targets.S3Targets').value.length : 1);
}

/**
 * Lambda composites in the cloudfriend manner: one name gives the function, its encrypted log
 * group, an error-rate alarm and a throttle alarm (`lambdaFunction`), and a stream consumer's
 * event source mapping with the DESIGN §5 failure contract plus its iterator-age alarm
 * (`streamConsumer`). Logical IDs derive from the function's name: `enricher` →
 * `EnricherFunction`, `EnricherLogs`, `EnricherErrorRateAlarm`, `EnricherThrottleAlarm`,
 * `EnricherEventSource`, `EnricherIteratorAgeAlarm`.
 *
 * FUNCTION_ENVIRONMENT is contracts/functions.ts FUNCTIONS, the list the handlers read too;
 * `lambdaFunction` refuses any other variable set.
 */
import EventSourceMapping from 'cloudform-types/types/lambda/eventSourceMapping';
import type Alarm from 'cloudform-types/types/cloudWatch/alarm';
import { errorRateAlarm, namedAlarm } from './alarms';
import { ifThen, ref, type IntrinsicFunction, type Value } from './fn';
import { lambdaLogGroupName, NAMES, physicalName, tags } from './names';
import { logGroup } from './observability';
import { TemplateDefinitionError, type Fragment, type Resource } from './template';
import { COMMON_ENVIRONMENT, FUNCTIONS } from '../../contracts/functions';

/** Function (bundle) name → the environment variables it reads (contracts/functions.ts), one per bundle in NAMES.functions. */
export const FUNCTION_ENVIRONMENT: { readonly [F in keyof typeof NAMES.functions]: (typeof FUNCTIONS)[F] } = FUNCTIONS;

/** Set on every function (Powertools): contracts/functions.ts COMMON_ENVIRONMENT. */
export const COMMON_FUNCTION_ENVIRONMENT = COMMON_ENVIRONMENT;

/** EMF namespace of every function's custom metrics (the handlers' default too). */
export const METRICS_NAMESPACE = 'StockWeather';

export type FunctionName = keyof typeof FUNCTION_ENVIRONMENT;
type EnvironmentOf<F extends FunctionName> = Record<(typeof FUNCTION_ENVIRONMENT)[F][number], Value<string>>;

/** `enricher` → `Enricher`. */
export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Logical IDs of a function's composite. */
export function functionIds(name: string): { fn: string; logs: string; errorRate: string; throttles: string; eventSource: string; iteratorAge: string } {
  const p = pascal(name);
  return {
    fn: `${p}Function`,
    logs: `${p}Logs`,
    errorRate: `${p}ErrorRateAlarm`,
    throttles: `${p}ThrottleAlarm`,
    eventSource: `${p}EventSource`,
    iteratorAge: `${p}IteratorAgeAlarm`,
  };
}

/** `../dist/handlers/<name>.zip`: the `aws cloudformation package` convention (DESIGN §3). */
export function bundlePath(name: string): string {
  return `../dist/handlers/${name}.zip`;
}

export interface LambdaFunctionProps<F extends FunctionName> {
  readonly name: F;
  readonly description: string;
  /** Execution role (Security stack). */
  readonly roleArn: Value<string>;
  /** Exactly the variables of FUNCTION_ENVIRONMENT[name]; the common Powertools ones are added. */
  readonly environment: EnvironmentOf<F>;
  /** `LOG_LEVEL`. */
  readonly logLevel: Value<string>;
  /**
   * Private subnets (a list, e.g. `!Split`) and security groups; with `condition`, the function is
   * in them only while it holds, and outside any VPC otherwise (empty lists: what detaches a
   * function that was in a VPC, where a missing VpcConfig would leave it attached).
   */
  readonly vpc: { readonly subnetIds: IntrinsicFunction; readonly securityGroupIds: readonly Value<string>[]; readonly condition?: string };
  /** CMK for the log group. */
  readonly logsKeyArn: Value<string>;
  /** Topic the alarms notify (OpsAlerts). */
  readonly alarmTopicArn: Value<string>;
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** Reserved concurrency; omit when the event source already bounds concurrency. @default none */
  readonly reservedConcurrency?: Value<number>;
  /** Throttles (sum over 5 minutes) above which the throttle alarm fires. @default 0 */
  readonly throttleThreshold?: number;
  /** Error-rate alarm threshold, percent. @default 5 */
  readonly errorRatePercent?: number;
}

/**
 * A function born with its log group (encrypted, finite retention, created first so Lambda never
 * creates an unencrypted one), an error-rate alarm and a throttle alarm. arm64, Node.js 22, X-Ray
 * active tracing, JSON logs, in the private subnets (or, per `vpc.condition`, outside any VPC).
 */
export function lambdaFunction<F extends FunctionName>(props: LambdaFunctionProps<F>): Fragment {
  const expected: readonly string[] = FUNCTION_ENVIRONMENT[props.name];
  const given = Object.keys(props.environment);
  const missing = expected.filter((k) => !given.includes(k));
  const extra = given.filter((k) => !expected.includes(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new TemplateDefinitionError(
      `lambdaFunction(${props.name}): environment must be exactly FUNCTION_ENVIRONMENT.${props.name}` +
        `${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unexpected ${extra.join(', ')}` : ''} (keep templates-src/lib/lambda.ts and handlers/lib/contracts.ts in step)`,
    );
  }
  const ids = functionIds(props.name);
  const suffix = NAMES.functions[props.name];
  // A plain resource: cloudform-types (2023 spec) has no LoggingConfig and types Code as an object,
  // while the packaging convention needs Code to be the bundle's relative path.
  // LoggingConfig's !Ref orders the log group before the function.
  const fn: Resource = {
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: physicalName(suffix),
      Description: props.description,
      Code: bundlePath(props.name),
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: props.memoryMb ?? 256,
      Timeout: props.timeoutSeconds ?? 30,
      Role: props.roleArn,
      VpcConfig: props.vpc.condition
        ? {
            SubnetIds: ifThen(props.vpc.condition, props.vpc.subnetIds, []),
            SecurityGroupIds: ifThen(props.vpc.condition, [...props.vpc.securityGroupIds], []),
          }
        : { SubnetIds: props.vpc.subnetIds, SecurityGroupIds: [...props.vpc.securityGroupIds] },
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: ref(ids.logs), LogFormat: 'JSON' },
      // Only names, ARNs and thresholds here (secrets are fetched at runtime), so the AWS managed key suffices.
      Environment: {
        Variables: {
          ...props.environment,
          POWERTOOLS_SERVICE_NAME: props.name,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          LOG_LEVEL: props.logLevel,
        },
      },
      ...(props.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: props.reservedConcurrency } : {}),
      Tags: tags(),
    },
  };
  const actions = [props.alarmTopicArn];
  return {
    [ids.logs]: logGroup({ logGroupName: lambdaLogGroupName(suffix), kmsKeyArn: props.logsKeyArn }),
    [ids.fn]: fn,
    [ids.errorRate]: errorRateAlarm(props.name, ref(ids.fn), props.errorRatePercent ?? 5, actions),
    [ids.throttles]: namedAlarm(`${props.name}-throttles`, {
      description: `${props.name}: invocations throttled (reserved or account concurrency exhausted)`,
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      dimensions: { FunctionName: ref(ids.fn) },
      threshold: props.throttleThreshold ?? 0,
      periodSeconds: 300,
      actions,
    }),
  };
}

/** The DESIGN §5 failure contract every stream consumer's mapping carries. */
export const FAILURE_CONTRACT = {
  FunctionResponseTypes: ['ReportBatchItemFailures'],
  BisectBatchOnFunctionError: true,
  MaximumRetryAttempts: 3,
  MaximumRecordAgeInSeconds: 3600,
} as const;

/** Iterator age above which a consumer is falling behind (ms). */
export const ITERATOR_AGE_LIMIT_MS = 60_000;

export interface StreamConsumerProps {
  readonly name: FunctionName;
  /** Kinesis stream or DynamoDB stream ARN. */
  readonly eventSourceArn: Value<string>;
  /** On-failure destination: the consumer's SQS dead-letter queue ARN. */
  readonly onFailureArn: Value<string>;
  /** TRIM_HORIZON or LATEST (see the caller's reasoning). */
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent batches per shard (order is kept per partition key). @default 1 */
  readonly parallelizationFactor?: number;
  /** Event filter patterns (JSON strings). @default none */
  readonly filters?: readonly string[];
  readonly alarmTopicArn: Value<string>;
}

/**
 * The event source mapping with the failure contract (partial batch responses, bisect on error,
 * bounded retries and record age, SQS on-failure destination) and an alarm on the function's
 * IteratorAge (> 60 s for 3 minutes).
 */
export function streamConsumer(props: StreamConsumerProps): Fragment {
  const ids = functionIds(props.name);
  const mapping = new EventSourceMapping({
    FunctionName: ref(ids.fn),
    EventSourceArn: props.eventSourceArn,
    Enabled: true,
    StartingPosition: props.startingPosition,
    BatchSize: props.batchSize,
    MaximumBatchingWindowInSeconds: props.maxBatchingWindowSeconds,
    ParallelizationFactor: props.parallelizationFactor ?? 1,
    ...FAILURE_CONTRACT,
    FunctionResponseTypes: [...FAILURE_CONTRACT.FunctionResponseTypes],
    DestinationConfig: { OnFailure: { Destination: props.onFailureArn } },
    ...(props.filters ? { FilterCriteria: { Filters: props.filters.map((Pattern) => ({ Pattern })) } } : {}),
  });
  const iteratorAge: Alarm = namedAlarm(`${props.name}-iterator-age`, {
    description: `${props.name} is more than ${ITERATOR_AGE_LIMIT_MS / 1000} s behind its stream`,
    namespace: 'AWS/Lambda',
    metricName: 'IteratorAge',
    dimensions: { FunctionName: ref(ids.fn) },
    statistic: 'Maximum',
    threshold: ITERATOR_AGE_LIMIT_MS,
    periodSeconds: 60,
    evaluationPeriods: 3,
    actions: [props.alarmTopicArn],
  });
  return { [ids.eventSource]: mapping, [ids.iteratorAge]: iteratorAge };
}

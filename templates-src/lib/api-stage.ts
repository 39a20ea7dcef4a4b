/**
 * The stage block both ingestion APIs share (streaming.yaml's primary, secondary.yaml's standby):
 * an encrypted access-log group, the execution-log group API Gateway would otherwise create
 * unencrypted and unexpiring, and the stage with JSON access logs, metrics, X-Ray and throttling
 * (`loggedStage`); and API Gateway's account-level CloudWatch Logs role (`apiGatewayLoggingRole`).
 *
 * Logical IDs derive from one prefix: `Api` → `ApiAccessLogs`, `ApiExecutionLogs`, `ApiStage`.
 *
 * Execution logging (`LoggingLevel: ERROR`) needs the account-level role of the region to be set
 * before the stage is created, or CloudFormation fails the stage ("CloudWatch Logs role ARN must
 * be set in account settings to enable logging"). The setting is one per account and region (last
 * writer wins), so it is created under a condition: false when the account already has one.
 */
import Account from 'cloudform-types/types/apiGateway/account';
import { apiStage, type MethodThrottle } from './apigateway';
import { getAtt, sub, type Value } from './fn';
import { nameText } from './names';
import { logGroup } from './observability';
import { role } from './policy';
import { dependsOn, dependsOnWhen, retained, when } from './resources';
import type { Fragment } from './template';

/** Throttling of both ingestion APIs: the same `/ingest` contract, the same limits. */
export const INGEST_THROTTLES: { readonly stage: { readonly rateLimit: number; readonly burstLimit: number }; readonly methods: readonly MethodThrottle[] } = {
  stage: { rateLimit: 100, burstLimit: 200 },
  methods: [
    // 50 requests/s × 500 records ≈ 25k events/s: far above the poller, below on-demand Kinesis's 200k records/s.
    { resourcePath: '/ingest', httpMethod: 'POST', rateLimit: 50, burstLimit: 100 },
    // Route 53 checkers call about once per 30 s from ~15 locations.
    { resourcePath: '/health', httpMethod: 'GET', rateLimit: 10, burstLimit: 20 },
  ],
};

export interface LoggedStageProps {
  /** Logical ID of the RestApi. */
  readonly apiId: string;
  /** Logical ID of the Deployment (content-hashed, see `apiDeployment`). */
  readonly deploymentId: string;
  readonly stageName: string;
  /** Physical-name suffix of the API (`ingest-api`): the access-log group is `/aws/apigateway/${NamePrefix}-<suffix>`. */
  readonly apiNameSuffix: string;
  /** CMK of both log groups. */
  readonly logsKeyArn: Value<string>;
  /** The account-level logging role of this template (`apiGatewayLoggingRole`), if it has one: the stage waits for it when it exists. */
  readonly accountSetting?: { readonly accountId: string; readonly condition: string };
  /** @default INGEST_THROTTLES */
  readonly throttles?: typeof INGEST_THROTTLES;
}

/** `<prefix>AccessLogs`, `<prefix>ExecutionLogs` and `<prefix>Stage`. */
export function loggedStage(prefix: string, props: LoggedStageProps): Fragment {
  const ids = { access: `${prefix}AccessLogs`, execution: `${prefix}ExecutionLogs`, stage: `${prefix}Stage` };
  const throttles = props.throttles ?? INGEST_THROTTLES;
  let stage = dependsOn(
    apiStage({
      apiId: props.apiId,
      deploymentId: props.deploymentId,
      stageName: props.stageName,
      accessLogGroupArn: getAtt(ids.access, 'Arn'),
      defaultThrottle: throttles.stage,
      methodThrottles: throttles.methods,
    }),
    // Created before the stage so API Gateway's execution logs land encrypted and expire.
    ids.execution,
  );
  if (props.accountSetting) stage = dependsOnWhen(stage, 'AfterApiGatewayAccount', props.accountSetting.condition, props.accountSetting.accountId);
  return {
    [ids.access]: logGroup({ logGroupName: sub(`/aws/apigateway/${nameText(props.apiNameSuffix)}`), kmsKeyArn: props.logsKeyArn }),
    [ids.execution]: logGroup({ logGroupName: sub(`API-Gateway-Execution-Logs_\${${props.apiId}}/${props.stageName}`), kmsKeyArn: props.logsKeyArn }),
    [ids.stage]: stage,
  };
}

export interface LoggingRoleIds {
  /** Logical ID of the role API Gateway assumes. */
  readonly roleId: string;
  /** Logical ID of the `AWS::ApiGateway::Account` setting. */
  readonly accountId: string;
  /** Condition under which this template sets the region's account-level role. */
  readonly condition: string;
  /** Description of the role. @default the primary region's wording */
  readonly description?: string;
}

/**
 * The account-level role and setting, both under `condition`. Retained: deleting this stack does
 * not reset the setting (API Gateway keeps the role ARN), so the role must outlive the stack or
 * every other API's execution logging in the region breaks.
 */
export function apiGatewayLoggingRole(ids: LoggingRoleIds): Fragment {
  return {
    [ids.roleId]: when(
      ids.condition,
      retained(
        role({
          description: ids.description ?? 'API Gateway pushes execution and access logs to CloudWatch Logs (account-level setting)',
          services: ['apigateway.amazonaws.com'],
          managedPolicyArns: [sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
          statements: [],
        }),
      ),
    ),
    [ids.accountId]: when(ids.condition, retained(new Account({ CloudWatchRoleArn: getAtt(ids.roleId, 'Arn') }))),
  };
}

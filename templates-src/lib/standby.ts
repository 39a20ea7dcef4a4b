/**
 * The standby ingestion endpoint of the secondary region: the same `POST /ingest` contract as
 * streaming.yaml (request model, PutRecords mapping, responses, error shape, `GET /health`) in
 * front of a standby Kinesis stream that buffers events for a week.
 *
 * What differs from the primary, and why:
 * | primary (streaming.yaml)          | standby (here)                    | why                                             |
 * | --------------------------------- | --------------------------------- | ----------------------------------------------- |
 * | Cognito client-credentials token  | AWS_IAM (SigV4)                   | the user pool lives in the primary region; in a regional outage its token endpoint is down too, while IAM signing keeps working |
 * | consumers (compute.yaml)          | none: the stream buffers 168 h    | replay into the primary once it is back (the stream is the replay source) |
 */
import Account from 'cloudform-types/types/apiGateway/account';
import Method from 'cloudform-types/types/apiGateway/method';
import Model from 'cloudform-types/types/apiGateway/model';
import RequestValidator from 'cloudform-types/types/apiGateway/requestValidator';
import ApiResource from 'cloudform-types/types/apiGateway/resource';
import RestApi from 'cloudform-types/types/apiGateway/restApi';
import Stream from 'cloudform-types/types/kinesis/stream';
import { apiDeployment, apiStage, errorResponses, INGEST_METHOD_RESPONSES, mockHealthMethod, putRecordsIntegration } from './apigateway';
import { getAtt, ref, sub, type Value } from './fn';
import { INGEST_BATCH_SCHEMA } from './ingest';
import { NAMES, nameText, physicalName, tags } from './names';
import { logGroup } from './observability';
import { allow, role } from './policy';
import { dependsOn, retained } from './resources';
import type { Fragment } from './template';

/** Stage of the standby API, the same as the primary's so paths do not change on failover. */
export const STANDBY_STAGE = 'v1';

export interface StandbyIngestProps {
  /** CMK of this region (stream, log groups). */
  readonly kmsKeyArn: Value<string>;
  /** Retention of the standby stream. @default 168 */
  readonly retentionHours?: number;
}

/**
 * Logical IDs: `StandbyStream`, `StandbyApi` (+ resources, model, validator, methods, error
 * responses, a content-hashed `StandbyApiDeployment…`, `StandbyApiStage`), the integration role,
 * the access-log group and the account-level CloudWatch role API Gateway needs in this region.
 */
export function standbyIngest(props: StandbyIngestProps): Fragment {
  const api = 'StandbyApi';
  const definition = {
    StandbyIngestResource: new ApiResource({ RestApiId: ref(api), ParentId: getAtt(api, 'RootResourceId'), PathPart: 'ingest' }),
    StandbyHealthResource: new ApiResource({ RestApiId: ref(api), ParentId: getAtt(api, 'RootResourceId'), PathPart: 'health' }),
    StandbyBatchModel: new Model({ RestApiId: ref(api), Name: 'IngestBatch', ContentType: 'application/json', Description: 'A batch of canonical events', Schema: INGEST_BATCH_SCHEMA }),
    StandbyBodyValidator: new RequestValidator({ RestApiId: ref(api), Name: 'body-and-parameters', ValidateRequestBody: true, ValidateRequestParameters: true }),
    StandbyIngestMethod: new Method({
      RestApiId: ref(api),
      ResourceId: ref('StandbyIngestResource'),
      HttpMethod: 'POST',
      OperationName: 'ingest',
      AuthorizationType: 'AWS_IAM',
      RequestValidatorId: ref('StandbyBodyValidator'),
      RequestModels: { 'application/json': ref('StandbyBatchModel') },
      Integration: putRecordsIntegration('StandbyStream', 'StandbyIntegrationRole'),
      MethodResponses: INGEST_METHOD_RESPONSES,
    }),
    StandbyHealthMethod: mockHealthMethod(api, 'StandbyHealthResource'),
    ...errorResponses(api),
  };
  const deployment = apiDeployment('StandbyApiDeployment', api, definition, ['StandbyIngestMethod', 'StandbyHealthMethod']);
  return {
    StandbyStream: retained(
      new Stream({
        Name: physicalName(NAMES.stream),
        RetentionPeriodHours: props.retentionHours ?? 168,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: props.kmsKeyArn },
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        Tags: tags({ Role: 'standby' }),
      }),
    ),
    [api]: new RestApi({
      Name: physicalName('ingest-api-standby'),
      Description: 'Standby ingestion (secondary region): canonical events into the standby stream',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      MinimumCompressionSize: 1024,
      Tags: tags({ Role: 'standby' }),
    }),
    StandbyIntegrationRole: role({
      description: 'API Gateway writes /ingest batches to the standby stream',
      services: ['apigateway.amazonaws.com'],
      statements: [allow(['kinesis:PutRecords'], getAtt('StandbyStream', 'Arn')), allow(['kms:GenerateDataKey'], props.kmsKeyArn)],
    }),
    ...definition,
    [deployment.id]: deployment.resource,
    // Account-level, per region (last writer wins); retained like the primary's.
    StandbyApiCloudWatchRole: retained(
      role({
        description: 'API Gateway pushes execution and access logs to CloudWatch Logs (account-level setting, this region)',
        services: ['apigateway.amazonaws.com'],
        managedPolicyArns: [sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
        statements: [],
      }),
    ),
    StandbyApiAccount: retained(new Account({ CloudWatchRoleArn: getAtt('StandbyApiCloudWatchRole', 'Arn') })),
    StandbyApiAccessLogs: logGroup({ logGroupName: sub(`/aws/apigateway/${nameText('ingest-api-standby')}`), kmsKeyArn: props.kmsKeyArn }),
    StandbyApiExecutionLogs: logGroup({ logGroupName: sub(`API-Gateway-Execution-Logs_\${${api}}/${STANDBY_STAGE}`), kmsKeyArn: props.kmsKeyArn }),
    StandbyApiStage: dependsOn(
      apiStage({
        apiId: api,
        deploymentId: deployment.id,
        stageName: STANDBY_STAGE,
        accessLogGroupArn: getAtt('StandbyApiAccessLogs', 'Arn'),
        defaultThrottle: { rateLimit: 100, burstLimit: 200 },
        methodThrottles: [
          { resourcePath: '/ingest', httpMethod: 'POST', rateLimit: 50, burstLimit: 100 },
          { resourcePath: '/health', httpMethod: 'GET', rateLimit: 10, burstLimit: 20 },
        ],
      }),
      'StandbyApiAccount',
      'StandbyApiExecutionLogs',
    ),
  };
}

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
 *
 * So failover is not transparent to a client: after DNS moves to the standby, a request carrying a
 * Cognito token gets 403. The standby answers those 403s (`INCOMPLETE_SIGNATURE`,
 * `INVALID_SIGNATURE`, `MISSING_AUTHENTICATION_TOKEN`) with `X-Ingest-Auth: aws-sigv4` and
 * `X-Ingest-Region: <region>` headers and a message saying so, and a client that sees them signs
 * the same request with SigV4 (service `execute-api`, that region) — docs/deploy.md "Failover:
 * what a client must do".
 */
import GatewayResponse from 'cloudform-types/types/apiGateway/gatewayResponse';
import Method from 'cloudform-types/types/apiGateway/method';
import Model from 'cloudform-types/types/apiGateway/model';
import RequestValidator from 'cloudform-types/types/apiGateway/requestValidator';
import ApiResource from 'cloudform-types/types/apiGateway/resource';
import RestApi from 'cloudform-types/types/apiGateway/restApi';
import Stream from 'cloudform-types/types/kinesis/stream';
import { apiGatewayLoggingRole, loggedStage } from './api-stage';
import { apiDeployment, errorResponses, INGEST_METHOD_RESPONSES, mockHealthMethod, putRecordsIntegration } from './apigateway';
import { getAtt, ref, sub, type Value } from './fn';
import { INGEST_BATCH_SCHEMA } from './ingest';
import { NAMES, physicalName, tags } from './names';
import { allow, role } from './policy';
import { retained } from './resources';
import type { Fragment } from './template';

/** Stage of the standby API, the same as the primary's so paths do not change on failover. */
export const STANDBY_STAGE = 'v1';

export interface StandbyIngestProps {
  /** CMK of this region (stream, log groups). */
  readonly kmsKeyArn: Value<string>;
  /** Retention of the standby stream. @default 168 */
  readonly retentionHours?: number;
  /** Condition under which this template sets API Gateway's account-level CloudWatch role of the region. */
  readonly manageAccountCondition: string;
}

/** API Gateway's 403s for a request not signed the way an AWS_IAM method wants. */
export const SIGV4_ERROR_TYPES = ['INCOMPLETE_SIGNATURE', 'INVALID_SIGNATURE', 'MISSING_AUTHENTICATION_TOKEN'] as const;

/**
 * The 403 a client following DNS to the standby receives, telling it what to do: headers a
 * program can test, and the same error shape as every other error of the API.
 */
function sigV4Responses(apiId: string): Record<string, GatewayResponse> {
  const message =
    'standby ingestion endpoint (failover is active): sign the request with AWS SigV4 for service execute-api in ${AWS::Region}; Cognito tokens are not accepted here (or the path does not exist)';
  return Object.fromEntries(
    SIGV4_ERROR_TYPES.map((type) => [
      `${apiId}${type
        .split('_')
        .map((w) => w.charAt(0) + w.slice(1).toLowerCase())
        .join('')}`,
      new GatewayResponse({
        RestApiId: ref(apiId),
        ResponseType: type,
        StatusCode: '403',
        ResponseParameters: {
          'gatewayresponse.header.Content-Type': "'application/json'",
          'gatewayresponse.header.X-Ingest-Auth': "'aws-sigv4'",
          'gatewayresponse.header.X-Ingest-Region': sub("'${AWS::Region}'"),
        },
        ResponseTemplates: {
          'application/json': sub(`{"error":{"code":"$context.error.responseType","message":"${message}","requestId":"$context.requestId"}}`),
        },
      }),
    ]),
  );
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
    StandbyBatchModel: new Model({
      RestApiId: ref(api),
      Name: 'IngestBatch',
      ContentType: 'application/json',
      Description: 'A batch of canonical events',
      Schema: INGEST_BATCH_SCHEMA,
    }),
    StandbyBodyValidator: new RequestValidator({
      RestApiId: ref(api),
      Name: 'body-and-parameters',
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    }),
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
    ...sigV4Responses(api),
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
    // Account-level, per region (last writer wins), like the primary's (lib/api-stage.ts).
    ...apiGatewayLoggingRole({
      roleId: 'StandbyApiCloudWatchRole',
      accountId: 'StandbyApiAccount',
      condition: props.manageAccountCondition,
      description: 'API Gateway pushes execution and access logs to CloudWatch Logs (account-level setting, this region)',
    }),
    ...loggedStage(api, {
      apiId: api,
      deploymentId: deployment.id,
      stageName: STANDBY_STAGE,
      apiNameSuffix: 'ingest-api-standby',
      logsKeyArn: props.kmsKeyArn,
      accountSetting: { accountId: 'StandbyApiAccount', condition: props.manageAccountCondition },
    }),
  };
}

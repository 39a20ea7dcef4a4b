/**
 * REST API building blocks: the stable error responses, a mock health method, a deployment whose
 * logical ID follows the API's definition, and a stage with JSON access logs, throttling, metrics
 * and X-Ray. API Gateway only serves a changed method after a new Deployment, and CloudFormation
 * only creates one when the Deployment's logical ID changes — hence the content hash in the ID.
 */
import { createHash } from 'node:crypto';
import Deployment from 'cloudform-types/types/apiGateway/deployment';
import GatewayResponse from 'cloudform-types/types/apiGateway/gatewayResponse';
import Method from 'cloudform-types/types/apiGateway/method';
import Stage from 'cloudform-types/types/apiGateway/stage';
import { getAtt, ref, sub, type Value } from './fn';
import { tags } from './names';
import type { Fragment, Resource } from './template';
import {
  ACCESS_LOG_FORMAT,
  BAD_REQUEST_BODY_TEMPLATE,
  GATEWAY_ERROR_TEMPLATE,
  HEALTH_REQUEST_TEMPLATE,
  HEALTH_RESPONSE_BODY,
  INGEST_ERROR_TEMPLATE,
  INGEST_REQUEST_TEMPLATE,
  INGEST_SUCCESS_TEMPLATE,
} from './ingest';

const JSON_TYPE = 'application/json';

/**
 * Gateway responses so API Gateway's own errors (auth, validation, throttling, WAF, integration
 * timeouts) use the same `{ "error": { code, message, requestId } }` shape as the integration's.
 * IDs: `<apiId>Default4xx`, `<apiId>Default5xx`, `<apiId>BadRequestBody`.
 */
export function errorResponses(apiId: string): Fragment {
  const response = (type: string, template: string, status?: string): GatewayResponse =>
    new GatewayResponse({
      RestApiId: ref(apiId),
      ResponseType: type,
      ...(status ? { StatusCode: status } : {}),
      ResponseTemplates: { [JSON_TYPE]: template },
      ResponseParameters: { 'gatewayresponse.header.Content-Type': `'${JSON_TYPE}'` },
    });
  return {
    [`${apiId}Default4xx`]: response('DEFAULT_4XX', GATEWAY_ERROR_TEMPLATE),
    [`${apiId}Default5xx`]: response('DEFAULT_5XX', GATEWAY_ERROR_TEMPLATE),
    [`${apiId}BadRequestBody`]: response('BAD_REQUEST_BODY', BAD_REQUEST_BODY_TEMPLATE, '400'),
  };
}

/**
 * `GET` answered by a mock integration with 200 `{"status":"ok"}`, no authorization: Route 53
 * health checkers cannot present a token. It proves the regional API answers (not that Kinesis
 * does); WAF's rate rule still applies to it.
 */
export function mockHealthMethod(apiId: string, resourceId: string): Method {
  return new Method({
    RestApiId: ref(apiId),
    ResourceId: ref(resourceId),
    HttpMethod: 'GET',
    AuthorizationType: 'NONE',
    OperationName: 'health',
    Integration: {
      Type: 'MOCK',
      RequestTemplates: { [JSON_TYPE]: HEALTH_REQUEST_TEMPLATE },
      IntegrationResponses: [{ StatusCode: '200', ResponseTemplates: { [JSON_TYPE]: HEALTH_RESPONSE_BODY } }],
    },
    MethodResponses: [{ StatusCode: '200' }],
  });
}

/**
 * The `POST /ingest` integration: Kinesis PutRecords as an AWS service integration, called with
 * the integration role, the request template filled with the stream's name, and the responses
 * of lib/ingest.ts (for AWS integrations the selection pattern matches the service's HTTP status).
 */
export function putRecordsIntegration(streamId: string, roleId: string): NonNullable<ConstructorParameters<typeof Method>[0]['Integration']> {
  return {
    Type: 'AWS',
    IntegrationHttpMethod: 'POST',
    Uri: sub('arn:${AWS::Partition}:apigateway:${AWS::Region}:kinesis:action/PutRecords'),
    Credentials: getAtt(roleId, 'Arn'),
    PassthroughBehavior: 'NEVER',
    RequestParameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" },
    RequestTemplates: { [JSON_TYPE]: sub(INGEST_REQUEST_TEMPLATE, { StreamName: ref(streamId) }) },
    IntegrationResponses: [
      { StatusCode: '200', ResponseTemplates: { [JSON_TYPE]: INGEST_SUCCESS_TEMPLATE } },
      { StatusCode: '400', SelectionPattern: '4\\d{2}', ResponseTemplates: { [JSON_TYPE]: INGEST_ERROR_TEMPLATE } },
      { StatusCode: '500', SelectionPattern: '5\\d{2}', ResponseTemplates: { [JSON_TYPE]: INGEST_ERROR_TEMPLATE } },
    ],
  };
}

/** Method responses of `POST /ingest` (429 comes from the error template's status override). */
export const INGEST_METHOD_RESPONSES = ['200', '400', '429', '500'].map((StatusCode) => ({ StatusCode }));

/**
 * A Deployment whose logical ID is `<prefix><hash>`, the hash covering every resource that shapes
 * the API (methods, models, validators, gateway responses, authorizers). Returns the ID and the
 * resource; the Deployment depends on all the methods so it is created after them.
 */
export function apiDeployment(
  prefix: string,
  apiId: string,
  definition: Readonly<Record<string, Resource>>,
  methodIds: readonly string[],
): { id: string; resource: Deployment } {
  const hash = createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 10);
  const deployment = new Deployment({ RestApiId: ref(apiId), Description: `API definition ${hash}` });
  deployment.DependsOn = [...methodIds];
  return { id: `${prefix}${hash}`, resource: deployment };
}

/** Per-method settings; `resourcePath` is the API path (`/ingest`), encoded here as the stage wants (`/~1ingest`). */
export interface MethodThrottle {
  readonly resourcePath: string;
  readonly httpMethod: string;
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Burst bucket size. */
  readonly burstLimit: number;
}

export interface StageProps {
  readonly apiId: string;
  readonly deploymentId: string;
  readonly stageName: string;
  /** Access-log destination (an encrypted log group's ARN). */
  readonly accessLogGroupArn: Value<string>;
  /** Stage-wide throttle for every method. */
  readonly defaultThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Tighter or looser limits for specific methods. @default none */
  readonly methodThrottles?: readonly MethodThrottle[];
}

/**
 * A stage with JSON access logs, ERROR-level execution logs (never request bodies: they carry
 * market data and tokens), detailed CloudWatch metrics, X-Ray tracing and throttling.
 */
export function apiStage(props: StageProps): Stage {
  const common = { MetricsEnabled: true, LoggingLevel: 'ERROR', DataTraceEnabled: false };
  return new Stage({
    RestApiId: ref(props.apiId),
    DeploymentId: ref(props.deploymentId),
    StageName: props.stageName,
    TracingEnabled: true,
    AccessLogSetting: { DestinationArn: props.accessLogGroupArn, Format: ACCESS_LOG_FORMAT },
    MethodSettings: [
      {
        ResourcePath: '/*',
        HttpMethod: '*',
        ThrottlingRateLimit: props.defaultThrottle.rateLimit,
        ThrottlingBurstLimit: props.defaultThrottle.burstLimit,
        ...common,
      },
      ...(props.methodThrottles ?? []).map((m) => ({
        ResourcePath: m.resourcePath.replace(/\//g, '~1').replace(/^~1/, '/~1'),
        HttpMethod: m.httpMethod,
        ThrottlingRateLimit: m.rateLimit,
        ThrottlingBurstLimit: m.burstLimit,
        ...common,
      })),
    ],
    Tags: tags(),
  });
}

/** `<api>.execute-api.<region>.<suffix>`, the host Route 53 health checks use. */
export function executeApiHost(apiId: string): Value<string> {
  return sub(`\${${apiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}`);
}

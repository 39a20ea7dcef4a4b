/**
 * streaming.yaml (roadmap step 3): ingestion. A regional REST API whose `POST /ingest` writes
 * canonical events straight into Kinesis with PutRecords (no Lambda in the write path), guarded
 * by Cognito (client-credentials tokens), WAF, a body model and throttling; `GET /health` for the
 * Route 53 failover check; the EventBridge Scheduler group and role the poller schedule uses (the
 * schedule itself is in compute.yaml, after its target); the KMS-encrypted stream; and the
 * encrypted dead-letter queues of every consumer and the scheduler.
 *
 * Takes outputs from Security only (registry order: Security, Streaming, Networking, …).
 */
import Authorizer from 'cloudform-types/types/apiGateway/authorizer';
import BasePathMapping from 'cloudform-types/types/apiGateway/basePathMapping';
import DomainName from 'cloudform-types/types/apiGateway/domainName';
import Method from 'cloudform-types/types/apiGateway/method';
import Model from 'cloudform-types/types/apiGateway/model';
import RequestValidator from 'cloudform-types/types/apiGateway/requestValidator';
import ApiResource from 'cloudform-types/types/apiGateway/resource';
import RestApi from 'cloudform-types/types/apiGateway/restApi';
import Stream from 'cloudform-types/types/kinesis/stream';
import ScheduleGroup from 'cloudform-types/types/scheduler/scheduleGroup';
import WebACLAssociation from 'cloudform-types/types/waFv2/webAclAssociation';
import { apiDeployment, errorResponses, executeApiHost, INGEST_METHOD_RESPONSES, mockHealthMethod, putRecordsIntegration } from './lib/apigateway';
import { apiGatewayLoggingRole, loggedStage } from './lib/api-stage';
import { clientCredentialsPool } from './lib/cognito';
import { COMMON_INPUTS, IS_PROD, newStackTemplate } from './lib/common';
import { AWS, equals, getAtt, ifThen, NO_VALUE, ref, sub } from './lib/fn';
import { INGEST_BATCH_SCHEMA } from './lib/ingest';
import { NAMES, nameText, physicalName, tags } from './lib/names';
import { allow, arn, policyDocument, role } from './lib/policy';
import { retained, when } from './lib/resources';
import { deadLetterQueue, queuePolicy } from './lib/sqs';
import type { StackDefinition } from './lib/stack';
import { booleanParameter } from './lib/template';

/** The stage every URL and health check uses. */
export const API_STAGE = 'v1';
/** Cognito resource server and the scope `POST /ingest` requires (`ingest/write`). */
export const INGEST_SCOPE = 'ingest/write';

/** Consumer → its dead-letter queue's logical ID; the order of the outputs. */
export const DLQ_IDS = { enricher: 'EnricherDlq', aggregator: 'AggregatorDlq', rules: 'RulesDlq', notifier: 'NotifierDlq', scheduler: 'SchedulerDlq' } as const;

export const streaming: StackDefinition = {
  id: 'Streaming',
  file: 'streaming.yaml',
  source: 'templates-src/streaming.ts',
  steps: [3],
  inputs: {
    ...COMMON_INPUTS,
    StreamingKeyArn: { output: ['Security', 'StreamingKeyArn'] },
    LogsKeyArn: { output: ['Security', 'LogsKeyArn'] },
    WebAclArn: { output: ['Security', 'WebAclArn'] },
    StreamShardCount: { parameter: 'StreamShardCount' },
    StreamRetentionHours: { parameter: 'StreamRetentionHours' },
    EnableWaf: { parameter: 'EnableWaf' },
    EnableCustomDomain: { value: ifThen('HasFailover', 'true', 'false') },
    ApiDomainName: { parameter: 'ApiDomainName' },
    ApiCertificateArn: { parameter: 'ApiCertificateArn' },
    ManageApiGatewayAccount: { parameter: 'ManageApiGatewayAccount' },
  },
  outputs: [
    'StreamName',
    'StreamArn',
    'ApiId',
    'ApiName',
    'ApiStageName',
    'ApiUrl',
    'HealthCheckDomain',
    'HealthCheckPath',
    'ApiRegionalDomainName',
    'ApiRegionalHostedZoneId',
    'UserPoolId',
    'UserPoolClientId',
    'TokenUrl',
    'PollScheduleGroupName',
    'PollSchedulerRoleArn',
    ...Object.values(DLQ_IDS).flatMap((id) => [`${id}Arn`, `${id}Name`]),
  ],
  build() {
    const t = newStackTemplate(
      'streaming',
      'Ingestion and streaming (roadmap step 3): REST API to Kinesis with Cognito and WAF, poller schedules, the encrypted stream and dead-letter queues',
    );
    const streamingKey = t.parameter('StreamingKeyArn', { Type: 'String', Description: 'CMK for Kinesis, SQS and SNS (Security stack)' });
    const logsKey = t.parameter('LogsKeyArn', { Type: 'String', Description: 'CMK for CloudWatch Logs (Security stack)' });
    t.parameter('WebAclArn', { Type: 'String', Description: 'Regional WAFv2 web ACL for the API (Security stack); empty without EnableWaf' });
    // The toggle, not WebAclArn, decides: a condition on another stack's output cannot be evaluated before the deploy.
    t.parameter('EnableWaf', booleanParameter("Associate the Security stack's web ACL with the API stage (false: Security creates none)", 'true'));
    t.parameter('StreamShardCount', { Type: 'Number', Description: 'Kinesis shards; 0 selects on-demand capacity', MinValue: 0, MaxValue: 64 });
    // A week by default, so a consumer outage over a weekend loses nothing; a dev profile keeps 24 h (the base price).
    t.parameter('StreamRetentionHours', {
      Type: 'Number',
      Description: 'Hours the stream keeps records (24-8760; beyond 24 is billed as extended retention)',
      MinValue: 24,
      MaxValue: 8760,
      Default: 168,
    });
    t.parameter('EnableCustomDomain', booleanParameter('true when root deploys Route 53 failover (HasFailover): the API gets its custom domain', 'false'));
    t.parameter('ApiDomainName', { Type: 'String', Description: 'Custom domain of the API (failover record name)', Default: '' });
    t.parameter('ApiCertificateArn', { Type: 'String', Description: 'Regional ACM certificate for ApiDomainName', Default: '' });
    t.parameter(
      'ManageApiGatewayAccount',
      booleanParameter("Set API Gateway's account-level CloudWatch Logs role of this region (false: the account already has one)", 'true'),
    );
    const onDemand = t.condition('OnDemandStream', equals(ref('StreamShardCount'), '0'));
    const hasFailover = t.condition('HasFailover', equals(ref('EnableCustomDomain'), 'true'));
    const managesAccount = t.condition('ManagesApiGatewayAccount', equals(ref('ManageApiGatewayAccount'), 'true'));
    const hasWebAcl = t.condition('HasWebAcl', equals(ref('EnableWaf'), 'true'));

    // --- Kinesis stream -------------------------------------------------------------------
    t.resource(
      'EventStream',
      retained(
        new Stream({
          Name: physicalName(NAMES.stream),
          RetentionPeriodHours: ref('StreamRetentionHours'),
          StreamEncryption: { EncryptionType: 'KMS', KeyId: streamingKey },
          StreamModeDetails: { StreamMode: ifThen(onDemand, 'ON_DEMAND', 'PROVISIONED') },
          ShardCount: ifThen(onDemand, NO_VALUE, ref('StreamShardCount')),
          Tags: tags(),
        }),
      ),
    );
    t.implements('3.3', 'EventStream');

    // --- Dead-letter queues ---------------------------------------------------------------
    for (const [consumer, id] of Object.entries(DLQ_IDS) as [keyof typeof DLQ_IDS, string][]) {
      t.resource(id, deadLetterQueue({ nameSuffix: NAMES.queues[consumer], kmsKeyArn: streamingKey }));
      // Lambda destinations and the scheduler write with their own roles; only SNS (the notifier
      // subscriptions' redrive policy) delivers as a service principal and needs a grant.
      const snsRedrive =
        consumer === 'notifier'
          ? [
              {
                ...allow(['sqs:SendMessage'], getAtt(id, 'Arn'), {
                  ArnLike: { 'aws:SourceArn': [arn('sns', nameText(NAMES.topics.market)), arn('sns', nameText(NAMES.topics.weather))] },
                }),
                Sid: 'AlertTopicsRedrive',
                Principal: { Service: 'sns.amazonaws.com' },
              },
            ]
          : [];
      t.resource(`${id}Policy`, queuePolicy(id, snsRedrive));
      t.implements('3.4', id, `${id}Policy`);
      t.output(`${id}Arn`, { description: `ARN of the ${consumer} dead-letter queue`, value: getAtt(id, 'Arn') });
      t.output(`${id}Name`, { description: `Name of the ${consumer} dead-letter queue`, value: getAtt(id, 'QueueName') });
    }

    // --- Cognito: machine-to-machine tokens (client credentials; see lib/cognito.ts for why) --------
    t.add(
      clientCredentialsPool('IngestUserPool', {
        name: 'ingest',
        scope: INGEST_SCOPE,
        scopeDescription: 'Write canonical events to the stream through POST /ingest',
        protectWhen: IS_PROD,
      }),
    );

    // --- REST API: POST /ingest → Kinesis PutRecords, GET /health ---------------------------
    t.resource(
      'IngestApi',
      new RestApi({
        Name: physicalName('ingest-api'),
        Description: 'Canonical stock and weather events into Kinesis',
        EndpointConfiguration: { Types: ['REGIONAL'] },
        // Events are ~200 bytes; a 500-record batch is ~100 KB, so compress responses over 1 KB only.
        MinimumCompressionSize: 1024,
        Tags: tags(),
      }),
    );
    t.resource(
      'IngestApiIntegrationRole',
      role({
        description: 'API Gateway writes /ingest batches to the event stream',
        services: ['apigateway.amazonaws.com'],
        statements: [
          allow(['kinesis:PutRecords'], getAtt('EventStream', 'Arn')),
          // Writing to a KMS-encrypted stream needs a data key from the stream's CMK.
          allow(['kms:GenerateDataKey'], streamingKey),
        ],
      }),
    );
    const definition = {
      IngestResource: new ApiResource({ RestApiId: ref('IngestApi'), ParentId: getAtt('IngestApi', 'RootResourceId'), PathPart: 'ingest' }),
      HealthResource: new ApiResource({ RestApiId: ref('IngestApi'), ParentId: getAtt('IngestApi', 'RootResourceId'), PathPart: 'health' }),
      IngestBatchModel: new Model({
        RestApiId: ref('IngestApi'),
        Name: 'IngestBatch',
        ContentType: 'application/json',
        Description: 'A batch of canonical events',
        Schema: INGEST_BATCH_SCHEMA,
      }),
      IngestBodyValidator: new RequestValidator({
        RestApiId: ref('IngestApi'),
        Name: 'body-and-parameters',
        ValidateRequestBody: true,
        ValidateRequestParameters: true,
      }),
      IngestAuthorizer: new Authorizer({
        RestApiId: ref('IngestApi'),
        Name: 'cognito',
        Type: 'COGNITO_USER_POOLS',
        ProviderARNs: [getAtt('IngestUserPool', 'Arn')],
        IdentitySource: 'method.request.header.Authorization',
      }),
      IngestMethod: new Method({
        RestApiId: ref('IngestApi'),
        ResourceId: ref('IngestResource'),
        HttpMethod: 'POST',
        OperationName: 'ingest',
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: ref('IngestAuthorizer'),
        // With scopes the authorizer expects the client-credentials access token (not an ID token).
        AuthorizationScopes: [INGEST_SCOPE],
        RequestValidatorId: ref('IngestBodyValidator'),
        RequestModels: { 'application/json': ref('IngestBatchModel') },
        Integration: putRecordsIntegration('EventStream', 'IngestApiIntegrationRole'),
        MethodResponses: INGEST_METHOD_RESPONSES,
      }),
      HealthMethod: mockHealthMethod('IngestApi', 'HealthResource'),
      ...errorResponses('IngestApi'),
    };
    t.add(definition);
    const deployment = apiDeployment('ApiDeployment', 'IngestApi', definition, ['IngestMethod', 'HealthMethod']);
    t.resource(deployment.id, deployment.resource);

    // API Gateway logs to CloudWatch through one role per account and region (lib/api-stage.ts).
    t.add(apiGatewayLoggingRole({ roleId: 'ApiGatewayCloudWatchRole', accountId: 'ApiGatewayAccount', condition: managesAccount }));
    t.add(
      loggedStage('Api', {
        apiId: 'IngestApi',
        deploymentId: deployment.id,
        stageName: API_STAGE,
        apiNameSuffix: 'ingest-api',
        logsKeyArn: logsKey,
        accountSetting: { accountId: 'ApiGatewayAccount', condition: managesAccount },
      }),
    );
    t.resource(
      'ApiWebAclAssociation',
      when(
        hasWebAcl,
        new WebACLAssociation({
          ResourceArn: sub('arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${IngestApi}/stages/${ApiStage}'),
          WebACLArn: ref('WebAclArn'),
        }),
      ),
    );
    t.resource(
      'ApiDomain',
      when(
        hasFailover,
        new DomainName({
          DomainName: ref('ApiDomainName'),
          RegionalCertificateArn: ref('ApiCertificateArn'),
          EndpointConfiguration: { Types: ['REGIONAL'] },
          SecurityPolicy: 'TLS_1_2',
          Tags: tags(),
        }),
      ),
    );
    t.resource(
      'ApiBasePathMapping',
      when(hasFailover, new BasePathMapping({ DomainName: ref('ApiDomain'), RestApiId: ref('IngestApi'), Stage: ref('ApiStage') })),
    );
    t.implements(
      '3.1',
      'IngestApi',
      'IngestResource',
      'IngestMethod',
      'IngestBatchModel',
      'IngestBodyValidator',
      'IngestApiIntegrationRole',
      'IngestAuthorizer',
      'IngestUserPool',
      'IngestUserPoolResourceServer',
      'IngestUserPoolDomain',
      'IngestUserPoolClient',
      'ApiWebAclAssociation',
      'ApiStage',
      deployment.id,
      'ApiAccessLogs',
      'ApiExecutionLogs',
      'ApiGatewayAccount',
      'ApiGatewayCloudWatchRole',
      'HealthResource',
      'HealthMethod',
      'IngestApiDefault4xx',
      'IngestApiDefault5xx',
      'IngestApiBadRequestBody',
      'ApiDomain',
      'ApiBasePathMapping',
    );

    // --- EventBridge Scheduler → poller ----------------------------------------------------
    // The schedule itself lives in compute.yaml, after the poller it invokes: created here, it
    // would start firing before compute.yaml exists and fill the scheduler DLQ on every first
    // deploy. This stack holds what the schedule needs and what must exist before it: the group,
    // the execution role (scoped to the poller's NAMES ARN) and the dead-letter queue above.
    const pollerArn = arn('lambda', `function:${nameText(NAMES.functions.poller)}`);
    t.resource(
      'PollSchedulerRole',
      role({
        description: 'EventBridge Scheduler invokes the poller and dead-letters what it cannot deliver',
        assumeRolePolicy: policyDocument({
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': AWS.accountId } },
        }),
        statements: [
          allow(['lambda:InvokeFunction'], pollerArn),
          allow(['sqs:SendMessage'], getAtt('SchedulerDlq', 'Arn')),
          // The DLQ is encrypted with the streaming CMK.
          allow(['kms:GenerateDataKey', 'kms:Decrypt'], streamingKey),
        ],
      }),
    );
    t.resource('PollScheduleGroup', new ScheduleGroup({ Name: physicalName('pollers'), Tags: tags() }));
    t.implements('3.2', 'PollScheduleGroup', 'PollSchedulerRole', 'SchedulerDlq');

    // --- Outputs ---------------------------------------------------------------------------
    t.output('StreamName', { description: 'Kinesis stream of canonical events', value: ref('EventStream') });
    t.output('StreamArn', { description: 'ARN of the event stream', value: getAtt('EventStream', 'Arn') });
    t.output('ApiId', { description: 'REST API ID', value: ref('IngestApi') });
    t.output('ApiName', { description: 'REST API name (the ApiName dimension of its CloudWatch metrics)', value: physicalName('ingest-api') });
    t.output('ApiStageName', { description: 'Stage of the REST API', value: API_STAGE });
    t.output('ApiUrl', {
      description: 'POST canonical event batches here with a Cognito access token',
      value: sub(`https://\${IngestApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${API_STAGE}/ingest`),
    });
    t.output('HealthCheckDomain', { description: 'execute-api host of this region’s API, for the Route 53 health check', value: executeApiHost('IngestApi') });
    t.output('HealthCheckPath', { description: 'Path of the health endpoint on HealthCheckDomain', value: `/${API_STAGE}/health` });
    // Always declared ('' without failover): root re-exports every promised output unconditionally,
    // and a !GetAtt on a nested output that does not exist fails the deploy.
    t.output('ApiRegionalDomainName', {
      description: 'Regional target of the custom domain (alias target of the failover record); empty without failover',
      value: ifThen(hasFailover, getAtt('ApiDomain', 'RegionalDomainName'), ''),
    });
    t.output('ApiRegionalHostedZoneId', {
      description: 'Hosted zone of the regional target (alias hosted zone of the failover record); empty without failover',
      value: ifThen(hasFailover, getAtt('ApiDomain', 'RegionalHostedZoneId'), ''),
    });
    t.output('UserPoolId', { description: 'Cognito user pool of the ingestion clients', value: ref('IngestUserPool') });
    t.output('UserPoolClientId', {
      description: 'App client for the client-credentials grant (secret: aws cognito-idp describe-user-pool-client)',
      value: ref('IngestUserPoolClient'),
    });
    t.output('PollScheduleGroupName', { description: 'Schedule group of the poller schedule (compute.yaml)', value: ref('PollScheduleGroup') });
    t.output('PollSchedulerRoleArn', { description: 'Execution role of the poller schedule (compute.yaml)', value: getAtt('PollSchedulerRole', 'Arn') });
    t.output('TokenUrl', {
      description: `OAuth token endpoint (grant_type=client_credentials, scope=${INGEST_SCOPE})`,
      value: sub(`https://\${IngestUserPoolDomain}.auth.\${AWS::Region}.amazoncognito.com/oauth2/token`),
    });
    return t.toDocument();
  },
};

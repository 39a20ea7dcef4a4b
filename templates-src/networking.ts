/**
 * networking.yaml (roadmap step 1, and step 10's Route 53 failover): VPCs `prod-app` (Lambda
 * functions, EC2 tooling, VPC endpoints) and `prod-data` (DAX), each with public and private
 * subnets in two AZs, internet gateways, NAT gateways per NatGatewayMode, route tables, gateway and
 * interface endpoints, security groups, flow logs, VPC peering, and the PRIMARY failover record.
 *
 * A dev profile that runs the functions outside the VPC (FunctionsInVpc=false) switches off what
 * only they use: the NAT gateways and private default routes (EnableNatGateway) and the interface
 * endpoints (EnableInterfaceEndpoints), billed by the hour whether used or not. The VPCs, subnets,
 * security groups, peering, flow logs and the free S3/DynamoDB gateway endpoints always stay.
 */
import HealthCheck from 'cloudform-types/types/route53/healthCheck';
import RecordSet from 'cloudform-types/types/route53/recordSet';
import Route from 'cloudform-types/types/ec2/route';
import VPCPeeringConnection from 'cloudform-types/types/ec2/vpcPeeringConnection';
import { namedAlarm } from './lib/alarms';
import { COMMON_INPUTS, IS_PROD, newStackTemplate } from './lib/common';
import { and, conditionRef, equals, getAtt, ifThen, join, not, ref, stackOutput, sub } from './lib/fn';
import { nameText, physicalName, tags } from './lib/names';
import { longerInProd } from './lib/log-retention';
import { logGroup } from './lib/observability';
import { allow, role } from './lib/policy';
import { dependsOn, when } from './lib/resources';
import type { StackDefinition } from './lib/stack';
import { flowLog, interfaceEndpoint, securityGroup, twoTierVpc, vpcIds, type VpcLayout } from './lib/vpc';
import { booleanParameter } from './lib/template';

/** Non-overlapping ranges (peering needs that); private subnets are /20 for Lambda ENIs. */
export const APP_LAYOUT: VpcLayout = {
  cidr: '10.10.0.0/16',
  publicSubnets: ['10.10.0.0/24', '10.10.1.0/24'],
  privateSubnets: ['10.10.16.0/20', '10.10.32.0/20'],
};
export const DATA_LAYOUT: VpcLayout = {
  cidr: '10.20.0.0/16',
  publicSubnets: ['10.20.0.0/24', '10.20.1.0/24'],
  privateSubnets: ['10.20.16.0/20', '10.20.32.0/20'],
};

/**
 * Interface endpoints in the app VPC's private subnets. The roadmap's four (logs, sts, kms,
 * secretsmanager), plus what the functions call on every invocation — kinesis-streams (poller),
 * sns (rules), sqs (on-failure destinations), xray (tracing) — so the hot path never crosses a NAT
 * gateway and keeps working if it fails. execute-api serves private API clients; its private DNS
 * stays off because it would resolve every *.execute-api name in the VPC to the endpoint and cut
 * the VPC off from public regional APIs, including our own /ingest.
 */
export const INTERFACE_ENDPOINTS = [
  { id: 'LogsEndpoint', service: 'logs' },
  { id: 'StsEndpoint', service: 'sts' },
  { id: 'KmsEndpoint', service: 'kms' },
  { id: 'SecretsManagerEndpoint', service: 'secretsmanager' },
  { id: 'KinesisEndpoint', service: 'kinesis-streams' },
  { id: 'SnsEndpoint', service: 'sns' },
  { id: 'SqsEndpoint', service: 'sqs' },
  { id: 'XRayEndpoint', service: 'xray' },
] as const;

const DAX_TLS_PORT = 9111;
const app = vpcIds('App', APP_LAYOUT.privateSubnets.length);
const data = vpcIds('Data', DATA_LAYOUT.privateSubnets.length);
const https = (description: string) => ({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: description });

export const networking: StackDefinition = {
  id: 'Networking',
  file: 'networking.yaml',
  source: 'templates-src/networking.ts',
  steps: [1, 10],
  inputs: {
    ...COMMON_INPUTS,
    NatGatewayMode: { value: ifThen(IS_PROD, 'per-az', 'single') },
    EnableNatGateway: { parameter: 'EnableNatGateway' },
    EnableInterfaceEndpoints: { parameter: 'EnableInterfaceEndpoints' },
    LogsKeyArn: { output: ['Security', 'LogsKeyArn'] },
    HostedZoneId: { parameter: 'HostedZoneId' },
    ApiDomainName: { parameter: 'ApiDomainName' },
    HealthCheckDomain: { output: ['Streaming', 'HealthCheckDomain'] },
    HealthCheckPath: { output: ['Streaming', 'HealthCheckPath'] },
    ApiName: { output: ['Streaming', 'ApiName'] },
    ApiStageName: { output: ['Streaming', 'ApiStageName'] },
    // Streaming declares these two only under HasFailover: read them only in that case.
    ApiRegionalDomainName: { value: ifThen('HasFailover', stackOutput('Streaming', 'ApiRegionalDomainName'), '') },
    ApiRegionalHostedZoneId: { value: ifThen('HasFailover', stackOutput('Streaming', 'ApiRegionalHostedZoneId'), '') },
  },
  outputs: [
    'AppVpcId',
    'DataVpcId',
    'AppPrivateSubnetIds',
    'DataPrivateSubnetIds',
    'AppPublicSubnetIds',
    'LambdaSecurityGroupId',
    'Ec2SecurityGroupId',
    'ApiEndpointSecurityGroupId',
    'DaxSecurityGroupId',
    'ExecuteApiEndpointId',
    'VpcPeeringConnectionId',
    'HealthCheckId',
  ],
  build() {
    const t = newStackTemplate(
      'networking',
      'VPCs prod-app and prod-data with subnets, gateways, endpoints, security groups, flow logs and peering; Route 53 failover for the API (roadmap steps 1 and 10)',
    );
    t.parameter('NatGatewayMode', {
      Type: 'String',
      Description: 'single: one NAT gateway shared by both AZs (dev); per-az: one per AZ, no cross-AZ dependency (prod)',
      AllowedValues: ['single', 'per-az'],
      Default: 'single',
    });
    t.parameter(
      'EnableNatGateway',
      booleanParameter('false: no NAT gateway and no default route from the private subnets (the functions run outside the VPC)', 'true'),
    );
    t.parameter(
      'EnableInterfaceEndpoints',
      booleanParameter(
        'false: no interface endpoints (nothing in the VPC calls AWS APIs, or it does so through the NAT gateway); the gateway endpoints stay',
        'true',
      ),
    );
    t.parameter('LogsKeyArn', { Type: 'String', Description: 'CMK for the flow-log group (Security stack)' });
    t.parameter('HostedZoneId', { Type: 'String', Description: 'Hosted zone of ApiDomainName; empty disables failover routing', Default: '' });
    t.parameter('ApiDomainName', { Type: 'String', Description: 'DNS name of the ingestion API', Default: '' });
    t.parameter('HealthCheckDomain', { Type: 'String', Description: 'execute-api host of the primary API (Streaming stack)' });
    t.parameter('HealthCheckPath', { Type: 'String', Description: 'Path of the API health endpoint (Streaming stack)' });
    t.parameter('ApiName', { Type: 'String', Description: 'Name of the primary REST API, the ApiName dimension of its metrics (Streaming stack)' });
    t.parameter('ApiStageName', { Type: 'String', Description: 'Stage of the primary REST API (Streaming stack)' });
    t.parameter('ApiRegionalDomainName', {
      Type: 'String',
      Description: 'Regional domain name of the API custom domain (Streaming stack, under failover)',
      Default: '',
    });
    t.parameter('ApiRegionalHostedZoneId', {
      Type: 'String',
      Description: 'Hosted zone of the regional domain name (Streaming stack, under failover)',
      Default: '',
    });
    const hasNat = t.condition('HasNatGateway', equals(ref('EnableNatGateway'), 'true'));
    t.condition('PerAzNat', and(conditionRef(hasNat), equals(ref('NatGatewayMode'), 'per-az')));
    const hasEndpoints = t.condition('HasInterfaceEndpoints', equals(ref('EnableInterfaceEndpoints'), 'true'));
    t.condition('HasFailover', and(not(equals(ref('HostedZoneId'), '')), not(equals(ref('ApiDomainName'), ''))));

    // --- VPCs, subnets, gateways, route tables, gateway endpoints -------------------------------
    // prod-data has no NAT: the data tier reaches S3/DynamoDB through gateway endpoints and the
    // app tier through the peering, never the internet. Its public subnets hold nothing today;
    // they exist for a future load balancer or bastion so adding one needs no re-addressing.
    t.add(twoTierVpc({ prefix: 'App', nameSuffix: 'app', roleTag: 'prod-app', layout: APP_LAYOUT, nat: { perAzCondition: 'PerAzNat', condition: hasNat } }));
    t.add(twoTierVpc({ prefix: 'Data', nameSuffix: 'data', roleTag: 'prod-data', layout: DATA_LAYOUT, nat: false }));
    t.implements('1.1', app.vpc, data.vpc);
    t.implements(
      '1.2',
      ...app.publicSubnets,
      ...app.privateSubnets,
      ...data.publicSubnets,
      ...data.privateSubnets,
      ...app.privateRouteTables,
      ...data.privateRouteTables,
      'AppPublicRouteTable',
      'DataPublicRouteTable',
    );
    t.implements('1.3', 'AppInternetGateway', 'DataInternetGateway', ...app.natGateways, 'AppPrivateDefaultRoute1', 'AppPrivateDefaultRoute2');

    // --- Peering -------------------------------------------------------------------------------
    // Peering, not a transit gateway: two VPCs in one account and region need one connection with
    // no hourly attachment charges or data-processing fee, and routes stay in our route tables. A
    // transit gateway pays off from ~3+ VPCs or with VPN/Direct Connect, neither of which we have.
    t.resource('VpcPeering', new VPCPeeringConnection({ VpcId: ref(app.vpc), PeerVpcId: ref(data.vpc), Tags: tags({ Name: sub(nameText('app-to-data')) }) }));
    for (const [i, table] of app.privateRouteTables.entries()) {
      t.resource(
        `AppToDataRoute${i + 1}`,
        new Route({ RouteTableId: ref(table), DestinationCidrBlock: DATA_LAYOUT.cidr, VpcPeeringConnectionId: ref('VpcPeering') }),
      );
    }
    for (const [i, table] of data.privateRouteTables.entries()) {
      t.resource(
        `DataToAppRoute${i + 1}`,
        new Route({ RouteTableId: ref(table), DestinationCidrBlock: APP_LAYOUT.cidr, VpcPeeringConnectionId: ref('VpcPeering') }),
      );
    }
    t.implements('1.1', 'VpcPeering', 'AppToDataRoute1', 'AppToDataRoute2', 'DataToAppRoute1', 'DataToAppRoute2');

    // --- Security groups (no 0.0.0.0/0 ingress anywhere) -----------------------------------------
    t.resource(
      'LambdaSecurityGroup',
      securityGroup('LambdaSecurityGroup', {
        vpcId: ref(app.vpc),
        nameSuffix: 'lambda',
        description: 'Lambda functions: no inbound; HTTPS out (AWS endpoints, market/weather/Slack APIs via NAT) and DAX over TLS',
        egress: [
          { ...https('AWS APIs (endpoints) and third-party HTTPS APIs through the NAT gateway'), CidrIp: '0.0.0.0/0' },
          ...DATA_LAYOUT.privateSubnets.map((cidr) => ({
            IpProtocol: 'tcp',
            FromPort: DAX_TLS_PORT,
            ToPort: DAX_TLS_PORT,
            CidrIp: cidr,
            Description: 'DAX (TLS) in the data VPC',
          })),
        ],
      }),
    );
    t.resource(
      'Ec2SecurityGroup',
      securityGroup('Ec2SecurityGroup', {
        vpcId: ref(app.vpc),
        nameSuffix: 'ec2',
        description: 'EC2 tooling instances: no inbound (use Session Manager, not SSH); HTTPS out only',
        egress: [{ ...https('AWS APIs and package repositories'), CidrIp: '0.0.0.0/0' }],
      }),
    );
    t.resource(
      'EndpointSecurityGroup',
      securityGroup('EndpointSecurityGroup', {
        vpcId: ref(app.vpc),
        nameSuffix: 'aws-endpoints',
        description: 'AWS service interface endpoints: HTTPS from the functions and EC2 only',
        ingress: [
          { ...https('Lambda functions'), SourceSecurityGroupId: ref('LambdaSecurityGroup') },
          { ...https('EC2 tooling'), SourceSecurityGroupId: ref('Ec2SecurityGroup') },
        ],
        egress: [],
      }),
    );
    t.resource(
      'ApiEndpointSecurityGroup',
      securityGroup('ApiEndpointSecurityGroup', {
        vpcId: ref(app.vpc),
        nameSuffix: 'api-endpoint',
        description: 'API Gateway (execute-api) VPC endpoint: HTTPS from the app VPC only',
        ingress: [{ ...https('Clients in the app VPC'), CidrIp: APP_LAYOUT.cidr }],
        egress: [],
      }),
    );
    t.resource(
      'DaxSecurityGroup',
      securityGroup('DaxSecurityGroup', {
        vpcId: ref(data.vpc),
        nameSuffix: 'dax',
        description: 'DAX cluster: TLS port from the app VPC private subnets (functions) only',
        ingress: APP_LAYOUT.privateSubnets.map((cidr) => ({
          IpProtocol: 'tcp',
          FromPort: DAX_TLS_PORT,
          ToPort: DAX_TLS_PORT,
          CidrIp: cidr,
          Description: 'Functions in the app VPC',
        })),
        egress: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, CidrIp: DATA_LAYOUT.cidr, Description: 'Cluster nodes within the data VPC' }],
      }),
    );
    t.implements('1.5', 'ApiEndpointSecurityGroup', 'LambdaSecurityGroup', 'Ec2SecurityGroup', 'EndpointSecurityGroup', 'DaxSecurityGroup');

    // --- Interface endpoints -------------------------------------------------------------------
    const appPrivate = app.privateSubnets.map((s) => ref(s));
    // Billed per AZ-hour each (9 × 2 AZs is most of a dev bill): under EnableInterfaceEndpoints.
    for (const e of INTERFACE_ENDPOINTS)
      t.resource(
        e.id,
        when(
          hasEndpoints,
          interfaceEndpoint({ vpcId: ref(app.vpc), service: e.service, subnetIds: appPrivate, securityGroupId: ref('EndpointSecurityGroup') }),
        ),
      );
    t.resource(
      'ExecuteApiEndpoint',
      when(
        hasEndpoints,
        interfaceEndpoint({
          vpcId: ref(app.vpc),
          service: 'execute-api',
          subnetIds: appPrivate,
          securityGroupId: ref('ApiEndpointSecurityGroup'),
          privateDns: false,
        }),
      ),
    );
    t.implements(
      '1.4',
      'AppS3Endpoint',
      'AppDynamoDbEndpoint',
      'DataS3Endpoint',
      'DataDynamoDbEndpoint',
      ...INTERFACE_ENDPOINTS.map((e) => e.id),
      'ExecuteApiEndpoint',
    );

    // --- Flow logs -------------------------------------------------------------------------------
    const flowLogGroupName = sub(`/vpc/${nameText('flow-logs')}`);
    t.resource('FlowLogGroup', longerInProd(logGroup({ logGroupName: flowLogGroupName, kmsKeyArn: ref('LogsKeyArn') })));
    t.resource(
      'FlowLogsRole',
      role({
        description: 'Lets VPC Flow Logs deliver to the flow-log group',
        assumeRolePolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
            },
          ],
        },
        statements: [
          allow(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:DescribeLogGroups'], [getAtt('FlowLogGroup', 'Arn')]),
        ],
      }),
    );
    t.resource('AppFlowLog', flowLog(app.vpc, ref('FlowLogGroup'), getAtt('FlowLogsRole', 'Arn')));
    t.resource('DataFlowLog', flowLog(data.vpc, ref('FlowLogGroup'), getAtt('FlowLogsRole', 'Arn')));
    t.implements('1.1', 'AppFlowLog', 'DataFlowLog', 'FlowLogGroup');

    // --- Route 53 failover (step 10) -------------------------------------------------------------
    // This primary-region stack creates the health check and the PRIMARY record; the
    // secondary-region template creates the SECONDARY record (same name, SetIdentifier
    // `secondary`) aliased to the standby API, so Route 53 answers with it while this check fails.
    //
    // `GET /health` is a MOCK integration: it proves API Gateway answers in this region, not that
    // events reach Kinesis. So the record's check is CALCULATED from two children, healthy only
    // when both are: the HTTPS check of /health, and a check on an alarm over the API's 5xx rate
    // (PutRecords failing on Kinesis or KMS answers 5xx through the integration responses).
    // Route 53 reads only plain metric alarms (no metric math), hence Average of 5XXError, which
    // is the fraction of requests that failed.
    t.resource(
      'ApiErrorRateAlarm',
      when(
        'HasFailover',
        namedAlarm('api-failover-5xx-rate', {
          description: 'More than a quarter of /ingest requests answered 5xx for 3 minutes: the primary region is failing over to the standby',
          namespace: 'AWS/ApiGateway',
          metricName: '5XXError',
          dimensions: { ApiName: ref('ApiName'), Stage: ref('ApiStageName') },
          statistic: 'Average',
          threshold: 0.25,
          periodSeconds: 60,
          evaluationPeriods: 3,
          actions: [],
        }),
      ),
    );
    t.resource(
      'ApiEndpointHealthCheck',
      when(
        'HasFailover',
        new HealthCheck({
          HealthCheckConfig: {
            Type: 'HTTPS',
            FullyQualifiedDomainName: ref('HealthCheckDomain'),
            ResourcePath: ref('HealthCheckPath'),
            Port: 443,
            RequestInterval: 30,
            FailureThreshold: 3,
            EnableSNI: true,
          },
          HealthCheckTags: tags({ Name: sub(nameText('api-primary-endpoint')) }),
        }),
      ),
    );
    t.resource(
      'ApiErrorRateHealthCheck',
      when(
        'HasFailover',
        dependsOn(
          new HealthCheck({
            HealthCheckConfig: {
              Type: 'CLOUDWATCH_METRIC',
              AlarmIdentifier: { Name: physicalName('api-failover-5xx-rate'), Region: ref('AWS::Region') },
              // No traffic means no data: keep the last status rather than flapping.
              InsufficientDataHealthStatus: 'LastKnownStatus',
            },
            HealthCheckTags: tags({ Name: sub(nameText('api-primary-errors')) }),
          }),
          'ApiErrorRateAlarm',
        ),
      ),
    );
    t.resource(
      'ApiHealthCheck',
      when(
        'HasFailover',
        new HealthCheck({
          HealthCheckConfig: { Type: 'CALCULATED', ChildHealthChecks: [ref('ApiEndpointHealthCheck'), ref('ApiErrorRateHealthCheck')], HealthThreshold: 2 },
          HealthCheckTags: tags({ Name: sub(nameText('api-primary')) }),
        }),
      ),
    );
    t.resource(
      'ApiFailoverRecord',
      when(
        'HasFailover',
        new RecordSet({
          HostedZoneId: ref('HostedZoneId'),
          Name: ref('ApiDomainName'),
          Type: 'A',
          SetIdentifier: 'primary',
          Failover: 'PRIMARY',
          HealthCheckId: ref('ApiHealthCheck'),
          AliasTarget: { DNSName: ref('ApiRegionalDomainName'), HostedZoneId: ref('ApiRegionalHostedZoneId'), EvaluateTargetHealth: true },
        }),
      ),
    );
    t.implements('10.3', 'ApiHealthCheck', 'ApiEndpointHealthCheck', 'ApiErrorRateHealthCheck', 'ApiErrorRateAlarm', 'ApiFailoverRecord');

    // --- Outputs ---------------------------------------------------------------------------------
    t.output('AppVpcId', { description: 'prod-app VPC', value: ref(app.vpc) });
    t.output('DataVpcId', { description: 'prod-data VPC', value: ref(data.vpc) });
    t.output('AppPrivateSubnetIds', { description: 'Private subnets of the app VPC (functions), comma-joined', value: join(',', appPrivate) });
    t.output('DataPrivateSubnetIds', {
      description: 'Private subnets of the data VPC (DAX), comma-joined',
      value: join(
        ',',
        data.privateSubnets.map((s) => ref(s)),
      ),
    });
    t.output('AppPublicSubnetIds', {
      description: 'Public subnets of the app VPC, comma-joined',
      value: join(
        ',',
        app.publicSubnets.map((s) => ref(s)),
      ),
    });
    t.output('LambdaSecurityGroupId', { description: 'Security group of the Lambda functions', value: ref('LambdaSecurityGroup') });
    t.output('Ec2SecurityGroupId', { description: 'Security group of EC2 tooling instances', value: ref('Ec2SecurityGroup') });
    t.output('ApiEndpointSecurityGroupId', { description: 'Security group of the execute-api VPC endpoint', value: ref('ApiEndpointSecurityGroup') });
    t.output('DaxSecurityGroupId', { description: 'Security group of the DAX cluster (data VPC)', value: ref('DaxSecurityGroup') });
    t.output('ExecuteApiEndpointId', {
      description: 'execute-api VPC endpoint (for private API resource policies); empty without interface endpoints',
      value: ifThen(hasEndpoints, ref('ExecuteApiEndpoint'), ''),
    });
    t.output('VpcPeeringConnectionId', { description: 'Peering between the app and data VPCs', value: ref('VpcPeering') });
    t.output('HealthCheckId', {
      description: 'Route 53 health check of the primary API (empty without failover)',
      value: ifThen('HasFailover', ref('ApiHealthCheck'), ''),
    });
    return t.toDocument();
  },
};

import { APP_LAYOUT, DATA_LAYOUT, INTERFACE_ENDPOINTS, networking } from '../../templates-src/networking';
import { ROADMAP } from '../../templates-src/roadmap';
import { securityGroup, twoTierVpc } from '../../templates-src/lib/vpc';
import { canonicalize } from '../../templates-src/lib/yaml';

type Json = Record<string, any>;
const doc = canonicalize(networking.build()) as Json;
const resources = doc.Resources as Record<string, Json>;
const ofType = (type: string): [string, Json][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const sub = (text: string) => ({ 'Fn::Sub': text });
/** A registry wire as plain JSON (intrinsics are cloudform objects until serialised). */
const wire = (name: string): Json => JSON.parse(JSON.stringify(networking.inputs[name]));

/** Pure evaluation of the NAT-related conditions: which gateways exist and where each private route points. */
function natPlan(mode: 'single' | 'per-az', enabled = true): { gateways: string[]; routes: Record<string, string> } {
  const conditionTrue = (name: string | undefined): boolean =>
    name === undefined || (name === 'HasNatGateway' && enabled) || (name === 'PerAzNat' && enabled && mode === 'per-az');
  const gateways = ofType('AWS::EC2::NatGateway')
    .filter(([, r]) => conditionTrue(r.Condition))
    .map(([id]) => id);
  const routes: Record<string, string> = {};
  for (const [id, r] of ofType('AWS::EC2::Route')) {
    const target = r.Properties.NatGatewayId;
    if (!target || !conditionTrue(r.Condition)) continue;
    routes[id] = target.Ref ?? (conditionTrue(target['Fn::If'][0]) ? target['Fn::If'][1].Ref : target['Fn::If'][2].Ref);
  }
  return { gateways, routes };
}

describe('networking.yaml', () => {
  test.each([
    ['AppVpc', 'app', 'prod-app', APP_LAYOUT.cidr],
    ['DataVpc', 'data', 'prod-data', DATA_LAYOUT.cidr],
  ])('%s is tagged %s / %s with DNS support', (id, suffix, role, cidr) => {
    const p = resources[id]!.Properties;
    expect(p.CidrBlock).toBe(cidr);
    expect(p.EnableDnsHostnames).toBe(true);
    expect(p.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Name', Value: sub(`\${NamePrefix}-${suffix}`) },
        { Key: 'Role', Value: role },
      ]),
    );
  });

  test('the two VPCs do not overlap (peering requires it)', () => {
    expect(APP_LAYOUT.cidr.split('.').slice(0, 2)).not.toEqual(DATA_LAYOUT.cidr.split('.').slice(0, 2));
  });

  test.each(['App', 'Data'])('%s VPC has a public and a private subnet in each of two AZs, none mapping public IPs', (prefix) => {
    for (const tier of ['Public', 'Private']) {
      const azs = [1, 2].map((n) => resources[`${prefix}${tier}Subnet${n}`]!.Properties.AvailabilityZone);
      expect(azs).toEqual([0, 1].map((i) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] })));
      for (const n of [1, 2]) expect(resources[`${prefix}${tier}Subnet${n}`]!.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('each VPC has an internet gateway with a public default route', () => {
    for (const prefix of ['App', 'Data']) {
      expect(resources[`${prefix}GatewayAttachment`]!.Properties).toEqual({
        VpcId: { Ref: `${prefix}Vpc` },
        InternetGatewayId: { Ref: `${prefix}InternetGateway` },
      });
      expect(resources[`${prefix}PublicDefaultRoute`]!.Properties.GatewayId).toEqual({ Ref: `${prefix}InternetGateway` });
    }
  });

  test.each([
    ['single', ['AppNatGateway1'], { AppPrivateDefaultRoute1: 'AppNatGateway1', AppPrivateDefaultRoute2: 'AppNatGateway1' }],
    ['per-az', ['AppNatGateway1', 'AppNatGateway2'], { AppPrivateDefaultRoute1: 'AppNatGateway1', AppPrivateDefaultRoute2: 'AppNatGateway2' }],
  ] as const)('NatGatewayMode=%s deploys %j and routes each AZ accordingly', (mode, gateways, routes) => {
    expect(natPlan(mode)).toEqual({ gateways, routes });
  });

  test.each(['single', 'per-az'] as const)('EnableNatGateway=false removes every NAT gateway, EIP and private default route (NatGatewayMode=%s)', (mode) => {
    expect(natPlan(mode, false)).toEqual({ gateways: [], routes: {} });
    expect(doc.Conditions.HasNatGateway).toEqual({ 'Fn::Equals': [{ Ref: 'EnableNatGateway' }, 'true'] });
    expect(doc.Conditions.PerAzNat).toEqual({ 'Fn::And': [{ Condition: 'HasNatGateway' }, { 'Fn::Equals': [{ Ref: 'NatGatewayMode' }, 'per-az'] }] });
    expect(ofType('AWS::EC2::EIP').map(([id, r]) => [id, r.Condition])).toEqual([
      ['AppNatEip1', 'HasNatGateway'],
      ['AppNatEip2', 'PerAzNat'],
    ]);
    expect(wire('EnableNatGateway')).toEqual({ parameter: 'EnableNatGateway' });
  });

  test('root selects one NAT gateway per AZ in prod and a single one in dev', () => {
    expect(wire('NatGatewayMode')).toEqual({ value: { 'Fn::If': ['IsProd', 'per-az', 'single'] } });
  });

  test('the data VPC has no NAT gateway or internet route from its private subnets', () => {
    expect(Object.keys(resources).filter((id) => id.startsWith('DataNat'))).toEqual([]);
    for (const [, r] of ofType('AWS::EC2::Route')) {
      if (JSON.stringify(r.Properties.RouteTableId).includes('DataPrivate')) expect(r.Properties.DestinationCidrBlock).toBe(APP_LAYOUT.cidr);
    }
  });

  test.each(['s3', 'dynamodb'])('both VPCs have a %s gateway endpoint on every private route table', (service) => {
    const endpoints = ofType('AWS::EC2::VPCEndpoint').filter(([, r]) => r.Properties.ServiceName['Fn::Sub'].endsWith(`.${service}`));
    expect(endpoints.map(([, r]) => r.Properties.VpcEndpointType)).toEqual(['Gateway', 'Gateway']);
    expect(endpoints.map(([, r]) => r.Properties.RouteTableIds.length)).toEqual([2, 2]);
  });

  test.each(['logs', 'sts', 'kms', 'secretsmanager', 'kinesis-streams', 'sns', 'sqs', 'xray'])(
    'the %s interface endpoint has private DNS in both private subnets',
    (service) => {
      const [[, endpoint]] = ofType('AWS::EC2::VPCEndpoint').filter(
        ([, r]) => r.Properties.ServiceName['Fn::Sub'] === `com.amazonaws.\${AWS::Region}.${service}`,
      ) as [[string, Json]];
      expect(endpoint.Properties).toMatchObject({
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        VpcId: { Ref: 'AppVpc' },
        SecurityGroupIds: [{ Ref: 'EndpointSecurityGroup' }],
      });
      expect(endpoint.Properties.SubnetIds).toEqual([{ Ref: 'AppPrivateSubnet1' }, { Ref: 'AppPrivateSubnet2' }]);
      expect(INTERFACE_ENDPOINTS.map((e) => e.service)).toContain(service);
    },
  );

  test('the execute-api endpoint keeps private DNS off and uses the API endpoint security group', () => {
    expect(resources.ExecuteApiEndpoint!.Properties).toMatchObject({ PrivateDnsEnabled: false, SecurityGroupIds: [{ Ref: 'ApiEndpointSecurityGroup' }] });
  });

  test('no security group admits 0.0.0.0/0 or ::/0', () => {
    const groups = ofType('AWS::EC2::SecurityGroup');
    expect(groups.map(([id]) => id).sort()).toEqual([
      'ApiEndpointSecurityGroup',
      'DaxSecurityGroup',
      'Ec2SecurityGroup',
      'EndpointSecurityGroup',
      'LambdaSecurityGroup',
    ]);
    for (const [, g] of groups) {
      for (const rule of g.Properties.SecurityGroupIngress ?? []) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
        expect(rule.CidrIpv6).toBeUndefined();
      }
    }
    expect(ofType('AWS::EC2::SecurityGroupIngress')).toEqual([]);
  });

  test.each([
    ['EndpointSecurityGroup', 'NO_EGRESS'],
    ['ApiEndpointSecurityGroup', 'NO_EGRESS'],
    ['DaxSecurityGroup', DATA_LAYOUT.cidr],
  ])('%s has explicit, restricted egress (%s)', (id, expected) => {
    const egress = resources[id]!.Properties.SecurityGroupEgress;
    if (expected === 'NO_EGRESS') expect(egress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' })]);
    else expect(egress.map((e: Json) => e.CidrIp)).toEqual([expected]);
  });

  test('the DAX group admits only the TLS port from the app private subnets', () => {
    const ingress = resources.DaxSecurityGroup!.Properties.SecurityGroupIngress;
    expect(ingress.map((r: Json) => [r.FromPort, r.ToPort, r.CidrIp])).toEqual(APP_LAYOUT.privateSubnets.map((c) => [9111, 9111, c]));
    expect(resources.DaxSecurityGroup!.Properties.VpcId).toEqual({ Ref: 'DataVpc' });
  });

  test('securityGroup() refuses internet-wide ingress with a message naming the group', () => {
    expect(() =>
      securityGroup('Bad', {
        vpcId: 'vpc-1',
        nameSuffix: 'bad',
        description: 'x',
        ingress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }],
        egress: [],
      }),
    ).toThrow(/securityGroup\(Bad\): ingress from the whole internet is not allowed/);
  });

  test('twoTierVpc() refuses a layout without one public and one private subnet per AZ', () => {
    expect(() =>
      twoTierVpc({
        prefix: 'Odd',
        nameSuffix: 'odd',
        roleTag: 'x',
        layout: { cidr: '10.0.0.0/16', publicSubnets: ['10.0.0.0/24'], privateSubnets: ['10.0.1.0/24', '10.0.2.0/24'] },
        nat: false,
      }),
    ).toThrow(/twoTierVpc\(Odd\): publicSubnets and privateSubnets must have one CIDR per AZ each/);
  });

  test('both VPCs send all traffic to one KMS-encrypted flow-log group through a scoped role', () => {
    const logs = ofType('AWS::EC2::FlowLog').map(([, r]) => r.Properties);
    expect(logs.map((l) => l.ResourceId)).toEqual([{ Ref: 'AppVpc' }, { Ref: 'DataVpc' }]);
    for (const l of logs)
      expect(l).toMatchObject({
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: { Ref: 'FlowLogGroup' },
        DeliverLogsPermissionArn: { 'Fn::GetAtt': ['FlowLogsRole', 'Arn'] },
      });
    expect(resources.FlowLogGroup!.Properties).toMatchObject({ KmsKeyId: { Ref: 'LogsKeyArn' }, RetentionInDays: { 'Fn::If': ['IsProd', 365, 90] } });
    const [statement] = resources.FlowLogsRole!.Properties.Policies[0].PolicyDocument.Statement;
    expect(statement.Resource).toEqual([{ 'Fn::GetAtt': ['FlowLogGroup', 'Arn'] }]);
  });

  test('the VPCs are peered with routes both ways from every private route table', () => {
    expect(resources.VpcPeering!.Properties).toMatchObject({ VpcId: { Ref: 'AppVpc' }, PeerVpcId: { Ref: 'DataVpc' } });
    const peeringRoutes = ofType('AWS::EC2::Route').filter(([, r]) => r.Properties.VpcPeeringConnectionId);
    expect(peeringRoutes.map(([, r]) => [r.Properties.RouteTableId.Ref, r.Properties.DestinationCidrBlock])).toEqual([
      ['AppPrivateRouteTable1', DATA_LAYOUT.cidr],
      ['AppPrivateRouteTable2', DATA_LAYOUT.cidr],
      ['DataPrivateRouteTable1', APP_LAYOUT.cidr],
      ['DataPrivateRouteTable2', APP_LAYOUT.cidr],
    ]);
  });

  test('under HasFailover the PRIMARY record is backed by a check of /health AND of the 5xx rate (the MOCK /health alone never sees Kinesis fail)', () => {
    for (const id of ['ApiHealthCheck', 'ApiEndpointHealthCheck', 'ApiErrorRateHealthCheck', 'ApiErrorRateAlarm'])
      expect(resources[id]!.Condition).toBe('HasFailover');
    expect(resources.ApiHealthCheck!.Properties.HealthCheckConfig).toEqual({
      Type: 'CALCULATED',
      ChildHealthChecks: [{ Ref: 'ApiEndpointHealthCheck' }, { Ref: 'ApiErrorRateHealthCheck' }],
      HealthThreshold: 2,
    });
    expect(resources.ApiEndpointHealthCheck!.Properties.HealthCheckConfig).toMatchObject({
      Type: 'HTTPS',
      FullyQualifiedDomainName: { Ref: 'HealthCheckDomain' },
      ResourcePath: { Ref: 'HealthCheckPath' },
      Port: 443,
    });
    const alarm = resources.ApiErrorRateAlarm!.Properties;
    // Route 53 reads plain metric alarms only (no metric math), by name and region.
    expect(alarm).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Average',
      Dimensions: [
        { Name: 'ApiName', Value: { Ref: 'ApiName' } },
        { Name: 'Stage', Value: { Ref: 'ApiStageName' } },
      ],
    });
    expect(alarm.Metrics).toBeUndefined();
    expect(resources.ApiErrorRateHealthCheck!.Properties.HealthCheckConfig).toEqual({
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Name: alarm.AlarmName, Region: { Ref: 'AWS::Region' } },
      InsufficientDataHealthStatus: 'LastKnownStatus',
    });
    expect(resources.ApiErrorRateHealthCheck!.DependsOn).toBe('ApiErrorRateAlarm');
    expect(resources.ApiFailoverRecord).toMatchObject({
      Condition: 'HasFailover',
      Properties: {
        Failover: 'PRIMARY',
        Name: { Ref: 'ApiDomainName' },
        HealthCheckId: { Ref: 'ApiHealthCheck' },
        AliasTarget: { DNSName: { Ref: 'ApiRegionalDomainName' }, HostedZoneId: { Ref: 'ApiRegionalHostedZoneId' }, EvaluateTargetHealth: true },
      },
    });
  });

  test('the conditional Streaming outputs are read only under root HasFailover', () => {
    for (const name of ['ApiRegionalDomainName', 'ApiRegionalHostedZoneId']) {
      expect(wire(name)).toEqual({ value: { 'Fn::If': ['HasFailover', { 'Fn::GetAtt': ['Streaming', `Outputs.${name}`] }, ''] } });
    }
  });

  test('promises the contract outputs; subnet lists are comma-joined', () => {
    const contract = [
      'AppVpcId',
      'DataVpcId',
      'AppPrivateSubnetIds',
      'DataPrivateSubnetIds',
      'LambdaSecurityGroupId',
      'Ec2SecurityGroupId',
      'ApiEndpointSecurityGroupId',
      'DaxSecurityGroupId',
    ];
    expect(networking.outputs).toEqual(expect.arrayContaining(contract));
    for (const o of networking.outputs) expect(doc.Outputs[o]).toBeDefined();
    expect(doc.Outputs.AppPrivateSubnetIds.Value).toEqual({ 'Fn::Join': [',', [{ Ref: 'AppPrivateSubnet1' }, { Ref: 'AppPrivateSubnet2' }]] });
    for (const [name, p] of Object.entries(doc.Parameters as Record<string, Json>))
      if (p.Default === undefined) expect(Object.keys(networking.inputs)).toContain(name);
  });

  test('Metadata.Roadmap maps every bullet of step 1 and the Route 53 bullet of step 10', () => {
    const expected = [...ROADMAP.find((s) => s.step === 1)!.bullets.map((b) => b.id), '10.3'];
    expect(Object.keys(doc.Metadata.Roadmap)).toEqual(expect.arrayContaining(expected));
    for (const id of expected) for (const r of doc.Metadata.Roadmap[id].Resources) expect(resources[r]).toBeDefined();
  });
});

/**
 * VPC building blocks: a two-tier VPC (public and private subnets across AZs, internet gateway,
 * optional NAT gateways, route tables, S3/DynamoDB gateway endpoints), interface endpoints,
 * security groups with explicit egress, and flow logs. Logical IDs derive from one prefix
 * (`App` → `AppVpc`, `AppPublicSubnet1`, `AppPrivateRouteTable2`, …).
 */
import EIP from 'cloudform-types/types/ec2/eip';
import FlowLog from 'cloudform-types/types/ec2/flowLog';
import InternetGateway from 'cloudform-types/types/ec2/internetGateway';
import NatGateway from 'cloudform-types/types/ec2/natGateway';
import Route from 'cloudform-types/types/ec2/route';
import RouteTable from 'cloudform-types/types/ec2/routeTable';
import SecurityGroup, { type Egress, type Ingress } from 'cloudform-types/types/ec2/securityGroup';
import Subnet from 'cloudform-types/types/ec2/subnet';
import SubnetRouteTableAssociation from 'cloudform-types/types/ec2/subnetRouteTableAssociation';
import VPC from 'cloudform-types/types/ec2/vpc';
import VPCEndpoint from 'cloudform-types/types/ec2/vpcEndpoint';
import VPCGatewayAttachment from 'cloudform-types/types/ec2/vpcGatewayAttachment';
import { az, getAtt, ifThen, ref, sub, type Value } from './fn';
import { nameText, tags } from './names';
import { dependsOn, when } from './resources';
import type { Fragment, Resource } from './template';

/** One subnet per AZ and tier; index i is in AZ `!Select [i, !GetAZs '']`. */
export interface VpcLayout {
  readonly cidr: string;
  readonly publicSubnets: readonly string[];
  readonly privateSubnets: readonly string[];
}

export interface TwoTierVpcProps {
  /** Logical-ID prefix, e.g. `App`. */
  readonly prefix: string;
  /** Name-tag suffix: the VPC is tagged `Name: ${NamePrefix}-<nameSuffix>`. */
  readonly nameSuffix: string;
  /** Value of the `Role` tag (`prod-app`, `prod-data`). */
  readonly roleTag: string;
  readonly layout: VpcLayout;
  /**
   * NAT gateways for the private subnets' internet egress: `false` for none (private subnets
   * reach AWS only through endpoints and the peering), or the condition under which every AZ
   * gets its own gateway — otherwise all AZs share the gateway in AZ 1 — and, optionally, the
   * condition under which there are NAT gateways (and private default routes) at all. The
   * per-AZ condition must imply it.
   */
  readonly nat: false | { readonly perAzCondition: string; readonly condition?: string };
}

const PUBLIC = 'Public';
const PRIVATE = 'Private';

/** Logical IDs of what `twoTierVpc` creates, for wiring other resources. */
export function vpcIds(prefix: string, azCount: number) {
  const range = Array.from({ length: azCount }, (_, i) => i + 1);
  return {
    vpc: `${prefix}Vpc`,
    publicSubnets: range.map((n) => `${prefix}${PUBLIC}Subnet${n}`),
    privateSubnets: range.map((n) => `${prefix}${PRIVATE}Subnet${n}`),
    privateRouteTables: range.map((n) => `${prefix}${PRIVATE}RouteTable${n}`),
    natGateways: range.map((n) => `${prefix}NatGateway${n}`),
  };
}

function subnet(props: TwoTierVpcProps, tier: string, index: number, cidr: string): Subnet {
  return new Subnet({
    VpcId: ref(`${props.prefix}Vpc`),
    CidrBlock: cidr,
    AvailabilityZone: az(index),
    MapPublicIpOnLaunch: false,
    Tags: tags({ Name: sub(`${nameText(props.nameSuffix)}-${tier.toLowerCase()}-${index + 1}`), Role: props.roleTag, Tier: tier.toLowerCase() }),
  });
}

/**
 * A VPC with DNS support, one public and one private subnet per AZ, an internet gateway with a
 * public route table, one private route table per AZ (so a per-AZ NAT route and the peering
 * routes can be added per AZ), NAT gateways per `nat`, and S3 + DynamoDB gateway endpoints on the
 * private route tables (traffic to S3 and DynamoDB never crosses a NAT gateway).
 */
export function twoTierVpc(props: TwoTierVpcProps): Fragment {
  const { prefix, layout } = props;
  if (layout.publicSubnets.length !== layout.privateSubnets.length)
    throw new Error(`twoTierVpc(${prefix}): publicSubnets and privateSubnets must have one CIDR per AZ each`);
  const ids = vpcIds(prefix, layout.privateSubnets.length);
  const out: Record<string, Resource> = {
    [ids.vpc]: new VPC({
      CidrBlock: layout.cidr,
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
      Tags: tags({ Name: sub(nameText(props.nameSuffix)), Role: props.roleTag }),
    }),
    [`${prefix}InternetGateway`]: new InternetGateway({ Tags: tags({ Name: sub(nameText(props.nameSuffix)) }) }),
    [`${prefix}GatewayAttachment`]: new VPCGatewayAttachment({ VpcId: ref(ids.vpc), InternetGatewayId: ref(`${prefix}InternetGateway`) }),
    [`${prefix}PublicRouteTable`]: new RouteTable({ VpcId: ref(ids.vpc), Tags: tags({ Name: sub(`${nameText(props.nameSuffix)}-public`) }) }),
    [`${prefix}PublicDefaultRoute`]: dependsOn(
      new Route({ RouteTableId: ref(`${prefix}PublicRouteTable`), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref(`${prefix}InternetGateway`) }),
      `${prefix}GatewayAttachment`,
    ),
  };
  layout.publicSubnets.forEach((cidr, i) => {
    out[ids.publicSubnets[i]!] = subnet(props, PUBLIC, i, cidr);
    out[`${ids.publicSubnets[i]!}RouteTableAssociation`] = new SubnetRouteTableAssociation({
      SubnetId: ref(ids.publicSubnets[i]!),
      RouteTableId: ref(`${prefix}PublicRouteTable`),
    });
  });
  layout.privateSubnets.forEach((cidr, i) => {
    const table = ids.privateRouteTables[i]!;
    out[ids.privateSubnets[i]!] = subnet(props, PRIVATE, i, cidr);
    out[table] = new RouteTable({ VpcId: ref(ids.vpc), Tags: tags({ Name: sub(`${nameText(props.nameSuffix)}-private-${i + 1}`) }) });
    out[`${ids.privateSubnets[i]!}RouteTableAssociation`] = new SubnetRouteTableAssociation({
      SubnetId: ref(ids.privateSubnets[i]!),
      RouteTableId: ref(table),
    });
  });
  if (props.nat) {
    const { perAzCondition: perAz, condition: any } = props.nat;
    const whenAny = <T extends Resource>(r: T): T => (any ? when(any, r) : r);
    // Decision table (with `condition` false: no gateway, no private default route):
    // gateway n exists when n = 1 or per-AZ mode; AZ n routes to its own gateway when it exists,
    // else to gateway 1.
    ids.natGateways.forEach((gateway, i) => {
      const eip = new EIP({ Domain: 'vpc', Tags: tags({ Name: sub(`${nameText(props.nameSuffix)}-nat-${i + 1}`) }) });
      const nat = new NatGateway({
        AllocationId: getAtt(`${prefix}NatEip${i + 1}`, 'AllocationId'),
        SubnetId: ref(ids.publicSubnets[i]!),
        Tags: tags({ Name: sub(`${nameText(props.nameSuffix)}-nat-${i + 1}`) }),
      });
      out[`${prefix}NatEip${i + 1}`] =
        i === 0 ? whenAny(dependsOn(eip, `${prefix}GatewayAttachment`)) : when(perAz, dependsOn(eip, `${prefix}GatewayAttachment`));
      out[gateway] = i === 0 ? whenAny(nat) : when(perAz, nat);
      out[`${prefix}PrivateDefaultRoute${i + 1}`] = whenAny(
        new Route({
          RouteTableId: ref(ids.privateRouteTables[i]!),
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: i === 0 ? ref(ids.natGateways[0]!) : ifThen(perAz, ref(gateway), ref(ids.natGateways[0]!)),
        }),
      );
    });
  }
  for (const [id, service] of [
    [`${prefix}S3Endpoint`, 's3'],
    [`${prefix}DynamoDbEndpoint`, 'dynamodb'],
  ] as const) {
    out[id] = new VPCEndpoint({
      VpcId: ref(ids.vpc),
      VpcEndpointType: 'Gateway',
      ServiceName: sub(`com.amazonaws.\${AWS::Region}.${service}`),
      RouteTableIds: ids.privateRouteTables.map((t) => ref(t)),
    });
  }
  return out;
}

/** An interface endpoint in the given subnets; private DNS on unless `privateDns: false` says why not. */
export function interfaceEndpoint(props: {
  vpcId: Value<string>;
  service: string;
  subnetIds: readonly Value<string>[];
  securityGroupId: Value<string>;
  privateDns?: boolean;
}): VPCEndpoint {
  return new VPCEndpoint({
    VpcId: props.vpcId,
    VpcEndpointType: 'Interface',
    ServiceName: sub(`com.amazonaws.\${AWS::Region}.${props.service}`),
    PrivateDnsEnabled: props.privateDns ?? true,
    SubnetIds: [...props.subnetIds],
    SecurityGroupIds: [props.securityGroupId],
  });
}

/**
 * Egress rule that matches nothing: CloudFormation gives a group without egress rules an
 * allow-all egress rule, so a group that must not initiate connections gets this one instead.
 */
export const NO_EGRESS: Egress = {
  IpProtocol: 'icmp',
  FromPort: 252,
  ToPort: 86,
  CidrIp: '255.255.255.255/32',
  Description: 'No outbound traffic (placeholder rule replaces the default allow-all)',
};

export interface SecurityGroupProps {
  readonly vpcId: Value<string>;
  readonly nameSuffix: string;
  readonly description: string;
  readonly ingress?: readonly Ingress[];
  /** Egress rules; `[]` means none at all (NO_EGRESS). */
  readonly egress: readonly Egress[];
}

/** A security group that never has a 0.0.0.0/0 ingress rule (checked here) and explicit egress. */
export function securityGroup(id: string, props: SecurityGroupProps): SecurityGroup {
  for (const rule of props.ingress ?? []) {
    if (rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0')
      throw new Error(`securityGroup(${id}): ingress from the whole internet is not allowed here; use a source security group or a VPC CIDR`);
  }
  return new SecurityGroup({
    GroupDescription: props.description,
    GroupName: sub(nameText(props.nameSuffix)),
    VpcId: props.vpcId,
    ...(props.ingress && props.ingress.length > 0 ? { SecurityGroupIngress: [...props.ingress] } : {}),
    SecurityGroupEgress: props.egress.length > 0 ? [...props.egress] : [NO_EGRESS],
    Tags: tags({ Name: sub(nameText(props.nameSuffix)) }),
  });
}

/** A VPC flow log (all traffic) to a CloudWatch Logs group through a delivery role. */
export function flowLog(vpcLogicalId: string, logGroupName: Value<string>, roleArn: Value<string>): FlowLog {
  return new FlowLog({
    ResourceId: ref(vpcLogicalId),
    ResourceType: 'VPC',
    TrafficType: 'ALL',
    LogDestinationType: 'cloud-watch-logs',
    LogGroupName: logGroupName,
    DeliverLogsPermissionArn: roleArn,
    MaxAggregationInterval: 60,
    Tags: tags(),
  });
}

/** Step 1 – Networking. */
import {
  allText,
  alternatives,
  ev,
  found,
  foundIf,
  isRecord,
  isTrue,
  missed,
  named,
  partly,
  properties,
  type BulletCheck,
  type Evidence,
  type Part,
  type ResourceRef,
  type TemplateTree,
} from './kit';

/** 1.1: two VPCs, the app and the data tier; a VPC named for neither fills a free slot. */
export const vpcs: BulletCheck = ({ tree }) => {
  const all = tree.resources('AWS::EC2::VPC');
  const app = named(all, /app/i)[0];
  const data = named(all, /data/i).find((v) => v !== app);
  const rest = all.filter((v) => v !== app && v !== data);
  const slots: [string, ResourceRef | undefined, string][] = [
    ['VPC for the app tier (prod-app)', app ?? rest.shift(), 'a VPC for the app tier (prod-app)'],
    ['VPC for the data tier (prod-data)', data ?? rest.shift(), 'a second VPC for the data tier (prod-data)'],
  ];
  return {
    parts: slots.map(([label, vpc, missing]) => (vpc ? found(label, [ev(tree, vpc, 'Properties.CidrBlock')]) : missed(label, missing))),
    advice: 'AWS::EC2::VPC, one per tier, named for the tier in its logical ID or Name tag',
  };
};

/** Route tables whose routes send 0.0.0.0/0 to an internet gateway. */
function publicRouteTables(tree: TemplateTree): Set<string> {
  const out = new Set<string>();
  for (const route of tree.resources('AWS::EC2::Route')) {
    const p = properties(route.resource);
    if (p.GatewayId === undefined || allText(p.DestinationCidrBlock) !== '0.0.0.0/0') continue;
    if (!tree.resolveType(route.file, p.GatewayId, 'AWS::EC2::InternetGateway') && !/igw|internet/i.test(allText(p.GatewayId))) continue;
    for (const table of tree.resolve(route.file, p.RouteTableId)) out.add(`${table.file}#${table.logicalId}`);
  }
  return out;
}

/** A subnet is public when it maps public IPs, is associated with a route table to an internet gateway, or is named public. */
function isPublicSubnet(tree: TemplateTree, subnet: ResourceRef, publicTables: Set<string>): boolean {
  if (isTrue(properties(subnet.resource).MapPublicIpOnLaunch)) return true;
  const routed = tree.resources('AWS::EC2::SubnetRouteTableAssociation').some((a) => {
    const p = properties(a.resource);
    return (
      tree.resolve(a.file, p.SubnetId).some((s) => s.file === subnet.file && s.logicalId === subnet.logicalId) &&
      tree.resolve(a.file, p.RouteTableId).some((t) => publicTables.has(`${t.file}#${t.logicalId}`))
    );
  });
  return routed || /public/i.test(subnet.logicalId);
}

/** The availability zone of a subnet as comparable text (`!Select [1, !GetAZs '']` and `eu-west-1b` alike). */
function zoneOf(subnet: ResourceRef): string {
  const p = properties(subnet.resource);
  return allText(p.AvailabilityZone ?? p.AvailabilityZoneId ?? '(unspecified)').replace(/\s+/g, ' ');
}

function spread(tree: TemplateTree, kind: 'public' | 'private', subnets: ResourceRef[]): Part {
  const label = `${kind} subnets in 2+ AZs`;
  const zones = new Set(subnets.map(zoneOf));
  const evidence = subnets.map((s) => ev(tree, s, 'Properties.AvailabilityZone', properties(s.resource).AvailabilityZone));
  if (zones.size >= 2) return found(label, evidence);
  if (subnets.length === 0) return missed(label, `${kind} subnets in two availability zones`);
  return partly(
    label,
    0.5,
    evidence,
    `a ${kind} subnet in a second availability zone (found ${subnets.length} ${kind} subnet${subnets.length === 1 ? '' : 's'}, all in one AZ)`,
  );
}

/** 1.2: public and private subnets, each kind in at least two availability zones. */
export const subnets: BulletCheck = ({ tree }) => {
  const all = tree.resources('AWS::EC2::Subnet');
  const publicTables = publicRouteTables(tree);
  const pub = all.filter((s) => isPublicSubnet(tree, s, publicTables));
  const priv = all.filter((s) => !pub.includes(s));
  return {
    parts: [spread(tree, 'public', pub), spread(tree, 'private', priv)],
    advice: "AWS::EC2::Subnet with AvailabilityZone !Select [0|1, !GetAZs ''] and, for public ones, a route table with 0.0.0.0/0 to the internet gateway",
  };
};

/** 1.3: an internet gateway attached to a VPC, and a NAT gateway that private routes use. */
export const gateways: BulletCheck = ({ tree }) => {
  const igws = tree.resources('AWS::EC2::InternetGateway');
  const attachments = tree.resources('AWS::EC2::VPCGatewayAttachment').filter((a) => properties(a.resource).InternetGatewayId !== undefined);
  const attached = attachments.filter((a) => tree.resolveType(a.file, properties(a.resource).InternetGatewayId, 'AWS::EC2::InternetGateway'));
  const nats = tree.resources('AWS::EC2::NatGateway');
  const natRoutes = tree.resources('AWS::EC2::Route').filter((r) => properties(r.resource).NatGatewayId !== undefined);
  const igwPart =
    attached.length > 0
      ? found('internet gateway attached to a VPC', [...igws.map((g) => ev(tree, g)), ...attached.map((a) => ev(tree, a, 'Properties.InternetGatewayId'))])
      : igws.length > 0
        ? partly(
            'internet gateway attached to a VPC',
            0.5,
            igws.map((g) => ev(tree, g)),
            'an AWS::EC2::VPCGatewayAttachment attaching the internet gateway to the VPC',
          )
        : missed('internet gateway attached to a VPC', 'an internet gateway (AWS::EC2::InternetGateway + AWS::EC2::VPCGatewayAttachment)');
  const natPart =
    nats.length > 0 && natRoutes.length > 0
      ? found('NAT gateway routed from private subnets', [...nats.map((n) => ev(tree, n)), ...natRoutes.map((r) => ev(tree, r, 'Properties.NatGatewayId'))])
      : nats.length > 0
        ? partly(
            'NAT gateway routed from private subnets',
            0.5,
            nats.map((n) => ev(tree, n)),
            'a route (AWS::EC2::Route 0.0.0.0/0 with NatGatewayId) sending private traffic to the NAT gateway',
          )
        : missed('NAT gateway routed from private subnets', 'a NAT gateway (AWS::EC2::NatGateway with an EIP, in a public subnet, and a private route to it)');
  return { parts: [igwPart, natPart] };
};

/** The service an endpoint's ServiceName ends with (`com.amazonaws.${AWS::Region}.s3` → `s3`). */
export function endpointService(r: ResourceRef): string {
  const text = allText(properties(r.resource).ServiceName);
  return (text.split('.').pop() ?? '').trim().toLowerCase();
}

/** 1.4's list: S3 and DynamoDB are gateway endpoints, the rest interface endpoints. */
export const ENDPOINT_SERVICES: readonly { readonly service: string; readonly kind: 'gateway' | 'interface' }[] = [
  { service: 's3', kind: 'gateway' },
  { service: 'dynamodb', kind: 'gateway' },
  { service: 'logs', kind: 'interface' },
  { service: 'sts', kind: 'interface' },
  { service: 'kms', kind: 'interface' },
  { service: 'secretsmanager', kind: 'interface' },
];

/** 1.4: one endpoint per service (either kind counts; the kind is named in the evidence). */
export const endpoints: BulletCheck = ({ tree }) => {
  const all = tree.resources('AWS::EC2::VPCEndpoint');
  return {
    parts: ENDPOINT_SERVICES.map(({ service, kind }) => {
      const matching = all.filter((r) => endpointService(r) === service);
      const evidence = matching.map((r) =>
        ev(tree, r, 'Properties.ServiceName', undefined, `${String(properties(r.resource).VpcEndpointType ?? 'Gateway').toLowerCase()} endpoint`),
      );
      const actualKind = matching.length > 0 ? String(properties(matching[0]!.resource).VpcEndpointType ?? 'Gateway').toLowerCase() : kind;
      return foundIf(`${actualKind} endpoint for ${service}`, evidence, service);
    }),
    advice:
      'AWS::EC2::VPCEndpoint with ServiceName !Sub com.amazonaws.${AWS::Region}.<service>; Gateway for s3 and dynamodb, Interface with PrivateDnsEnabled for the others',
  };
};

function groupsUsedBy(tree: TemplateTree, users: ResourceRef[], pick: (r: ResourceRef) => unknown): Map<string, { group: ResourceRef; user: ResourceRef }> {
  const out = new Map<string, { group: ResourceRef; user: ResourceRef }>();
  for (const u of users)
    for (const g of tree.resolve(u.file, pick(u))) if (g.type === 'AWS::EC2::SecurityGroup') out.set(`${g.file}#${g.logicalId}`, { group: g, user: u });
  return out;
}

/** 1.5: a security group for each of API Gateway, Lambda and EC2: attached to one, or named for it. */
export const securityGroups: BulletCheck = ({ tree }) => {
  const groups = tree.resources('AWS::EC2::SecurityGroup');
  const lambdaUse = groupsUsedBy(tree, tree.resources('AWS::Lambda::Function'), (f) =>
    isRecord(properties(f.resource).VpcConfig) ? (properties(f.resource).VpcConfig as Record<string, unknown>).SecurityGroupIds : undefined,
  );
  const apiEndpoints = tree.resources('AWS::EC2::VPCEndpoint').filter((e) => endpointService(e) === 'execute-api');
  const apiUse = groupsUsedBy(tree, apiEndpoints, (e) => properties(e.resource).SecurityGroupIds);
  const ec2Users = tree.resources(/^AWS::(EC2::Instance|EC2::LaunchTemplate|AutoScaling::LaunchConfiguration)$/);
  const ec2Use = groupsUsedBy(tree, ec2Users, (i) => {
    const p = properties(i.resource);
    const data = isRecord(p.LaunchTemplateData) ? p.LaunchTemplateData : {};
    return [p.SecurityGroupIds, p.SecurityGroups, (data as Record<string, unknown>).SecurityGroupIds];
  });
  const pick = (label: string, used: Map<string, { group: ResourceRef; user: ResourceRef }>, pattern: RegExp, missing: string): Part => {
    const attached = [...used.values()];
    if (attached.length > 0)
      return found(
        label,
        attached.map(({ group, user }) => ev(tree, group, undefined, undefined, `used by ${user.logicalId}`)),
      );
    const byName = named(groups, pattern);
    return foundIf(
      label,
      byName.map((g) => ev(tree, g, 'Properties.GroupDescription', undefined, 'named for it')),
      missing,
    );
  };
  const parts = [
    pick('security group for API Gateway', apiUse, /api/i, 'a security group for API Gateway (e.g. on the execute-api interface endpoint)'),
    pick('security group for Lambda', lambdaUse, /lambda|function/i, "a security group for Lambda (in the functions' VpcConfig.SecurityGroupIds)"),
    pick(
      'security group for EC2',
      ec2Use,
      /ec2|instance|bastion|host/i,
      'a security group for EC2 instances (on an instance or launch template, or named …Ec2…)',
    ),
  ];
  const open = groups.flatMap((g) =>
    alternatives(properties(g.resource).SecurityGroupIngress)
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter((rule) => isRecord(rule) && rule.CidrIp === '0.0.0.0/0' && Number(rule.FromPort) !== 443)
      .map(() => g),
  );
  const note: Evidence[] = open.map((g) => ev(tree, g, 'Properties.SecurityGroupIngress'));
  return {
    parts,
    ...(note.length > 0 ? { note: `open to 0.0.0.0/0 on a port other than 443: ${[...new Set(note.map((e) => e.logicalId))].join(', ')}` } : {}),
  };
};

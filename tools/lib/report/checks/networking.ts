/** Step 1 (networking.yaml). */
import { allText, alternatives, isRecord, properties, type ResourceRef } from '../model';
import { all, fail, ids, isTrue, named, pass, type BulletCheck } from './types';

/** The service a VPC endpoint's ServiceName ends with (`com.amazonaws.${AWS::Region}.s3` → `s3`). */
export function endpointService(r: ResourceRef): string {
  const text = allText(properties(r.resource).ServiceName);
  return (text.split('.').pop() ?? '').trim();
}

function isPublicSubnet(r: ResourceRef): boolean {
  return isTrue(properties(r.resource).MapPublicIpOnLaunch) || /public/i.test(r.logicalId);
}

export const vpcs: BulletCheck = ({ tree }) => {
  const found = tree.resources('AWS::EC2::VPC');
  const app = named(found, /app/i);
  const data = named(found, /data/i);
  if (app.length === 0) return fail(`no VPC named for the app tier (found: ${ids(found) || 'no VPCs'})`);
  if (data.length === 0) return fail(`no VPC named for the data tier (found: ${ids(found)})`);
  return pass(`app VPC ${ids(app)}, data VPC ${ids(data)}`);
};

export const subnets: BulletCheck = ({ tree }) => {
  const found = tree.resources('AWS::EC2::Subnet');
  const azs = (rs: ResourceRef[]) => new Set(rs.map((r) => allText(properties(r.resource).AvailabilityZone)));
  const publicSubnets = found.filter(isPublicSubnet);
  const privateSubnets = found.filter((r) => !isPublicSubnet(r));
  if (azs(publicSubnets).size < 2) return fail(`public subnets span ${azs(publicSubnets).size} availability zone(s); need at least 2`);
  if (azs(privateSubnets).size < 2) return fail(`private subnets span ${azs(privateSubnets).size} availability zone(s); need at least 2`);
  return pass(`${publicSubnets.length} public and ${privateSubnets.length} private subnets over ${azs(found).size} AZ expressions`);
};

export const gateways: BulletCheck = ({ tree }) =>
  all(
    () => {
      const igw = tree.resources('AWS::EC2::InternetGateway');
      const attached = tree.resources('AWS::EC2::VPCGatewayAttachment').filter((a) => properties(a.resource).InternetGatewayId !== undefined);
      return igw.length > 0 && attached.length > 0 ? pass(`internet gateway ${ids(igw)} attached`) : fail('no internet gateway attached to a VPC (AWS::EC2::InternetGateway + VPCGatewayAttachment)');
    },
    () => {
      const nat = tree.resources('AWS::EC2::NatGateway');
      const routes = tree.resources('AWS::EC2::Route').filter((r) => properties(r.resource).NatGatewayId !== undefined);
      if (nat.length === 0) return fail('no NAT gateway (AWS::EC2::NatGateway)');
      if (routes.length === 0) return fail(`NAT gateway ${ids(nat)} has no route sending private traffic to it`);
      return pass(`NAT gateway ${ids(nat)} with ${routes.length} route(s)`);
    },
  );

/** Roadmap 1.4: gateway endpoints for S3 and DynamoDB, interface endpoints with private DNS for the rest. */
export const GATEWAY_SERVICES = ['s3', 'dynamodb'] as const;
export const INTERFACE_SERVICES = ['logs', 'sts', 'kms', 'secretsmanager'] as const;

export const endpoints: BulletCheck = ({ tree }) => {
  const found = tree.resources('AWS::EC2::VPCEndpoint');
  const missing: string[] = [];
  for (const service of GATEWAY_SERVICES) {
    const ok = found.some((r) => endpointService(r) === service && (properties(r.resource).VpcEndpointType ?? 'Gateway') === 'Gateway');
    if (!ok) missing.push(`gateway endpoint for ${service}`);
  }
  for (const service of INTERFACE_SERVICES) {
    const ok = found.some((r) => {
      const p = properties(r.resource);
      return endpointService(r) === service && p.VpcEndpointType === 'Interface' && isTrue(p.PrivateDnsEnabled);
    });
    if (!ok) missing.push(`interface endpoint with private DNS for ${service}`);
  }
  if (missing.length > 0) return fail(`missing ${missing.join(', ')}`);
  return pass(`${found.length} endpoints: gateway ${GATEWAY_SERVICES.join(', ')}; interface ${INTERFACE_SERVICES.join(', ')}`);
};

export const securityGroups: BulletCheck = ({ tree }) => {
  const found = tree.resources('AWS::EC2::SecurityGroup');
  const missing = [
    ['API Gateway', /api/i],
    ['Lambda', /lambda|function/i],
    ['EC2', /ec2|instance|bastion/i],
  ].filter(([, pattern]) => named(found, pattern as RegExp).length === 0).map(([label]) => label);
  if (missing.length > 0) return fail(`no security group for ${missing.join(', ')} (found: ${ids(found) || 'none'})`);
  const open = found.filter((r) => {
    const ingress = properties(r.resource).SecurityGroupIngress;
    const rules = Array.isArray(ingress) ? ingress.flatMap(alternatives) : [];
    return rules.some((rule) => isRecord(rule) && rule.CidrIp === '0.0.0.0/0' && rule.FromPort !== 443);
  });
  if (open.length > 0) return fail(`${ids(open)} allow 0.0.0.0/0 ingress on a port other than 443`);
  return pass(`${found.length} security groups: ${ids(found)}`);
};

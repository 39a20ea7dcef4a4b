import { dig, isRecord, listItems, type Json, type Violation } from '../model';
import { propertiesOf, targetOf, type SecurityRule } from './rule';

const OPEN = new Set(['0.0.0.0/0', '::/0']);
const WEB_PORTS = new Set([80, 443]);

function port(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Why an ingress rule open to the internet is not allowed, or undefined when it is. */
function openIngress(rule: Json, groupId: string | undefined, allowList: readonly string[]): { cidr: string; why: string; fix: string } | undefined {
  const cidr = [rule.CidrIp, rule.CidrIpv6].find((c): c is string => typeof c === 'string' && OPEN.has(c));
  if (cidr === undefined) return undefined;
  const protocol = String(rule.IpProtocol ?? '');
  const from = port(rule.FromPort);
  const to = port(rule.ToPort);
  const web = (protocol === 'tcp' || protocol === '6') && from !== undefined && from === to && WEB_PORTS.has(from);
  const ports = protocol === '-1' ? 'all ports' : from === to ? `port ${String(from)}` : `ports ${String(from)}-${String(to)}`;
  if (!web)
    return {
      cidr,
      why: `ingress from ${cidr} on ${ports} (${protocol || 'no protocol'})`,
      fix: 'restrict the source to a VPC CIDR, a prefix list or a security group; only public entry points take 0.0.0.0/0, on 80/443',
    };
  if (groupId !== undefined && allowList.includes(groupId)) return undefined;
  return {
    cidr,
    why: `ingress from ${cidr} on ${ports} to a security group that is not a declared public entry point`,
    fix: `restrict the source, or add ${groupId ?? 'the group'} to the validator's publicIngressAllowList if it is a public entry point`,
  };
}

export const ec2NoOpenIngress: SecurityRule = {
  id: 'ec2-no-open-ingress',
  severity: 'error',
  info: 'No security group ingress from 0.0.0.0/0 or ::/0, except TCP 80/443 on groups in the public-entry-point allow-list (none by default).',
  explanation: 'Roadmap step 1 and DESIGN §6: nothing but a public entry point is reachable from the internet; SSH and database ports never are.',
  resourceTypes: ['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress'],
  check(id, resource, ctx) {
    const props = propertiesOf(resource);
    const allowList = ctx.options.publicIngressAllowList ?? [];
    const out: Violation[] = [];
    if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
      const hit = openIngress(props, targetOf(props.GroupId) ?? (typeof props.GroupName === 'string' ? props.GroupName : undefined), allowList);
      if (hit) out.push({ logicalId: id, path: `Properties.${dig(props, 'CidrIp') === hit.cidr ? 'CidrIp' : 'CidrIpv6'}`, message: hit.why, fix: hit.fix });
      return out;
    }
    listItems(props.SecurityGroupIngress)
      .filter(isRecord)
      .forEach((rule, i) => {
        const hit = openIngress(rule, id, allowList);
        if (hit) out.push({ logicalId: id, path: `Properties.SecurityGroupIngress[${i}]`, message: hit.why, fix: hit.fix });
      });
    return out;
  },
};

/** NAT gateways, public IPv4 addresses, interface endpoints, Route 53 health checks. */
import { HOURS_PER_MONTH } from '../schedule';
import { EMPTY_DEPS, unionDeps } from '../evaluate';
import { handlerOf, inVpc } from '../flows';
import { GB, gb, item, type Pricer, type PricingContext } from '../pricer';
import { tokenId, type ResourceView } from '../view';

/** Bytes through a NAT gateway per scheduled poll entity: the provider's HTTPS request and response. */
const NAT_BYTES_PER_ENTITY = 8 * 1024;

/** The VPC a subnet-placed resource is in (`SubnetId` → the subnet's `VpcId`). */
function vpcOfSubnet(r: ResourceView, ctx: PricingContext): string | undefined {
  const subnet = tokenId(r.prop('SubnetId').value);
  const s = subnet ? ctx.resources.get(`${r.stack.name}#${subnet}`) : undefined;
  return s ? tokenId(s.prop('VpcId').value) : undefined;
}

export const natGateway: Pricer = {
  types: ['AWS::EC2::NatGateway'],
  price(r, ctx) {
    const vpc = vpcOfSubnet(r, ctx);
    const natsInVpc =
      [...ctx.resources.values()].filter((x) => x.type === 'AWS::EC2::NatGateway' && x.stack === r.stack && vpcOfSubnet(x, ctx) === vpc).length || 1;
    // The pollers' calls to the quote and weather APIs leave the VPC through the NAT gateways.
    let bytes = 0;
    let deps: ReadonlySet<string> = EMPTY_DEPS;
    for (const [key, f] of ctx.flows.functions) {
      const fn = ctx.resources.get(key)!;
      // Outside the VPC (FunctionsInVpc=false) the poller reaches the APIs directly, not through NAT.
      const placed = inVpc(fn);
      if (handlerOf(fn) !== 'poller' || !placed.value) continue;
      bytes += (f.invocations * f.recordsPerInvocation * NAT_BYTES_PER_ENTITY) / natsInVpc;
      deps = unionDeps(deps, f.deps, placed.deps);
    }
    return {
      noun: 'NAT gateway',
      ...(vpc ? { where: vpc } : {}),
      items: [
        item('NAT gateway-hours', 'fixed', HOURS_PER_MONTH, 'vpc.natGateway.hour', `${HOURS_PER_MONTH} h`),
        item(
          'data processed',
          'usage',
          bytes / GB,
          'vpc.natGateway.gb',
          `${gb(bytes)}: poller HTTPS, ${NAT_BYTES_PER_ENTITY / 1024} KB per symbol or city per run, shared by ${natsInVpc} gateway(s)`,
          deps,
        ),
      ],
    };
  },
};

export const elasticIp: Pricer = {
  types: ['AWS::EC2::EIP'],
  price() {
    return {
      noun: 'public IPv4 address',
      items: [item('public IPv4 address-hours', 'fixed', HOURS_PER_MONTH, 'vpc.publicIpv4.hour', `${HOURS_PER_MONTH} h, attached or not`)],
    };
  },
};

export const vpcEndpoint: Pricer = {
  types: ['AWS::EC2::VPCEndpoint'],
  price(r, ctx) {
    const type = r.str('VpcEndpointType');
    const vpc = tokenId(r.prop('VpcId').value);
    if ((type.value ?? 'Gateway') === 'Gateway')
      return { noun: 'gateway endpoint', ...(vpc ? { where: vpc } : {}), items: [], note: 'gateway endpoints (S3, DynamoDB) have no hourly or data charge' };
    const subnets = r.size('SubnetIds');
    const azs = Math.max(1, subnets.value);
    const service = r.str('ServiceName').value ?? '';
    // Of the calls made from the VPC, only the poller's PutRecords carry data worth counting; the
    // other endpoints (KMS, STS, Logs, Secrets Manager, SNS, SQS, X-Ray) see a few KB per invocation.
    let bytes = 0;
    let deps: ReadonlySet<string> = EMPTY_DEPS;
    if (/\.kinesis-streams$/.test(service)) {
      for (const s of ctx.flows.streams.values()) {
        bytes += s.recordsPerMonth * 1024;
        deps = unionDeps(deps, s.deps);
      }
    }
    return {
      noun: 'interface endpoint',
      ...(vpc ? { where: vpc } : {}),
      items: [
        item(
          'endpoint-hours per AZ',
          'fixed',
          azs * HOURS_PER_MONTH,
          'vpc.interfaceEndpoint.azHour',
          `${azs} AZ(s) (SubnetIds) × ${HOURS_PER_MONTH} h`,
          subnets.deps,
        ),
        item(
          'data processed',
          'usage',
          bytes / GB,
          'vpc.interfaceEndpoint.gb',
          bytes > 0 ? `${gb(bytes)}: records put to the stream from the VPC` : 'a few KB of API calls per invocation: under a cent',
          deps,
        ),
      ],
    };
  },
};

export const healthCheck: Pricer = {
  types: ['AWS::Route53::HealthCheck'],
  price(r) {
    const type = r.str('HealthCheckConfig.Type');
    const options = [
      /^HTTPS/.test(type.value ?? '') ? 'HTTPS' : '',
      /STR_MATCH$/.test(type.value ?? '') ? 'string matching' : '',
      r.num('HealthCheckConfig.RequestInterval', 30).value === 10 ? 'fast interval' : '',
      r.prop('HealthCheckConfig.MeasureLatency').value === true ? 'latency' : '',
    ].filter(Boolean);
    return {
      noun: 'Route 53 health check',
      items: [
        item('health check', 'fixed', 1, 'route53.healthCheck.month', 'AWS endpoint'),
        ...(options.length > 0 ? [item('optional features', 'fixed', options.length, 'route53.healthCheckOption.month', options.join(', '), type.deps)] : []),
      ],
    };
  },
};

export const networkPricers: readonly Pricer[] = [natGateway, elasticIp, vpcEndpoint, healthCheck];

/**
 * Hand-computed expectations: each figure is worked out here from the us-east-1 list price and
 * the month AWS pricing uses (730 hours), independently of the engine's arithmetic.
 */
import { estimate, type Estimate, type ResourceEstimate } from '../../../tools/lib/cost';
import { HANDLERS } from '../../../tools/lib/cost/workload';
import type { Json } from '../../../tools/lib/grade/tree';

/** A one-template deployment: root.yaml holds the resources directly. */
function run(resources: Json, region = 'us-east-1'): Estimate {
  return estimate({ templates: new Map([['root.yaml', { Resources: resources }]]), rootValues: {}, region, secondaryFile: false });
}

function resource(e: Estimate, id: string): ResourceEstimate {
  const r = e.stacks.flatMap((s) => s.resources).find((x) => x.logicalId === id);
  if (!r) throw new Error(`no ${id} in the estimate`);
  return r;
}

const VPC = {
  Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
  SubnetA: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24' } },
  SubnetB: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.1.0/24' } },
};

describe('hand-computed monthly costs (us-east-1 list prices)', () => {
  test('one NAT gateway-month: $0.045/h × 730 h = $32.85, its Elastic IP $0.005/h × 730 h = $3.65', () => {
    const e = run({
      ...VPC,
      NatEip: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' } },
      Nat: { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: { Ref: 'SubnetA' }, AllocationId: { 'Fn::GetAtt': ['NatEip', 'AllocationId'] } } },
    });
    expect(resource(e, 'Nat').fixed).toBeCloseTo(32.85, 6);
    expect(resource(e, 'Nat').where).toBe('Vpc');
    expect(resource(e, 'NatEip').fixed).toBeCloseTo(3.65, 6);
    expect(e.monthly.fixed).toBeCloseTo(36.5, 6);
    expect(e.monthly.usage).toBe(0); // nothing polls through it
    expect(resource(e, 'Vpc')).toMatchObject({ fixed: 0, usage: 0, priced: true, free: 'no charge for the VPC itself' });
  });

  test('one interface endpoint in two AZs: $0.01/h × 2 AZs × 730 h = $14.60; a gateway endpoint is free', () => {
    const e = run({
      ...VPC,
      Logs: {
        Type: 'AWS::EC2::VPCEndpoint',
        Properties: {
          VpcId: { Ref: 'Vpc' },
          VpcEndpointType: 'Interface',
          ServiceName: 'com.amazonaws.us-east-1.logs',
          SubnetIds: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }],
        },
      },
      S3: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcId: { Ref: 'Vpc' }, VpcEndpointType: 'Gateway', ServiceName: 'com.amazonaws.us-east-1.s3' } },
    });
    expect(resource(e, 'Logs').fixed).toBeCloseTo(14.6, 6);
    expect(resource(e, 'S3')).toMatchObject({ fixed: 0, usage: 0, priced: true });
  });

  test('one shard-month: $0.015/h × 730 h = $10.95; 7-day retention adds $0.02/h × 730 h = $14.60', () => {
    const stream = (hours: number) =>
      run({
        Stream: { Type: 'AWS::Kinesis::Stream', Properties: { StreamModeDetails: { StreamMode: 'PROVISIONED' }, ShardCount: 1, RetentionPeriodHours: hours } },
      });
    expect(resource(stream(24), 'Stream').fixed).toBeCloseTo(10.95, 6);
    expect(resource(stream(168), 'Stream').fixed).toBeCloseTo(25.55, 6);
    expect(resource(stream(24), 'Stream')).toMatchObject({ noun: 'Kinesis shard', count: 1 });
  });

  test('an on-demand stream idles at $0.04/h × 730 h = $29.20', () => {
    const e = run({ Stream: { Type: 'AWS::Kinesis::Stream', Properties: { StreamModeDetails: { StreamMode: 'ON_DEMAND' }, RetentionPeriodHours: 24 } } });
    expect(resource(e, 'Stream').fixed).toBeCloseTo(29.2, 6);
  });

  test('a Lambda at 512 MB with N invocations of D ms', () => {
    // N: a schedule at rate(1 minute) runs 730 × 60 = 43,800 times a month.
    // D: the poller handler's documented duration, 300 ms + 150 ms for each of its 2 entities = 600 ms.
    expect(HANDLERS.poller!.durationMs).toEqual({ base: 300, perRecord: 150 }); // change the arithmetic below with it
    const e = run({
      Poller: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: 'p', Code: '../dist/handlers/poller.zip', MemorySize: 512, Architectures: ['arm64'] },
      },
      Every: {
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          ScheduleExpression: 'rate(1 minute)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: 'arn:aws:lambda:us-east-1:123456789012:function:p', Input: '{"symbols":["AAPL"],"cities":["Oslo"]}' },
        },
      },
    });
    const fn = resource(e, 'Poller');
    const requests = 43_800 * (0.2 / 1e6); // $0.20 per million requests
    const compute = 43_800 * 0.6 * (512 / 1024) * 0.0000133334; // GB-seconds × arm64 price
    expect(fn.items.find((i) => i.label === 'requests')!.usd).toBeCloseTo(requests, 8);
    expect(fn.items.find((i) => i.label === 'compute (arm64)')!.usd).toBeCloseTo(compute, 8);
    expect(fn.usage).toBeCloseTo(0.00876 + 0.1752008, 6);
    expect(fn.fixed).toBe(0);
    // The schedule itself: 43,800 invocations × $1.00 per million.
    expect(resource(e, 'Every').usage).toBeCloseTo(0.0438, 8);
  });

  test('a DAX cluster of three dax.t3.small nodes: 3 × $0.04/h × 730 h = $87.60', () => {
    const e = run({ Dax: { Type: 'AWS::DAX::Cluster', Properties: { NodeType: 'dax.t3.small', ReplicationFactor: 3, IAMRoleARN: 'x' } } });
    expect(resource(e, 'Dax')).toMatchObject({ noun: 'DAX node', count: 3 });
    expect(resource(e, 'Dax').fixed).toBeCloseTo(87.6, 6);
  });

  test('WAF: $5 per web ACL and $1 per rule: two rules make $7.00', () => {
    const e = run({
      Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Scope: 'REGIONAL', DefaultAction: { Allow: {} }, Rules: [{ Name: 'a' }, { Name: 'b' }] } },
    });
    expect(resource(e, 'Acl').fixed).toBeCloseTo(7, 6);
  });
});

describe('what the estimate refuses to guess', () => {
  test('a price missing for the region makes the line unpriced, listed with the reason, not zero', () => {
    const e = run(
      { Stream: { Type: 'AWS::Kinesis::Stream', Properties: { StreamModeDetails: { StreamMode: 'PROVISIONED' }, ShardCount: 2 } } },
      'eu-central-1',
    );
    expect(resource(e, 'Stream')).toMatchObject({ priced: false, fixed: 0 });
    expect(e.unpriced).toEqual([
      expect.objectContaining({
        logicalId: 'Stream',
        line: 'shard-hours',
        region: 'eu-central-1',
        reason: expect.stringMatching(/no eu-central-1 figure found/),
      }),
    ]);
  });

  test('a type with neither a pricer nor a free entry is listed as unpriced', () => {
    const e = run({ Thing: { Type: 'AWS::MediaLive::Channel', Properties: {} } });
    expect(e.unpriced).toEqual([
      expect.objectContaining({ logicalId: 'Thing', type: 'AWS::MediaLive::Channel', reason: expect.stringMatching(/no pricer and no free entry/) }),
    ]);
    expect(resource(e, 'Thing').priced).toBe(false);
  });

  test('a region outside the table prices nothing and says so', () => {
    const e = run({ Key: { Type: 'AWS::KMS::Key', Properties: {} } }, 'ap-south-1');
    expect(e.unpriced[0]!.reason).toMatch(/no price table for ap-south-1 \(tables: eu-central-1, eu-west-1, us-east-1, us-west-2\)/);
  });
});

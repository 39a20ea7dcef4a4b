/**
 * parameters/dev.json idles for under $30 a month (issue 13 point 4, DESIGN §9), and each dev
 * toggle turned back on adds exactly its resources' fixed cost. The expected figures are worked
 * out here by hand from us-east-1 list prices (the units below), not read from the price table or
 * the engine, so a wrong price or a wrong quantity fails the test.
 *
 * | item                          | price                         | quantity                       |
 * | ----------------------------- | ----------------------------- | ------------------------------ |
 * | interface endpoint            | $0.01 per AZ-hour             | 9 endpoints × 2 AZs × 730 h    |
 * | NAT gateway + its address     | $0.045/h + $0.005/h           | 730 h                          |
 * | WAF web ACL                   | $5 a month + $1 per rule      | 4 rules (rate limit + 3 groups)|
 * | Glue crawler run              | $0.44 per DPU-hour, 10 min minimum | 730 runs hourly, 365/12 daily |
 * | Kinesis shard                 | $0.015/h, extended retention $0.02/h | 730 h                   |
 * | Kinesis on-demand stream      | $0.04/h                       | 730 h                          |
 * | KMS key / secret              | $1 / $0.40 a month            | 5 keys, 2 secrets              |
 * | M2M app client                | $6 a month                    | 1                              |
 * | alarm metric / dashboard      | $0.10 / $3 a month            | 32 metrics in 24 alarms, 1     |
 */
import { estimate, type Estimate, type EstimateInput } from '../../../tools/lib/cost';
import { generatedTemplates, rootValues } from './helpers';

const H = 730;

async function devInput(change: Record<string, string> = {}, secondary = false): Promise<EstimateInput> {
  return {
    templates: await generatedTemplates(),
    rootValues: { ...(await rootValues('dev.json')), ...change },
    region: 'us-east-1',
    secondaryFile: secondary ? 'secondary.yaml' : false,
  };
}

const fixedOf = (e: Estimate, stack: string): number => e.stacks.find((s) => s.stack === stack)?.fixed ?? 0;

describe('dev.json', () => {
  test('idles for under $30 a month: what stays, stack by stack', async () => {
    const e = estimate(await devInput());
    const expected = {
      security: 5 * 1 + 2 * 0.4, // five keys, two secrets
      streaming: 6 + H * 0.015, // the M2M app client, one shard with 24 h retention
      networking: 0,
      compute: 16 * 0.1 + 8 * 0.2, // 16 one-metric alarms, 8 two-metric ones
      analytics: 0, // the crawler has no schedule
      dashboards: 3,
    };
    for (const [stack, usd] of Object.entries(expected)) expect([stack, fixedOf(e, stack)]).toEqual([stack, expect.closeTo(usd, 6)]);
    expect(e.monthly.fixed).toBeCloseTo(
      Object.values(expected).reduce((a, b) => a + b, 0),
      6,
    );
    expect(e.monthly.fixed).toBeLessThan(30);
    expect(e.stacks.map((s) => s.stack)).not.toContain('secondary');
  });

  test.each<[string, Record<string, string>, number]>([
    ['interface endpoints', { EnableInterfaceEndpoints: 'true' }, 9 * 2 * H * 0.01],
    ['the NAT gateway and its address', { EnableNatGateway: 'true' }, H * 0.045 + H * 0.005],
    ['the WAF web ACL', { EnableWaf: 'true' }, 5 + 4 * 1],
    ['the hourly crawler', { CrawlerSchedule: 'cron(15 * * * ? *)' }, H * (10 / 60) * 0.44],
    ['a daily crawler', { CrawlerSchedule: 'cron(15 3 * * ? *)' }, (365 / 12) * (10 / 60) * 0.44],
    ['a week of retention on the shard', { StreamRetentionHours: '168' }, H * 0.02],
    ['an on-demand stream instead of one shard', { StreamShardCount: '0' }, H * 0.04 - H * 0.015],
  ])('turning %s back on adds exactly its fixed cost', async (_what, change, usd) => {
    const off = estimate(await devInput());
    const on = estimate(await devInput(change));
    expect(on.monthly.fixed - off.monthly.fixed).toBeCloseTo(usd, 2);
  });

  test('the secondary stack (toggles.secondaryStack) adds its on-demand standby stream, replica key and two standby alarms; its WAF follows toggles.waf', async () => {
    const off = estimate(await devInput());
    const on = estimate(await devInput({}, true));
    const standby = H * 0.04 + 1 + 2 * 0.1; // us-west-2: stream-hours, one CMK, two standard alarms
    expect(fixedOf(on, 'secondary')).toBeCloseTo(standby, 6);
    // …and the primary's two secrets gain a replica there ($0.40 a secret-month each in us-west-2).
    expect(on.monthly.fixed - off.monthly.fixed).toBeCloseTo(standby + 2 * 0.4, 6);
    expect(fixedOf(estimate(await devInput({ EnableWaf: 'true' }, true)), 'secondary')).toBeCloseTo(standby + 9, 6);
  });

  test('FunctionsInVpc changes no fixed cost, but only functions in the VPC send the poller traffic through the NAT gateway', async () => {
    const nat = (e: Estimate) => e.stacks.find((s) => s.stack === 'networking')!.resources.find((r) => r.logicalId === 'AppNatGateway1')!;
    const outside = estimate(await devInput({ EnableNatGateway: 'true' }));
    const inside = estimate(await devInput({ EnableNatGateway: 'true', FunctionsInVpc: 'true' }));
    expect(inside.monthly.fixed).toBeCloseTo(outside.monthly.fixed, 9);
    expect(nat(outside).usage).toBe(0);
    expect(nat(inside).usage).toBeGreaterThan(0);
    expect(nat(inside).items.find((i) => i.label === 'data processed')!.sizedBy).toContain('FunctionsInVpc');
  });
});

describe('prod.json', () => {
  test('keeps the full architecture: its explicit dev-toggle values are the template defaults, so leaving them out changes nothing', async () => {
    const templates = await generatedTemplates();
    const values = await rootValues('prod.json');
    const keys = ['FunctionsInVpc', 'EnableNatGateway', 'EnableInterfaceEndpoints', 'EnableWaf', 'StreamRetentionHours', 'CrawlerSchedule'];
    expect(keys.filter((k) => values[k] === undefined)).toEqual([]);
    const defaults = Object.fromEntries(Object.entries(values).filter(([k]) => !keys.includes(k)));
    const explicit = estimate({ templates, rootValues: values, region: 'us-east-1' });
    const implicit = estimate({ templates, rootValues: defaults, region: 'us-east-1' });
    expect(explicit.monthly.fixed).toBeCloseTo(implicit.monthly.fixed, 9);
    expect(explicit.monthly.total).toBeCloseTo(implicit.monthly.total, 9);
    // Everything dev switches off is paid for in prod: 9 endpoints, 2 NAT gateways, both web ACLs, the hourly crawler.
    const networking = explicit.stacks.find((s) => s.stack === 'networking')!;
    expect(networking.resources.filter((r) => r.noun === 'interface endpoint')).toHaveLength(9);
    expect(networking.resources.filter((r) => r.noun === 'NAT gateway')).toHaveLength(2);
    expect(explicit.stacks.flatMap((s) => s.resources).filter((r) => r.type === 'AWS::WAFv2::WebACL')).toHaveLength(2);
    expect(fixedOf(explicit, 'analytics')).toBeCloseTo(H * (10 / 60) * 0.44, 2);
  });
});

/** The change-report delta of a known template change, and the drivers' remedies. */
import { costDelta, estimate, fileKeysOf, renderDelta, topDrivers } from '../../../tools/lib/cost';
import type { Json } from '../../../tools/lib/grade/tree';
import { generatedTemplates, rootValues } from './helpers';

/** dev.json with the NAT gateway on (dev.json switches it off). */
const devWithNat = async (): Promise<Record<string, string>> => ({ ...(await rootValues('dev.json')), EnableNatGateway: 'true' });

/** networking.yaml with the second NAT gateway and its Elastic IP made unconditional. */
function withSecondNat(templates: Map<string, Json>): Map<string, Json> {
  const networking = templates.get('networking.yaml')!;
  const resources = networking.Resources as Record<string, Json>;
  delete resources.AppNatGateway2!.Condition;
  delete resources.AppNatEip2!.Condition;
  return templates;
}

describe('cost delta of a template change', () => {
  test('a second NAT gateway in dev: +$32.85 for the gateway (730 h × $0.045) and +$3.65 for its address (730 h × $0.005)', async () => {
    const values = await devWithNat();
    const before = estimate({ templates: await generatedTemplates(), rootValues: values, region: 'us-east-1' });
    const after = estimate({ templates: withSecondNat(await generatedTemplates()), rootValues: values, region: 'us-east-1' });
    const delta = costDelta(before, after);
    expect(delta.lines.map((l) => l.text)).toEqual(['+$32.85/month: 1 NAT gateway in AppVpc', '+$3.65/month: 1 public IPv4 address in networking']);
    expect(delta.delta.fixed).toBeCloseTo(36.5, 6);
    expect(delta.delta.usage).toBeCloseTo(0, 6); // the poller's traffic is shared, not doubled
    expect(renderDelta(delta)[0]).toMatch(/^\+\$36\.50\/month \(\$\d[\d,]*\.\d\d → \$\d[\d,]*\.\d\d; fixed \+\$36\.50, usage \+\$0\.00\)$/);
  });

  test('the same change the other way round is a removal', async () => {
    const values = await devWithNat();
    const delta = costDelta(
      estimate({ templates: withSecondNat(await generatedTemplates()), rootValues: values, region: 'us-east-1' }),
      estimate({ templates: await generatedTemplates(), rootValues: values, region: 'us-east-1' }),
    );
    expect(delta.lines.map((l) => l.text)).toEqual([
      '−$32.85/month: 1 NAT gateway removed from AppVpc',
      '−$3.65/month: 1 public IPv4 address removed from networking',
    ]);
  });

  test('no change, no lines', async () => {
    const values = await rootValues('prod.json');
    const e = estimate({ templates: await generatedTemplates(), rootValues: values, region: 'us-east-1' });
    expect(costDelta(e, e).lines).toEqual([]);
  });
});

describe('drivers and what removes them', () => {
  test('parameter-file keys come from the FILE_FIELDS table', () => {
    expect(fileKeysOf('EnableDax')).toEqual(['toggles.dax']);
    expect(fileKeysOf('PollRateMinutes')).toEqual(['pollRateMinutes']);
    expect(fileKeysOf('HostedZoneId')).toEqual(['failover.hostedZoneId', 'toggles.failover']);
    expect(fileKeysOf('NoSuchParameter')).toEqual([]);
  });

  test('prod: a toggle-guarded driver is removed by its toggle, with the saving re-estimated', async () => {
    const templates = await generatedTemplates();
    const input = { templates, rootValues: { ...(await rootValues('prod.json')), EnableDax: 'true' }, region: 'us-east-1' };
    const e = estimate(input);
    const drivers = topDrivers(e, input, 10);
    const dax = drivers.find((d) => d.noun === 'DAX node')!;
    expect(dax).toMatchObject({ count: 3, removedBy: ['EnableDax'] });
    expect(dax.total).toBeCloseTo(87.6, 6); // 3 nodes × $0.04/h × 730 h
    expect(dax.remedies[0]).toMatchObject({ change: 'EnableDax=false', fileKeys: ['toggles.dax'], removes: true });
    expect(dax.remedies[0]!.saves).toBeCloseTo(87.6, 6);
  });

  test('prod: the interface endpoints are removed by their toggle, the file key named', async () => {
    const templates = await generatedTemplates();
    const input = { templates, rootValues: await rootValues('prod.json'), region: 'us-east-1' };
    const endpoints = topDrivers(estimate(input), input).find((d) => d.noun === 'interface endpoint')!;
    expect(endpoints).toMatchObject({ count: 9, where: 'AppVpc', removedBy: ['EnableInterfaceEndpoints'] });
    expect(endpoints.total).toBeCloseTo(9 * 2 * 730 * 0.01, 2); // 9 endpoints × 2 AZs × 730 h × $0.01, plus under a cent of data
    expect(endpoints.remedies[0]).toMatchObject({ change: 'EnableInterfaceEndpoints=false', fileKeys: ['toggles.interfaceEndpoints'], removes: true });
    expect(endpoints.remedies[0]!.saves).toBeCloseTo(131.4, 2);
  });

  test("prod: a remedy root's rules would refuse comes with the change that makes it deployable", async () => {
    const templates = await generatedTemplates();
    const input = { templates, rootValues: await rootValues('prod.json'), region: 'us-east-1' };
    const nat = topDrivers(estimate(input), input).find((d) => d.noun === 'NAT gateway')!;
    // EnableNatGateway=false alone breaks VpcFunctionsNeedNat (the functions are in the VPC in prod).
    expect(nat.remedies).toEqual([
      expect.objectContaining({
        change: 'EnableNatGateway=false with FunctionsInVpc=false',
        fileKeys: ['toggles.functionsInVpc', 'toggles.natGateway'],
        removes: true,
      }),
    ]);
  });

  test('prod: candidates stay within the parameter bounds and an optional string is tried empty', async () => {
    const templates = await generatedTemplates();
    const input = { templates, rootValues: await rootValues('prod.json'), region: 'us-east-1' };
    const drivers = topDrivers(estimate(input), input, 10);
    const changes = drivers.flatMap((d) => d.remedies.map((r) => r.change));
    expect(changes).toContain("CrawlerSchedule=''");
    expect(changes).toContain('StreamRetentionHours=24');
    expect(changes).not.toContain('StreamRetentionHours=1'); // under Kinesis' 24 h minimum (MinValue)
    const crawler = drivers.find((d) => d.noun === 'Glue crawler')!;
    expect(crawler.remedies[0]).toMatchObject({ change: "CrawlerSchedule=''", fileKeys: ['crawlerSchedule'], removes: false });
    expect(crawler.remedies[0]!.saves).toBeCloseTo(730 * (10 / 60) * 0.44, 2);
  });

  test('the secondary stack is removed by toggles.secondaryStack', async () => {
    const templates = await generatedTemplates();
    const input = { templates, rootValues: await rootValues('prod.json'), region: 'us-east-1' };
    const standby = topDrivers(estimate(input), input, 20).find((d) => d.stack === 'secondary')!;
    expect(standby.remedies[0]).toMatchObject({ change: 'deploy without the secondary stack', fileKeys: ['toggles.secondaryStack'], removes: true });
  });

  test('dev: a driver no parameter changes says where it is fixed', async () => {
    const templates = await generatedTemplates();
    const input = { templates, rootValues: await rootValues('dev.json'), region: 'us-east-1', secondaryFile: false as const };
    const client = topDrivers(estimate(input), input).find((d) => d.noun === 'machine-to-machine app client')!;
    expect(client).toMatchObject({ count: 1, remedies: [] });
    expect(client.total).toBeCloseTo(6, 6);
    expect(client.fixedBy).toMatch(/^unconditional in streaming\.yaml .*change templates-src\//);
  });
});

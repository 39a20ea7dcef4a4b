/** A toggle that is off costs nothing: the generated templates estimated with dev.json, toggle by toggle. */
import { estimate, type Estimate } from '../../../tools/lib/cost';
import { isRecord } from '../../../tools/lib/grade/tree';
import { generatedTemplates, rootValues } from './helpers';

type Costs = Map<string, number>;

function costs(e: Estimate): Costs {
  return new Map(e.stacks.flatMap((s) => s.resources.map((r) => [`${s.stack}#${r.logicalId}`, r.fixed + r.usage] as const)));
}

/** Resources guarded by one of the conditions, read from the templates themselves. */
async function guarded(files: readonly string[], conditions: readonly string[]): Promise<string[]> {
  const templates = await generatedTemplates();
  return files
    .flatMap((file) => {
      const stack = file.replace(/\.yaml$/, '');
      return Object.entries(templates.get(file)!.Resources as Record<string, unknown>)
        .filter(([, r]) => isRecord(r) && conditions.includes(String(r.Condition)))
        .map(([id]) => `${stack}#${id}`);
    })
    .sort();
}

// Each toggle with the conditions it turns on in dev.json (the Config rules need a recorder: ours,
// or the account's), estimated as dev.json deploys: without the secondary stack.
describe.each<[string, string, string[], string[]]>([
  ['EnableDax', 'true', ['datastores.yaml'], ['DaxEnabled']],
  ['EnableGuardDuty', 'true', ['security.yaml'], ['CreateGuardDuty']],
  ['EnableConfigRecorder', 'true', ['security.yaml'], ['CreateConfigRecorder', 'HasConfigRecorder']],
  ['EnableInterfaceEndpoints', 'true', ['networking.yaml'], ['HasInterfaceEndpoints']],
  ['EnableNatGateway', 'true', ['networking.yaml'], ['HasNatGateway']],
  ['EnableWaf', 'true', ['security.yaml', 'streaming.yaml'], ['CreateWaf', 'HasWebAcl']],
])('%s=%s on top of dev.json', (parameter, value, files, conditions) => {
  test(`adds exactly the resources under ${conditions.join(' or ')} and nothing else changes`, async () => {
    const templates = await generatedTemplates();
    const base = await rootValues('dev.json');
    expect(base[parameter]).toBe('false'); // dev.json has the toggle off
    const off = estimate({ templates, rootValues: base, region: 'us-east-1', secondaryFile: false });
    const on = estimate({ templates, rootValues: { ...base, [parameter]: value }, region: 'us-east-1', secondaryFile: false });
    const a = costs(off);
    const b = costs(on);
    const added = [...b.keys()].filter((k) => !a.has(k)).sort();
    expect(added).toEqual(await guarded(files, conditions));
    for (const [k, v] of a) expect([k, b.get(k)]).toEqual([k, expect.closeTo(v, 9)]);
    // The total moves by exactly the cost of the added resources.
    const addedCost = added.reduce((n, k) => n + b.get(k)!, 0);
    expect(on.monthly.total - off.monthly.total).toBeCloseTo(addedCost, 9);
    // And the excluded list names them with their condition when the toggle is off.
    expect(
      off.excluded
        .filter((x) => conditions.includes(x.condition))
        .map((x) => `${x.stack}#${x.logicalId}`)
        .sort(),
    ).toEqual(added);
  });
});

test('the DAX toggle in dev adds one dax.t3.small node: $0.04/h × 730 h = $29.20', async () => {
  const templates = await generatedTemplates();
  const on = estimate({ templates, rootValues: { ...(await rootValues('dev.json')), EnableDax: 'true' }, region: 'us-east-1' });
  const dax = on.stacks.find((s) => s.stack === 'datastores')!.resources.find((r) => r.logicalId === 'DaxCluster')!;
  expect(dax.fixed).toBeCloseTo(29.2, 6);
  expect(dax.conditionDeps).toEqual(['EnableDax']);
});

test('a nested stack condition follows the value root passes: prod gets the second NAT gateway, dev with its NAT gateway on does not', async () => {
  const templates = await generatedTemplates();
  const ids = (e: Estimate) =>
    e.stacks
      .find((s) => s.stack === 'networking')!
      .resources.filter((r) => r.type === 'AWS::EC2::NatGateway')
      .map((r) => r.logicalId);
  expect(ids(estimate({ templates, rootValues: await rootValues('dev.json'), region: 'us-east-1' }))).toEqual([]);
  expect(ids(estimate({ templates, rootValues: { ...(await rootValues('dev.json')), EnableNatGateway: 'true' }, region: 'us-east-1' }))).toEqual([
    'AppNatGateway1',
  ]);
  const prod = estimate({ templates, rootValues: await rootValues('prod.json'), region: 'us-east-1' });
  expect(ids(prod)).toEqual(['AppNatGateway1', 'AppNatGateway2']);
  // NatGatewayMode is computed by root from Environment: that, and the NAT toggle, are what the condition depends on.
  expect(prod.stacks.find((s) => s.stack === 'networking')!.resources.find((r) => r.logicalId === 'AppNatGateway2')!.conditionDeps).toEqual([
    'EnableNatGateway',
    'Environment',
  ]);
});

test('without the secondary stack there is no standby cost and no replication', async () => {
  const templates = await generatedTemplates();
  const values = await rootValues('dev.json');
  const primaryOnly = estimate({ templates, rootValues: values, region: 'us-east-1', secondaryFile: false });
  expect(primaryOnly.stacks.map((s) => s.stack)).not.toContain('secondary');
  expect(primaryOnly.secondaryRegion).toBeUndefined();
  const raw = primaryOnly.stacks.find((s) => s.stack === 'data-lake')!.resources.find((r) => r.logicalId === 'RawBucket')!;
  expect(raw.items.map((i) => i.label)).not.toContain('replication to us-west-2');
  const both = estimate({ templates, rootValues: values, region: 'us-east-1' });
  expect(both.secondaryRegion).toBe('us-west-2');
  expect(
    both.stacks
      .find((s) => s.stack === 'data-lake')!
      .resources.find((r) => r.logicalId === 'RawBucket')!
      .items.map((i) => i.label),
  ).toContain('replication to us-west-2');
});

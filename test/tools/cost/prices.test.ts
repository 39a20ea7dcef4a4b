/** The committed price table: its shape, and that every resource type in generated/ is priced or explicitly free. */
import { estimate, FREE_TYPES, PRICE_TABLES, pricedTypes } from '../../../tools/lib/cost';
import { generatedTemplates, rootValues } from './helpers';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1'];

describe('price table shape', () => {
  test('covers the regions our docs and parameter files use', () => {
    expect(Object.keys(PRICE_TABLES).sort()).toEqual([...REGIONS].sort());
  });

  test.each(REGIONS)('%s: every price has a positive amount, a unit, a source and the date read', (region) => {
    const t = PRICE_TABLES[region]!;
    expect(t).toMatchObject({ region, currency: 'USD' });
    for (const [key, p] of Object.entries(t.prices)) {
      expect([key, typeof p.usd === 'number' && p.usd > 0 && Number.isFinite(p.usd)]).toEqual([key, true]);
      expect([key, p.unit.length > 0, p.source.length > 10]).toEqual([key, true, true]);
      expect([key, p.read]).toEqual([key, expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)]);
    }
    for (const [key, why] of Object.entries(t.missing)) {
      expect([key, why.length > 20, key in t.prices]).toEqual([key, true, false]);
    }
  });

  test('every region lists the same price keys, each either with a price or as missing with the reason', () => {
    const keys = (r: string) => [...Object.keys(PRICE_TABLES[r]!.prices), ...Object.keys(PRICE_TABLES[r]!.missing)].sort();
    for (const r of REGIONS) expect(keys(r)).toEqual(keys('us-east-1'));
  });

  test('us-east-1, the region of both parameter files, misses only what is said to be missing everywhere', () => {
    expect(Object.keys(PRICE_TABLES['us-east-1']!.missing).sort()).toEqual([
      'backup.s3.gbMonth',
      'guardduty.lambdaNetworkLogs.gb',
      'guardduty.s3DataEvents.million',
      'logs.vendedIngestGb',
      'quicksight.subscription',
    ]);
  });
});

describe('coverage of generated/', () => {
  test('every resource type in generated/ has a pricer or an explicit free entry, never both', async () => {
    const { priced, free } = pricedTypes();
    const types = new Set<string>();
    for (const t of (await generatedTemplates()).values()) for (const r of Object.values(t.Resources as Record<string, { Type: string }>)) types.add(r.Type);
    const uncovered = [...types].filter((t) => !priced.includes(t) && !free.includes(t)).sort();
    expect(uncovered).toEqual([]);
    expect(priced.filter((t) => free.includes(t))).toEqual([]);
    expect(
      Object.entries(FREE_TYPES)
        .filter(([, why]) => why.trim() === '')
        .map(([t]) => t),
    ).toEqual([]);
  });

  test("every price key the engine asks for is in every region's table, priced or listed as missing", async () => {
    const templates = await generatedTemplates();
    // Everything on: both parameter files plus every toggle and optional feature.
    const everything = {
      ...(await rootValues('prod.json')),
      EnableDax: 'true',
      EnableQuickSight: 'true',
      QuickSightPrincipalArn: 'arn:aws:quicksight:us-east-1:123456789012:user/default/me',
      AthenaDynamoDbConnectorArn: 'arn:aws:lambda:us-east-1:123456789012:function:athena-ddb',
      HostedZoneId: 'Z123',
      ApiDomainName: 'ingest.example.com',
      ApiCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      AlertEmail: 'ops@example.com',
      TrustedAccountIds: '210987654321',
    };
    const asked = new Set<string>();
    for (const values of [await rootValues('dev.json'), await rootValues('prod.json'), everything]) {
      for (const region of REGIONS) {
        const e = estimate({ templates, rootValues: values, region });
        for (const s of e.stacks) for (const r of s.resources) for (const i of r.items) asked.add(i.priceKey);
      }
    }
    for (const region of REGIONS) {
      const t = PRICE_TABLES[region]!;
      expect([region, [...asked].filter((k) => !(k in t.prices) && !(k in t.missing)).sort()]).toEqual([region, []]);
    }
    expect(asked.size).toBeGreaterThan(40);
  });
});

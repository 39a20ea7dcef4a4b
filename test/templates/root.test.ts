import { buildRoot, REGION_CONFIG, ROOT_RULES } from '../../templates-src/root';
import { STACKS } from '../../templates-src/stacks';
import { canonicalize } from '../../templates-src/lib/yaml';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const root = canonicalize(buildRoot(STACKS)) as Json;

describe('root.yaml', () => {
  test('one nested stack per registry entry, in registry order, each with a relative TemplateURL', () => {
    const stacks = Object.entries(root.Resources as Json).filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack');
    expect(stacks.map(([id]) => id)).toEqual(STACKS.map((s) => s.id));
    expect(stacks.map(([, r]) => r.Properties.TemplateURL)).toEqual(STACKS.map((s) => `./${s.file}`));
  });

  test('stacks talk only through root: every input is a root parameter, a nested output or a computed value', () => {
    for (const s of STACKS) {
      const passed = (root.Resources[s.id] as Json).Properties.Parameters as Json;
      expect(Object.keys(passed).sort()).toEqual(Object.keys(s.inputs).sort());
      for (const value of Object.values(passed)) expect(JSON.stringify(value)).not.toContain('ImportValue');
    }
  });

  test('RegionConfig maps every region to a different secondary region and its own Security Hub standard ARN', () => {
    for (const [region, config] of Object.entries(REGION_CONFIG)) {
      expect(config.Secondary).not.toBe(region);
      expect(REGION_CONFIG[config.Secondary]).toBeDefined();
      expect(config.SecurityHubStandardArn).toBe(`arn:aws:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`);
    }
    expect(root.Mappings.RegionConfig['us-east-1']).toEqual({
      Secondary: 'us-west-2',
      SecurityHubStandardArn: 'arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0',
    });
  });

  test('the user-facing parameters of roadmap step 11 are declared and mapped in Metadata', () => {
    for (const p of ['Symbols', 'Cities', 'StockDropPercent', 'HeatThresholdC', 'ColdThresholdC', 'WindThresholdKph', 'PrecipThresholdMm'])
      expect(root.Parameters[p]).toBeDefined();
    expect(root.Metadata.Roadmap['11.3'].Resources).toContain('StockDropPercent');
    expect(root.Metadata.Roadmap['11.4'].Resources).toEqual(['RegionConfig']);
  });

  test('failover needs two different certificates, one per region: CloudFormation refuses the change set otherwise', () => {
    expect(root.Rules).toEqual(JSON.parse(JSON.stringify(ROOT_RULES)));
    const rule = root.Rules.FailoverCertificates;
    expect(rule.RuleCondition).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'HostedZoneId' }, ''] }] });
    expect(rule.Assertions.map((a: Json) => a.Assert)).toContainEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ApiCertificateArn' }, { Ref: 'StandbyApiCertificateArn' }] }],
    });
  });

  test('root stays within CloudFormation limits', () => {
    expect(Object.keys(root.Parameters).length).toBeLessThanOrEqual(200);
    expect(Object.keys(root.Outputs).length).toBeLessThanOrEqual(200);
  });
});

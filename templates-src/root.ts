/**
 * root.yaml (roadmap step 11): the user-facing parameters, region mappings, feature conditions,
 * one `AWS::CloudFormation::Stack` per registry entry wired only through Parameters and nested
 * Outputs, and the outputs users need after a deploy.
 */
import Stack from 'cloudform-types/types/cloudFormation/stack';
import { equals, not, ref, stackOutput, sub } from './lib/fn';
import type { StackDefinition, Wire } from './lib/stack';
import { StackTemplate, TemplateDefinitionError, type TemplateDocument, type TemplateRule } from './lib/template';
import { ROOT_PARAMETERS, type ParameterGroup } from './parameters';

/** Region → its default DR partner region. */
const REGION_PAIRS: Readonly<Record<string, { Secondary: string }>> = {
  'us-east-1': { Secondary: 'us-west-2' },
  'us-east-2': { Secondary: 'us-west-2' },
  'us-west-1': { Secondary: 'us-east-1' },
  'us-west-2': { Secondary: 'us-east-1' },
  'ca-central-1': { Secondary: 'us-east-1' },
  'eu-west-1': { Secondary: 'eu-central-1' },
  'eu-west-2': { Secondary: 'eu-west-1' },
  'eu-central-1': { Secondary: 'eu-west-1' },
  'eu-north-1': { Secondary: 'eu-central-1' },
  'ap-southeast-1': { Secondary: 'ap-southeast-2' },
  'ap-southeast-2': { Secondary: 'ap-southeast-1' },
  'ap-northeast-1': { Secondary: 'ap-northeast-3' },
  'ap-northeast-3': { Secondary: 'ap-northeast-1' },
  'ap-south-1': { Secondary: 'ap-southeast-1' },
  'sa-east-1': { Secondary: 'us-east-1' },
};

/**
 * The RegionConfig mapping: per supported region, its default secondary region and the
 * region-specific ARNs the stacks need (Security Hub's foundational standard is published per
 * region: `arn:aws:securityhub:<region>::standards/…`).
 */
export const REGION_CONFIG: Readonly<Record<string, { Secondary: string; SecurityHubStandardArn: string }>> = Object.fromEntries(
  Object.entries(REGION_PAIRS).map(([region, pair]) => [
    region,
    { Secondary: pair.Secondary, SecurityHubStandardArn: `arn:aws:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0` },
  ]),
);

/** Root conditions stacks may name in `condition` or wire through `!If`. */
export const ROOT_CONDITIONS = {
  IsProd: equals(ref('Environment'), 'prod'),
  HasSecondaryRegion: not(equals(ref('SecondaryRegion'), '')),
  HasFailover: not(equals(ref('HostedZoneId'), '')),
} as const;

/**
 * Root rules: CloudFormation refuses the change set before anything is created when an assertion
 * fails. A regional API custom domain needs an ACM certificate in its own region, so failover
 * needs two certificates, and passing one ARN twice is the mistake this catches (an ACM ARN names
 * its region, so two regions cannot share one).
 */
export const ROOT_RULES: Readonly<Record<string, TemplateRule>> = {
  FailoverCertificates: {
    RuleCondition: not(equals(ref('HostedZoneId'), '')),
    Assertions: [
      {
        Assert: not(equals(ref('ApiCertificateArn'), '')),
        AssertDescription: 'Route 53 failover (HostedZoneId set) needs ApiCertificateArn: an ACM certificate in the primary region covering ApiDomainName',
      },
      {
        Assert: not(equals(ref('StandbyApiCertificateArn'), '')),
        AssertDescription:
          'Route 53 failover (HostedZoneId set) needs StandbyApiCertificateArn: an ACM certificate in the secondary region covering ApiDomainName',
      },
      {
        Assert: not(equals(ref('ApiCertificateArn'), ref('StandbyApiCertificateArn'))),
        AssertDescription: 'ApiCertificateArn and StandbyApiCertificateArn must differ: each regional API domain needs a certificate issued in its own region',
      },
    ],
  },
  // The network toggles (a dev profile switches them off to idle cheaply) only combine one way:
  // | FunctionsInVpc | EnableNatGateway | EnableDax | the functions reach …                                     |
  // | true           | true             | any       | AWS through the endpoints (or NAT), third-party APIs through NAT, DAX in the data VPC |
  // | true           | false            | any       | refused: the poller, notifier and rotation call third-party APIs |
  // | false          | any              | false     | everything over the internet, outside any VPC             |
  // | false          | any              | true      | refused: DAX is only reachable from inside the VPCs       |
  VpcFunctionsNeedNat: {
    RuleCondition: equals(ref('FunctionsInVpc'), 'true'),
    Assertions: [
      {
        Assert: equals(ref('EnableNatGateway'), 'true'),
        AssertDescription:
          'FunctionsInVpc=true needs EnableNatGateway=true: in the private subnets the poller, notifier and rotation functions reach the market, weather and Slack APIs only through the NAT gateway',
      },
    ],
  },
  DaxNeedsVpcFunctions: {
    RuleCondition: equals(ref('EnableDax'), 'true'),
    Assertions: [
      {
        Assert: equals(ref('FunctionsInVpc'), 'true'),
        AssertDescription: 'EnableDax=true needs FunctionsInVpc=true: a DAX cluster is reachable only from inside the VPCs',
      },
    ],
  },
};

function wireValue(stackId: string, name: string, wire: Wire, stacks: ReadonlyMap<string, StackDefinition>): unknown {
  if ('parameter' in wire) {
    if (!(wire.parameter in ROOT_PARAMETERS)) {
      throw new TemplateDefinitionError(
        `root: stack ${stackId} parameter ${name} is wired to root parameter ${wire.parameter}, which root does not declare (add it to templates-src/parameters.ts)`,
      );
    }
    return ref(wire.parameter);
  }
  if ('output' in wire) {
    const [producer, output] = wire.output;
    const source = stacks.get(producer);
    if (!source) throw new TemplateDefinitionError(`root: stack ${stackId} parameter ${name} takes an output of ${producer}, which is not in the registry`);
    if (!source.outputs.includes(output)) {
      throw new TemplateDefinitionError(
        `root: stack ${stackId} parameter ${name} takes ${producer}.Outputs.${output}, which ${producer} does not promise (add it to its outputs)`,
      );
    }
    return stackOutput(producer, output);
  }
  return wire.value;
}

/** Builds root.yaml from the registry. */
export function buildRoot(stacks: readonly StackDefinition[]): TemplateDocument {
  const t = new StackTemplate('root', 'Stock and weather real-time analytics platform: root stack wiring the nested stacks (roadmap step 11)');
  const groups = new Map<ParameterGroup, string[]>();
  for (const [name, p] of Object.entries(ROOT_PARAMETERS)) {
    t.parameter(name, p.definition);
    groups.set(p.group, [...(groups.get(p.group) ?? []), name]);
  }
  for (const [name, rule] of Object.entries(ROOT_RULES)) t.rule(name, rule);
  t.mapping('RegionConfig', REGION_CONFIG);
  for (const [name, condition] of Object.entries(ROOT_CONDITIONS)) t.condition(name, condition);

  const byId = new Map(stacks.map((s) => [s.id, s]));
  for (const s of stacks) {
    const parameters = Object.fromEntries(Object.entries(s.inputs).map(([name, wire]) => [name, wireValue(s.id, name, wire, byId)]));
    const stack = new Stack({
      TemplateURL: `./${s.file}`,
      Parameters: parameters as Record<string, never>,
      TimeoutInMinutes: 60,
      Tags: [
        { Key: 'Project', Value: sub('${ProjectName}-${Environment}') },
        { Key: 'Environment', Value: ref('Environment') },
        { Key: 'RoadmapSteps', Value: s.steps.join(' ') },
      ],
    });
    if (s.condition) stack.Condition = s.condition;
    t.resource(s.id, stack);
    for (const output of s.outputs) {
      t.output(`${s.id}${output}`, {
        description: `${s.id} stack: ${output}`,
        value: stackOutput(s.id, output),
        ...(s.condition ? { condition: s.condition } : {}),
      });
    }
  }
  t.implements('11.1', ...stacks.map((s) => s.id));
  t.implements('11.3', 'Symbols', 'Cities', 'StockDropPercent', 'HeatThresholdC', 'ColdThresholdC', 'WindThresholdKph', 'PrecipThresholdMm');
  t.implements('11.4', 'RegionConfig');
  t.implements('11.5', ...stacks.filter((s) => ['Networking', 'Compute', 'Analytics'].includes(s.id)).map((s) => s.id));
  return t.toDocument({
    'AWS::CloudFormation::Interface': {
      ParameterGroups: [...groups].map(([label, names]) => ({ Label: { default: label }, Parameters: names })),
    },
  });
}

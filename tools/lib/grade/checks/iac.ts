/** 10.3 (Route 53 failover) and step 11 – CI/CD & IaC. */
import { allText, ev, found, foundIf, isRecord, missed, partly, properties, section, type BulletCheck, type Evidence, type Json, type Part } from './kit';

export const failover: BulletCheck = ({ tree }) => {
  const records = tree.resources('AWS::Route53::RecordSet').filter((r) => properties(r.resource).Failover !== undefined);
  const groups = tree
    .resources('AWS::Route53::RecordSetGroup')
    .flatMap((g) =>
      (Array.isArray(properties(g.resource).RecordSets) ? (properties(g.resource).RecordSets as unknown[]) : [])
        .filter(isRecord)
        .map((set) => ({ r: g, set, property: 'Properties.RecordSets[]' })),
    );
  const sets = [...records.map((r) => ({ r, set: properties(r.resource), property: 'Properties' })), ...groups];
  const withRole = (role: string) => sets.filter((x) => x.set.Failover === role);
  const evidence = (list: typeof sets, key: string): Evidence[] => list.map((x) => ev(tree, x.r, `${x.property}.${key}`));
  const checkedPrimary = withRole('PRIMARY').filter((x) => x.set.HealthCheckId !== undefined);
  const healthChecks = tree.resources('AWS::Route53::HealthCheck');
  const healthPart: Part =
    checkedPrimary.length > 0
      ? found('health check on the primary', [
          ...checkedPrimary.flatMap((x) =>
            tree
              .resolve(x.r.file, x.set.HealthCheckId)
              .filter((h) => h.type === 'AWS::Route53::HealthCheck')
              .map((h) => ev(tree, h)),
          ),
          ...evidence(checkedPrimary, 'HealthCheckId'),
        ])
      : healthChecks.length > 0 && withRole('PRIMARY').length > 0
        ? partly(
            'health check on the primary',
            0.5,
            healthChecks.map((h) => ev(tree, h)),
            'HealthCheckId on the PRIMARY record, so Route 53 knows when to fail over',
          )
        : missed('health check on the primary', 'an AWS::Route53::HealthCheck named by the PRIMARY record (HealthCheckId)');
  return {
    parts: [
      foundIf('PRIMARY failover record', evidence(withRole('PRIMARY'), 'Failover'), 'an AWS::Route53::RecordSet with Failover: PRIMARY and a SetIdentifier'),
      foundIf(
        'SECONDARY failover record',
        evidence(withRole('SECONDARY'), 'Failover'),
        'an AWS::Route53::RecordSet with Failover: SECONDARY (the standby region)',
      ),
      healthPart,
    ],
  };
};

export const nestedStacks: BulletCheck = ({ tree }) => {
  const stacks = tree.resources('AWS::CloudFormation::Stack');
  if (stacks.length === 0)
    return {
      parts: [
        missed('root stack', 'a root template with AWS::CloudFormation::Stack resources'),
        missed('nested stacks found in the submission', 'nested templates named by TemplateURL (./networking.yaml)'),
      ],
    };
  const root = tree.rootFile;
  const rootStacks = stacks.filter((s) => s.file === root);
  const resolved = stacks.filter((s) => tree.childFile(s.file, s.logicalId) !== undefined);
  const unresolved = stacks.filter((s) => !resolved.includes(s));
  const rootPart = found(
    `root stack ${root}`,
    (rootStacks.length > 0 ? rootStacks : stacks).map((s) => ev(tree, s, 'Properties.TemplateURL', undefined, tree.childFile(s.file, s.logicalId))),
  );
  const childCredit = resolved.length / stacks.length;
  const childEvidence = resolved.map((s) => ev(tree, s, 'Properties.TemplateURL', undefined, `→ ${tree.childFile(s.file, s.logicalId)}`));
  const childPart: Part =
    childCredit >= 1
      ? found(`${resolved.length} nested stacks found in the submission`, childEvidence)
      : childCredit > 0
        ? partly(
            'nested stacks found in the submission',
            childCredit,
            childEvidence,
            `the templates named by ${unresolved.map((s) => `${s.logicalId} (${allText(properties(s.resource).TemplateURL).split('\n').pop()})`).join(', ')}`,
          )
        : missed(
            'nested stacks found in the submission',
            `the templates named by ${unresolved.map((s) => `${s.logicalId} (${allText(properties(s.resource).TemplateURL).split('\n').pop()})`).join(', ')}`,
          );
  return { parts: [rootPart, childPart] };
};

export const git: BulletCheck = ({ tree, repo }) => {
  if (!repo.isGitRepo) return { parts: [missed('under git version control', 'the templates in a git repository (git init, git add, git commit)')] };
  const files = tree.files.map((f) => f.file);
  const tracked = files.filter((f) => repo.tracked.has(f));
  const evidence: Evidence[] = tracked.map((f) => ({ file: f, logicalId: '(file)', type: 'git', note: 'tracked' }));
  if (files.length === 0) return { parts: [missed('templates committed to git', 'templates committed to the repository')] };
  if (tracked.length === files.length) return { parts: [found('templates committed to git', evidence)] };
  return {
    parts: [
      partly(
        'templates committed to git',
        tracked.length / files.length,
        evidence,
        `${files.filter((f) => !repo.tracked.has(f)).join(', ')} committed (git add, git commit)`,
      ),
    ],
  };
};

/** The roadmap's parameters (11.3) and how a parameter name shows each. */
export const PARAMETER_KINDS: readonly { readonly label: string; readonly pattern: RegExp; readonly example: string }[] = [
  { label: 'symbols', pattern: /symbol|ticker|stock/i, example: 'Symbols (CommaDelimitedList)' },
  { label: 'cities', pattern: /cit(y|ies)|location|weather/i, example: 'Cities (CommaDelimitedList)' },
  { label: 'thresholds', pattern: /threshold|drop|percent/i, example: 'StockDropPercent (Number, Default 10)' },
];

/** Whether a parameter of a file is used (a `!Ref`, a `${Name}` in `!Sub`, or passed on to a nested stack). */
function isUsed(template: Json, name: string): boolean {
  const text = JSON.stringify({ r: template.Resources, o: template.Outputs, c: template.Conditions });
  return text.includes(`"Ref":"${name}"`) || text.includes(`\${${name}}`);
}

export const parameters: BulletCheck = ({ tree }) => {
  const declared = tree.files.flatMap((f) =>
    Object.keys(section(f.template, 'Parameters')).map((name) => ({ file: f.file, name, used: isUsed(f.template, name) })),
  );
  const ordered = [...declared.filter((d) => d.file === tree.rootFile), ...declared.filter((d) => d.file !== tree.rootFile)];
  return {
    parts: PARAMETER_KINDS.map(({ label, pattern, example }): Part => {
      const matching = ordered.filter((d) => pattern.test(d.name));
      const used = matching.filter((d) => d.used);
      const evidence = (list: typeof matching): Evidence[] =>
        list.slice(0, 4).map((d) => ({ file: d.file, logicalId: d.name, type: 'Parameter', ...(d.used ? {} : { note: 'declared, not used' }) }));
      if (used.length > 0) return found(`parameter for ${label}`, evidence(used));
      if (matching.length > 0)
        return partly(`parameter for ${label}`, 0.5, evidence(matching), `a use of ${matching[0]!.name} (a !Ref, or passed to the nested stacks)`);
      return missed(`parameter for ${label}`, `a parameter for ${label}, e.g. ${example}`);
    }),
  };
};

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

function mapNamesUsed(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) mapNamesUsed(v, out);
  else if (isRecord(value)) {
    const args = value['Fn::FindInMap'];
    if (Array.isArray(args) && typeof args[0] === 'string') out.add(args[0]);
    for (const v of Object.values(value)) mapNamesUsed(v, out);
  }
  return out;
}

export const mappings: BulletCheck = ({ tree }) => {
  const regional = tree.files.flatMap((f) =>
    Object.entries(section(f.template, 'Mappings'))
      .filter(([, m]) => isRecord(m) && Object.keys(m).filter((k) => REGION.test(k)).length >= 2)
      .map(([name, m]) => ({ file: f.file, name, map: m as Json, used: mapNamesUsed(f.template).has(name), arns: /arn:/.test(allText(m)) })),
  );
  const evidence = (list: typeof regional): Evidence[] =>
    list.map((m) => ({ file: m.file, logicalId: m.name, type: 'Mapping', note: `${Object.keys(m.map).filter((k) => REGION.test(k)).length} regions` }));
  if (regional.length === 0)
    return {
      parts: [
        missed('mapping keyed by region', 'a Mappings entry keyed by region (us-east-1, us-west-2, …)'),
        missed('holds region-specific ARNs', 'ARNs as the mapped values'),
        missed('used with !FindInMap', '!FindInMap [<Mapping>, !Ref AWS::Region, <Key>]'),
      ],
    };
  const arns = regional.filter((m) => m.arns);
  const used = regional.filter((m) => m.used);
  return {
    parts: [
      found('mapping keyed by region', evidence(regional)),
      foundIf('holds region-specific ARNs', evidence(arns), `ARNs (arn:aws:…) as values of ${regional.map((m) => m.name).join(', ')}`),
      foundIf('used with !FindInMap', evidence(used), `!FindInMap [${regional[0]!.name}, !Ref AWS::Region, <Key>] where the value is needed`),
    ],
  };
};

/** 11.5: the templates reused as nested stacks, found by what they contain. */
export const REUSED_TEMPLATES: readonly { readonly label: string; readonly types: RegExp }[] = [
  { label: 'networking', types: /^AWS::EC2::(VPC|Subnet)$/ },
  { label: 'compute', types: /^AWS::Lambda::Function$/ },
  { label: 'analytics', types: /^AWS::(Glue::(Crawler|Database)|Athena::WorkGroup)$/ },
];

export const reuse: BulletCheck = ({ tree }) => ({
  parts: REUSED_TEMPLATES.map(({ label, types }): Part => {
    const files = tree.files.filter((f) =>
      Object.values(section(f.template, 'Resources')).some((r) => isRecord(r) && typeof r.Type === 'string' && types.test(r.Type)),
    );
    const nested = files.filter((f) => tree.stackIdOf(f.file) !== undefined);
    const parameterised = (f: { template: Json }) => Object.keys(section(f.template, 'Parameters')).length > 0;
    const best = nested.find(parameterised) ?? nested[0];
    const e = (f: { file: string }): Evidence[] => {
      const stackId = tree.stackIdOf(f.file);
      const stack = stackId !== undefined ? tree.resource(tree.parentOf(f.file)!, stackId) : undefined;
      return stack
        ? [ev(tree, stack, 'Properties.TemplateURL', undefined, `→ ${f.file}`)]
        : [{ file: f.file, logicalId: '(template)', type: 'template', note: 'not nested' }];
    };
    if (best && parameterised(best)) return found(`${label} template nested and parameterised`, e(best));
    if (best)
      return partly(`${label} template nested and parameterised`, 0.75, e(best), `Parameters in ${best.file} so it can be deployed again with other values`);
    const separate = files.find((f) => files.length > 0 && tree.files.length > 1 && parameterised(f));
    if (separate)
      return partly(
        `${label} template nested and parameterised`,
        0.5,
        e(separate),
        `${separate.file} nested from the root stack (AWS::CloudFormation::Stack with TemplateURL)`,
      );
    return missed(
      `${label} template nested and parameterised`,
      `${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label} template of its own, nested from the root stack with Parameters`,
    );
  }),
});

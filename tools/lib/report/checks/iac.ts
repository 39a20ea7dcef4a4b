/** 10.3 (Route 53 failover) and step 11 (root.yaml, the repository). */
import { allText, isRecord, properties, section, type Json } from '../model';
import { fail, ids, pass, where, type BulletCheck } from './types';

export const failover: BulletCheck = ({ tree }) => {
  const records = tree.resources('AWS::Route53::RecordSet');
  const primary = records.find((r) => properties(r.resource).Failover === 'PRIMARY');
  const secondary = records.find((r) => properties(r.resource).Failover === 'SECONDARY');
  if (!primary) return fail('no PRIMARY failover record (AWS::Route53::RecordSet with Failover)');
  if (!secondary) return fail(`${where(primary)} has no SECONDARY counterpart`);
  if (!tree.resolveType(primary.file, properties(primary.resource).HealthCheckId, 'AWS::Route53::HealthCheck')) {
    return fail(`${where(primary)}: HealthCheckId does not resolve to a Route 53 health check`);
  }
  return pass(`PRIMARY ${primary.logicalId} with health check, SECONDARY ${secondary.logicalId}`);
};

export const nestedStacks: BulletCheck = ({ tree, nested }) => {
  const root = tree.get(tree.rootFile);
  if (!root) return fail(`${tree.rootFile} is missing`);
  const missing = nested.filter((s) => tree.childFile(tree.rootFile, s.id) !== s.file);
  if (missing.length > 0) return fail(`root does not nest ${missing.map((s) => `${s.id} → ./${s.file}`).join(', ')} (or the file is missing)`);
  return pass(`root nests ${nested.length} stacks: ${nested.map((s) => s.id).join(', ')}`);
};

export const git: BulletCheck = ({ repo, expectedFiles }) => {
  if (!repo.isGitRepo) return fail('the project is not a git work tree');
  const untracked = expectedFiles.filter((f) => !repo.trackedGenerated.includes(f));
  if (untracked.length > 0) return fail(`generated/ files not tracked by git: ${untracked.join(', ')} (commit them so reviewers see template diffs)`);
  return pass(`git work tree, all ${expectedFiles.length} generated templates tracked`);
};

/** Root parameters that must reach a nested stack (roadmap 11.3: symbols, cities, thresholds). */
export const WIRED_PARAMETERS = ['Symbols', 'Cities', 'StockDropPercent'] as const;

export const parameters: BulletCheck = ({ tree }) => {
  const root = tree.get(tree.rootFile);
  if (!root) return fail(`${tree.rootFile} is missing`);
  const declared = section(root.template, 'Parameters');
  const missing = WIRED_PARAMETERS.filter((p) => !(p in declared));
  if (missing.length > 0) return fail(`root does not declare ${missing.join(', ')}`);
  const passed = tree
    .resources('AWS::CloudFormation::Stack')
    .filter((s) => s.file === tree.rootFile)
    .flatMap((s) => Object.values(section(properties(s.resource), 'Parameters')).flatMap((v) => tree.rootParameters(tree.rootFile, v)));
  const unused = WIRED_PARAMETERS.filter((p) => !passed.includes(p));
  if (unused.length > 0) return fail(`root parameters ${unused.join(', ')} are not passed to any nested stack`);
  return pass(`${Object.keys(declared).length} root parameters; ${WIRED_PARAMETERS.join(', ')} reach nested stacks`);
};

/** Mapping names used by `!FindInMap` anywhere in a template. */
function mapNamesUsed(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) mapNamesUsed(v, out);
  else if (isRecord(value)) {
    const args = value['Fn::FindInMap'];
    if (Array.isArray(args) && typeof args[0] === 'string') out.add(args[0]);
    for (const v of Object.values(value)) mapNamesUsed(v, out);
  }
  return out;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export const mappings: BulletCheck = ({ tree }) => {
  const regional = tree.files.flatMap((f) =>
    Object.entries(section(f.template, 'Mappings'))
      .filter(([, m]) => isRecord(m) && Object.keys(m).filter((k) => REGION.test(k)).length >= 2)
      .map(([name, m]) => ({ file: f.file, name, map: m as Json })),
  );
  if (regional.length === 0) return fail('no mapping keyed by region');
  const used = regional.filter((m) => mapNamesUsed(tree.get(m.file)!.template).has(m.name));
  if (used.length === 0) return fail(`region mappings ${regional.map((m) => m.name).join(', ')} are not used by any !FindInMap`);
  const arns = regional.filter((m) => /arn:/.test(allText(m.map)));
  if (arns.length === 0) return fail(`no region mapping holds ARNs (${regional.map((m) => m.name).join(', ')} hold other values)`);
  return pass(`region mappings with ARNs: ${arns.map((m) => `${m.name} (${m.file})`).join(', ')}`);
};

export const reuse: BulletCheck = ({ tree, nested }) => {
  const wanted = ['networking', 'compute', 'analytics'];
  const missing = wanted.filter((w) => !nested.some((s) => s.file === `${w}.yaml` && tree.childFile(tree.rootFile, s.id) === s.file));
  if (missing.length > 0) return fail(`${missing.join(', ')} not nested from root as a separate template`);
  const hardCoded = wanted.filter((w) => !('NamePrefix' in section(tree.get(`${w}.yaml`)!.template, 'Parameters')));
  if (hardCoded.length > 0) return fail(`${hardCoded.join(', ')}.yaml take no NamePrefix parameter, so they cannot be deployed twice`);
  const stacks = tree.resources('AWS::CloudFormation::Stack').filter((s) => wanted.some((w) => tree.childFile(s.file, s.logicalId) === `${w}.yaml`));
  return pass(`${ids(stacks)} are parameterised templates (NamePrefix) nested from root`);
};

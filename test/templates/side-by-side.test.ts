/**
 * Scenario: parameters/dev.json and parameters/prod.json deployed side by side in ONE account and
 * region, each with its secondary-region stack — as users do (dev first, then prod). Every
 * physical name every resource would get is evaluated from the committed templates with the
 * parameter values the deploy tool would pass (tools/lib/params.ts for root, the deploy tool's
 * secondaryParameters for the secondary stack), and no two resources may claim the same name
 * where AWS requires it to be unique (tools/lib/validate/physical-names.ts says where).
 * Account singletons are checked the same way: at most one per account and region.
 *
 * The bootstrap stack is not part of an environment: one per account and region serves all.
 */
import path from 'node:path';
import { secondaryParameters, secondaryStackName } from '../../tools/lib/deploy/cli';
import { loadParameterFile, resolveRootParameters, type ParameterFile } from '../../tools/lib/params';
import { readTemplates, type TemplateFile } from '../../tools/lib/validate';
import { evaluate, EvaluationError, parameterValues, resourceExists, type EvaluationContext } from '../../tools/lib/validate/evaluate';
import { collisionKey, physicalNamesOf, type PhysicalName } from '../../tools/lib/validate/physical-names';
import { ACCOUNT_SINGLETONS } from '../../tools/lib/validate/rules/singleton-condition';
import { loadSpec } from '../../tools/lib/validate/spec';

type Json = Record<string, any>;

const REPO = path.resolve(__dirname, '../..');
const ACCOUNT = '111122223333';
const spec = loadSpec();

interface Deployment {
  readonly label: string;
  /** Every stack instance: root, each nested stack that exists, the secondary stack. */
  readonly stacks: EvaluationContext[];
  readonly names: PhysicalName[];
}

let templates: Map<string, TemplateFile>;
beforeAll(async () => {
  const { files, findings } = await readTemplates(path.join(REPO, 'generated'));
  expect(findings).toEqual([]);
  templates = new Map(files.map((f) => [f.file, f]));
});

const template = (file: string): TemplateFile => {
  const t = templates.get(file);
  if (!t) throw new Error(`generated/${file} is missing`);
  return t;
};

/** A nested stack's parameters are strings: lists were joined by the parent. */
const asParameter = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

/** The stacks of one environment as `npm run deploy -- --params <file>` would create them. */
function deploy(label: string, file: ParameterFile, regions = file.regions): Deployment {
  const resolved = resolveRootParameters(file);
  const root = template('root.yaml');
  const children = new Map<string, EvaluationContext>();
  const rootCtx: EvaluationContext = {
    stack: `${label}/root`,
    doc: root.doc,
    parameters: parameterValues(root.doc, resolved.values, `${label} root.yaml`),
    region: regions.primary,
    account: ACCOUNT,
    stackName: file.stackName,
    stackOutput: (id, output) => {
      const child = childOf(id);
      const definition = (child.doc.Outputs as Json | undefined)?.[output];
      if (!definition) throw new EvaluationError(`${label}: ${id} has no output ${output}`);
      if (typeof definition.Condition === 'string' && !evaluate({ Condition: definition.Condition }, child)) throw new EvaluationError(`${label}: ${id}.Outputs.${output} does not exist for these parameters`);
      return evaluate(definition.Value, child, `${id}.Outputs.${output}`);
    },
  };
  function childOf(id: string): EvaluationContext {
    const known = children.get(id);
    if (known) return known;
    const resource = (root.doc.Resources as Json)[id] as Json;
    const file = String(resource.Properties.TemplateURL).replace(/^\.\//, '');
    const given = evaluate(resource.Properties.Parameters ?? {}, rootCtx, `${id}.Parameters`) as Json;
    const doc = template(file).doc;
    const ctx: EvaluationContext = {
      stack: `${label}/${id}`,
      doc,
      parameters: parameterValues(doc, Object.fromEntries(Object.entries(given).map(([k, v]) => [k, asParameter(v)])), `${label} ${file}`),
      region: regions.primary,
      account: ACCOUNT,
      stackName: `${file.replace('.yaml', '')}-nested`,
    };
    children.set(id, ctx);
    return ctx;
  }
  const nested = Object.entries(root.doc.Resources as Record<string, Json>).filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack' && resourceExists(r, rootCtx));
  const secondary = template('secondary.yaml');
  const secondaryCtx: EvaluationContext = {
    stack: `${label}/secondary`,
    doc: secondary.doc,
    parameters: parameterValues(secondary.doc, secondaryParameters(secondary.text!, resolved.values, regions.primary), `${label} secondary.yaml`),
    region: regions.secondary,
    account: ACCOUNT,
    stackName: secondaryStackName(file.stackName),
  };
  const stacks = [rootCtx, ...nested.map(([id]) => childOf(id)), secondaryCtx];
  return { label, stacks, names: stacks.flatMap((s) => physicalNamesOf(s, spec)) };
}

/** Names claimed by two different resources: `key → [stack/logicalId, …]`. */
function collisions(...deployments: Deployment[]): Record<string, string[]> {
  const owners = new Map<string, Set<string>>();
  for (const n of deployments.flatMap((d) => d.names)) {
    const key = collisionKey(n);
    if (key === undefined) continue;
    owners.set(key, (owners.get(key) ?? new Set()).add(`${n.stack}/${n.logicalId}.${n.property}`));
  }
  return Object.fromEntries([...owners].filter(([, o]) => o.size > 1).map(([k, o]) => [k, [...o].sort()]));
}

/** Account singletons per account and region: `type region → [stack/logicalId, …]`. */
function singletons(...deployments: Deployment[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const s of deployments.flatMap((d) => d.stacks)) {
    for (const [id, r] of Object.entries(s.doc.Resources as Record<string, Json>)) {
      const multiRegionTrail = r.Type === 'AWS::CloudTrail::Trail' && evaluate(r.Properties.IsMultiRegionTrail, s) === true;
      if (!(String(r.Type) in ACCOUNT_SINGLETONS) && !multiRegionTrail) continue;
      if (!resourceExists(r, s)) continue;
      // A multi-region trail records the whole account: a second one duplicates (and bills) every management event.
      const key = multiRegionTrail ? `${r.Type} (multi-region) ${s.account}` : `${r.Type} ${s.account} ${s.region}`;
      (found[key] ??= []).push(`${s.stack}/${id}`);
    }
  }
  return found;
}

const load = (name: string) => loadParameterFile(path.join(REPO, 'parameters', name), `parameters/${name}`);

describe('dev and prod side by side in one account and region', () => {
  let dev: Deployment;
  let prod: Deployment;
  beforeAll(async () => {
    dev = deploy('dev', await load('dev.json'));
    prod = deploy('prod', await load('prod.json'));
  });

  test('both parameter files share one account and region, and their secondary regions, as assumed here', () => {
    expect(dev.stacks[0]!.region).toBe(prod.stacks[0]!.region);
    expect(dev.stacks.at(-1)!.region).toBe(prod.stacks.at(-1)!.region);
  });

  test('every name-bearing property of every stack was evaluated (a sanity floor, not a count to match)', () => {
    for (const d of [dev, prod]) {
      expect(d.stacks.length).toBeGreaterThanOrEqual(10);
      const types = new Set(d.names.map((n) => n.type));
      for (const type of ['AWS::S3::Bucket', 'AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'AWS::SQS::Queue', 'AWS::DynamoDB::GlobalTable', 'AWS::SecretsManager::Secret', 'AWS::Budgets::Budget', 'AWS::CloudWatch::Dashboard']) {
        expect([d.label, type, types.has(type)]).toEqual([d.label, type, true]);
      }
    }
  });

  test('no physical name is claimed twice, within an environment or across both (secondary stacks included)', () => {
    expect(collisions(dev)).toEqual({});
    expect(collisions(prod)).toEqual({});
    expect(collisions(dev, prod)).toEqual({});
  });

  test('at most one of each account singleton per account and region (one multi-region trail per account)', () => {
    for (const [key, owners] of Object.entries(singletons(dev, prod))) {
      const type = key.split(' ')[0]!;
      // Overwriting singletons (API Gateway's logging role) are last-writer-wins settings: both
      // environments set an equivalent role, which is what makes a second one harmless.
      if (ACCOUNT_SINGLETONS[type]?.second === 'overwrites') continue;
      expect([key, owners]).toEqual([key, [owners[0]]]);
    }
  });

  test('API Gateway account settings written by both environments point at equivalent roles (same managed policy)', () => {
    const policies = [dev, prod].flatMap((d) =>
      d.stacks.flatMap((s) =>
        Object.entries(s.doc.Resources as Record<string, Json>)
          .filter(([, r]) => r.Type === 'AWS::ApiGateway::Account' && resourceExists(r, s))
          .map(([, r]) => {
            const roleId = r.Properties.CloudWatchRoleArn['Fn::GetAtt'][0] as string;
            return JSON.stringify(evaluate((s.doc.Resources as Json)[roleId].Properties.ManagedPolicyArns, s));
          }),
      ),
    );
    expect(policies.length).toBeGreaterThan(0);
    expect(new Set(policies).size).toBe(1);
  });
});

describe('the check itself', () => {
  test('finds collisions when there are some: the same environment deployed twice into one region collides on its names', async () => {
    const file = await load('dev.json');
    const found = collisions(deploy('dev-a', file), deploy('dev-b', file));
    expect(Object.keys(found).length).toBeGreaterThan(50);
    expect(Object.keys(found)).toEqual(expect.arrayContaining([JSON.stringify(['AWS::S3::Bucket.BucketName', `stockwx-dev-raw-${ACCOUNT}-us-east-1`])]));
  });

  test('the same environment in two region pairs of one account collides nowhere: every account-wide name carries its region', async () => {
    const file = await load('prod.json');
    const elsewhere = { primary: 'eu-west-1', secondary: 'eu-central-1' };
    expect(collisions(deploy('prod-us', file), deploy('prod-eu', file, elsewhere))).toEqual({});
  });
});

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
import { loadParameterFile, resolveRootParameters, type ParameterFile } from '../../tools/lib/params';
import type { TemplateFile } from '../../tools/lib/validate';
import { evaluate, resourceExists, type EvaluationContext } from '../../tools/lib/validate/evaluate';
import { collisionKey, physicalNamesOf, type PhysicalName } from '../../tools/lib/validate/physical-names';
import { ACCOUNT_SINGLETONS } from '../../tools/lib/validate/rules/singleton-condition';
import { loadSpec } from '../../tools/lib/validate/spec';
import { ACCOUNT, evaluateDeployment, generatedTemplates, REPO } from './deployment';

type Json = Record<string, any>;

const spec = loadSpec();

interface Deployment {
  readonly label: string;
  /** Every stack instance: root, each nested stack that exists, the secondary stack. */
  readonly stacks: EvaluationContext[];
  readonly names: PhysicalName[];
}

let templates: Map<string, TemplateFile>;
beforeAll(async () => {
  templates = await generatedTemplates();
});

/**
 * The stacks of one environment as `npm run deploy -- --params <file>` would create them. The
 * secondary stack is included whatever toggles.secondaryStack says: a dev that turns it on later
 * must not collide either.
 */
function deploy(label: string, file: ParameterFile, regions = file.regions): Deployment {
  const { stacks } = evaluateDeployment(templates, { label, values: resolveRootParameters(file).values, regions, stackName: file.stackName });
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
      const owners = found[key] ?? [];
      owners.push(`${s.stack}/${id}`);
      found[key] = owners;
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
      for (const type of [
        'AWS::S3::Bucket',
        'AWS::IAM::Role',
        'AWS::Lambda::Function',
        'AWS::Logs::LogGroup',
        'AWS::SQS::Queue',
        'AWS::DynamoDB::GlobalTable',
        'AWS::SecretsManager::Secret',
        'AWS::Budgets::Budget',
        'AWS::CloudWatch::Dashboard',
      ]) {
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

/**
 * The templates the sources build now (in memory, via buildAll()): they pass every error-level
 * check, and mistakes planted into them (found by resource type, not by logical ID, so the test
 * survives renames) are caught — the rules work on the shapes our helpers really emit.
 */
import { buildAll } from '../../../tools/lib/build-templates';
import { formatFinding, validateTemplates, type Finding, type TemplateFile } from '../../../tools/lib/validate';
import { projectRegistry } from '../../../tools/lib/validate/registry';
import { parseTemplate } from '../../../templates-src/lib/yaml';

type Doc = Record<string, any>;

const registry = projectRegistry();
const built = buildAll().map((t) => ({ file: t.file, text: t.text }));

function fresh(): TemplateFile[] {
  return built.map((t) => ({ file: t.file, doc: parseTemplate(t.text, t.file), text: t.text }));
}

function errors(files: readonly TemplateFile[]): Finding[] {
  return validateTemplates(files, registry).findings.filter((f) => f.severity === 'error');
}

/** First resource of a type across the templates: [file, logicalId, resource]. */
function first(files: readonly TemplateFile[], type: string): [string, string, Doc] {
  for (const f of files) {
    for (const [id, r] of Object.entries((f.doc.Resources ?? {}) as Record<string, Doc>)) if (r.Type === type) return [f.file, id, r];
  }
  throw new Error(`no ${type} in the generated templates`);
}

/** Deletes a key at every depth (replica lists may sit inside `!If`). */
function deleteEverywhere(value: unknown, key: string): void {
  if (Array.isArray(value)) for (const v of value) deleteEverywhere(v, key);
  else if (value !== null && typeof value === 'object') {
    delete (value as Doc)[key];
    for (const v of Object.values(value)) deleteEverywhere(v, key);
  }
}

test('the generated templates have no validation errors', () => {
  const files = fresh();
  expect(files.map((f) => f.file)).toEqual(expect.arrayContaining([registry.root.file, ...registry.stacks.map((s) => s.file)]));
  expect(errors(files).map((f) => formatFinding(f))).toEqual([]);
});

test.each<[string, string, string, (r: Doc, files: TemplateFile[]) => void]>([
  ['an unencrypted bucket', 'AWS::S3::Bucket', 's3-bucket-encryption', (r) => delete r.Properties.BucketEncryption],
  ['a public bucket', 'AWS::S3::Bucket', 's3-public-access-block', (r) => (r.Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets = false)],
  ['a misspelled bucket property', 'AWS::S3::Bucket', 'spec-property', (r) => (r.Properties.LifecycleConfig = r.Properties.LifecycleConfiguration)],
  [
    'a wildcard action in a role',
    'AWS::IAM::Role',
    'iam-no-wildcard-actions',
    (r) => {
      const wildcard = { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' };
      if (r.Properties.Policies?.length) r.Properties.Policies[0].PolicyDocument.Statement.push(wildcard);
      else r.Properties.Policies = [{ PolicyName: 'x', PolicyDocument: { Version: '2012-10-17', Statement: [wildcard] } }];
    },
  ],
  [
    'an event source mapping without bisect',
    'AWS::Lambda::EventSourceMapping',
    'lambda-esm-failure-handling',
    (r) => delete r.Properties.BisectBatchOnFunctionError,
  ],
  ['a function without tracing', 'AWS::Lambda::Function', 'lambda-tracing', (r) => delete r.Properties.TracingConfig],
  ['a table without PITR', 'AWS::DynamoDB::GlobalTable', 'dynamodb-pitr', (r) => deleteEverywhere(r.Properties.Replicas, 'PointInTimeRecoverySpecification')],
  ['a key without rotation', 'AWS::KMS::Key', 'kms-rotation', (r) => (r.Properties.EnableKeyRotation = false)],
  ['a named bucket kept with plain Retain', 'AWS::S3::Bucket', 'retain-except-on-create', (r) => (r.DeletionPolicy = 'Retain')],
  ['an account singleton without its condition', 'AWS::GuardDuty::Detector', 'singleton-condition', (r) => delete r.Condition],
  ['a Config rule without its recorder condition', 'AWS::Config::ConfigRule', 'config-rule-recorder', (r) => delete r.Condition],
  ['an IAM role name without the region', 'AWS::IAM::Role', 'physical-name-scope', (r) => (r.Properties.RoleName = { 'Fn::Sub': '${NamePrefix}-role' })],
  [
    'the common rule set blocking bodies over 8 KB again',
    'AWS::WAFv2::WebACL',
    'waf-body-size',
    (r) => {
      for (const rule of r.Properties.Rules) delete rule.Statement.ManagedRuleGroupStatement?.RuleActionOverrides;
    },
  ],
  [
    'a nested stack missing a required parameter',
    'AWS::CloudFormation::Stack',
    'contract-missing-parameter',
    (r, files) => {
      const child = files.find((f) => `./${f.file}` === r.Properties.TemplateURL)!;
      const required = Object.entries(child.doc.Parameters as Record<string, Doc>).find(([, p]) => !('Default' in p))![0];
      delete r.Properties.Parameters[required];
    },
  ],
])('planted in the real templates: %s is caught', (_name, type, rule, plant) => {
  const files = fresh();
  const [file, id, resource] = first(files, type);
  plant(resource, files);
  expect(errors(files)).toEqual(expect.arrayContaining([expect.objectContaining({ file, logicalId: id, rule })]));
});

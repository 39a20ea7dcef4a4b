/** Step 9 (security.yaml). */
import { allText, alternatives, isRecord, properties, section, type Json, type ResourceRef } from '../model';
import { dataBuckets } from './storage';
import { all, fail, ids, isTrue, pass, where, type BulletCheck } from './types';

/** Services whose data a wildcard action would expose (DESIGN §6). */
export const DATA_SERVICES = ['s3', 'dynamodb', 'kinesis', 'kms', 'sqs', 'sns', 'secretsmanager'] as const;

function statements(policy: unknown): Json[] {
  return alternatives(policy)
    .filter(isRecord)
    .flatMap((doc) => (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).flatMap(alternatives))
    .filter(isRecord);
}

/** Every Allow statement of a role's inline policies and of managed policies attached to it. */
function allowStatements(r: ResourceRef): Json[] {
  const p = properties(r.resource);
  const docs = r.type === 'AWS::IAM::Role' ? (Array.isArray(p.Policies) ? p.Policies : []).flatMap(alternatives).filter(isRecord).map((x) => x.PolicyDocument) : [p.PolicyDocument];
  return docs.flatMap(statements).filter((s) => s.Effect === 'Allow');
}

export const iamRoles: BulletCheck = ({ tree }) =>
  all(
    () => {
      const roles = tree.resources('AWS::IAM::Role');
      return roles.length > 0 ? pass(`${roles.length} roles`) : fail('no IAM roles (AWS::IAM::Role)');
    },
    () => {
      const policies = [...tree.resources('AWS::IAM::Role'), ...tree.resources(/AWS::IAM::(Managed)?Policy$/)];
      for (const r of policies) {
        for (const s of allowStatements(r)) {
          const actions = (Array.isArray(s.Action) ? s.Action : [s.Action]).map(String);
          const wild = actions.find((a) => a === '*' || DATA_SERVICES.some((svc) => a.toLowerCase() === `${svc}:*`));
          if (wild) return fail(`${where(r)} allows "${wild}" (least privilege: name the actions)`);
        }
      }
      return pass('no wildcard actions on data services');
    },
    () => {
      const crossAccount = tree.resources('AWS::IAM::Role').find((r) =>
        statements(properties(r.resource).AssumeRolePolicyDocument).some((s) => isRecord(s.Principal) && s.Principal.AWS !== undefined && /sts:ExternalId/.test(allText(s.Condition))),
      );
      return crossAccount ? pass(`cross-account role ${crossAccount.logicalId} requires an ExternalId`) : fail('no cross-account role (an AWS principal in AssumeRolePolicyDocument with an sts:ExternalId condition)');
    },
  );

export const keys: BulletCheck = ({ tree }) => {
  const usages: [string, ResourceRef | undefined][] = [];
  const { raw } = dataBuckets(tree);
  const sse = raw ? section(properties(raw.resource), 'BucketEncryption').ServerSideEncryptionConfiguration : undefined;
  usages.push(['S3', raw ? tree.resolveType(raw.file, sse, 'AWS::KMS::Key') : undefined]);
  const table = tree.resources(/AWS::DynamoDB::(Global)?Table/)[0];
  usages.push(['DynamoDB', table ? tree.resolveType(table.file, [properties(table.resource).SSESpecification, properties(table.resource).Replicas], 'AWS::KMS::Key') : undefined]);
  const secret = tree.resources('AWS::SecretsManager::Secret')[0];
  usages.push(['Secrets Manager', secret ? tree.resolveType(secret.file, properties(secret.resource).KmsKeyId, 'AWS::KMS::Key') : undefined]);
  const missing = usages.filter(([, k]) => !k).map(([label]) => label);
  if (missing.length > 0) return fail(`no customer managed key in use for ${missing.join(', ')}`);
  const used = [...new Map(usages.map(([, k]) => [k!.logicalId, k!])).values()];
  const unrotated = used.filter((k) => !isTrue(properties(k.resource).EnableKeyRotation));
  if (unrotated.length > 0) return fail(`${ids(unrotated)}: key rotation is off`);
  return pass(usages.map(([label, k]) => `${label} → ${k!.logicalId}`).join(', ') + ', rotation on');
};

export const secrets: BulletCheck = ({ tree }) => {
  const found = tree.resources('AWS::SecretsManager::Secret');
  if (found.length === 0) return fail('no Secrets Manager secret (AWS::SecretsManager::Secret)');
  const plain = found.filter((s) => !tree.resolveType(s.file, properties(s.resource).KmsKeyId, 'AWS::KMS::Key'));
  if (plain.length > 0) return fail(`${ids(plain)}: KmsKeyId does not resolve to our CMK`);
  const rotations = tree.resources('AWS::SecretsManager::RotationSchedule').filter((r) => {
    const p = properties(r.resource);
    return tree.resolveType(r.file, p.SecretId, 'AWS::SecretsManager::Secret') && p.RotationLambdaARN !== undefined && isRecord(p.RotationRules);
  });
  if (rotations.length === 0) return fail('no RotationSchedule with a rotation function and rules on any secret');
  return pass(`${ids(found)} encrypted with our CMK, rotation ${ids(rotations)}`);
};

/** Config managed rules that satisfy "block public S3" and "enforce CMKs". */
export const PUBLIC_S3_RULES = ['S3_BUCKET_PUBLIC_READ_PROHIBITED', 'S3_BUCKET_PUBLIC_WRITE_PROHIBITED', 'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED', 'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS', 'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC'];
export const CMK_RULES = ['S3_DEFAULT_ENCRYPTION_KMS', 'DYNAMODB_TABLE_ENCRYPTED_KMS', 'SECRETSMANAGER_USING_CMK', 'KINESIS_STREAM_ENCRYPTED', 'SNS_ENCRYPTED_KMS', 'CLOUDWATCH_LOG_GROUP_ENCRYPTED', 'CMK_BACKING_KEY_ROTATION_ENABLED'];

export const trailAndConfig: BulletCheck = ({ tree }) =>
  all(
    () => {
      const trails = tree.resources('AWS::CloudTrail::Trail');
      if (trails.length === 0) return fail('no CloudTrail trail (AWS::CloudTrail::Trail)');
      const t = trails[0]!;
      const p = properties(t.resource);
      if (!isTrue(p.IsLogging)) return fail(`${where(t)}: IsLogging is not true`);
      if (!isTrue(p.EnableLogFileValidation)) return fail(`${where(t)}: log file validation is off`);
      if (!tree.resolveType(t.file, p.KMSKeyId, 'AWS::KMS::Key')) return fail(`${where(t)}: KMSKeyId does not resolve to our CMK`);
      return pass(`trail ${t.logicalId} (validated, KMS)`);
    },
    () => {
      const rules = tree.resources('AWS::Config::ConfigRule').map((r) => String(section(properties(r.resource), 'Source').SourceIdentifier));
      if (!rules.some((r) => PUBLIC_S3_RULES.includes(r))) return fail(`no Config rule blocking public S3 (one of ${PUBLIC_S3_RULES.slice(0, 3).join(', ')}, …)`);
      if (!rules.some((r) => CMK_RULES.includes(r))) return fail(`no Config rule enforcing CMKs (one of ${CMK_RULES.slice(0, 3).join(', ')}, …)`);
      return pass(`Config rules ${rules.join(', ')}`);
    },
  );

export const threatDetection: BulletCheck = ({ tree }) => {
  const missing = ['AWS::GuardDuty::Detector', 'AWS::SecurityHub::Hub', 'AWS::WAFv2::WebACL'].filter((t) => tree.resources(t).length === 0);
  if (missing.length > 0) return fail(`missing ${missing.join(', ')}`);
  const acl = tree.resources('AWS::WAFv2::WebACL')[0]!;
  const p = properties(acl.resource);
  if (p.Scope !== 'REGIONAL') return fail(`${where(acl)}: Scope is ${String(p.Scope)}; API Gateway needs REGIONAL`);
  const managed = (Array.isArray(p.Rules) ? p.Rules : []).filter((r) => isRecord(r) && isRecord(r.Statement) && 'ManagedRuleGroupStatement' in r.Statement);
  if (managed.length === 0) return fail(`${where(acl)} has no AWS managed rule group`);
  if (tree.resources('AWS::WAFv2::WebACLAssociation').length === 0) return fail(`${where(acl)} is associated with nothing (AWS::WAFv2::WebACLAssociation)`);
  return pass(`GuardDuty, Security Hub, WAF ${acl.logicalId} with ${managed.length} managed rule group(s), associated`);
};

/** Step 9 – Security & governance. */
import { WILDCARD_ACTION } from '../../validate/rules/iam-no-wildcard-actions';
import { dataBuckets } from './storage';
import {
  actionsOf,
  allowStatements,
  allText,
  alternatives,
  ev,
  found,
  foundIf,
  isRecord,
  keyUse,
  missed,
  partly,
  properties,
  section,
  type BulletCheck,
  type Evidence,
  type Json,
  type Part,
  type ResourceRef,
  type TemplateTree,
} from './kit';

function trustStatements(role: ResourceRef): Json[] {
  return alternatives(properties(role.resource).AssumeRolePolicyDocument)
    .filter(isRecord)
    .flatMap((d) => (Array.isArray(d.Statement) ? d.Statement : [d.Statement]).flatMap(alternatives))
    .filter(isRecord);
}

export const iamRoles: BulletCheck = ({ tree }) => {
  const roles = tree.resources('AWS::IAM::Role');
  const wildcard: Evidence[] = [];
  for (const role of roles) {
    for (const { statement, from } of allowStatements(tree, role)) {
      const wild = actionsOf(statement).filter((a) => WILDCARD_ACTION.test(a));
      if (wild.length > 0) wildcard.push(ev(tree, from, 'PolicyDocument.Statement[].Action', undefined, `allows ${wild.join(', ')}`));
    }
  }
  const crossAccount = roles.flatMap((r) =>
    trustStatements(r)
      .filter((s) => isRecord(s.Principal) && s.Principal.AWS !== undefined)
      .map((s) => ({ r, s })),
  );
  const withExternalId = crossAccount.filter(({ s }) => /sts:ExternalId/i.test(allText(s.Condition)));
  const leastPrivilege: Part =
    roles.length === 0
      ? missed('least privilege (no wildcard actions)', 'roles whose policies name their actions')
      : wildcard.length === 0
        ? found(
            'least privilege (no wildcard actions)',
            roles.map((r) => ev(tree, r, 'Properties.Policies')),
          )
        : partly(
            'least privilege (no wildcard actions)',
            0,
            wildcard,
            `named actions instead of ${[...new Set(wildcard.map((w) => w.note!.replace('allows ', '')))].join(', ')} in ${[...new Set(wildcard.map((w) => w.logicalId))].join(', ')}`,
          );
  const crossPart: Part =
    withExternalId.length > 0
      ? found(
          'cross-account assume-role (with ExternalId)',
          withExternalId.map(({ r }) => ev(tree, r, 'Properties.AssumeRolePolicyDocument', properties(r.resource).AssumeRolePolicyDocument)),
        )
      : crossAccount.length > 0
        ? partly(
            'cross-account assume-role (with ExternalId)',
            0.5,
            crossAccount.map(({ r }) => ev(tree, r, 'Properties.AssumeRolePolicyDocument')),
            'a Condition StringEquals sts:ExternalId on the cross-account trust (confused-deputy protection)',
          )
        : missed(
            'cross-account assume-role (with ExternalId)',
            'a role trusting another account (Principal AWS: arn:aws:iam::<account>:root) with an sts:ExternalId condition',
          );
  return {
    parts: [
      foundIf(
        'IAM roles',
        roles.map((r) => ev(tree, r)),
        'AWS::IAM::Role resources for the functions and services',
      ),
      leastPrivilege,
      crossPart,
    ],
  };
};

function keyPart(tree: TemplateTree, label: string, candidates: { r: ResourceRef; value: unknown; property: string }[], missing: string): Part {
  let passedIn: Evidence | undefined;
  let managed: Evidence | undefined;
  for (const c of candidates) {
    const use = keyUse(tree, c.r.file, c.value);
    if (use.kind === 'cmk') return found(label, [ev(tree, use.key, undefined, undefined, `used by ${c.r.logicalId}.${c.property}`)]);
    if (use.kind === 'passed-in' && tree.resources('AWS::KMS::Key').length > 0)
      passedIn ??= ev(tree, c.r, `Properties.${c.property}`, undefined, `key from ${use.via}`);
    if (use.kind === 'aws-managed') managed ??= ev(tree, c.r, `Properties.${c.property}`, undefined, use.alias);
  }
  if (passedIn) return found(label, [passedIn]);
  if (managed) return partly(label, 0.25, [managed], `${missing} (the AWS managed key is not a CMK)`);
  return missed(label, missing);
}

export const keys: BulletCheck = ({ tree }) => {
  const { raw, processed } = dataBuckets(tree);
  const buckets = [raw, processed, ...tree.resources('AWS::S3::Bucket')].filter((b): b is ResourceRef => b !== undefined);
  const bucketKeys = buckets.flatMap((b) =>
    alternatives(section(properties(b.resource), 'BucketEncryption').ServerSideEncryptionConfiguration)
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter(isRecord)
      .map((c) => ({ r: b, value: section(c, 'ServerSideEncryptionByDefault').KMSMasterKeyID, property: 'BucketEncryption…KMSMasterKeyID' })),
  );
  const tableKeys = tree.resources(/^AWS::DynamoDB::(Global)?Table$/).flatMap((t) => {
    const p = properties(t.resource);
    const replicas = alternatives(p.Replicas)
      .flatMap((v) => (Array.isArray(v) ? v.flatMap(alternatives) : []))
      .filter(isRecord);
    return [
      { r: t, value: section(p, 'SSESpecification').KMSMasterKeyId, property: 'SSESpecification.KMSMasterKeyId' },
      ...replicas.map((x) => ({ r: t, value: section(x, 'SSESpecification').KMSMasterKeyId, property: 'Replicas[].SSESpecification.KMSMasterKeyId' })),
    ];
  });
  const secretKeys = tree.resources('AWS::SecretsManager::Secret').map((s) => ({ r: s, value: properties(s.resource).KmsKeyId, property: 'KmsKeyId' }));
  return {
    parts: [
      keyPart(tree, 'CMK for S3', bucketKeys, "an AWS::KMS::Key used as the buckets' KMSMasterKeyID"),
      keyPart(tree, 'CMK for DynamoDB', tableKeys, "an AWS::KMS::Key used in the tables' SSESpecification (KMSMasterKeyId, SSEType KMS)"),
      keyPart(tree, 'CMK for Secrets Manager', secretKeys, "an AWS::KMS::Key used as the secrets' KmsKeyId"),
    ],
  };
};

export const secrets: BulletCheck = ({ tree }) => {
  const all = tree.resources('AWS::SecretsManager::Secret');
  const rotations = tree.resources('AWS::SecretsManager::RotationSchedule').filter((r) => {
    const p = properties(r.resource);
    return p.RotationLambdaARN !== undefined || p.HostedRotationLambda !== undefined;
  });
  const partial = tree.resources('AWS::SecretsManager::RotationSchedule').filter((r) => !rotations.includes(r));
  const rotationPart: Part =
    rotations.length > 0
      ? found(
          'rotation schedule',
          rotations.flatMap((r) => {
            const secret = tree.resolveType(r.file, properties(r.resource).SecretId, 'AWS::SecretsManager::Secret');
            return [
              ...(secret ? [ev(tree, secret, undefined, undefined, `rotated by ${r.logicalId} (${r.file})`)] : []),
              ev(tree, r, 'Properties.RotationRules', undefined, `rotates ${secret?.logicalId ?? 'a secret'}`),
            ];
          }),
        )
      : partial.length > 0
        ? partly(
            'rotation schedule',
            0.5,
            partial.map((r) => ev(tree, r)),
            'a RotationLambdaARN (or HostedRotationLambda) on the rotation schedule',
          )
        : missed('rotation schedule', 'an AWS::SecretsManager::RotationSchedule with a rotation Lambda and RotationRules');
  return {
    parts: [
      foundIf(
        'Secrets Manager secret for the API keys',
        all.map((s) => ev(tree, s)),
        'an AWS::SecretsManager::Secret for the market-data API key',
      ),
      rotationPart,
    ],
  };
};

/** Config managed rules that satisfy "block public S3" and "enforce CMKs". */
export const PUBLIC_S3_RULES = [
  'S3_BUCKET_PUBLIC_READ_PROHIBITED',
  'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
  'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED',
  'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS',
  'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC',
];
export const CMK_RULES = [
  'S3_DEFAULT_ENCRYPTION_KMS',
  'DYNAMODB_TABLE_ENCRYPTED_KMS',
  'SECRETSMANAGER_USING_CMK',
  'KINESIS_STREAM_ENCRYPTED',
  'SNS_ENCRYPTED_KMS',
  'CLOUDWATCH_LOG_GROUP_ENCRYPTED',
  'CMK_BACKING_KEY_ROTATION_ENABLED',
  'KMS_CMK_NOT_SCHEDULED_FOR_DELETION',
  'CLOUD_TRAIL_ENCRYPTION_ENABLED',
];

export const trailAndConfig: BulletCheck = ({ tree }) => {
  const trails = tree.resources('AWS::CloudTrail::Trail');
  const rules = tree.resources('AWS::Config::ConfigRule').map((r) => ({ r, id: allText(section(properties(r.resource), 'Source').SourceIdentifier) }));
  const publicRules = rules.filter((x) => PUBLIC_S3_RULES.includes(x.id));
  const cmkRules = rules.filter((x) => CMK_RULES.includes(x.id));
  return {
    parts: [
      foundIf(
        'CloudTrail trail',
        trails.map((t) => ev(tree, t, 'Properties.IsLogging')),
        'an AWS::CloudTrail::Trail (IsLogging: true) with its S3 bucket',
      ),
      foundIf(
        'Config rule blocking public S3',
        publicRules.map((x) => ev(tree, x.r, 'Properties.Source.SourceIdentifier', undefined, x.id)),
        `an AWS::Config::ConfigRule with a managed rule such as ${PUBLIC_S3_RULES.slice(0, 2).join(' or ')}`,
      ),
      foundIf(
        'Config rule enforcing CMKs',
        cmkRules.map((x) => ev(tree, x.r, 'Properties.Source.SourceIdentifier', undefined, x.id)),
        `an AWS::Config::ConfigRule with a managed rule such as ${CMK_RULES.slice(0, 3).join(', ')}`,
      ),
    ],
  };
};

export const threatDetection: BulletCheck = ({ tree }) => {
  const acls = tree.resources('AWS::WAFv2::WebACL');
  const associations = tree
    .resources('AWS::WAFv2::WebACLAssociation')
    .filter(
      (a) =>
        tree.resolve(a.file, properties(a.resource).ResourceArn).some((r) => /ApiGateway/.test(r.type)) ||
        /apigateway|restapis/.test(allText(properties(a.resource).ResourceArn)),
    );
  const wafPart: Part =
    associations.length > 0
      ? found(
          'WAF web ACL on API Gateway',
          associations.map((a) => ev(tree, a, 'Properties.ResourceArn')),
        )
      : acls.length > 0
        ? partly(
            'WAF web ACL on API Gateway',
            0.5,
            acls.map((a) => ev(tree, a)),
            'an AWS::WAFv2::WebACLAssociation of the (REGIONAL) web ACL with the API stage',
          )
        : missed('WAF web ACL on API Gateway', 'an AWS::WAFv2::WebACL (Scope REGIONAL, AWS managed rule groups) associated with the API stage');
  return {
    parts: [
      foundIf(
        'GuardDuty detector',
        tree.resources('AWS::GuardDuty::Detector').map((d) => ev(tree, d)),
        'an AWS::GuardDuty::Detector (Enable: true)',
      ),
      foundIf(
        'Security Hub',
        tree.resources('AWS::SecurityHub::Hub').map((h) => ev(tree, h)),
        'an AWS::SecurityHub::Hub',
      ),
      wafPart,
    ],
  };
};

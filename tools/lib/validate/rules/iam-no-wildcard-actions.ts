import { branches, dig, isRecord, listItems, subText, type Json, type Violation } from '../model';
import { literalStrings, propertiesOf, statementsOf, type SecurityRule } from './rule';

/** `*` alone, or `<service>:*` for the services that hold our data or keys (the grader's 9.x checks use it too). */
export const WILDCARD_ACTION = /^(?:\*|(?:s3|dynamodb|kinesis|sqs|sns|kms|secretsmanager):\*)$/i;

/** AWS managed policies that are wildcards in disguise. */
const BROAD_MANAGED_POLICY = /:policy\/(?:.*\/)?(AdministratorAccess|PowerUserAccess|[A-Za-z0-9]*FullAccess[A-Za-z0-9]*)$/;

/** Resource type → where its policy documents live (property path; `[]` marks a list). */
const DOCUMENTS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'AWS::IAM::Role': [['Policies', '[]', 'PolicyDocument']],
  'AWS::IAM::User': [['Policies', '[]', 'PolicyDocument']],
  'AWS::IAM::Group': [['Policies', '[]', 'PolicyDocument']],
  'AWS::IAM::Policy': [['PolicyDocument']],
  'AWS::IAM::ManagedPolicy': [['PolicyDocument']],
  'AWS::IAM::RolePolicy': [['PolicyDocument']],
  'AWS::S3::BucketPolicy': [['PolicyDocument']],
  'AWS::SQS::QueuePolicy': [['PolicyDocument']],
  'AWS::SNS::TopicPolicy': [['PolicyDocument']],
  'AWS::SecretsManager::ResourcePolicy': [['ResourcePolicy']],
  'AWS::KMS::Key': [['KeyPolicy']],
};

/** `[path, document]` pairs found along a property path. */
function documents(props: Json, path: readonly string[]): [string, unknown][] {
  let current: [string, unknown][] = [['Properties', props]];
  for (const key of path) {
    current = current.flatMap(([p, v]) => {
      if (key === '[]') return listItems(v).map((item, i): [string, unknown] => [`${p}[${i}]`, item]);
      return branches(v).map((b): [string, unknown] => [`${p}.${key}`, isRecord(b) ? b[key] : undefined]);
    });
  }
  return current.filter(([, v]) => v !== undefined);
}

/** The KMS key-policy statement that gives the account root full access (delegation to IAM). */
function isRootAdmin(statement: Json): boolean {
  const principal = JSON.stringify(dig(statement, 'Principal', 'AWS') ?? '');
  return principal.includes(':root') || principal === '{"Ref":"AWS::AccountId"}';
}

export const iamNoWildcardActions: SecurityRule = {
  id: 'iam-no-wildcard-actions',
  severity: 'error',
  info: 'Allow statements in IAM and resource policies name actions: no `*`, s3:*, dynamodb:*, kinesis:*, sqs:*, sns:*, kms:*, secretsmanager:*, no Allow+NotAction, no AdministratorAccess/PowerUserAccess/*FullAccess managed policies.',
  explanation:
    'DESIGN §6 least privilege: a wildcard on a data service grants deletes, policy changes and key scheduling nobody reviewed. Deny statements may use wildcards (the TLS-only bucket policy does); the KMS key-policy root-admin statement is exempt because it delegates to IAM.',
  resourceTypes: Object.keys(DOCUMENTS),
  check(id, resource) {
    const out: Violation[] = [];
    const props = propertiesOf(resource);
    listItems(props.ManagedPolicyArns).forEach((arn, i) => {
      const text = typeof arn === 'string' ? arn : subText(arn);
      const broad = text !== undefined ? BROAD_MANAGED_POLICY.exec(text) : null;
      if (broad)
        out.push({
          logicalId: id,
          path: `Properties.ManagedPolicyArns[${i}]`,
          message: `AWS managed policy ${broad[1]} grants wildcard access`,
          fix: 'replace it with an inline policy naming the actions and resources the role needs',
        });
    });
    for (const docPath of DOCUMENTS[String(resource.Type)] ?? []) {
      for (const [path, doc] of documents(props, docPath)) {
        statementsOf(doc).forEach((s, i) => {
          if (s.Effect !== 'Allow') return;
          const at = `${path}.Statement[${i}]`;
          if (s.NotAction !== undefined) {
            out.push({
              logicalId: id,
              path: `${at}.NotAction`,
              message: 'Allow with NotAction grants every other action',
              fix: 'list the allowed actions under Action instead',
            });
          }
          const wild = literalStrings(s.Action).filter((a) => WILDCARD_ACTION.test(a));
          if (wild.length === 0) return;
          if (resource.Type === 'AWS::KMS::Key' && isRootAdmin(s)) return;
          out.push({
            logicalId: id,
            path: `${at}.Action`,
            message: `wildcard action ${wild.join(', ')} in an Allow statement${typeof s.Sid === 'string' ? ` (${s.Sid})` : ''}`,
            fix: 'name the actions the principal needs (e.g. s3:GetObject, s3:PutObject) on scoped resources',
          });
        });
      }
    }
    return out;
  },
};

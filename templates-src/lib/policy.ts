/**
 * IAM policy documents and roles. Statements name actions explicitly: the validator rejects
 * wildcard actions on data services (`s3:*`, `dynamodb:*`, `kms:*` …) outside KMS key policies.
 */
import Role from 'cloudform-types/types/iam/role';
import { sub, type Value } from './fn';
import { tags } from './names';

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  /** Absent only in trust policies. */
  readonly Resource?: unknown;
  readonly Condition?: Readonly<Record<string, unknown>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Statement[];
}

export function policyDocument(...statements: Statement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** An Allow statement; `resources` may be ARNs or intrinsics. */
export function allow(actions: readonly string[], resources: readonly unknown[] | unknown, condition?: Readonly<Record<string, unknown>>): Statement {
  return {
    Effect: 'Allow',
    Action: [...actions],
    Resource: resources,
    ...(condition ? { Condition: condition } : {}),
  };
}

/** `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<resource>` as `!Sub`. */
export function arn(service: string, resource: string, options: { region?: string; account?: string } = {}): Value<string> {
  const region = options.region ?? '${AWS::Region}';
  const account = options.account ?? '${AWS::AccountId}';
  return sub(`arn:\${AWS::Partition}:${service}:${region}:${account}:${resource}`);
}

export interface RoleProps {
  /** Physical role name (`!Sub '${NamePrefix}-enricher'`). */
  readonly roleName?: Value<string>;
  readonly description: string;
  /** Service principal(s) that assume the role, e.g. `lambda.amazonaws.com`. */
  readonly services?: readonly string[];
  /** Full assume-role policy, instead of `services` (cross-account roles). */
  readonly assumeRolePolicy?: PolicyDocument;
  /** Inline policy statements; the role gets nothing else unless `managedPolicyArns` says so. */
  readonly statements: readonly Statement[];
  /** AWS managed policies, e.g. the VPC access execution role. @default none */
  readonly managedPolicyArns?: readonly Value<string>[];
}

/** A role with one inline policy named after the role's purpose. */
export function role(props: RoleProps): Role {
  const assume =
    props.assumeRolePolicy ??
    policyDocument({
      Effect: 'Allow',
      Principal: { Service: [...(props.services ?? [])] },
      Action: 'sts:AssumeRole',
    });
  return new Role({
    ...(props.roleName ? { RoleName: props.roleName } : {}),
    Description: props.description,
    AssumeRolePolicyDocument: assume,
    ...(props.managedPolicyArns ? { ManagedPolicyArns: [...props.managedPolicyArns] } : {}),
    Policies: props.statements.length > 0 ? [{ PolicyName: 'least-privilege', PolicyDocument: policyDocument(...props.statements) }] : undefined,
    Tags: tags(),
  } as ConstructorParameters<typeof Role>[0]);
}

import Alias from 'cloudform-types/types/kms/alias';
import Key from 'cloudform-types/types/kms/key';
import { getAtt, sub, type Value } from './fn';
import { nameText, tags } from './names';
import { policyDocument, type Statement } from './policy';
import { retained } from './resources';
import type { Fragment } from './template';

/** Actions a service needs to use (not manage) a key. */
export const KEY_USAGE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
] as const;

export interface CmkProps {
  readonly description: string;
  /** Alias suffix: the alias is `alias/<NamePrefix>-<alias>`. */
  readonly alias: string;
  /** Extra key-policy statements granting services or roles the use of the key. */
  readonly statements?: readonly Statement[];
}

/**
 * A customer managed key with yearly rotation and an explicit key policy: the account root
 * administers it (so IAM policies can grant use, and the key can never become unmanageable),
 * and each service named in `statements` may use it. Retained on delete: data encrypted with
 * a deleted key is lost.
 */
export function cmk(id: string, props: CmkProps): Fragment {
  const key = new Key({
    Description: props.description,
    Enabled: true,
    EnableKeyRotation: true,
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyPolicy: policyDocument(
      {
        Sid: 'AccountAdministers',
        Effect: 'Allow',
        Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
        Action: 'kms:*',
        Resource: '*',
      },
      ...(props.statements ?? []),
    ),
    Tags: tags(),
  } as ConstructorParameters<typeof Key>[0]);
  return {
    [id]: retained(key),
    [`${id}Alias`]: new Alias({ AliasName: sub(`alias/${nameText(props.alias)}`), TargetKeyId: getAtt(id, 'Arn') }),
  };
}

/** Key-policy statement letting a service principal use the key, optionally only via a condition. */
export function serviceUsesKey(sid: string, service: Value<string>, condition?: Readonly<Record<string, unknown>>): Statement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: service },
    Action: [...KEY_USAGE_ACTIONS],
    Resource: '*',
    ...(condition ? { Condition: condition } : {}),
  };
}

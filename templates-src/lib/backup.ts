/**
 * AWS Backup: a KMS-encrypted vault, a plan whose rules may copy every recovery point to a vault
 * in another region, and a selection with its service role.
 */
import BackupPlan, { type BackupRuleResourceType } from 'cloudform-types/types/backup/backupPlan';
import BackupSelection from 'cloudform-types/types/backup/backupSelection';
import BackupVault from 'cloudform-types/types/backup/backupVault';
import { getAtt, ifThen, NO_VALUE, ref, sub, type Value } from './fn';
import { tagMap } from './names';
import { role } from './policy';
import { retained } from './resources';
import type { Fragment } from './template';

export interface BackupRuleProps {
  /** Rule name, e.g. `daily`. */
  readonly name: string;
  /** `cron(…)` in UTC. */
  readonly schedule: string;
  readonly deleteAfterDays: number;
}

export interface BackupProps {
  /** Logical ID prefix: `<id>Vault`, `<id>Plan`, `<id>Selection`, `<id>Role`. */
  readonly id: string;
  readonly vaultName: Value<string>;
  readonly planName: Value<string>;
  readonly kmsKeyArn: Value<string>;
  readonly rules: readonly BackupRuleProps[];
  /** Vault in another region each rule copies to (same retention), under `condition`. @default no copies */
  readonly copyTo?: { readonly vaultArn: Value<string>; readonly condition: string };
  /** ARNs of the protected resources (tables, buckets). */
  readonly resources: readonly Value<string>[];
}

/**
 * The managed policies AWS Backup documents for its service role: backup and restore in
 * general (DynamoDB among them) and the separate S3 pair (S3 is not in the general ones).
 */
export const BACKUP_MANAGED_POLICIES = [
  'service-role/AWSBackupServiceRolePolicyForBackup',
  'service-role/AWSBackupServiceRolePolicyForRestores',
  'AWSBackupServiceRolePolicyForS3Backup',
  'AWSBackupServiceRolePolicyForS3Restore',
] as const;

export function backupPlan(props: BackupProps): Fragment {
  const { id } = props;
  const rules: BackupRuleResourceType[] = props.rules.map((r) => ({
    RuleName: r.name,
    TargetBackupVault: ref(`${id}Vault`),
    ScheduleExpression: r.schedule,
    StartWindowMinutes: 60,
    CompletionWindowMinutes: 24 * 60,
    Lifecycle: { DeleteAfterDays: r.deleteAfterDays },
    RecoveryPointTags: tagMap({ BackupRule: r.name }),
    ...(props.copyTo
      ? {
          CopyActions: ifThen(
            props.copyTo.condition,
            [{ DestinationBackupVaultArn: props.copyTo.vaultArn, Lifecycle: { DeleteAfterDays: r.deleteAfterDays } }],
            NO_VALUE,
          ),
        }
      : {}),
  }));
  return {
    [`${id}Vault`]: retained(new BackupVault({ BackupVaultName: props.vaultName, EncryptionKeyArn: props.kmsKeyArn, BackupVaultTags: tagMap() })),
    [`${id}Plan`]: new BackupPlan({ BackupPlan: { BackupPlanName: props.planName, BackupPlanRule: rules }, BackupPlanTags: tagMap() }),
    [`${id}Role`]: role({
      description: 'AWS Backup creates and restores recovery points of the tables and data buckets',
      services: ['backup.amazonaws.com'],
      statements: [],
      managedPolicyArns: BACKUP_MANAGED_POLICIES.map((p) => sub(`arn:\${AWS::Partition}:iam::aws:policy/${p}`)),
    }),
    [`${id}Selection`]: new BackupSelection({
      BackupPlanId: ref(`${id}Plan`),
      BackupSelection: { SelectionName: 'tables-and-data-buckets', IamRoleArn: getAtt(`${id}Role`, 'Arn'), Resources: [...props.resources] },
    }),
  };
}

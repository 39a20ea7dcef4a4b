/**
 * Resource types whose replacement or deletion loses data: buckets, tables, streams, keys, log
 * groups, user pools, secrets, plus SQS queues (DLQs hold the records that failed) and backup
 * vaults (recovery points). One list for the deploy change report and the template diff.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::S3::Bucket',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Kinesis::Stream',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::Cognito::UserPool',
  'AWS::SecretsManager::Secret',
  'AWS::SQS::Queue',
  'AWS::Backup::BackupVault',
]);

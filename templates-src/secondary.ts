/**
 * secondary.yaml (roadmap step 10): what must exist in the secondary region BEFORE the primary
 * root stack deploys. A top-level stack of its own (not nested in root), deployed in the
 * secondary region; its ReplicaKmsKeyArn output becomes the primary's ReplicaKmsKeyArn parameter.
 *
 * | resource here                          | used by (primary region)                                        |
 * | -------------------------------------- | --------------------------------------------------------------- |
 * | ReplicaKey                             | CRR replica objects, DynamoDB table replicas, backup copies     |
 * | RawReplicaBucket, ProcessedReplicaBucket | data-lake.yaml replication rules (names fixed by the contract)  |
 * | SecondaryBackupVault (`<prefix>-secondary`) | datastores.yaml backup rules' copy actions                 |
 * | standby ingestion API + stream          | the SECONDARY failover record (below) when the primary's /health fails |
 *
 * Deploy order: secondary.yaml (secondary region) → root.yaml with ReplicaKmsKeyArn (primary
 * region). The table replicas themselves are created by the primary's global tables.
 */
import DomainName from 'cloudform-types/types/apiGateway/domainName';
import BasePathMapping from 'cloudform-types/types/apiGateway/basePathMapping';
import BackupVault from 'cloudform-types/types/backup/backupVault';
import WebACLAssociation from 'cloudform-types/types/waFv2/webAclAssociation';
import RecordSet from 'cloudform-types/types/route53/recordSet';
import { SECONDARY_VAULT_SUFFIX } from './datastores';
import { newStackTemplate } from './lib/common';
import { and, equals, getAtt, not, ref, sub } from './lib/fn';
import { cmk, KEY_USAGE_ACTIONS, serviceUsesKey } from './lib/kms';
import { bucketName, NAMES, physicalName, tagMap, tags } from './lib/names';
import { allow, type Statement } from './lib/policy';
import { retained, when } from './lib/resources';
import { encryptedBucket } from './lib/s3';
import type { StackDefinition } from './lib/stack';
import { STANDBY_STAGE, standbyIngest } from './lib/standby';
import { webAcl } from './lib/waf';

/** Services that use the replica key on behalf of this account's principals. */
export const REPLICA_KEY_SERVICES = ['s3', 'dynamodb', 'kinesis', 'backup'] as const;

function accountUsesKeyVia(service: string): Statement {
  return {
    Sid: `AllowUseThrough${service === 's3' ? 'S3' : service === 'dynamodb' ? 'DynamoDB' : service[0]!.toUpperCase() + service.slice(1)}`,
    Effect: 'Allow',
    Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
    Action: [...KEY_USAGE_ACTIONS, 'kms:CreateGrant'],
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': sub(`${service}.\${AWS::Region}.amazonaws.com`), 'kms:CallerAccount': sub('${AWS::AccountId}') } },
  };
}

export const secondary: StackDefinition = {
  id: 'Secondary',
  file: 'secondary.yaml',
  source: 'templates-src/secondary.ts',
  steps: [10],
  // Top-level stack: parameters come from the deployer (parameters/<env>.json), not from root.
  inputs: {},
  outputs: [
    'ReplicaKmsKeyArn', 'RawReplicaBucketName', 'RawReplicaBucketArn', 'ProcessedReplicaBucketName', 'ProcessedReplicaBucketArn',
    'BackupVaultName', 'BackupVaultArn', 'StandbyStreamName', 'StandbyStreamArn', 'StandbyApiId', 'StandbyApiUrl', 'StandbyHealthCheckDomain',
  ],
  build() {
    const t = newStackTemplate('secondary', 'Secondary region (roadmap step 10): replica key and buckets, backup vault, standby ingestion endpoint and the SECONDARY failover record; deploy before the primary');
    t.parameter('PrimaryRegion', { Type: 'String', Description: 'Region of the primary deployment (tags and outputs; must differ from this region)', AllowedPattern: '^[a-z]{2}(-gov)?-[a-z]+-\\d$' });
    t.parameter('HostedZoneId', { Type: 'String', Description: 'Route 53 hosted zone of ApiDomainName; empty: no custom domain, no failover record', Default: '' });
    t.parameter('ApiDomainName', { Type: 'String', Description: 'DNS name of the ingestion API (the same as the primary)', Default: '' });
    t.parameter('ApiCertificateArn', { Type: 'String', Description: 'ACM certificate for ApiDomainName in THIS region', Default: '' });
    const hasFailover = t.condition(
      'HasFailover',
      and(not(equals(ref('HostedZoneId'), '')), not(equals(ref('ApiDomainName'), '')), not(equals(ref('ApiCertificateArn'), ''))),
    );
    const standbyTags = { PrimaryRegion: ref('PrimaryRegion') };

    t.add(
      cmk('ReplicaKey', {
        description: 'Secondary region: replica objects, table replicas, backup copies, standby stream and logs',
        alias: 'replica',
        statements: [
          ...REPLICA_KEY_SERVICES.map(accountUsesKeyVia),
          serviceUsesKey('AllowCloudWatchLogs', sub('logs.${AWS::Region}.amazonaws.com'), {
            ArnLike: { 'kms:EncryptionContext:aws:logs:arn': sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*') },
          }),
        ],
      }),
    );
    const replicaKey = getAtt('ReplicaKey', 'Arn');

    // Server access logs cannot be written to an SSE-KMS bucket, hence SSE-S3 for the log target.
    t.add(
      encryptedBucket('ReplicaAccessLogsBucket', {
        bucketName: bucketName(NAMES.buckets.accessLogs),
        encryption: { sseS3Because: 'S3 server access log targets do not support SSE-KMS' },
        accessLogs: false,
        noAccessLogsBecause: 'it is the access-log target of this region',
        lifecycle: { expireAfterDays: 365 },
        policyStatements: [
          {
            ...allow(['s3:PutObject'], sub('${ReplicaAccessLogsBucket.Arn}/*'), { StringEquals: { 'aws:SourceAccount': sub('${AWS::AccountId}') } }),
            Sid: 'S3ServerAccessLogs',
            Principal: { Service: 'logging.s3.amazonaws.com' },
          },
        ],
      }),
    );
    const replicas = [
      { id: 'RawReplicaBucket', purpose: NAMES.buckets.raw },
      { id: 'ProcessedReplicaBucket', purpose: NAMES.buckets.processed },
    ];
    for (const r of replicas) {
      t.add(
        encryptedBucket(r.id, {
          bucketName: bucketName(r.purpose),
          encryption: { kmsKeyArn: replicaKey },
          accessLogs: { bucket: ref('ReplicaAccessLogsBucket'), prefix: `${r.purpose}/` },
        }),
      );
      t.output(`${r.id}Name`, { description: `CRR destination of the ${r.purpose} zone`, value: ref(r.id) });
      t.output(`${r.id}Arn`, { description: `CRR destination ARN of the ${r.purpose} zone`, value: getAtt(r.id, 'Arn') });
    }
    t.implements('10.1', 'ReplicaKey', ...replicas.map((r) => r.id));
    t.implements('10.2', 'ReplicaKey');

    t.resource(
      'SecondaryBackupVault',
      retained(new BackupVault({ BackupVaultName: physicalName(SECONDARY_VAULT_SUFFIX), EncryptionKeyArn: replicaKey, BackupVaultTags: tagMap(standbyTags) })),
    );
    t.implements('10.4', 'SecondaryBackupVault');

    // Standby ingestion, protected by the same WAF rules as the primary (web ACLs are regional).
    const standby = t.add(standbyIngest({ kmsKeyArn: replicaKey }));
    const waf = t.add(webAcl({ logsKeyArn: replicaKey }));
    t.resource(
      'StandbyWebAclAssociation',
      new WebACLAssociation({ ResourceArn: sub('arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${StandbyApi}/stages/${StandbyApiStage}'), WebACLArn: getAtt('WebAcl', 'Arn') }),
    );
    t.resource(
      'StandbyApiDomain',
      when(hasFailover, new DomainName({ DomainName: ref('ApiDomainName'), RegionalCertificateArn: ref('ApiCertificateArn'), EndpointConfiguration: { Types: ['REGIONAL'] }, SecurityPolicy: 'TLS_1_2', Tags: tags(standbyTags) })),
    );
    t.resource('StandbyBasePathMapping', when(hasFailover, new BasePathMapping({ DomainName: ref('StandbyApiDomain'), RestApiId: ref('StandbyApi'), Stage: ref('StandbyApiStage') })));
    // Route 53 answers SECONDARY only while the PRIMARY record's health check fails (networking.yaml).
    t.resource(
      'SecondaryFailoverRecord',
      when(
        hasFailover,
        new RecordSet({
          HostedZoneId: ref('HostedZoneId'),
          Name: ref('ApiDomainName'),
          Type: 'A',
          // networking.yaml's PRIMARY record uses SetIdentifier `primary`.
          SetIdentifier: 'secondary',
          Failover: 'SECONDARY',
          AliasTarget: { DNSName: getAtt('StandbyApiDomain', 'RegionalDomainName'), HostedZoneId: getAtt('StandbyApiDomain', 'RegionalHostedZoneId'), EvaluateTargetHealth: false },
        }),
      ),
    );
    t.implements('10.3', ...standby, ...waf, 'StandbyWebAclAssociation', 'StandbyApiDomain', 'StandbyBasePathMapping', 'SecondaryFailoverRecord');

    t.output('ReplicaKmsKeyArn', { description: "Pass as the primary root stack's ReplicaKmsKeyArn parameter", value: replicaKey });
    t.output('BackupVaultName', { description: 'Vault the primary backup plan copies to', value: ref('SecondaryBackupVault') });
    t.output('BackupVaultArn', { description: 'ARN of the copy-target vault', value: getAtt('SecondaryBackupVault', 'BackupVaultArn') });
    t.output('StandbyStreamName', { description: 'Standby stream (buffers events during a failover; replay into the primary afterwards)', value: ref('StandbyStream') });
    t.output('StandbyStreamArn', { description: 'Standby stream ARN', value: getAtt('StandbyStream', 'Arn') });
    t.output('StandbyApiId', { description: 'Standby REST API ID', value: ref('StandbyApi') });
    t.output('StandbyApiUrl', { description: 'POST canonical event batches here, SigV4-signed (AWS_IAM)', value: sub(`https://\${StandbyApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${STANDBY_STAGE}/ingest`) });
    t.output('StandbyHealthCheckDomain', { description: 'execute-api host of the standby API', value: sub('${StandbyApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}') });
    return t.toDocument();
  },
};

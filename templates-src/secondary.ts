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
 * | StandbyOpsTopic + standby stream alarms | events arriving here mean failover is active: replay them within the retention |
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
import { namedAlarm } from './lib/alarms';
import { newStackTemplate } from './lib/common';
import { and, equals, getAtt, not, ref, sub } from './lib/fn';
import { cmk, KEY_USAGE_ACTIONS, serviceUsesKey } from './lib/kms';
import { bucketName, bucketNameText, NAMES, physicalName, tagMap, tags } from './lib/names';
import type { Statement } from './lib/policy';
import { ITERATOR_AGE_LIMIT_MS } from './lib/lambda';
import { retained, when } from './lib/resources';
import { accessLogsBucket, encryptedBucket } from './lib/s3';
import { alertTopic, PUBLISHERS } from './lib/sns';
import type { StackDefinition } from './lib/stack';
import { anchored, REGION } from '../contracts/values';
import { STANDBY_STAGE, standbyIngest } from './lib/standby';
import { webAcl } from './lib/waf';
import { booleanParameter } from './lib/template';

/** Services that use the replica key on behalf of this account's principals. */
export const REPLICA_KEY_SERVICES = ['s3', 'dynamodb', 'kinesis', 'backup', 'sns'] as const;

function accountUsesKeyVia(service: string): Statement {
  return {
    Sid: `AllowUseThrough${service === 's3' ? 'S3' : service === 'dynamodb' ? 'DynamoDB' : service === 'sns' ? 'SNS' : service[0]!.toUpperCase() + service.slice(1)}`,
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
    'ReplicaKmsKeyArn',
    'RawReplicaBucketName',
    'RawReplicaBucketArn',
    'ProcessedReplicaBucketName',
    'ProcessedReplicaBucketArn',
    'BackupVaultName',
    'BackupVaultArn',
    'StandbyStreamName',
    'StandbyStreamArn',
    'StandbyApiId',
    'StandbyApiUrl',
    'StandbyHealthCheckDomain',
    'StandbyOpsTopicArn',
  ],
  build() {
    const t = newStackTemplate(
      'secondary',
      'Secondary region (roadmap step 10): replica key and buckets, backup vault, standby ingestion endpoint and the SECONDARY failover record; deploy before the primary',
    );
    t.parameter('PrimaryRegion', {
      Type: 'String',
      Description: 'Region of the primary deployment (tags and outputs; must differ from this region)',
      AllowedPattern: anchored(REGION),
      ConstraintDescription: REGION.description,
    });
    t.parameter('HostedZoneId', {
      Type: 'String',
      Description: 'Route 53 hosted zone of ApiDomainName; empty: no custom domain, no failover record',
      Default: '',
    });
    t.parameter('ApiDomainName', { Type: 'String', Description: 'DNS name of the ingestion API (the same as the primary)', Default: '' });
    // Not ApiCertificateArn: the deploy tool passes root values to parameters of the same name,
    // and the primary's certificate lives in the primary region.
    t.parameter('StandbyApiCertificateArn', { Type: 'String', Description: 'ACM certificate for ApiDomainName in THIS (the secondary) region', Default: '' });
    t.parameter(
      'ManageStandbyApiGatewayAccount',
      booleanParameter("Set API Gateway's account-level CloudWatch Logs role of this region (false: a role is already set here)", 'true'),
    );
    t.parameter('AlertEmail', { Type: 'String', Description: 'Email subscribed to the standby ops topic; empty for none', Default: '' });
    // Named like the root parameter, so the deploy tool passes the file's toggles.waf here too.
    t.parameter('EnableWaf', booleanParameter('Create the WAF web ACL of the standby API (false: none)', 'true'));
    const hasFailover = t.condition(
      'HasFailover',
      and(not(equals(ref('HostedZoneId'), '')), not(equals(ref('ApiDomainName'), '')), not(equals(ref('StandbyApiCertificateArn'), ''))),
    );
    const managesAccount = t.condition('ManagesApiGatewayAccount', equals(ref('ManageStandbyApiGatewayAccount'), 'true'));
    t.condition('HasAlertEmail', not(equals(ref('AlertEmail'), '')));
    const createWaf = t.condition('CreateWaf', equals(ref('EnableWaf'), 'true'));
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
          // The standby alarms publish to the encrypted StandbyOpsTopic.
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: '*',
          },
        ],
      }),
    );
    const replicaKey = getAtt('ReplicaKey', 'Arn');

    const replicas = [
      { id: 'RawReplicaBucket', purpose: NAMES.buckets.raw },
      { id: 'ProcessedReplicaBucket', purpose: NAMES.buckets.processed },
    ];
    t.add(
      accessLogsBucket('ReplicaAccessLogsBucket', {
        bucketName: bucketName(NAMES.buckets.accessLogs),
        sourceBucketArns: replicas.map((r) => sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(r.purpose)}`)),
        purpose: 'the replica buckets of this region',
      }),
    );
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
    const standby = t.add(standbyIngest({ kmsKeyArn: replicaKey, manageAccountCondition: managesAccount }));
    const waf = t.add(webAcl({ logsKeyArn: replicaKey, condition: createWaf }));
    t.resource(
      'StandbyWebAclAssociation',
      when(
        createWaf,
        new WebACLAssociation({
          ResourceArn: sub('arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${StandbyApi}/stages/${StandbyApiStage}'),
          WebACLArn: getAtt('WebAcl', 'Arn'),
        }),
      ),
    );
    t.resource(
      'StandbyApiDomain',
      when(
        hasFailover,
        new DomainName({
          DomainName: ref('ApiDomainName'),
          RegionalCertificateArn: ref('StandbyApiCertificateArn'),
          EndpointConfiguration: { Types: ['REGIONAL'] },
          SecurityPolicy: 'TLS_1_2',
          Tags: tags(standbyTags),
        }),
      ),
    );
    t.resource(
      'StandbyBasePathMapping',
      when(hasFailover, new BasePathMapping({ DomainName: ref('StandbyApiDomain'), RestApiId: ref('StandbyApi'), Stage: ref('StandbyApiStage') })),
    );
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
          AliasTarget: {
            DNSName: getAtt('StandbyApiDomain', 'RegionalDomainName'),
            HostedZoneId: getAtt('StandbyApiDomain', 'RegionalHostedZoneId'),
            EvaluateTargetHealth: false,
          },
        }),
      ),
    );
    // Nothing consumes the standby stream, so its records are only safe for the retention period:
    // traffic arriving here pages the on-call (failover is active, or a client is misrouted), and
    // an iterator-age alarm covers the replay reading it back.
    t.add(
      alertTopic('StandbyOpsTopic', {
        nameSuffix: 'standby-ops-alerts',
        displayName: 'Standby ops alerts',
        kmsKeyArn: replicaKey,
        publishers: [PUBLISHERS.cloudWatchAlarms],
        email: { address: ref('AlertEmail'), condition: 'HasAlertEmail' },
      }),
    );
    const ops = [ref('StandbyOpsTopic')];
    t.resource(
      'StandbyIncomingRecordsAlarm',
      namedAlarm('standby-incoming-records', {
        description:
          'Events are arriving at the standby stream: failover is active (or a client is misrouted); replay them into the primary before the stream retention ends',
        namespace: 'AWS/Kinesis',
        metricName: 'IncomingRecords',
        dimensions: { StreamName: ref('StandbyStream') },
        statistic: 'Sum',
        threshold: 0,
        periodSeconds: 300,
        actions: ops,
      }),
    );
    t.resource(
      'StandbyIteratorAgeAlarm',
      namedAlarm('standby-iterator-age', {
        description: `The replay of the standby stream is more than ${ITERATOR_AGE_LIMIT_MS / 1000} s behind`,
        namespace: 'AWS/Kinesis',
        metricName: 'GetRecords.IteratorAgeMilliseconds',
        dimensions: { StreamName: ref('StandbyStream') },
        statistic: 'Maximum',
        threshold: ITERATOR_AGE_LIMIT_MS,
        periodSeconds: 60,
        evaluationPeriods: 3,
        actions: ops,
      }),
    );
    t.implements(
      '10.3',
      ...standby,
      ...waf,
      'StandbyWebAclAssociation',
      'StandbyApiDomain',
      'StandbyBasePathMapping',
      'SecondaryFailoverRecord',
      'StandbyOpsTopic',
      'StandbyIncomingRecordsAlarm',
      'StandbyIteratorAgeAlarm',
    );

    t.output('ReplicaKmsKeyArn', { description: "Pass as the primary root stack's ReplicaKmsKeyArn parameter", value: replicaKey });
    t.output('BackupVaultName', { description: 'Vault the primary backup plan copies to', value: ref('SecondaryBackupVault') });
    t.output('BackupVaultArn', { description: 'ARN of the copy-target vault', value: getAtt('SecondaryBackupVault', 'BackupVaultArn') });
    t.output('StandbyStreamName', {
      description: 'Standby stream (buffers events during a failover; replay into the primary afterwards)',
      value: ref('StandbyStream'),
    });
    t.output('StandbyStreamArn', { description: 'Standby stream ARN', value: getAtt('StandbyStream', 'Arn') });
    t.output('StandbyApiId', { description: 'Standby REST API ID', value: ref('StandbyApi') });
    t.output('StandbyApiUrl', {
      description: 'POST canonical event batches here, SigV4-signed (AWS_IAM)',
      value: sub(`https://\${StandbyApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${STANDBY_STAGE}/ingest`),
    });
    t.output('StandbyOpsTopicArn', { description: 'Topic of the standby alarms (subscribe the on-call)', value: ref('StandbyOpsTopic') });
    t.output('StandbyHealthCheckDomain', {
      description: 'execute-api host of the standby API',
      value: sub('${StandbyApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}'),
    });
    return t.toDocument();
  },
};

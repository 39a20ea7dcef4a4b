import { branches, dig, isRecord, listItems, type Violation } from '../model';
import { alwaysSet, propertiesOf, type SecurityRule } from './rule';
import { isAccessLogTarget } from './s3-helpers';

export const s3BucketEncryption: SecurityRule = {
  id: 's3-bucket-encryption',
  severity: 'error',
  info: 'S3 buckets use SSE-KMS with our customer managed key; SSE-S3 only for server access log targets.',
  explanation:
    'DESIGN §6: data at rest is encrypted with our CMKs so access is governed by key policies and logged in CloudTrail. S3 server access logging cannot deliver to SSE-KMS buckets, hence the single exception.',
  resourceTypes: ['AWS::S3::Bucket'],
  check(id, resource, ctx) {
    const path = 'Properties.BucketEncryption.ServerSideEncryptionConfiguration';
    const configs = listItems(dig(propertiesOf(resource), 'BucketEncryption', 'ServerSideEncryptionConfiguration')).filter(isRecord);
    if (configs.length === 0) {
      return [
        {
          logicalId: id,
          path,
          message: 'bucket has no default encryption configuration',
          fix: 'use encryptedBucket() with { kmsKeyArn } (SSE-KMS with our CMK and a bucket key)',
        },
      ];
    }
    const out = new Map<string, Violation>(); // one violation per path
    configs.forEach((c, i) => {
      const at = `${path}[${i}].ServerSideEncryptionByDefault`;
      for (const sse of branches(dig(c, 'ServerSideEncryptionByDefault'))) {
        for (const algorithm of branches(dig(sse, 'SSEAlgorithm'))) {
          if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') {
            if (!alwaysSet(dig(sse, 'KMSMasterKeyID'))) {
              out.set(`${at}.KMSMasterKeyID`, {
                logicalId: id,
                path: `${at}.KMSMasterKeyID`,
                message: 'SSE-KMS without KMSMasterKeyID uses the AWS managed aws/s3 key',
                fix: 'set KMSMasterKeyID to our CMK (DataLakeKeyArn)',
              });
            }
          } else if (!(algorithm === 'AES256' && isAccessLogTarget(id, ctx))) {
            out.set(`${at}.SSEAlgorithm`, {
              logicalId: id,
              path: `${at}.SSEAlgorithm`,
              message: `SSEAlgorithm ${JSON.stringify(algorithm)} on a bucket that is not an access-log target`,
              fix: 'use aws:kms with our CMK (SSE-S3 is allowed only for server access log targets)',
            });
          }
        }
      }
    });
    return [...out.values()];
  },
};

import { dig } from '../model';
import { alwaysEquals, propertiesOf, type SecurityRule } from './rule';
import { isAccessLogTarget } from './s3-helpers';

export const s3Versioning: SecurityRule = {
  id: 's3-versioning',
  severity: 'error',
  info: 'Data buckets (every bucket that is not an access-log target) have versioning Enabled.',
  explanation: 'DESIGN §2 and roadmap step 2: versioning protects against overwrites and deletes, and cross-region replication requires it.',
  resourceTypes: ['AWS::S3::Bucket'],
  check(id, resource, ctx) {
    if (alwaysEquals(dig(propertiesOf(resource), 'VersioningConfiguration', 'Status'), 'Enabled')) return [];
    if (isAccessLogTarget(id, ctx)) return [];
    return [
      {
        logicalId: id,
        path: 'Properties.VersioningConfiguration.Status',
        message: 'data bucket is not versioned',
        fix: 'set VersioningConfiguration.Status: Enabled (encryptedBucket() default)',
      },
    ];
  },
};

import { branches, dig } from '../model';
import { propertiesOf, statementsOf, type SecurityRule } from './rule';
import { bucketPoliciesOf } from './s3-helpers';

export const s3TlsOnly: SecurityRule = {
  id: 's3-tls-only',
  severity: 'error',
  info: 'Every S3 bucket has a bucket policy denying requests without TLS (aws:SecureTransport false).',
  explanation: 'DESIGN §6: data in transit is encrypted; without the Deny, plain-HTTP requests to the S3 endpoint are accepted.',
  resourceTypes: ['AWS::S3::Bucket'],
  check(id, _resource, ctx) {
    const ok = bucketPoliciesOf(id, ctx).some((p) =>
      statementsOf(propertiesOf(p).PolicyDocument).some((s) => {
        const secure = branches(dig(s.Condition, 'Bool', 'aws:SecureTransport'));
        return s.Effect === 'Deny' && secure.every((v) => v === false || v === 'false');
      }),
    );
    if (ok) return [];
    return [
      {
        logicalId: id,
        path: '-',
        message: 'no bucket policy denies non-TLS requests (Deny with Bool aws:SecureTransport false)',
        fix: `add an AWS::S3::BucketPolicy for ${id} with the tlsOnly() statement (encryptedBucket() does this)`,
      },
    ];
  },
};

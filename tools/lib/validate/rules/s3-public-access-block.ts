import { dig } from '../model';
import { alwaysEquals, propertiesOf, type SecurityRule } from './rule';

const FLAGS = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'] as const;

export const s3PublicAccessBlock: SecurityRule = {
  id: 's3-public-access-block',
  severity: 'error',
  info: 'S3 buckets block public access with all four PublicAccessBlockConfiguration flags true.',
  explanation:
    'DESIGN §6: nothing in this platform is served publicly from S3; all four flags together stop public ACLs and public policies, present and future.',
  resourceTypes: ['AWS::S3::Bucket'],
  check(id, resource) {
    const block = dig(propertiesOf(resource), 'PublicAccessBlockConfiguration');
    const off = FLAGS.filter((f) => !alwaysEquals(dig(block, f), true));
    if (off.length === 0) return [];
    return [
      {
        logicalId: id,
        path: 'Properties.PublicAccessBlockConfiguration',
        message: `public access is not fully blocked (${off.join(', ')} not true)`,
        fix: `set ${FLAGS.join(', ')} to true`,
      },
    ];
  },
};

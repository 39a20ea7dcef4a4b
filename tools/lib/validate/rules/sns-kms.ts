import { notCustomerKey } from './managed-key';
import { propertiesOf, type SecurityRule } from './rule';

export const snsKms: SecurityRule = {
  id: 'sns-kms',
  severity: 'error',
  info: 'SNS topics set KmsMasterKeyId to our customer managed key.',
  explanation:
    'DESIGN §6 and roadmap step 8: alert topics are KMS-encrypted; the key policy must let the publishing services use it, which only a customer managed key allows.',
  resourceTypes: ['AWS::SNS::Topic'],
  check(id, resource) {
    const why = notCustomerKey(propertiesOf(resource).KmsMasterKeyId);
    return why ? [{ logicalId: id, path: 'Properties.KmsMasterKeyId', message: why, fix: 'set KmsMasterKeyId to our CMK (StreamingKeyArn)' }] : [];
  },
};

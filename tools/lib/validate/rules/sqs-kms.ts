import { notCustomerKey } from './managed-key';
import { propertiesOf, type SecurityRule } from './rule';

export const sqsKms: SecurityRule = {
  id: 'sqs-kms',
  severity: 'error',
  info: 'SQS queues set KmsMasterKeyId to our customer managed key.',
  explanation: 'DESIGN §6: dead-letter queues hold copies of failed records; SQS-managed SSE keys cannot be restricted by key policy.',
  resourceTypes: ['AWS::SQS::Queue'],
  check(id, resource) {
    const why = notCustomerKey(propertiesOf(resource).KmsMasterKeyId);
    return why ? [{ logicalId: id, path: 'Properties.KmsMasterKeyId', message: why, fix: 'set KmsMasterKeyId to our CMK (StreamingKeyArn)' }] : [];
  },
};

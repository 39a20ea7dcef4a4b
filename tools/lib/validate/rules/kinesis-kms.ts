import { dig } from '../model';
import { notCustomerKey } from './managed-key';
import { alwaysEquals, propertiesOf, type SecurityRule } from './rule';

export const kinesisKms: SecurityRule = {
  id: 'kinesis-kms',
  severity: 'error',
  info: 'Kinesis streams use KMS encryption with our customer managed key.',
  explanation: 'DESIGN §6: ticks and observations are encrypted at rest under a key whose policy we control (StreamingKeyArn).',
  resourceTypes: ['AWS::Kinesis::Stream'],
  check(id, resource) {
    const enc = dig(propertiesOf(resource), 'StreamEncryption');
    if (!alwaysEquals(dig(enc, 'EncryptionType'), 'KMS')) {
      return [
        {
          logicalId: id,
          path: 'Properties.StreamEncryption',
          message: 'stream is not KMS-encrypted',
          fix: 'set StreamEncryption { EncryptionType: KMS, KeyId: StreamingKeyArn }',
        },
      ];
    }
    const why = notCustomerKey(dig(enc, 'KeyId'));
    return why ? [{ logicalId: id, path: 'Properties.StreamEncryption.KeyId', message: why, fix: 'set KeyId to our CMK (StreamingKeyArn)' }] : [];
  },
};

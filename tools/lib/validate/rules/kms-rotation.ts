import { alwaysEquals, propertiesOf, type SecurityRule } from './rule';

export const kmsRotation: SecurityRule = {
  id: 'kms-rotation',
  severity: 'error',
  info: 'Symmetric KMS keys have EnableKeyRotation true.',
  explanation:
    'Roadmap step 9 and the Config rule cmk-backing-key-rotation-enabled: annual rotation limits the data under one key version. Asymmetric and HMAC keys cannot rotate and are skipped.',
  resourceTypes: ['AWS::KMS::Key'],
  check(id, resource) {
    const props = propertiesOf(resource);
    if (props.KeySpec !== undefined && props.KeySpec !== 'SYMMETRIC_DEFAULT') return [];
    if (alwaysEquals(props.EnableKeyRotation, true)) return [];
    return [{ logicalId: id, path: 'Properties.EnableKeyRotation', message: 'key rotation is not enabled', fix: 'set EnableKeyRotation: true (cmk() does)' }];
  },
};

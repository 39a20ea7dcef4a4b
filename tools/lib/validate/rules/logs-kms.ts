import { alwaysSet, propertiesOf, type SecurityRule } from './rule';

export const logsKms: SecurityRule = {
  id: 'logs-kms',
  severity: 'error',
  info: 'CloudWatch log groups are encrypted with our KMS key (KmsKeyId).',
  explanation: 'DESIGN §6: logs can contain symbols, payload fragments and errors; they are encrypted under LogsKeyArn like the rest of our data.',
  resourceTypes: ['AWS::Logs::LogGroup'],
  check(id, resource) {
    if (alwaysSet(propertiesOf(resource).KmsKeyId)) return [];
    return [
      {
        logicalId: id,
        path: 'Properties.KmsKeyId',
        message: 'log group is not encrypted with our KMS key',
        fix: 'set KmsKeyId to LogsKeyArn (its key policy allows logs.<region>.amazonaws.com)',
      },
    ];
  },
};

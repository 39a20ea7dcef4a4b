import { alwaysSet, propertiesOf, type SecurityRule } from './rule';

export const logsRetention: SecurityRule = {
  id: 'logs-retention',
  severity: 'error',
  info: 'CloudWatch log groups set RetentionInDays.',
  explanation: 'DESIGN §6: log groups without retention keep data forever, at growing cost and against data-minimisation.',
  resourceTypes: ['AWS::Logs::LogGroup'],
  check(id, resource) {
    if (alwaysSet(propertiesOf(resource).RetentionInDays)) return [];
    return [
      { logicalId: id, path: 'Properties.RetentionInDays', message: 'log group keeps events forever', fix: 'set RetentionInDays (logGroup() defaults to 90)' },
    ];
  },
};

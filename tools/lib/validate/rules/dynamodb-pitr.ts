import { dig, isRecord, listItems, type Violation } from '../model';
import { alwaysEquals, propertiesOf, type SecurityRule } from './rule';

export const dynamodbPitr: SecurityRule = {
  id: 'dynamodb-pitr',
  severity: 'error',
  info: 'DynamoDB tables (and every global-table replica) have point-in-time recovery enabled.',
  explanation: 'A bad deploy or a bug that overwrites items must be recoverable to the second; backups alone leave a gap of up to a day.',
  resourceTypes: ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'],
  check(id, resource) {
    const props = propertiesOf(resource);
    const enabled = (spec: unknown): boolean => alwaysEquals(dig(spec, 'PointInTimeRecoveryEnabled'), true);
    if (resource.Type === 'AWS::DynamoDB::Table') {
      if (enabled(props.PointInTimeRecoverySpecification)) return [];
      return [
        {
          logicalId: id,
          path: 'Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled',
          message: 'point-in-time recovery is not enabled',
          fix: 'set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true',
        },
      ];
    }
    const out: Violation[] = [];
    listItems(props.Replicas)
      .filter(isRecord)
      .forEach((replica, i) => {
        if (!enabled(replica.PointInTimeRecoverySpecification)) {
          out.push({
            logicalId: id,
            path: `Properties.Replicas[${i}].PointInTimeRecoverySpecification`,
            message: 'replica has point-in-time recovery off',
            fix: 'set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true on every replica',
          });
        }
      });
    return out;
  },
};

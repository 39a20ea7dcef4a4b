import { dig, isRecord, listItems, type Violation } from '../model';
import { alwaysEquals, alwaysSet, propertiesOf, type SecurityRule } from './rule';

export const dynamodbKms: SecurityRule = {
  id: 'dynamodb-kms',
  severity: 'error',
  info: 'DynamoDB tables and global tables use SSE with KMS and our customer managed key.',
  explanation: 'DESIGN §6: the default (AWS owned key) and the AWS managed aws/dynamodb key cannot be governed by our key policies or audited per key.',
  resourceTypes: ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'],
  check(id, resource) {
    const props = propertiesOf(resource);
    const out: Violation[] = [];
    const sse = dig(props, 'SSESpecification');
    if (!alwaysEquals(dig(sse, 'SSEEnabled'), true) || !alwaysEquals(dig(sse, 'SSEType'), 'KMS')) {
      out.push({
        logicalId: id,
        path: 'Properties.SSESpecification',
        message: 'table is not encrypted with KMS (SSEEnabled true, SSEType KMS)',
        fix: 'set SSESpecification { SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: TablesKeyArn }',
      });
    }
    if (resource.Type === 'AWS::DynamoDB::Table') {
      if (!alwaysSet(dig(sse, 'KMSMasterKeyId'))) {
        out.push({
          logicalId: id,
          path: 'Properties.SSESpecification.KMSMasterKeyId',
          message: 'no KMSMasterKeyId: the AWS managed aws/dynamodb key is used',
          fix: 'set KMSMasterKeyId to our CMK (TablesKeyArn)',
        });
      }
    } else {
      listItems(props.Replicas)
        .filter(isRecord)
        .forEach((replica, i) => {
          if (!alwaysSet(dig(replica, 'SSESpecification', 'KMSMasterKeyId'))) {
            out.push({
              logicalId: id,
              path: `Properties.Replicas[${i}].SSESpecification.KMSMasterKeyId`,
              message: 'replica has no KMSMasterKeyId: the AWS managed key is used',
              fix: "set each replica's SSESpecification.KMSMasterKeyId to that region's CMK",
            });
          }
        });
    }
    return out;
  },
};

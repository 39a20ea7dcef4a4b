import type { Violation } from '../model';
import type { SecurityRule } from './rule';

export const statefulRetention: SecurityRule = {
  id: 'stateful-retention',
  severity: 'error',
  info: 'Stateful resources (buckets, tables, global tables, streams, KMS keys, log groups) declare DeletionPolicy and UpdateReplacePolicy.',
  explanation: 'DESIGN §3: deleting the stack or a replacing update must never silently destroy data or the key that decrypts it.',
  resourceTypes: ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable', 'AWS::Kinesis::Stream', 'AWS::KMS::Key', 'AWS::Logs::LogGroup'],
  check(id, resource) {
    const out: Violation[] = [];
    for (const attribute of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      if (resource[attribute] === undefined) {
        out.push({
          logicalId: id,
          path: attribute,
          message: `stateful ${String(resource.Type)} has no ${attribute}`,
          fix: 'wrap it in retained() (Retain), or set the attribute explicitly',
        });
      }
    }
    return out;
  },
};

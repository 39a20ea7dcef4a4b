import type { ChangeSetTree, TreeChange } from '../../../tools/lib/deploy/changeset';
import { endangersData, formatChangeReport, replacementLabel } from '../../../tools/lib/deploy/report';

const change = (
  stackPath: string,
  depth: number,
  action: string,
  logicalId: string,
  type: string,
  replacement?: string,
  causes: string[] = [],
): TreeChange => ({
  stackPath,
  depth,
  action,
  logicalId,
  type,
  replacement,
  causes,
});

const TREE: ChangeSetTree = {
  changeSetName: 'deploy-20261122T050000Z',
  stackName: 'stockwx-prod',
  changes: [
    change('stockwx-prod', 0, 'Modify', 'Compute', 'AWS::CloudFormation::Stack', 'False', ['TemplateURL']),
    change('stockwx-prod/Compute', 1, 'Modify', 'EnricherFunction', 'AWS::Lambda::Function', 'False', ['Code']),
    change('stockwx-prod/Compute', 1, 'Add', 'RulesAlarm', 'AWS::CloudWatch::Alarm'),
    change('stockwx-prod', 0, 'Modify', 'Datastores', 'AWS::CloudFormation::Stack', 'False', ['TemplateURL']),
    change('stockwx-prod/Datastores', 1, 'Modify', 'MetricsTable', 'AWS::DynamoDB::Table', 'True', ['KeySchema']),
    change('stockwx-prod/Datastores', 1, 'Modify', 'LatestTable', 'AWS::DynamoDB::Table', 'Conditional', ['TableName']),
    change('stockwx-prod/Datastores', 1, 'Remove', 'OldLogs', 'AWS::Logs::LogGroup'),
    change('stockwx-prod/Datastores', 1, 'Modify', 'DaxRole', 'AWS::IAM::Role', 'True', ['RoleName']),
  ],
};

describe('formatChangeReport', () => {
  test('one table for the whole tree, replacement column, stateful resources flagged loudly', () => {
    expect(formatChangeReport(TREE)).toBe(
      [
        'Change set deploy-20261122T050000Z for stockwx-prod: 8 changes in 3 stacks',
        '',
        'Action  Logical ID          Type                        Replacement  Stateful  Changed',
        'Modify  Compute             AWS::CloudFormation::Stack  no                     TemplateURL',
        'Modify    EnricherFunction  AWS::Lambda::Function       no                     Code',
        'Add       RulesAlarm        AWS::CloudWatch::Alarm      -',
        'Modify  Datastores          AWS::CloudFormation::Stack  no                     TemplateURL',
        'Modify    MetricsTable      AWS::DynamoDB::Table        yes          !! DATA   KeySchema',
        'Modify    LatestTable       AWS::DynamoDB::Table        conditional  !! DATA   TableName',
        'Remove    OldLogs           AWS::Logs::LogGroup         -            !! DATA',
        'Modify    DaxRole           AWS::IAM::Role              yes                    RoleName',
        '',
        'Summary: 1 to add, 6 to modify (2 replaced, 1 conditionally), 1 to remove',
        '',
        '!! WARNING: 3 stateful resources would be REPLACED or REMOVED; their data may be lost:',
        '!!   REPLACE stockwx-prod/Datastores/MetricsTable (AWS::DynamoDB::Table) replacement: yes because of KeySchema',
        '!!   REPLACE stockwx-prod/Datastores/LatestTable (AWS::DynamoDB::Table) replacement: conditional because of TableName',
        '!!   REMOVE  stockwx-prod/Datastores/OldLogs (AWS::Logs::LogGroup)',
        '!! Retain policies keep the old resource, but the new one starts empty. Review before confirming.',
        '',
      ].join('\n'),
    );
  });

  test('colour marks only the lines with data at risk', () => {
    const text = formatChangeReport(TREE, { color: true });
    expect(text).toContain('\x1b[31;1mModify    MetricsTable');
    expect(text).not.toContain('\x1b[31;1mModify    DaxRole');
  });

  test('an empty change set is one line', () => {
    expect(formatChangeReport({ changeSetName: 'cs', stackName: 's', changes: [] })).toBe('Change set cs for s: 0 changes in 1 stack\n');
  });

  test.each([
    ['Modify', 'True', 'yes'],
    ['Modify', 'Conditional', 'conditional'],
    ['Modify', 'False', 'no'],
    ['Add', undefined, '-'],
    ['Remove', undefined, '-'],
  ])('replacement column: %s/%s → %s', (action, replacement, label) => {
    expect(replacementLabel({ action, replacement })).toBe(label);
  });

  test.each([
    ['AWS::S3::Bucket', 'Remove', undefined, true],
    ['AWS::DynamoDB::GlobalTable', 'Modify', 'True', true],
    ['AWS::Kinesis::Stream', 'Modify', 'Conditional', true],
    ['AWS::KMS::Key', 'Modify', 'False', false],
    ['AWS::Cognito::UserPool', 'Remove', undefined, true],
    ['AWS::SecretsManager::Secret', 'Modify', 'True', true],
    ['AWS::Lambda::Function', 'Remove', undefined, false],
  ])('%s %s (replacement %s) endangers data: %s', (type, action, replacement, expected) => {
    expect(endangersData(change('s', 0, action, 'X', type, replacement))).toBe(expected);
  });
});

import { CloudFormationClient, DescribeChangeSetCommand, DescribeStackEventsCommand, type StackEvent } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { changeSetName, describeChangeSetTree, isNoChanges } from '../../../tools/lib/deploy/changeset';
import { describeEvent, EventWatcher, rootCause, type TreeEvent } from '../../../tools/lib/deploy/events';
import { classify } from '../../../tools/lib/deploy/stack-state';

const cfn = new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const mock = mockClient(cfn);
afterEach(() => mock.reset());

describe('describeChangeSetTree', () => {
  test('walks nested change sets depth-first through ChangeSetId, following NextToken', async () => {
    const rc = (Action: string, LogicalResourceId: string, ResourceType: string, extra = {}) => ({
      Type: 'Resource' as const,
      ResourceChange: { Action, LogicalResourceId, ResourceType, ...extra },
    });
    mock
      .on(DescribeChangeSetCommand, { ChangeSetName: 'root-cs', NextToken: undefined })
      .resolves({
        ChangeSetName: 'deploy-1',
        Changes: [rc('Modify', 'Compute', 'AWS::CloudFormation::Stack', { ChangeSetId: 'compute-cs', Replacement: 'False' })] as never,
        NextToken: 'page2',
      })
      .on(DescribeChangeSetCommand, { ChangeSetName: 'root-cs', NextToken: 'page2' })
      .resolves({ ChangeSetName: 'deploy-1', Changes: [rc('Add', 'Topic', 'AWS::SNS::Topic')] as never })
      .on(DescribeChangeSetCommand, { ChangeSetName: 'compute-cs' })
      .resolves({
        Changes: [
          rc('Modify', 'Fn', 'AWS::Lambda::Function', {
            Replacement: 'True',
            Details: [{ Target: { Name: 'Code' } }, { Target: { Name: 'FunctionName' } }, { Target: { Name: 'Code' } }],
          }),
        ] as never,
      });
    const tree = await describeChangeSetTree(cfn, 'stockwx-prod', 'root-cs');
    expect(tree.changeSetName).toBe('deploy-1');
    expect(tree.changes.map((c) => [c.stackPath, c.depth, c.action, c.logicalId, c.replacement, c.causes.join('+')])).toEqual([
      ['stockwx-prod', 0, 'Modify', 'Compute', 'False', ''],
      ['stockwx-prod/Compute', 1, 'Modify', 'Fn', 'True', 'Code+FunctionName'],
      ['stockwx-prod', 0, 'Add', 'Topic', undefined, ''],
    ]);
  });

  test.each([
    ["The submitted information didn't contain changes. Submit different information to create a change set.", true],
    ['No updates are to be performed.', true],
    ['Template format error: Unresolved resource dependencies', false],
    [undefined, false],
  ])('isNoChanges(%s) = %s', (reason, expected) => {
    expect(isNoChanges(reason)).toBe(expected);
  });

  test('change set names are derived from the clock', () => {
    expect(changeSetName(Date.parse('2026-11-22T05:04:09.123Z'))).toBe('deploy-20261122T050409Z');
  });
});

describe('root cause across nested stacks', () => {
  const at = (s: number) => new Date(Date.parse('2026-11-22T05:00:00Z') + s * 1000);
  const te = (
    stackPath: string,
    s: number,
    LogicalResourceId: string,
    ResourceStatus: string,
    ResourceStatusReason?: string,
    ResourceType = 'AWS::SQS::Queue',
  ): TreeEvent => ({
    stackPath,
    depth: stackPath.split('/').length - 1,
    event: {
      EventId: `${stackPath}-${s}`,
      StackName: stackPath,
      Timestamp: at(s),
      LogicalResourceId,
      ResourceStatus: ResourceStatus as StackEvent['ResourceStatus'],
      ResourceStatusReason,
      ResourceType,
      StackId: stackPath,
      PhysicalResourceId: `${LogicalResourceId}-id`,
    },
  });

  test.each([
    [
      'the child resource, not "Embedded stack … failed" or cancellations',
      [
        te(
          'root',
          9,
          'Streaming',
          'CREATE_FAILED',
          'Embedded stack arn:...:stack/root-Streaming-1 was not successfully created: The following resource(s) failed to create: [Dlq].',
          'AWS::CloudFormation::Stack',
        ),
        te('root/Streaming', 5, 'Stream', 'CREATE_FAILED', 'Resource creation cancelled'),
        te('root/Streaming', 4, 'Dlq', 'CREATE_FAILED', 'Resource handler returned message: "Queue name too long"'),
      ],
      'root/Streaming/Dlq (AWS::SQS::Queue) CREATE_FAILED: Resource handler returned message: "Queue name too long"',
    ],
    [
      'the earliest of two real failures',
      [te('root/A', 7, 'Late', 'UPDATE_FAILED', 'Access denied'), te('root/B', 3, 'Early', 'UPDATE_FAILED', 'Limit exceeded')],
      'root/B/Early (AWS::SQS::Queue) UPDATE_FAILED: Limit exceeded',
    ],
    [
      'a consequential failure when nothing else failed',
      [te('root', 3, 'X', 'CREATE_FAILED', 'Resource creation cancelled')],
      'root/X (AWS::SQS::Queue) CREATE_FAILED: Resource creation cancelled',
    ],
  ])('%s', (_name, events, expected) => {
    expect(describeEvent(rootCause(events)!)).toBe(expected);
  });

  test('no failures → undefined', () => {
    expect(rootCause([te('root', 1, 'X', 'CREATE_COMPLETE')])).toBeUndefined();
  });

  test('the watcher discovers nested stacks from their parent events and returns each event once', async () => {
    const ev = (
      id: string,
      StackId: string,
      s: number,
      LogicalResourceId: string,
      ResourceType: string,
      PhysicalResourceId: string,
      ResourceStatus: string,
    ): StackEvent => ({
      EventId: id,
      StackName: StackId,
      StackId,
      Timestamp: at(s),
      LogicalResourceId,
      ResourceType,
      PhysicalResourceId,
      ResourceStatus: ResourceStatus as StackEvent['ResourceStatus'],
    });
    const rootEvents = [
      ev('r2', 'root-id', 2, 'Compute', 'AWS::CloudFormation::Stack', 'arn:compute-id', 'CREATE_IN_PROGRESS'),
      ev('r1', 'root-id', 1, 'root', 'AWS::CloudFormation::Stack', 'root-id', 'CREATE_IN_PROGRESS'),
    ];
    const computeEvents = [ev('c1', 'arn:compute-id', 3, 'Fn', 'AWS::Lambda::Function', 'fn', 'CREATE_IN_PROGRESS')];
    mock
      .on(DescribeStackEventsCommand, { StackName: 'root-id' })
      .resolves({ StackEvents: rootEvents })
      .on(DescribeStackEventsCommand, { StackName: 'arn:compute-id' })
      .resolves({ StackEvents: computeEvents });
    const w = new EventWatcher(cfn, 'root-id', 'root', 0);
    const first = await w.poll();
    expect(first.map((t) => `${t.stackPath}:${t.event.EventId}`)).toEqual(['root:r1', 'root:r2', 'root/Compute:c1']);
    expect(await w.poll()).toEqual([]);
    expect(w.paths).toEqual(['root', 'root/Compute']);
  });
});

describe('stack state classification', () => {
  test.each([
    [undefined, 'absent'],
    ['DELETE_COMPLETE', 'absent'],
    ['REVIEW_IN_PROGRESS', 'review'],
    ['CREATE_COMPLETE', 'ready'],
    ['UPDATE_ROLLBACK_COMPLETE', 'ready'],
    ['IMPORT_COMPLETE', 'ready'],
    ['ROLLBACK_COMPLETE', 'rollback-complete'],
    ['UPDATE_ROLLBACK_FAILED', 'update-rollback-failed'],
    ['UPDATE_IN_PROGRESS', 'in-progress'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'in-progress'],
    ['DELETE_IN_PROGRESS', 'in-progress'],
    ['ROLLBACK_FAILED', 'broken'],
    ['DELETE_FAILED', 'broken'],
  ])('%s → %s', (status, kind) => {
    expect(classify(status)).toBe(kind);
  });
});

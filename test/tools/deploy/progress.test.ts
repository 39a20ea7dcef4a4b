import type { StackEvent } from '@aws-sdk/client-cloudformation';
import type { TreeEvent } from '../../../tools/lib/deploy/events';
import { createRenderer, PlainRenderer, TreeRenderer } from '../../../tools/lib/deploy/progress';
import { memoryOutput, nestedId, ROOT_ID, T0 } from './fake-cloudformation';

function event(second: number, stackPath: string, logicalId: string, type: string, status: string, reason?: string): TreeEvent {
  const depth = stackPath.split('/').length - 1;
  const stackId = depth === 0 ? ROOT_ID : nestedId(stackPath.split('/').pop()!);
  const self = logicalId === '@self';
  const e: StackEvent = {
    EventId: `${stackPath}-${logicalId}-${second}`,
    StackId: stackId,
    StackName: stackPath,
    LogicalResourceId: self ? stackPath : logicalId,
    PhysicalResourceId: self ? stackId : type === 'AWS::CloudFormation::Stack' ? nestedId(logicalId) : `${logicalId}-physical`,
    ResourceType: type,
    ResourceStatus: status as StackEvent['ResourceStatus'],
    ResourceStatusReason: reason,
    Timestamp: new Date(T0 + second * 1000),
  };
  return { stackPath, depth, event: e };
}

const STACK = 'AWS::CloudFormation::Stack';
const BATCH_1 = [
  event(1, 'stockwx-prod', '@self', STACK, 'UPDATE_IN_PROGRESS', 'User Initiated'),
  event(2, 'stockwx-prod', 'Compute', STACK, 'UPDATE_IN_PROGRESS'),
  event(3, 'stockwx-prod/Compute', '@self', STACK, 'UPDATE_IN_PROGRESS'),
  event(4, 'stockwx-prod/Compute', 'EnricherFunction', 'AWS::Lambda::Function', 'UPDATE_IN_PROGRESS'),
];
const BATCH_2 = [
  event(9, 'stockwx-prod/Compute', 'EnricherFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE'),
  event(10, 'stockwx-prod/Compute', '@self', STACK, 'UPDATE_COMPLETE'),
  event(11, 'stockwx-prod', 'Compute', STACK, 'UPDATE_COMPLETE'),
  event(25, 'stockwx-prod', '@self', STACK, 'UPDATE_COMPLETE'),
];

describe('progress renderers', () => {
  test('non-TTY: one plain line per event, nothing rewritten', () => {
    const out = memoryOutput(false);
    const r = new PlainRenderer(out);
    r.update(BATCH_1);
    r.update(BATCH_2);
    r.finish();
    expect(out.text()).toBe(
      [
        '05:00:01 UPDATE_IN_PROGRESS stockwx-prod AWS::CloudFormation::Stack - User Initiated',
        '05:00:02 UPDATE_IN_PROGRESS stockwx-prod/Compute AWS::CloudFormation::Stack',
        '05:00:03 UPDATE_IN_PROGRESS stockwx-prod/Compute AWS::CloudFormation::Stack',
        '05:00:04 UPDATE_IN_PROGRESS stockwx-prod/Compute/EnricherFunction AWS::Lambda::Function',
        '05:00:09 UPDATE_COMPLETE stockwx-prod/Compute/EnricherFunction AWS::Lambda::Function',
        '05:00:10 UPDATE_COMPLETE stockwx-prod/Compute AWS::CloudFormation::Stack',
        '05:00:11 UPDATE_COMPLETE stockwx-prod/Compute AWS::CloudFormation::Stack',
        '05:00:25 UPDATE_COMPLETE stockwx-prod AWS::CloudFormation::Stack',
        '',
      ].join('\n'),
    );
    expect(out.text()).not.toContain('\x1b[');
  });

  test('TTY: a live tree with per-stack counts, redrawn in place', () => {
    const out = memoryOutput(true);
    const r = new TreeRenderer(out, 'stockwx-prod');
    r.update(BATCH_1);
    r.update(BATCH_2);
    r.finish();
    r.update([event(30, 'stockwx-prod', '@self', STACK, 'UPDATE_IN_PROGRESS')]); // ignored after finish
    expect(out.chunks).toEqual([
      [
        '\x1b[2Kstockwx-prod  UPDATE_IN_PROGRESS  0 done, 1 in progress, 0 failed',
        '\x1b[2K  Compute     UPDATE_IN_PROGRESS  0 done, 1 in progress, 0 failed',
        '\x1b[2Klast: 05:00:04 UPDATE_IN_PROGRESS stockwx-prod/Compute/EnricherFunction AWS::Lambda::Function',
        '',
      ].join('\n'),
      [
        '\x1b[3A\x1b[2Kstockwx-prod  UPDATE_COMPLETE  1 done, 0 in progress, 0 failed',
        '\x1b[2K  Compute     UPDATE_COMPLETE  1 done, 0 in progress, 0 failed',
        '\x1b[2Klast: 05:00:25 UPDATE_COMPLETE stockwx-prod AWS::CloudFormation::Stack',
        '',
      ].join('\n'),
    ]);
  });

  test('TTY lines are cut to the terminal width so the redraw stays aligned', () => {
    const out = { ...memoryOutput(true), columns: 40 };
    new TreeRenderer(out, 'stockwx-prod').update(BATCH_1);
    expect(out.chunks[0]!.split('\n').map((l) => l.replace('\x1b[2K', ''))).toEqual([
      'stockwx-prod  UPDATE_IN_PROGRESS  0 do…',
      '  Compute     UPDATE_IN_PROGRESS  0 do…',
      'last: 05:00:04 UPDATE_IN_PROGRESS stoc…',
      '',
    ]);
  });

  test.each([
    [true, {}, 'TreeRenderer'],
    [true, { CI: 'true' }, 'PlainRenderer'],
    [false, {}, 'PlainRenderer'],
  ])('isTTY %s with env %j → %s', (tty, env, name) => {
    expect(createRenderer(memoryOutput(tty), 'x', env as NodeJS.ProcessEnv).constructor.name).toBe(name);
  });
});

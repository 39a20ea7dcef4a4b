/**
 * A timeline-driven fake of the CloudFormation calls the deploy tool makes, on top of
 * aws-sdk-client-mock. Time comes from the injected fake clock: a stack's status and the events
 * visible are those whose time has come, relative to ExecuteChangeSet (or another trigger), so
 * the state machine's polling sees an operation unfold without real waiting.
 */
import {
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type Change,
  type Output,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../../../tools/lib/deploy/clock';

export const T0 = Date.parse('2026-11-22T05:00:00Z');
export const ROOT_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/stockwx-prod/root-uuid';
export const nestedId = (logical: string): string =>
  `arn:aws:cloudformation:us-east-1:111122223333:stack/stockwx-prod-${logical}-X1/${logical.toLowerCase()}-uuid`;

/** A status from `at` ms after the trigger on. */
export interface Step {
  readonly at: number;
  readonly status: string;
}

export interface FakeStack {
  readonly name: string;
  readonly id: string;
  /** Status before any trigger (undefined: the stack does not exist). */
  status?: string;
  lastUpdated?: Date;
  /** Timelines started by the named call. */
  readonly on?: Partial<Record<'execute' | 'delete' | 'continueRollback', readonly Step[]>>;
  readonly outputs?: Output[];
  /** Outputs the stack's template declares (GetTemplate). @default the keys of `outputs` */
  readonly declaredOutputs?: readonly string[];
  readonly parameters?: Readonly<Record<string, string>>;
}

/** A nested stack of the fake root (ListStackResources + DescribeStacks by its ID). */
export interface FakeNestedStack {
  readonly logicalId: string;
  readonly id: string;
  readonly status: string;
  readonly outputs?: Output[];
  readonly declaredOutputs?: readonly string[];
}

/** A template body declaring these outputs (what GetTemplate returns). */
export function templateDeclaring(outputs: readonly string[]): string {
  return `Resources:\n  Thing:\n    Type: AWS::SNS::Topic\n${outputs.length ? `Outputs:\n${outputs.map((o) => `  ${o}:\n    Value: x\n`).join('')}` : ''}`;
}

export interface FakeEvent {
  /** ms after the trigger (execute), or an absolute Date for history. */
  readonly at: number | Date;
  readonly stackId: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  /** Physical ID: the nested stack's ARN for AWS::CloudFormation::Stack resources. */
  readonly physicalId?: string;
}

export interface FakeChangeSet {
  readonly id: string;
  readonly name: string;
  /** Statuses by number of DescribeChangeSet calls for the wait (last one sticks). */
  readonly statuses: readonly ('CREATE_PENDING' | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'FAILED')[];
  readonly reason?: string;
  readonly changes?: Change[];
}

export interface Scenario {
  readonly stack: FakeStack;
  readonly changeSet?: FakeChangeSet;
  /** Nested change sets by ID. */
  readonly nested?: Readonly<Record<string, Change[]>>;
  readonly events?: readonly FakeEvent[];
  /** Makes CreateChangeSet throw this error instead. */
  readonly createError?: Error;
  readonly nestedStacks?: readonly FakeNestedStack[];
  /** Makes the first ExecuteChangeSet / DeleteStack / ContinueUpdateRollback throw this error (after carrying it out when `carriedOut`). */
  readonly fail?: Partial<Record<'execute' | 'delete' | 'continueRollback', { readonly error: Error; readonly carriedOut: boolean }>>;
}

export function validationError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ValidationError' });
}

export function resourceChange(action: 'Add' | 'Modify' | 'Remove', logicalId: string, type: string, extra: Record<string, unknown> = {}): Change {
  return { Type: 'Resource', ResourceChange: { Action: action, LogicalResourceId: logicalId, ResourceType: type, ...extra } } as Change;
}

/** Fakes one client instance (so two regions can each have their own fake). */
export function fakeCloudFormation(clock: Clock, scenario: Scenario) {
  const client = new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const mock = mockClient(client);
  const triggers: Partial<Record<string, number>> = {};
  let describeChangeSetCalls = 0;
  const s = scenario.stack;

  const statusNow = (): string | undefined => {
    let status = s.status;
    for (const [trigger, steps] of Object.entries(s.on ?? {})) {
      const started = triggers[trigger];
      if (started === undefined) continue;
      for (const step of steps ?? []) if (clock.now() >= started + step.at) status = step.status;
    }
    return status;
  };
  const eventTime = (e: FakeEvent): number | undefined =>
    e.at instanceof Date ? e.at.getTime() : triggers.execute === undefined ? undefined : triggers.execute + e.at;

  const calls: Partial<Record<string, number>> = {};
  const trigger = (name: 'execute' | 'delete' | 'continueRollback'): Record<string, never> => {
    calls[name] = (calls[name] ?? 0) + 1;
    const f = calls[name] === 1 ? scenario.fail?.[name] : undefined;
    if (!f || f.carriedOut) triggers[name] = clock.now();
    if (f) throw f.error;
    return {};
  };
  const nestedById = new Map((scenario.nestedStacks ?? []).map((n) => [n.id, n]));
  mock.on(GetTemplateCommand).callsFake((input: { StackName?: string }) => {
    const n = nestedById.get(input.StackName ?? '');
    if (n) return { TemplateBody: templateDeclaring(n.declaredOutputs ?? (n.outputs ?? []).map((o) => o.OutputKey!)) };
    // The template the stack holds: the last one sent as a body, else one declaring `declaredOutputs`.
    const sent = mock.commandCalls(CreateChangeSetCommand).at(-1)?.args[0].input.TemplateBody;
    return { TemplateBody: s.declaredOutputs ? templateDeclaring(s.declaredOutputs) : (sent ?? templateDeclaring((s.outputs ?? []).map((o) => o.OutputKey!))) };
  });
  mock.on(ListStackResourcesCommand).callsFake((input: { StackName?: string }) => ({
    StackResourceSummaries: nestedById.has(input.StackName ?? '')
      ? []
      : (scenario.nestedStacks ?? []).map((n) => ({
          LogicalResourceId: n.logicalId,
          PhysicalResourceId: n.id,
          ResourceType: 'AWS::CloudFormation::Stack',
          ResourceStatus: n.status,
        })),
  }));
  mock.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
    const nested = nestedById.get(input.StackName ?? '');
    if (nested)
      return { Stacks: [{ StackName: nested.logicalId, StackId: nested.id, StackStatus: nested.status, CreationTime: new Date(T0), Outputs: nested.outputs }] };
    const status = statusNow();
    if (status === undefined || (status === 'DELETE_COMPLETE' && input.StackName === s.name))
      throw validationError(`Stack with id ${input.StackName} does not exist`);
    const updated = triggers.execute !== undefined && status.startsWith('UPDATE') ? new Date(triggers.execute) : s.lastUpdated;
    const Parameters = Object.entries(s.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
    return {
      Stacks: [
        {
          StackName: s.name,
          StackId: s.id,
          StackStatus: status,
          CreationTime: new Date(T0 - 86_400_000),
          LastUpdatedTime: updated,
          Parameters,
          Outputs: status.endsWith('COMPLETE') ? s.outputs : undefined,
        },
      ],
    };
  });
  mock.on(CreateChangeSetCommand).callsFake(() => {
    if (scenario.createError) throw scenario.createError;
    if (s.status === undefined) s.status = 'REVIEW_IN_PROGRESS';
    return { Id: scenario.changeSet!.id, StackId: s.id };
  });
  mock.on(DescribeChangeSetCommand).callsFake((input: { ChangeSetName?: string }) => {
    const cs = scenario.changeSet!;
    if (input.ChangeSetName !== cs.id)
      return { ChangeSetName: 'nested', Status: 'CREATE_COMPLETE', Changes: scenario.nested?.[input.ChangeSetName ?? ''] ?? [] };
    const status = cs.statuses[Math.min(describeChangeSetCalls++, cs.statuses.length - 1)];
    const ExecutionStatus = triggers.execute !== undefined ? 'EXECUTE_IN_PROGRESS' : status === 'CREATE_COMPLETE' ? 'AVAILABLE' : 'UNAVAILABLE';
    return {
      ChangeSetName: cs.name,
      ChangeSetId: cs.id,
      StackName: s.name,
      Status: status,
      ExecutionStatus,
      StatusReason: cs.reason,
      Changes: status === 'CREATE_COMPLETE' ? cs.changes : [],
    };
  });
  mock.on(DeleteChangeSetCommand).resolves({});
  mock.on(ExecuteChangeSetCommand).callsFake(() => trigger('execute'));
  mock.on(DeleteStackCommand).callsFake(() => trigger('delete'));
  mock.on(ContinueUpdateRollbackCommand).callsFake(() => trigger('continueRollback'));
  mock.on(DescribeStackEventsCommand).callsFake((input: { StackName?: string }) => {
    const visible = (scenario.events ?? [])
      .filter((e) => e.stackId === input.StackName)
      .map((e) => ({ e, t: eventTime(e) }))
      .filter((x): x is { e: FakeEvent; t: number } => x.t !== undefined && x.t <= clock.now())
      .sort((a, b) => b.t - a.t);
    const StackEvents: StackEvent[] = visible.map(({ e, t }) => ({
      EventId: `${e.stackName}-${e.logicalId}-${e.status}-${t}`,
      StackId: e.stackId,
      StackName: e.stackName,
      LogicalResourceId: e.logicalId,
      PhysicalResourceId: e.physicalId ?? (e.type === 'AWS::CloudFormation::Stack' && e.logicalId === e.stackName ? e.stackId : `${e.logicalId}-physical`),
      ResourceType: e.type,
      ResourceStatus: e.status as StackEvent['ResourceStatus'],
      ResourceStatusReason: e.reason,
      Timestamp: new Date(t),
    }));
    return { StackEvents };
  });
  return { mock, client };
}

/** Collects everything written, with an isTTY flag. */
export function memoryOutput(isTTY = false): { write(text: string): void; readonly isTTY: boolean; text(): string; chunks: string[] } {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (t: string) => void chunks.push(t), text: () => chunks.join('') };
}

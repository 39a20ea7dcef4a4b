/**
 * Change sets: create (with nested stacks), wait, recognise "no changes", and read the whole
 * tree of nested change sets for the report.
 */
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  type Capability,
  type DescribeChangeSetCommandOutput,
  type CloudFormationClient,
  type Parameter,
  type Tag,
} from '@aws-sdk/client-cloudformation';
import type { Clock } from './clock';
import { formatDuration } from './clock';
import { describeAwsError, DeployError } from './errors';
import { NESTED_STACK_TYPE } from './events';

export const CAPABILITIES: Capability[] = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];

/** The two ways CloudFormation says an update would change nothing (RELIABILITY case 12). */
const NO_CHANGES = [/didn't contain changes/i, /No updates are to be performed/i];

export function isNoChanges(reason: string | undefined): boolean {
  return NO_CHANGES.some((re) => re.test(reason ?? ''));
}

/** `deploy-20261122T050000Z`: unique per second, sortable, valid as a change set name. */
export function changeSetName(now: number, prefix = 'deploy'): string {
  return `${prefix}-${new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

export interface CreateChangeSetOptions {
  readonly stackName: string;
  readonly changeSetName: string;
  readonly type: 'CREATE' | 'UPDATE';
  /** An https:// URL (packaged root), or the template body itself (small standalone templates). */
  readonly template: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly tags?: readonly Tag[];
  readonly description?: string;
}

export async function createChangeSet(cfn: CloudFormationClient, o: CreateChangeSetOptions): Promise<{ id: string; stackId: string }> {
  const parameters: Parameter[] = Object.entries(o.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
  try {
    const res = await cfn.send(
      new CreateChangeSetCommand({
        StackName: o.stackName,
        ChangeSetName: o.changeSetName,
        ChangeSetType: o.type,
        ...(/^https?:\/\//.test(o.template) ? { TemplateURL: o.template } : { TemplateBody: o.template }),
        Parameters: parameters,
        Capabilities: CAPABILITIES,
        IncludeNestedStacks: true,
        Tags: o.tags ? [...o.tags] : undefined,
        Description: o.description,
      }),
    );
    return { id: res.Id ?? o.changeSetName, stackId: res.StackId ?? o.stackName };
  } catch (error) {
    if (isNoChanges((error as Error).message)) return { id: '', stackId: '' };
    throw new DeployError(describeAwsError(`creating change set ${o.changeSetName} for ${o.stackName}`, error), 1, { cause: error });
  }
}

export type ChangeSetOutcome = { readonly kind: 'ready' } | { readonly kind: 'no-changes'; readonly reason: string };

export interface WaitOptions {
  readonly clock: Clock;
  /** Poll interval. @default 2000 */
  readonly pollMs?: number;
  /** Give up after this long. @default 10 minutes */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Waits until the change set is CREATE_COMPLETE; "no changes" is an outcome, any other FAILED throws. */
export async function waitForChangeSet(cfn: CloudFormationClient, stackName: string, id: string, w: WaitOptions): Promise<ChangeSetOutcome> {
  const start = w.clock.now();
  const timeout = w.timeoutMs ?? 600_000;
  for (;;) {
    let res: DescribeChangeSetCommandOutput;
    try {
      res = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: id, StackName: stackName }));
    } catch (error) {
      throw new DeployError(describeAwsError(`reading change set ${id}`, error), 1, { cause: error });
    }
    if (res.Status === 'CREATE_COMPLETE') return { kind: 'ready' };
    if (res.Status === 'FAILED') {
      if (isNoChanges(res.StatusReason)) return { kind: 'no-changes', reason: res.StatusReason ?? '' };
      throw new DeployError(
        `change set ${res.ChangeSetName ?? id} for ${stackName} failed: ${res.StatusReason ?? 'no reason given'}; fix the template or parameters and retry`,
      );
    }
    if (w.clock.now() - start >= timeout) {
      throw new DeployError(
        `change set ${id} for ${stackName} is still ${res.Status ?? 'pending'} after ${formatDuration(timeout)}; check it in the console, or retry later`,
      );
    }
    try {
      await w.clock.sleep(w.pollMs ?? 2000, w.signal);
    } catch {
      throw new DeployError(`interrupted while change set ${id} was being created; it is left in place (delete it or run the deploy again)`, 130);
    }
  }
}

export async function deleteChangeSet(cfn: CloudFormationClient, stackName: string, id: string): Promise<void> {
  try {
    await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: id, StackName: stackName }));
  } catch (error) {
    throw new DeployError(describeAwsError(`deleting change set ${id}`, error), 1, { cause: error });
  }
}

/** One resource change, placed in the tree. */
export interface TreeChange {
  /** Tree path of the stack holding the resource: root name, then nested logical IDs. */
  readonly stackPath: string;
  readonly depth: number;
  readonly action: string;
  readonly logicalId: string;
  readonly type: string;
  /** CloudFormation's Replacement: True, Conditional, False, or undefined for Add/Remove. */
  readonly replacement?: string;
  /** Properties whose change causes the action (for the report's detail). */
  readonly causes: readonly string[];
  /** Set on nested-stack changes: the child's change set. */
  readonly nestedChangeSetId?: string;
}

export interface ChangeSetTree {
  readonly changeSetName: string;
  readonly stackName: string;
  /** Root changes first; each nested stack's changes follow its own line (depth-first). */
  readonly changes: readonly TreeChange[];
}

/** Reads a change set and, depth-first, every nested change set (via the nested stack's ChangeSetId). */
export async function describeChangeSetTree(cfn: CloudFormationClient, stackName: string, id: string): Promise<ChangeSetTree> {
  let name = id;
  async function walk(changeSetId: string, stack: string | undefined, path: string, depth: number): Promise<TreeChange[]> {
    const out: TreeChange[] = [];
    let token: string | undefined;
    do {
      let res: DescribeChangeSetCommandOutput;
      try {
        res = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSetId, StackName: stack, NextToken: token }));
      } catch (error) {
        throw new DeployError(describeAwsError(`reading change set ${changeSetId} (${path})`, error), 1, { cause: error });
      }
      if (depth === 0 && res.ChangeSetName) name = res.ChangeSetName;
      for (const c of res.Changes ?? []) {
        const r = c.ResourceChange;
        if (!r) continue;
        const change: TreeChange = {
          stackPath: path,
          depth,
          action: r.Action ?? '?',
          logicalId: r.LogicalResourceId ?? '?',
          type: r.ResourceType ?? '?',
          replacement: r.Replacement,
          causes: [...new Set((r.Details ?? []).map((d) => d.Target?.Name ?? d.Target?.Attribute ?? '').filter((n) => n !== ''))].sort(),
          nestedChangeSetId: r.ResourceType === NESTED_STACK_TYPE ? r.ChangeSetId : undefined,
        };
        out.push(change);
        if (change.nestedChangeSetId) out.push(...(await walk(change.nestedChangeSetId, undefined, `${path}/${change.logicalId}`, depth + 1)));
      }
      token = res.NextToken;
    } while (token);
    return out;
  }
  const changes = await walk(id, stackName, stackName, 0);
  return { changeSetName: name, stackName, changes };
}

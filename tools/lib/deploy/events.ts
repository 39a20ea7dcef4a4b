/**
 * Stack events across the nested-stack tree: a poller that returns only new events (each stack's
 * events newest-first, read until the last one seen), discovering nested stacks from their
 * parents' `AWS::CloudFormation::Stack` events; and the root-cause finder for failures.
 */
import { DescribeStackEventsCommand, type CloudFormationClient, type StackEvent } from '@aws-sdk/client-cloudformation';
import { describeAwsError, DeployError } from './errors';

/** A stack event with the stack's place in the tree (`stockwx-prod/Compute`). */
export interface TreeEvent {
  /** Tree path of the stack the event belongs to: root name, then nested logical IDs. */
  readonly stackPath: string;
  readonly depth: number;
  readonly event: StackEvent;
}

interface Tracked {
  readonly stackId: string;
  readonly path: string;
  readonly depth: number;
  /** Event IDs already returned. */
  readonly seen: Set<string>;
}

export const NESTED_STACK_TYPE = 'AWS::CloudFormation::Stack';

/**
 * Follows the events of a stack and its nested stacks from `since` (ms) on. Each `poll()`
 * returns the events not returned before, oldest first.
 */
export class EventWatcher {
  private readonly stacks = new Map<string, Tracked>();

  constructor(
    private readonly cfn: CloudFormationClient,
    rootStackId: string,
    rootName: string,
    private readonly since: number,
  ) {
    this.stacks.set(rootStackId, { stackId: rootStackId, path: rootName, depth: 0, seen: new Set() });
  }

  /** Tree paths of the stacks discovered so far, in discovery order. */
  get paths(): string[] {
    return [...this.stacks.values()].map((s) => s.path);
  }

  async poll(): Promise<TreeEvent[]> {
    const fresh: TreeEvent[] = [];
    // New nested stacks found in this round are read in the same round.
    for (let i = 0; i < this.stacks.size; i++) {
      const tracked = [...this.stacks.values()][i]!;
      for (const event of await this.newEvents(tracked)) {
        fresh.push({ stackPath: tracked.path, depth: tracked.depth, event });
        const nestedId = event.PhysicalResourceId;
        if (event.ResourceType === NESTED_STACK_TYPE && nestedId && nestedId !== tracked.stackId && nestedId.startsWith('arn:') && !this.stacks.has(nestedId)) {
          this.stacks.set(nestedId, { stackId: nestedId, path: `${tracked.path}/${event.LogicalResourceId}`, depth: tracked.depth + 1, seen: new Set() });
        }
      }
    }
    return fresh.sort((a, b) => time(a.event) - time(b.event));
  }

  private async newEvents(tracked: Tracked): Promise<StackEvent[]> {
    const out: StackEvent[] = [];
    let token: string | undefined;
    try {
      do {
        const res = await this.cfn.send(new DescribeStackEventsCommand({ StackName: tracked.stackId, NextToken: token }));
        let reachedOld = false;
        for (const e of res.StackEvents ?? []) {
          if (time(e) < this.since || (e.EventId && tracked.seen.has(e.EventId))) {
            reachedOld = true;
            break;
          }
          out.push(e);
        }
        token = reachedOld ? undefined : res.NextToken;
      } while (token);
    } catch (error) {
      throw new DeployError(describeAwsError(`reading events of ${tracked.path}`, error), 1, { cause: error });
    }
    for (const e of out) if (e.EventId) tracked.seen.add(e.EventId);
    return out.reverse();
  }
}

function time(e: StackEvent): number {
  return e.Timestamp ? new Date(e.Timestamp).getTime() : 0;
}

/**
 * Failure reasons that only echo a failure elsewhere: a parent saying its child failed, or
 * resources cancelled because a sibling failed. The root cause is never one of these.
 */
const CONSEQUENTIAL = [
  /^Embedded stack .* was not successfully (created|updated|deleted)/i,
  /^Resource creation cancelled/i,
  /^Resource update cancelled/i,
  /^Resource handler returned message: "?Resource (creation|update) cancelled/i,
  /^The following resource\(s\) failed to (create|update|delete)/i,
  /^Stack creation time exceeded/i,
];

export function isFailure(e: StackEvent): boolean {
  return (e.ResourceStatus ?? '').endsWith('_FAILED');
}

export function isConsequential(e: StackEvent): boolean {
  return CONSEQUENTIAL.some((re) => re.test(e.ResourceStatusReason ?? ''));
}

/**
 * The earliest failed event that is not a consequence of another failure, across the whole
 * tree; falls back to the earliest failure of any kind.
 */
export function rootCause(events: readonly TreeEvent[]): TreeEvent | undefined {
  const failures = events.filter((t) => isFailure(t.event)).sort((a, b) => time(a.event) - time(b.event));
  return failures.find((t) => !isConsequential(t.event)) ?? failures[0];
}

/** `stockwx-prod/Datastores/MetricsTable (AWS::DynamoDB::Table) CREATE_FAILED: reason`. */
export function describeEvent(t: TreeEvent): string {
  const e = t.event;
  const isStackItself = e.PhysicalResourceId !== undefined && e.PhysicalResourceId === e.StackId;
  const where = isStackItself ? t.stackPath : `${t.stackPath}/${e.LogicalResourceId}`;
  return `${where} (${e.ResourceType}) ${e.ResourceStatus}${e.ResourceStatusReason ? `: ${e.ResourceStatusReason}` : ''}`;
}

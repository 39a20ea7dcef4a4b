/**
 * Progress while a change set executes. On a TTY: a live tree, one line per stack with its own
 * status and counts of its resources (done / in progress / failed), redrawn in place with ANSI
 * cursor movement. Elsewhere (CI, pipes): one plain line per event, never rewritten.
 */
import type { TreeEvent } from './events';

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** Terminal width; tree lines are cut to it so a wrapped line cannot break the redraw. */
  readonly columns?: number;
}

export interface ProgressRenderer {
  /** Feeds new events (oldest first). */
  update(events: readonly TreeEvent[]): void;
  /** Final redraw; after this the renderer writes nothing. */
  finish(): void;
}

function hhmmss(e: TreeEvent): string {
  return e.event.Timestamp ? new Date(e.event.Timestamp).toISOString().slice(11, 19) : '--:--:--';
}

function isStackItself(t: TreeEvent): boolean {
  return t.event.PhysicalResourceId !== undefined && t.event.PhysicalResourceId === t.event.StackId;
}

/** `05:00:03 stockwx-prod/Compute/EnricherFunction AWS::Lambda::Function UPDATE_COMPLETE` (+ ` - reason`). */
export function formatEventLine(t: TreeEvent): string {
  const e = t.event;
  const where = isStackItself(t) ? t.stackPath : `${t.stackPath}/${e.LogicalResourceId}`;
  return `${hhmmss(t)} ${e.ResourceStatus} ${where} ${e.ResourceType}${e.ResourceStatusReason ? ` - ${e.ResourceStatusReason}` : ''}`;
}

export class PlainRenderer implements ProgressRenderer {
  constructor(private readonly out: Output) {}
  update(events: readonly TreeEvent[]): void {
    for (const e of events) this.out.write(`${formatEventLine(e)}\n`);
  }
  finish(): void {}
}

interface StackLine {
  readonly path: string;
  readonly depth: number;
  status: string;
  /** Resource logical ID → last status. */
  readonly resources: Map<string, string>;
}

export class TreeRenderer implements ProgressRenderer {
  private readonly stacks = new Map<string, StackLine>();
  private drawn = 0;
  private last = '';
  private done = false;

  constructor(
    private readonly out: Output,
    rootPath: string,
  ) {
    this.stacks.set(rootPath, { path: rootPath, depth: 0, status: 'PENDING', resources: new Map() });
  }

  private stack(path: string, depth: number): StackLine {
    let s = this.stacks.get(path);
    if (!s) {
      s = { path, depth, status: 'PENDING', resources: new Map() };
      this.stacks.set(path, s);
    }
    return s;
  }

  update(events: readonly TreeEvent[]): void {
    if (this.done || events.length === 0) return;
    for (const t of events) {
      const e = t.event;
      const s = this.stack(t.stackPath, t.depth);
      if (isStackItself(t)) s.status = e.ResourceStatus ?? s.status;
      else s.resources.set(e.LogicalResourceId ?? '?', e.ResourceStatus ?? '');
      // A nested stack is also a resource of its parent: create its line early, in tree order.
      if (e.ResourceType === 'AWS::CloudFormation::Stack' && !isStackItself(t))
        this.stack(`${t.stackPath}/${e.LogicalResourceId}`, t.depth + 1).status = e.ResourceStatus ?? '';
      this.last = formatEventLine(t);
    }
    this.draw();
  }

  /** The current frame's lines (without ANSI). */
  frame(): string[] {
    const ordered = [...this.stacks.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const name = (s: StackLine): string => `${'  '.repeat(s.depth)}${s.depth === 0 ? s.path : s.path.slice(s.path.lastIndexOf('/') + 1)}`;
    const width = Math.max(...ordered.map((s) => name(s).length));
    const statusWidth = Math.max(...ordered.map((s) => s.status.length));
    const lines = ordered.map((s) => {
      const statuses = [...s.resources.values()];
      const done = statuses.filter((x) => x.endsWith('_COMPLETE') || x.endsWith('_SKIPPED')).length;
      const active = statuses.filter((x) => x.endsWith('_IN_PROGRESS')).length;
      const failed = statuses.filter((x) => x.endsWith('_FAILED')).length;
      return `${name(s).padEnd(width)}  ${s.status.padEnd(statusWidth)}  ${done} done, ${active} in progress, ${failed} failed`;
    });
    if (this.last) lines.push(`last: ${this.last}`);
    return lines;
  }

  private draw(): void {
    const lines = this.frame();
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    const width = this.out.columns && this.out.columns > 10 ? this.out.columns - 1 : Infinity;
    for (const line of lines) text += `\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}\n`;
    this.out.write(text);
    this.drawn = lines.length;
  }

  finish(): void {
    this.done = true;
  }
}

/** The tree on a TTY, plain lines otherwise (CI=true forces plain lines). */
export function createRenderer(out: Output, rootPath: string, env: NodeJS.ProcessEnv = process.env): ProgressRenderer {
  return out.isTTY && !env.CI ? new TreeRenderer(out, rootPath) : new PlainRenderer(out);
}

/**
 * The change report: one table for the whole nested-stack tree, with a replacement column and
 * stateful resources flagged loudly when they would be replaced or removed.
 */
import { STATEFUL_TYPES } from '../stateful';
import type { ChangeSetTree, TreeChange } from './changeset';

export { STATEFUL_TYPES };

/** CloudFormation's Replacement → the report's column. */
export function replacementLabel(c: Pick<TreeChange, 'action' | 'replacement'>): string {
  if (c.action !== 'Modify') return '-';
  return { True: 'yes', Conditional: 'conditional', False: 'no' }[c.replacement ?? ''] ?? '-';
}

/** True when a stateful resource would be replaced (yes or conditional) or removed. */
export function endangersData(c: TreeChange): boolean {
  if (!STATEFUL_TYPES.has(c.type)) return false;
  return c.action === 'Remove' || (c.action === 'Modify' && (c.replacement === 'True' || c.replacement === 'Conditional'));
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - text.length));
}

export interface ReportOptions {
  /** Use ANSI colours (red for data at risk). @default false */
  readonly color?: boolean;
}

/** The report's text, ending with a newline. Deterministic for the same tree. */
export function formatChangeReport(tree: ChangeSetTree, options: ReportOptions = {}): string {
  const red = (s: string): string => (options.color ? `\x1b[31;1m${s}\x1b[0m` : s);
  const changes = tree.changes;
  const stacks = new Set([tree.stackName, ...changes.map((c) => c.stackPath)]);
  const lines: string[] = [
    `Change set ${tree.changeSetName} for ${tree.stackName}: ${changes.length} change${changes.length === 1 ? '' : 's'} in ${stacks.size} stack${stacks.size === 1 ? '' : 's'}`,
  ];
  if (changes.length === 0) return `${lines[0]}\n`;
  const rows = changes.map((c) => {
    const atRisk = endangersData(c);
    return [c.action, `${'  '.repeat(c.depth)}${c.logicalId}`, c.type, replacementLabel(c), atRisk ? '!! DATA' : '', c.causes.join(', ')];
  });
  const header = ['Action', 'Logical ID', 'Type', 'Replacement', 'Stateful', 'Changed'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, widths[i]!)))
      .join('  ')
      .trimEnd();
  lines.push('', render(header));
  for (const [i, r] of rows.entries()) lines.push(endangersData(changes[i]!) ? red(render(r)) : render(r));
  const count = (action: string): number => changes.filter((c) => c.action === action).length;
  const replaced = changes.filter((c) => c.action === 'Modify' && c.replacement === 'True').length;
  const conditional = changes.filter((c) => c.action === 'Modify' && c.replacement === 'Conditional').length;
  lines.push(
    '',
    `Summary: ${count('Add')} to add, ${count('Modify')} to modify (${replaced} replaced, ${conditional} conditionally), ${count('Remove')} to remove${count('Import') ? `, ${count('Import')} to import` : ''}`,
  );
  const risky = changes.filter(endangersData);
  if (risky.length > 0) {
    lines.push(
      '',
      red(
        `!! WARNING: ${risky.length} stateful resource${risky.length === 1 ? '' : 's'} would be REPLACED or REMOVED; ${risky.length === 1 ? 'its' : 'their'} data may be lost:`,
      ),
      ...risky.map((c) =>
        red(
          `!!   ${c.action === 'Remove' ? 'REMOVE ' : 'REPLACE'} ${c.stackPath}/${c.logicalId} (${c.type})${c.action === 'Modify' ? ` replacement: ${replacementLabel(c)}` : ''}${c.causes.length ? ` because of ${c.causes.join(', ')}` : ''}`,
        ),
      ),
      red('!! Retain policies keep the old resource, but the new one starts empty. Review before confirming.'),
    );
  }
  return `${lines.join('\n')}\n`;
}

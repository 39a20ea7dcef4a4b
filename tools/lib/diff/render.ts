/** Renders a TreeDiff as Markdown (a pull-request comment) or plain text (a terminal). */
import { isRecord } from '../grade/tree';
import type { EntryDiff, FileDiff, ResourceDiff, StatefulWarning, TreeDiff, ValueChange } from './diff';

export interface RenderOptions {
  readonly base: string;
  readonly head: string;
  /** Longest rendered value before it is cut with `…`. @default 80 */
  readonly maxValueChars?: number;
  /** Markdown only: longest comment before later files are cut (GitHub's limit is 65,536). @default 60000 */
  readonly maxChars?: number;
  /** The monthly cost section (tools/lib/diff/cost.ts), shown after the summary. @default none */
  readonly cost?: readonly string[];
}

/** Marker the PR workflow uses to find and update its own comment. */
export const COMMENT_MARKER = '<!-- diff:templates -->';

/** A value in CloudFormation short form where it is an intrinsic (`!Ref X`, `!GetAtt A.B`, `!Sub '…'`), else compact JSON. */
export function formatValue(value: unknown, max = 80): string {
  const text = short(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function short(value: unknown): string {
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const k = keys[0]!;
      const v = value[k];
      if (k === 'Ref') return `!Ref ${String(v)}`;
      if (k === 'Fn::GetAtt' && Array.isArray(v)) return `!GetAtt ${v.map(String).join('.')}`;
      if (k === 'Fn::Sub' && typeof v === 'string') return `!Sub '${v}'`;
      if (k.startsWith('Fn::')) return `!${k.slice(4)} ${short(v)}`;
    }
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${short(v)}`)
      .join(', ')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(short).join(', ')}]`;
  return JSON.stringify(value) ?? 'undefined';
}

function change(c: ValueChange, max: number): string {
  if (!('before' in c) || c.before === undefined) return `${c.path}: added ${formatValue(c.after, max)}`;
  if (!('after' in c) || c.after === undefined) return `${c.path}: removed (was ${formatValue(c.before, max)})`;
  return `${c.path}: ${formatValue(c.before, max)} → ${formatValue(c.after, max)}`;
}

const ACTION_ICON = { add: '➕', remove: '➖', modify: '✏️' } as const;

function warningLine(w: StatefulWarning): string {
  const why = w.paths.length > 0 ? ` (${w.paths.join(', ')})` : '';
  const policyName = w.action === 'delete' ? 'DeletionPolicy' : 'UpdateReplacePolicy';
  const retained =
    w.deletionPolicy === 'Retain' || w.deletionPolicy === 'RetainExceptOnCreate'
      ? ` — ${policyName} ${w.deletionPolicy}: the old resource is kept but leaves the stack`
      : w.deletionPolicy === 'Snapshot'
        ? ` — ${policyName} Snapshot`
        : ` — no retain policy: the data is deleted`;
  const named = w.customName ? `; it has a fixed ${w.customName}, so CloudFormation will refuse the replacement until the name changes` : '';
  return `**${w.action}** \`${w.file}\` ${w.logicalId} (${w.type})${why}${retained}${named}`;
}

function counts(f: FileDiff): { added: number; removed: number; modified: number } {
  return {
    added: f.resources.filter((r) => r.action === 'add').length,
    removed: f.resources.filter((r) => r.action === 'remove').length,
    modified: f.resources.filter((r) => r.action === 'modify').length,
  };
}

function resourceTitle(r: ResourceDiff): string {
  const flags = [
    r.stateful ? 'stateful' : '',
    r.action === 'modify' ? `replacement: ${r.replacement}` : '',
    r.unknownType ? 'type not in the spec' : '',
    r.renamedFrom ? `probably renamed from ${r.renamedFrom}` : '',
    r.renamedTo ? `probably renamed to ${r.renamedTo}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${r.logicalId} (${r.type})${flags ? ` — ${flags}` : ''}`;
}

function entryTitle(e: EntryDiff): string {
  return `${e.section.replace(/s$/, '')} ${e.name}`;
}

/** For a whole file added or removed, entries are summarised (`27 Parameters, 12 Outputs`) rather than listed. */
function entrySummary(f: FileDiff): string | undefined {
  if (f.action !== 'add' && f.action !== 'remove') return undefined;
  const bySection = new Map<string, number>();
  for (const e of f.entries) bySection.set(e.section, (bySection.get(e.section) ?? 0) + 1);
  return [...bySection].map(([name, n]) => `${n} ${n === 1 ? name.replace(/s$/, '') : name}`).join(', ') || undefined;
}

function fileTitle(f: FileDiff): string {
  return `${f.file}${f.stack ? ` (${f.stack})` : ''}${f.action === 'add' ? ' — new file' : f.action === 'remove' ? ' — file removed' : ''}`;
}

export function renderMarkdown(diff: TreeDiff, options: RenderOptions): string {
  const max = options.maxValueChars ?? 80;
  const changed = diff.files.filter((f) => f.action !== 'unchanged');
  const head: string[] = [COMMENT_MARKER, `## Template changes: \`${options.base}\` → \`${options.head}\``, ''];
  if (changed.length === 0) return `${[...head, 'No changes in the generated templates.'].join('\n')}\n`;
  if (diff.warnings.length > 0) {
    head.push(
      `> [!CAUTION]`,
      `> ⚠ **${diff.warnings.length} stateful resource${diff.warnings.length === 1 ? '' : 's'} would be replaced or deleted** (data loss unless retained and migrated):`,
    );
    for (const w of diff.warnings) head.push(`> - ⚠ ${warningLine(w)}`);
    head.push('');
  } else {
    head.push('✅ No stateful resource is replaced or deleted.', '');
  }
  head.push('| File | Added | Removed | Modified | Replaced | Parameters, outputs, other |', '| --- | --- | --- | --- | --- | --- |');
  for (const f of changed) {
    const c = counts(f);
    const replaced = f.resources.filter((r) => r.action === 'modify' && r.replacement !== 'never').length;
    head.push(
      `| \`${f.file}\`${f.stack ? ` (${f.stack})` : ''} | ${c.added} | ${c.removed} | ${c.modified} | ${replaced} | ${f.entries.length + f.other.length} |`,
    );
  }
  if (options.cost && options.cost.length > 0) head.push('', ...options.cost);
  const bodies: string[] = [];
  for (const f of changed) {
    const lines = ['', `### ${fileTitle(f)}`, ''];
    for (const r of f.resources) {
      const warn = r.stateful && (r.action === 'remove' || r.replacement !== 'never') ? ' ⚠' : '';
      lines.push(`- ${ACTION_ICON[r.action]}${warn} \`${r.logicalId}\` ${resourceTitle(r).slice(r.logicalId.length + 1)}`);
      for (const c of r.changes)
        lines.push(
          `  - \`${change(c, max).replace(/`/g, "'")}\` · ${c.replacement === 'never' ? 'no replacement' : `**${c.replacement === 'always' ? 'replaces' : 'may replace'}**`}`,
        );
    }
    const summary = entrySummary(f);
    if (summary) lines.push(`- ${ACTION_ICON[f.action === 'add' ? 'add' : 'remove']} ${summary}`);
    for (const e of summary ? [] : f.entries) {
      lines.push(`- ${ACTION_ICON[e.action]} ${entryTitle(e)}`);
      for (const c of e.changes) lines.push(`  - \`${change(c, max).replace(/`/g, "'")}\``);
    }
    for (const c of f.other) lines.push(`- ✏️ \`${change(c, max).replace(/`/g, "'")}\``);
    bodies.push(lines.join('\n'));
  }
  const limit = options.maxChars ?? 60000;
  let text = head.join('\n');
  let shown = 0;
  for (const b of bodies) {
    if (text.length + b.length > limit) break;
    text += `\n${b}`;
    shown++;
  }
  if (shown < bodies.length)
    text += `\n\n… ${bodies.length - shown} more file(s) cut to fit a comment; run \`npm run diff:templates -- --base ${options.base}\` locally for everything.`;
  return `${text}\n`;
}

export function renderText(diff: TreeDiff, options: RenderOptions): string {
  const max = options.maxValueChars ?? 80;
  const changed = diff.files.filter((f) => f.action !== 'unchanged');
  const lines = [`template changes: ${options.base} → ${options.head}`];
  if (changed.length === 0) return `${lines[0]}\nno changes in the generated templates\n`;
  for (const w of diff.warnings) lines.push(`⚠ STATEFUL ${warningLine(w).replace(/\*\*|`/g, '')}`);
  if (options.cost && options.cost.length > 0) lines.push('', ...options.cost.filter((l) => l !== ''));
  for (const f of changed) {
    lines.push('', fileTitle(f));
    for (const r of f.resources) {
      lines.push(`  ${r.action === 'add' ? '+' : r.action === 'remove' ? '-' : '~'} ${resourceTitle(r)}`);
      for (const c of r.changes)
        lines.push(`      ${change(c, max)}  [${c.replacement === 'never' ? 'no replacement' : c.replacement === 'always' ? 'REPLACES' : 'MAY REPLACE'}]`);
    }
    const summary = entrySummary(f);
    if (summary) lines.push(`  ${f.action === 'add' ? '+' : '-'} ${summary}`);
    for (const e of summary ? [] : f.entries) {
      lines.push(`  ${e.action === 'add' ? '+' : e.action === 'remove' ? '-' : '~'} ${entryTitle(e)}`);
      for (const c of e.changes) lines.push(`      ${change(c, max)}`);
    }
    for (const c of f.other) lines.push(`  ~ ${change(c, max)}`);
  }
  return `${lines.join('\n')}\n`;
}

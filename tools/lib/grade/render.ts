/**
 * What the instructor reads: `grade.md` and `grade.json` per submission, `gradebook.csv` and
 * `gradebook.md` for the class, and the terminal lines. Pure functions of the grades, so the
 * same input gives the same bytes.
 */
import type { Evidence } from './checks';
import type { BulletGrade, StepGrade, SubmissionGrade, Verdict } from './grade';
import type { QualityFinding } from './quality';

export function percent(value: number, digits = 0): string {
  return `${(value * 100).toFixed(digits)} %`;
}

const MARK: Readonly<Record<Verdict, string>> = { pass: '✅ pass', partial: '🟡 partial', fail: '❌ fail' };

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function where(e: { file: string; line?: number }): string {
  return `\`${e.file}${e.line !== undefined ? `:${e.line}` : ''}\``;
}

function evidenceText(e: Evidence): string {
  const bits = [`${where(e)} ${e.logicalId} (${e.type})`];
  if (e.property) bits.push(`· ${e.property}`);
  if (e.note) bits.push(`· ${e.note}`);
  if (e.conditions && e.conditions.length > 0) bits.push(`· conditional: ${e.conditions.join(', ')}`);
  if (e.expandedFrom) bits.push(`· from SAM ${e.expandedFrom}`);
  return bits.join(' ');
}

function placementText(s: StepGrade): string {
  const p = s.placement;
  if (p.score === null) return '—';
  const expected = p.expected.map((f) => `\`${f}\``).join(' + ');
  return p.placed === p.total ? `✓ ${expected}` : `${p.placed}/${p.total} in ${expected} (found in ${p.foundIn.map((f) => `\`${f}\``).join(', ')})`;
}

function counts(s: StepGrade): string {
  const c = { pass: 0, partial: 0, fail: 0 };
  for (const b of s.bullets) if (!b.optional) c[b.verdict]++;
  const optional = s.bullets.filter((b) => b.optional).length;
  return [`${c.pass} pass`, c.partial > 0 ? `${c.partial} partial` : '', c.fail > 0 ? `${c.fail} fail` : '', optional > 0 ? `${optional} optional` : '']
    .filter(Boolean)
    .join(', ');
}

function bulletLines(b: BulletGrade): string[] {
  const flags = [b.optional ? 'optional' : '', b.conditional ? `conditional: ${b.conditions.join(', ')}` : ''].filter(Boolean);
  const lines = [`- **${b.id} ${b.text}** — ${MARK[b.verdict]} (${percent(b.score)})${flags.length > 0 ? ` · ${flags.join(' · ')}` : ''}`];
  for (const p of b.parts) {
    const mark = p.credit >= 1 ? '✓' : p.credit > 0 ? '◐' : '✗';
    const head = `  - ${mark} ${p.label}${p.credit > 0 && p.credit < 1 ? ` (${percent(p.credit)})` : ''}`;
    if (p.evidence.length === 0) lines.push(`${head}${p.missing ? `: missing ${p.missing}` : ''}`);
    else {
      lines.push(`${head}${p.credit < 1 && p.missing ? `; missing ${p.missing}` : ''}`);
      for (const e of p.evidence.slice(0, 6)) lines.push(`    - ${evidenceText(e)}`);
      if (p.evidence.length > 6) lines.push(`    - … and ${p.evidence.length - 6} more`);
    }
  }
  if (b.hint) lines.push(`  - Hint: ${b.hint}`);
  if (b.note) lines.push(`  - Note: ${b.note}`);
  if (b.studentMapping)
    lines.push(
      `  - Your Metadata.Roadmap: ${b.studentMapping.slice(0, 8).join(', ')}${b.studentMapping.length > 8 ? `, … (${b.studentMapping.length - 8} more)` : ''}`,
    );
  return lines;
}

function findingRow(f: QualityFinding): string {
  return `| ${where(f)} | ${cell(f.logicalId)} | ${cell(f.rule)} | ${f.severity} | ${cell(f.message)} | ${cell(f.fix)} |`;
}

/** The Markdown report of one submission. */
export function renderGradeMarkdown(g: SubmissionGrade): string {
  const lint =
    g.quality.lint.linter === 'cfn-lint'
      ? `cfn-lint ${g.quality.lint.version.replace(/^cfn-lint /, '')}`
      : `cfn-lint did not run (${g.quality.lint.reason}); the CloudFormation specification checks of npm run validate stood in`;
  const lines: string[] = [
    `# Grade: ${g.submission}`,
    '',
    `**Total ${percent(g.score, 1)}** = roadmap ${percent(g.roadmapScore, 1)} × (${percent(g.weights.roadmap)} + placement ${percent(g.placementScore, 1)} × ${percent(g.weights.placement)} + quality ${percent(g.qualityScore, 1)} × ${percent(g.weights.quality)}).`,
    `Bullets: ${g.counts.pass} pass, ${g.counts.partial} partial, ${g.counts.fail} fail${g.counts.optional > 0 ? ` (+${g.counts.optional} optional)` : ''}. Files: ${g.files.filter((f) => f.status === 'template').length} templates, ${g.parseErrors} that do not parse. Rubric: ${g.rubric}.`,
    '',
    '| Step | Title | Score | Bullets | Placement |',
    '| --- | --- | --- | --- | --- |',
    ...g.steps.map((s) => `| ${s.step} | ${cell(s.title)} | ${percent(s.score)} | ${counts(s)} | ${cell(placementText(s))} |`),
    '',
    '## Files',
    '',
    '| File | Status | Lines | Resources |',
    '| --- | --- | --- | --- |',
    ...(g.files.length > 0
      ? g.files.map((f) => `| \`${f.file}\` | ${f.status}${f.sam ? ' (SAM)' : ''} | ${f.lines} | ${f.resources} |`)
      : ['| — | no template files | | |']),
  ];
  if (g.findings.length > 0) {
    lines.push('', ...g.findings.map((f) => `- ${where(f)}${f.logicalId ? ` ${f.logicalId}` : ''}: ${f.message} (${f.fix})`));
  }
  for (const s of g.steps) {
    lines.push('', `## Step ${s.step} – ${s.title}: ${percent(s.score)}`, '');
    const p = s.placement;
    lines.push(
      `Roadmap file${p.expected.length > 1 ? 's' : ''}: ${p.expected.map((f) => `\`${f}\``).join(' + ')}.${p.score === null ? ' Nothing found to place.' : ` Found in ${p.foundIn.map((f) => `\`${f}\``).join(', ')}: placement ${percent(p.score)} (${p.placed}/${p.total} parts).`}`,
      '',
    );
    for (const b of s.bullets) lines.push(...bulletLines(b));
  }
  lines.push(
    '',
    `## Quality: ${percent(g.qualityScore)}`,
    '',
    `Linter: ${lint}. Deductions by severity; ${g.quality.findings.length} finding${g.quality.findings.length === 1 ? '' : 's'}, ${g.quality.deducted.toFixed(2)} deducted.`,
  );
  if (g.quality.findings.length > 0) {
    lines.push('', '| Where | Logical ID | Rule | Severity | Finding | Fix |', '| --- | --- | --- | --- | --- | --- |', ...g.quality.findings.map(findingRow));
  }
  return `${lines.join('\n')}\n`;
}

export function renderGradeJson(g: SubmissionGrade): string {
  return `${JSON.stringify(g, null, 2)}\n`;
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One row per submission: name, one column per step, the three lines, total, parse errors (percentages, one decimal). */
export function renderGradebookCsv(grades: readonly SubmissionGrade[]): string {
  const steps = grades[0]?.steps ?? [];
  const header = ['submission', ...steps.map((s) => `step${s.step}`), 'roadmap', 'placement', 'quality', 'total', 'parse_errors'];
  const pct = (v: number) => (v * 100).toFixed(1);
  const rows = grades.map((g) =>
    [
      csvField(g.submission),
      ...g.steps.map((s) => pct(s.score)),
      pct(g.roadmapScore),
      pct(g.placementScore),
      pct(g.qualityScore),
      pct(g.score),
      String(g.parseErrors),
    ].join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

export function renderGradebookMarkdown(grades: readonly SubmissionGrade[], rubric: string): string {
  const steps = grades[0]?.steps ?? [];
  const lines = [
    '# Gradebook',
    '',
    `${grades.length} submission${grades.length === 1 ? '' : 's'}, rubric ${rubric}. Step columns are the roadmap score of each step; the total is the roadmap score scaled by the placement and quality lines (rubric weights).`,
    '',
    `| Submission | ${steps.map((s) => String(s.step)).join(' | ')} | Total | Pass / partial / fail | Parse errors |`,
    `| --- | ${steps.map(() => '---').join(' | ')} | --- | --- | --- |`,
    ...grades.map(
      (g) =>
        `| [${cell(g.submission)}](${encodeURI(g.submission)}/grade.md) | ${g.steps.map((s) => (s.score * 100).toFixed(0)).join(' | ')} | **${percent(g.score, 1)}** | ${g.counts.pass} / ${g.counts.partial} / ${g.counts.fail} | ${g.parseErrors} |`,
    ),
    '',
    `Steps: ${steps.map((s) => `${s.step} ${s.title}`).join(' · ')}.`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The terminal line of one submission. */
export function summaryLine(g: SubmissionGrade, width = 0): string {
  return `${g.submission.padEnd(width)}  ${percent(g.score, 1).padStart(7)}  roadmap ${percent(g.roadmapScore).padStart(5)}  placement ${percent(g.placementScore).padStart(5)}  quality ${percent(g.qualityScore).padStart(5)}  ${g.counts.pass}/${g.counts.partial}/${g.counts.fail} pass/partial/fail${g.parseErrors > 0 ? `  ${g.parseErrors} parse error${g.parseErrors === 1 ? '' : 's'}` : ''}`;
}

/** The per-step table printed for a single submission. */
export function stepTable(g: SubmissionGrade): string {
  return g.steps.map((s) => `step ${String(s.step).padStart(2)} ${s.title.padEnd(30)} ${percent(s.score).padStart(5)}  ${counts(s)}`).join('\n');
}

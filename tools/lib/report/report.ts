/**
 * The per-step report: every roadmap bullet with the resources its Metadata maps to it (across
 * all templates) and the result of its check. Pure: the tree and the repository facts come in.
 */
import type { RoadmapStep } from '../../../templates-src/roadmap';
import { CHECKS, type CheckContext, type CheckResult } from './checks';
import { isRecord, section, type TemplateTree } from './model';

export interface MappedResource {
  readonly file: string;
  readonly logicalId: string;
  /** The resource type, or `Parameter` / `Mapping` / `Condition` / `Output` for non-resources, `missing` if not declared. */
  readonly type: string;
}

export interface BulletReport {
  readonly id: string;
  readonly text: string;
  readonly resources: readonly MappedResource[];
  readonly status: 'pass' | 'fail';
  /** What the check found (pass). */
  readonly detail?: string;
  /** Why the bullet fails: the check's reason, or "no resources mapped". */
  readonly reason?: string;
}

export interface StepReport {
  readonly step: number;
  readonly title: string;
  readonly files: readonly string[];
  /** Registry entries (templates-src/stacks.ts) that declare this step, as `Id (file)`. */
  readonly implementedBy: readonly string[];
  readonly bullets: readonly BulletReport[];
  readonly passed: number;
  readonly total: number;
}

export interface RoadmapReport {
  readonly steps: readonly StepReport[];
  readonly passed: number;
  readonly total: number;
}

export const NO_MAPPING = 'no resources mapped';

/**
 * Bullets about the repository rather than the templates: no resource can implement them, so
 * they need no Metadata entry and their check alone decides.
 */
export const REPOSITORY_BULLETS: Readonly<Record<string, string>> = { '11.2': 'the git repository (checked with git ls-files)' };

/** Bullet ID → the logical IDs every template's `Metadata.Roadmap` maps to it, in tree order. */
export function mappedResources(tree: TemplateTree): Map<string, MappedResource[]> {
  const out = new Map<string, MappedResource[]>();
  for (const f of tree.files) {
    const roadmap = section(section(f.template, 'Metadata'), 'Roadmap');
    for (const [bullet, entry] of Object.entries(roadmap)) {
      const logicalIds = isRecord(entry) && Array.isArray(entry.Resources) ? entry.Resources.map(String) : [];
      const list = out.get(bullet) ?? [];
      for (const logicalId of logicalIds) list.push({ file: f.file, logicalId, type: typeOf(f.template, logicalId) });
      out.set(bullet, list);
    }
  }
  return out;
}

function typeOf(template: Record<string, unknown>, logicalId: string): string {
  const resource = section(template, 'Resources')[logicalId];
  if (isRecord(resource) && typeof resource.Type === 'string') return resource.Type;
  for (const [name, label] of [['Parameters', 'Parameter'], ['Mappings', 'Mapping'], ['Conditions', 'Condition'], ['Outputs', 'Output']] as const) {
    if (logicalId in section(template, name)) return label;
  }
  return 'missing';
}

function runCheck(id: string, ctx: CheckContext): CheckResult {
  const check = CHECKS[id];
  if (!check) return { ok: false, reason: `no check is defined for bullet ${id} (add one to tools/lib/report/checks/index.ts)` };
  try {
    return check(ctx);
  } catch (error) {
    return { ok: false, reason: `the check threw: ${(error as Error).message}` };
  }
}

/** What the report needs of a registry entry. */
export interface RegistryEntry {
  readonly id: string;
  readonly file: string;
  readonly steps: readonly number[];
}

/**
 * Builds the report. A bullet passes only when it is mapped in Metadata and its check passes.
 * @param registry root, nested and standalone entries, for "implemented by" per step. @default none
 */
export function buildReport(roadmap: readonly RoadmapStep[], ctx: CheckContext, registry: readonly RegistryEntry[] = []): RoadmapReport {
  const mapped = mappedResources(ctx.tree);
  const steps = roadmap.map((s): StepReport => {
    const bullets = s.bullets.map((b): BulletReport => {
      const resources = mapped.get(b.id) ?? [];
      const result = runCheck(b.id, ctx);
      if (resources.length === 0 && b.id in REPOSITORY_BULLETS) {
        return result.ok ? { id: b.id, text: b.text, resources, status: 'pass', detail: result.detail } : { id: b.id, text: b.text, resources, status: 'fail', reason: result.reason };
      }
      if (resources.length === 0) {
        const check = result.ok ? `the check alone passes: ${result.detail}` : result.reason;
        return { id: b.id, text: b.text, resources, status: 'fail', reason: `${NO_MAPPING} (no Metadata.Roadmap entry for ${b.id}); ${check}` };
      }
      const dangling = resources.filter((r) => r.type === 'missing');
      const danglingReason = `Metadata.Roadmap names undeclared logical IDs: ${dangling.map((r) => `${r.file}#${r.logicalId}`).join(', ')}`;
      if (!result.ok) return { id: b.id, text: b.text, resources, status: 'fail', reason: dangling.length > 0 ? `${result.reason}; ${danglingReason}` : result.reason };
      if (dangling.length > 0) return { id: b.id, text: b.text, resources, status: 'fail', reason: danglingReason };
      return { id: b.id, text: b.text, resources, status: 'pass', detail: result.detail };
    });
    const passed = bullets.filter((b) => b.status === 'pass').length;
    const implementedBy = registry.filter((r) => r.steps.includes(s.step)).map((r) => `${r.id} (${r.file})`);
    return { step: s.step, title: s.title, files: s.files, implementedBy, bullets, passed, total: bullets.length };
  });
  return { steps, passed: steps.reduce((n, s) => n + s.passed, 0), total: steps.reduce((n, s) => n + s.total, 0) };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The Markdown report; `diagram` is the Mermaid source (without fences). */
export function renderMarkdown(report: RoadmapReport, diagram: string): string {
  const lines: string[] = [
    '# Roadmap report',
    '',
    'Generated by `npm run report` from `generated/*.yaml` (the templates\' `Metadata.Roadmap` and one check per bullet in `tools/lib/report/checks/`). Do not edit by hand.',
    '',
    `**Overall: ${report.passed}/${report.total} bullets pass.**`,
    '',
    '| Step | Title | Files | Passed |',
    '| --- | --- | --- | --- |',
    ...report.steps.map((s) => `| ${s.step} | ${cell(s.title)} | ${s.files.map((f) => `\`${f}\``).join(', ')} | ${s.passed}/${s.total} |`),
    '',
    '## Architecture',
    '',
    '```mermaid',
    diagram.trimEnd(),
    '```',
  ];
  for (const s of report.steps) {
    lines.push('', `## Step ${s.step} – ${s.title} (${s.files.map((f) => `\`${f}\``).join(' + ')}): ${s.passed}/${s.total}`, '');
    if (s.implementedBy.length > 0) lines.push(`Implemented by ${s.implementedBy.join(', ')} (registry: templates-src/stacks.ts).`, '');
    lines.push('| Bullet | Result | Resources | Check |', '| --- | --- | --- | --- |');
    for (const b of s.bullets) {
      const resources = b.resources.map((r) => `\`${r.file}\` ${r.logicalId} (${r.type})`).join('<br>') || REPOSITORY_BULLETS[b.id] || '—';
      const result = b.status === 'pass' ? '✅ pass' : '❌ fail';
      lines.push(`| ${b.id} ${cell(b.text)} | ${result} | ${cell(resources)} | ${cell(b.status === 'pass' ? (b.detail ?? '') : (b.reason ?? ''))} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON report, stable key order, 2-space indent, final newline. */
export function renderJson(report: RoadmapReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

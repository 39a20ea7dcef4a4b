/**
 * Runs `cfn-lint` (when it is on PATH) over template files and turns its JSON report into our
 * findings. The project's GitHub workflow installs it with pip; locally it is optional.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isRecord, type Finding, type Severity } from './model';

/** Checks we switch off: W3002 warns about local paths that only work after `package`, our convention. */
export const CFN_LINT_IGNORED = ['W3002'] as const;

export type CfnLintResult = { readonly ran: true; readonly findings: Finding[]; readonly version: string } | { readonly ran: false; readonly reason: string };

function run(command: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string } | undefined> {
  return new Promise((resolve) => {
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      resolve(undefined);
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', () => resolve(undefined)); // ENOENT: not installed
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const LEVELS: Readonly<Record<string, Severity>> = { Error: 'error', Warning: 'warning', Informational: 'info' };

/**
 * Turns cfn-lint's `--format json` output into findings. `label` names each finding's file from
 * cfn-lint's `Filename`. @default the base name (files of one template dir)
 */
export function parseCfnLintJson(stdout: string, label: (filename: string) => string = path.basename): Finding[] {
  const report = JSON.parse(stdout) as unknown;
  if (!Array.isArray(report)) throw new Error('cfn-lint: expected a JSON list of matches');
  return report.filter(isRecord).map((m): Finding => {
    const location = isRecord(m.Location) ? m.Location : {};
    const pathParts = Array.isArray(location.Path) ? location.Path.map(String) : [];
    const start = isRecord(location.Start) ? location.Start : {};
    const line = typeof start.LineNumber === 'number' ? `line ${start.LineNumber}` : '-';
    const inResource = pathParts.length >= 2 && ['Resources', 'Parameters', 'Outputs', 'Conditions', 'Mappings'].includes(pathParts[0]!);
    const rule = isRecord(m.Rule) ? m.Rule : {};
    const propertyPath = inResource
      ? pathParts
          .slice(2)
          .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
          .join('')
          .replace(/^\./, '')
      : pathParts.join('.');
    return {
      file: label(String(m.Filename ?? '')),
      logicalId: inResource ? pathParts[1]! : '(template)',
      path: propertyPath ? `${propertyPath} (${line})` : line,
      rule: `cfn-lint/${String(rule.Id ?? '?')}`,
      severity: LEVELS[String(m.Level)] ?? 'warning',
      message: String(m.Message ?? '')
        .replace(/\s+/g, ' ')
        .trim(),
      fix: typeof rule.Source === 'string' ? `see ${rule.Source}` : 'see the cfn-lint rule documentation',
    };
  });
}

/** Splits files into `n` groups of similar total size (largest first), keeping each group's order stable. */
export function balance(filePaths: readonly string[], sizes: ReadonlyMap<string, number>, n: number): string[][] {
  const groups = Array.from({ length: Math.max(1, Math.min(n, filePaths.length)) }, () => ({ files: [] as string[], bytes: 0 }));
  for (const f of [...filePaths].sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0))) {
    const lightest = groups.reduce((min, g) => (g.bytes < min.bytes ? g : min));
    lightest.files.push(f);
    lightest.bytes += sizes.get(f) ?? 0;
  }
  return groups.map((g) => g.files.sort()).filter((g) => g.length > 0);
}

export interface CfnLintOptions {
  /** Executable. @default 'cfn-lint' */
  readonly command?: string;
  /** Parallel cfn-lint processes (cfn-lint is single-threaded and ~1 s/100 resources). @default 1 */
  readonly processes?: number;
  /** File sizes in bytes, to balance the processes. @default equal */
  readonly sizes?: ReadonlyMap<string, number>;
  /** Names each finding's file from the path cfn-lint reports. @default the base name */
  readonly label?: (filename: string) => string;
}

/** Runs cfn-lint on the given files; `ran: false` with the reason when it is not installed or fails. */
export async function runCfnLint(filePaths: readonly string[], options: CfnLintOptions = {}): Promise<CfnLintResult> {
  const command = options.command ?? 'cfn-lint';
  const groups = balance(filePaths, options.sizes ?? new Map(), options.processes ?? 1);
  const [version, ...results] = await Promise.all([
    run(command, ['--version']),
    ...groups.map((files) => run(command, ['--format', 'json', '--ignore-checks', ...CFN_LINT_IGNORED, '--', ...files])),
  ]);
  if (version?.code !== 0) return { ran: false, reason: `${command} is not on PATH (pip install cfn-lint; the GitHub workflow installs it)` };
  const findings: Finding[] = [];
  for (const result of results) {
    if (!result) return { ran: false, reason: `${command} could not be started` };
    try {
      findings.push(...parseCfnLintJson(result.stdout || '[]', options.label));
    } catch (error) {
      return { ran: false, reason: `${command} failed (exit ${String(result.code)}): ${(result.stderr || (error as Error).message).split('\n')[0]}` };
    }
  }
  const order = new Map(filePaths.map((f, i) => [(options.label ?? path.basename)(f), i]));
  findings.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0));
  return { ran: true, findings, version: version.stdout.trim() };
}

/**
 * The validator library behind `npm run validate`, the packager and the report. It checks
 * templates (in memory: `{file, doc}`) against the CloudFormation specification, reference
 * integrity, the root ↔ child contract of the registry, CloudFormation limits and our security
 * policy (DESIGN §6), and returns every finding at once; it never throws on a bad template.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import { checkContract } from './contract';
import { checkLimits } from './limits';
import { dig, resourcesOf, type Finding, type Issue, type Severity, type TemplateFile, type ValidationRegistry } from './model';
import { checkReferences } from './references';
import { SECURITY_RULES, type SecurityOptions, type SecurityRule } from './rules';
import { checkAttributes, checkResources, loadSpec, type SpecIndex } from './spec';

export type { Finding, Severity, TemplateFile, ValidationRegistry, RegistryStack } from './model';
export type { SecurityOptions, SecurityRule } from './rules';
export { SECURITY_RULES } from './rules';
export { runCfnLint, CFN_LINT_IGNORED } from './cfn-lint';

export interface ValidateOptions {
  /** Options of the security rules (e.g. the public-ingress allow-list). @default {} */
  readonly security?: SecurityOptions;
  /** Security rules to run. @default SECURITY_RULES */
  readonly rules?: readonly SecurityRule[];
  /** Specification index. @default loadSpec() (the installed @aws-cdk/aws-service-spec) */
  readonly spec?: SpecIndex;
}

export interface ValidationResult {
  readonly findings: Finding[];
  readonly templates: number;
  readonly resources: number;
}

/**
 * Every rule id the validator can report, with its severity, what it checks and — for the policy
 * rules — why we require it (for `--rules` and the docs).
 */
export const RULE_CATALOG: readonly {
  readonly id: string;
  readonly severity: Severity | 'error/warning';
  readonly info: string;
  readonly explanation?: string;
}[] = [
  { id: 'parse', severity: 'error', info: 'The file is valid CloudFormation YAML (short-form tags included).' },
  { id: 'spec-resource-type', severity: 'error', info: 'Every resource type exists in the CloudFormation specification.' },
  { id: 'resource-attribute', severity: 'error', info: 'Resource entries use only Type, Properties, DependsOn, Condition, Metadata, the policies.' },
  { id: 'spec-property', severity: 'error', info: 'Every property name exists, at every level of nested property types.' },
  { id: 'spec-required', severity: 'error', info: 'Every required property is present, at every level.' },
  { id: 'spec-type', severity: 'error', info: 'Literal values have the declared shape (list, object, number, boolean, string).' },
  {
    id: 'spec-allowed-value',
    severity: 'warning',
    info: 'Literal strings are among the values the specification lists (warning: the spec may predate a new value).',
  },
  { id: 'spec-getatt', severity: 'error', info: '!GetAtt (and ${Res.Attr} in !Sub) names an attribute of the target type.' },
  { id: 'ref-target', severity: 'error', info: '!Ref names a parameter, resource or pseudo parameter (parameters only in Conditions).' },
  { id: 'getatt-target', severity: 'error', info: '!GetAtt names a resource of the template.' },
  { id: 'sub-variable', severity: 'error', info: 'Every ${Var} in !Sub resolves (explicit variable, parameter, resource, Res.Attr, pseudo parameter).' },
  { id: 'condition-exists', severity: 'error', info: 'Conditions named by resources, outputs, !If and other conditions are declared.' },
  {
    id: 'conditional-reference',
    severity: 'warning',
    info: 'References to a conditional resource hold under its condition (same Condition, an !And of it, or the true branch of !If).',
  },
  {
    id: 'find-in-map',
    severity: 'error/warning',
    info: '!FindInMap names a declared mapping and literal keys that exist (warning: a key missing under some top-level keys).',
  },
  { id: 'depends-on', severity: 'error', info: 'DependsOn names other resources of the template.' },
  { id: 'unused-parameter', severity: 'warning', info: 'Every declared parameter is referenced.' },
  { id: 'contract-missing-file', severity: 'error', info: 'Root and every standalone template exist.' },
  { id: 'contract-stack-resource', severity: 'error', info: 'Root has an AWS::CloudFormation::Stack for every registry entry.' },
  { id: 'contract-template-url', severity: 'error', info: 'Each nested stack has TemplateURL ./<file> of the registry entry, and the file exists.' },
  { id: 'contract-missing-parameter', severity: 'error', info: 'Root passes every child parameter without a Default.' },
  { id: 'contract-unknown-parameter', severity: 'error', info: 'Root passes no parameter the child does not declare.' },
  { id: 'contract-output', severity: 'error', info: 'Every Stack.Outputs.Name read in root is declared by the child.' },
  {
    id: 'contract-conditional-output',
    severity: 'warning',
    info: 'Root reads a conditional child output only inside !If or from a conditional resource/output.',
  },
  { id: 'contract-promised-output', severity: 'error', info: 'Every output a registry entry promises is declared in its template.' },
  { id: 'contract-no-export', severity: 'error', info: 'Root and nested stacks use no Outputs Export and no !ImportValue (they talk only through root).' },
  { id: 'contract-unregistered', severity: 'warning', info: 'Nested stacks and template files belong to a registry entry.' },
  { id: 'limit-template-size', severity: 'error', info: 'Template body ≤ 1,000,000 bytes.' },
  { id: 'limit-template-inline', severity: 'info', info: 'Top-level template body > 51,200 bytes must be deployed from S3 (nested ones always are).' },
  { id: 'limit-resources', severity: 'error', info: '≤ 500 resources per template.' },
  { id: 'limit-parameters', severity: 'error', info: '≤ 200 parameters per template.' },
  { id: 'limit-outputs', severity: 'error', info: '≤ 200 outputs per template.' },
  { id: 'limit-mappings', severity: 'error', info: '≤ 200 mappings per template.' },
  { id: 'limit-logical-id', severity: 'error', info: 'Logical IDs are alphanumeric and ≤ 255 characters.' },
  ...SECURITY_RULES.map((r) => ({
    id: r.id,
    severity: ['sqs-dlq-alarm', 'config-rule-recorder'].includes(r.id) ? ('error/warning' as const) : r.severity,
    info: r.info,
    explanation: r.explanation,
  })),
  {
    id: 'suppression',
    severity: 'error',
    info: 'Metadata.Validate.Suppress entries name a security rule and give a Reason (suppressed violations print as info).',
  },
  {
    id: 'cfn-lint/<id>',
    severity: 'error/warning',
    info: "cfn-lint's own findings at its level (Error → error, Warning → warning, Informational → info); W3002 ignored.",
  },
];

function withFile(file: string, issues: readonly Issue[]): Finding[] {
  return issues.map((i) => ({ file, ...i }));
}

/**
 * Security-rule suppressions of a resource: `Metadata.Validate.Suppress: [{Rule, Reason}]` (like
 * cdk-nag's NagSuppressions, a reason is mandatory). Malformed entries become findings.
 */
function suppressionsOf(file: string, id: string, resource: Record<string, unknown>, rules: readonly SecurityRule[], out: Finding[]): Map<string, string> {
  const suppress = dig(resource, 'Metadata', 'Validate', 'Suppress');
  const found = new Map<string, string>();
  if (suppress === undefined) return found;
  const entries = Array.isArray(suppress) ? suppress : [suppress];
  entries.forEach((entry, i) => {
    const rule = dig(entry, 'Rule');
    const reason = dig(entry, 'Reason');
    const path = `Metadata.Validate.Suppress[${i}]`;
    if (typeof rule !== 'string' || !rules.some((r) => r.id === rule)) {
      out.push({
        file,
        logicalId: id,
        path,
        rule: 'suppression',
        severity: 'error',
        message: `suppression names ${JSON.stringify(rule)}, which is not a security rule`,
        fix: `use one of: ${rules.map((r) => r.id).join(', ')}`,
      });
    } else if (typeof reason !== 'string' || reason.trim().length < 10) {
      out.push({
        file,
        logicalId: id,
        path,
        rule: 'suppression',
        severity: 'error',
        message: `suppression of ${rule} has no reason`,
        fix: 'add Reason: one sentence saying why the rule does not apply here',
      });
    } else found.set(rule, reason);
  });
  return found;
}

/** Runs the security rules over one template; suppressed violations are reported as info. Exported for the grader's quality line. */
export function checkSecurity(
  file: TemplateFile,
  files: readonly TemplateFile[],
  rules: readonly SecurityRule[],
  options: SecurityOptions,
  spec: SpecIndex,
): Finding[] {
  const resources = new Map(resourcesOf(file.doc));
  const ctx = { file: file.file, doc: file.doc, resources, files, options, spec };
  const out: Finding[] = [];
  for (const [id, resource] of resources) {
    const suppressed = suppressionsOf(file.file, id, resource, rules, out);
    for (const rule of rules) {
      if (!rule.resourceTypes.includes(String(resource.Type))) continue;
      for (const v of rule.check(id, resource, ctx)) {
        const reason = suppressed.get(rule.id);
        out.push({
          file: file.file,
          logicalId: v.logicalId,
          path: v.path,
          rule: rule.id,
          severity: reason !== undefined ? 'info' : (v.severity ?? rule.severity),
          message: reason !== undefined ? `suppressed (${reason}): ${v.message}` : v.message,
          fix: v.fix,
        });
      }
    }
  }
  return out;
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/**
 * Validates templates together with the registry and returns every finding, ordered by file (as
 * given), then severity. Pure apart from loading the specification on first use.
 */
export function validateTemplates(files: readonly TemplateFile[], registry: ValidationRegistry, options: ValidateOptions = {}): ValidationResult {
  const spec = options.spec ?? loadSpec();
  const rules = options.rules ?? SECURITY_RULES;
  const topLevel = new Set([registry.root.file, ...(registry.standalone ?? []).map((s) => s.file)]);
  const findings: Finding[] = [];
  let resources = 0;
  for (const f of files) {
    resources += resourcesOf(f.doc).length;
    const bytes = Buffer.byteLength(f.text ?? JSON.stringify(f.doc), 'utf8');
    findings.push(
      ...withFile(f.file, checkResources(f.doc, spec)),
      ...withFile(f.file, checkAttributes(f.doc, spec)),
      ...withFile(f.file, checkReferences(f.doc)),
      ...withFile(f.file, checkLimits(f.doc, bytes, { topLevel: topLevel.has(f.file) })),
      ...checkSecurity(f, files, rules, options.security ?? {}, spec),
    );
  }
  findings.push(...checkContract(files, registry));
  const order = new Map(files.map((f, i) => [f.file, i]));
  findings.sort((a, b) => (order.get(a.file) ?? files.length) - (order.get(b.file) ?? files.length) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return { findings, templates: files.length, resources };
}

/** Reads every `*.yaml` of a directory (sorted); files that do not parse become `parse` findings. */
export async function readTemplates(dir: string): Promise<{ files: TemplateFile[]; findings: Finding[] }> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  const files: TemplateFile[] = [];
  const findings: Finding[] = [];
  for (const name of names) {
    const text = await readFile(path.join(dir, name), 'utf8');
    try {
      files.push({ file: name, doc: parseTemplate(text, name), text });
    } catch (error) {
      findings.push({
        file: name,
        logicalId: '(template)',
        path: '-',
        rule: 'parse',
        severity: 'error',
        message: (error as Error).message.split('\n')[0] ?? 'unreadable',
        fix: 'fix the YAML (rebuild with npm run build:templates)',
      });
    }
  }
  return { files, findings };
}

/**
 * One line per finding: `<dir>/<file>: <LogicalId>: <property path>: <rule-id>: <message> (<fix>)`.
 * Warnings and infos carry `warning: ` / `info: ` before the message; errors carry nothing.
 */
export function formatFinding(f: Finding, dirLabel = 'generated'): string {
  const level = f.severity === 'error' ? '' : `${f.severity}: `;
  return `${dirLabel}/${f.file}: ${f.logicalId}: ${f.path}: ${f.rule}: ${level}${f.message} (${f.fix})`;
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/**
 * CloudFormation quotas checked before anything is uploaded (DESIGN §3). The values and their
 * documentation live in contracts/cloudformation-limits.ts (one copy for every tool).
 */
import { CFN_LIMITS } from '../../../contracts/cloudformation-limits';
import { sectionOf, type Issue, type Json } from './model';

export const LIMITS = {
  /** Template body passed through S3 (TemplateURL), in bytes. */
  templateBodyS3Bytes: CFN_LIMITS.templateBodyS3Bytes.value,
  /** Template body passed inline (TemplateBody), in bytes: larger ones must go through S3. */
  templateBodyInlineBytes: CFN_LIMITS.templateBodyInlineBytes.value,
  resources: CFN_LIMITS.resources.value,
  parameters: CFN_LIMITS.parameters.value,
  outputs: CFN_LIMITS.outputs.value,
  mappings: CFN_LIMITS.mappings.value,
  logicalIdLength: CFN_LIMITS.logicalIdCharacters.value,
} as const;

export interface LimitOptions {
  /** True for templates deployed on their own (root, standalone): they get the inline-size note. */
  readonly topLevel: boolean;
}

export function checkLimits(doc: Json, bodyBytes: number, options: LimitOptions): Issue[] {
  const out: Issue[] = [];
  if (bodyBytes > LIMITS.templateBodyS3Bytes) {
    out.push({
      logicalId: '(template)',
      path: '-',
      rule: 'limit-template-size',
      severity: 'error',
      message: `template body is ${bodyBytes} bytes; CloudFormation accepts at most ${LIMITS.templateBodyS3Bytes}`,
      fix: 'move resources into another nested stack',
    });
  } else if (options.topLevel && bodyBytes > LIMITS.templateBodyInlineBytes) {
    // Nested templates always go through S3 (the packager uploads them), so only top-level ones get this note.
    out.push({
      logicalId: '(template)',
      path: '-',
      rule: 'limit-template-inline',
      severity: 'info',
      message: `template body is ${bodyBytes} bytes (> ${LIMITS.templateBodyInlineBytes}): it must be deployed from S3, not inline`,
      fix: 'deploy through npm run deploy (it packages to S3)',
    });
  }
  const counts: [string, number, string][] = [
    ['Resources', LIMITS.resources, 'limit-resources'],
    ['Parameters', LIMITS.parameters, 'limit-parameters'],
    ['Outputs', LIMITS.outputs, 'limit-outputs'],
    ['Mappings', LIMITS.mappings, 'limit-mappings'],
  ];
  for (const [section, max, rule] of counts) {
    const n = Object.keys(sectionOf(doc, section)).length;
    if (n > max) {
      out.push({
        logicalId: '(template)',
        path: section,
        rule,
        severity: 'error',
        message: `${n} ${section.toLowerCase()}; CloudFormation allows at most ${max} per template`,
        fix: 'split the stack (add a nested stack to the registry)',
      });
    }
  }
  for (const section of ['Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs']) {
    for (const id of Object.keys(sectionOf(doc, section))) {
      if (/^[A-Za-z0-9]+$/.test(id) && id.length <= LIMITS.logicalIdLength) continue;
      out.push({
        logicalId: id,
        path: section,
        rule: 'limit-logical-id',
        severity: 'error',
        message: `logical ID must be alphanumeric and at most ${LIMITS.logicalIdLength} characters`,
        fix: `rename it, e.g. ${id.replace(/[^A-Za-z0-9]/g, '').slice(0, LIMITS.logicalIdLength) || 'Resource1'}`,
      });
    }
  }
  return out;
}

/**
 * CloudFormation quotas checked before anything is uploaded (DESIGN §3): a template passed by
 * URL may be 1 MB (1,000,000 bytes); a stack may have 500 resources, 200 parameters and 200
 * outputs. The values and their documentation live in contracts/cloudformation-limits.ts.
 */
import { CFN_LIMITS } from '../../../contracts/cloudformation-limits';

export interface Limits {
  readonly templateBytes: number;
  readonly resources: number;
  readonly parameters: number;
  readonly outputs: number;
}

export const LIMITS: Limits = {
  templateBytes: CFN_LIMITS.templateBodyS3Bytes.value,
  resources: CFN_LIMITS.resources.value,
  parameters: CFN_LIMITS.parameters.value,
  outputs: CFN_LIMITS.outputs.value,
};

/** Every limit the template breaks, one line each, naming the file. */
export function checkLimits(file: string, text: string, template: Record<string, unknown>, limits: Limits = LIMITS): string[] {
  const problems: string[] = [];
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.templateBytes)
    problems.push(`${file}: template is ${bytes} bytes, over CloudFormation's ${limits.templateBytes}-byte limit; move resources into another nested stack`);
  const count = (section: string): number => Object.keys((template[section] as object | undefined) ?? {}).length;
  const sections = [
    ['Resources', 'resources', limits.resources],
    ['Parameters', 'parameters', limits.parameters],
    ['Outputs', 'outputs', limits.outputs],
  ] as const;
  for (const [section, noun, max] of sections) {
    const n = count(section);
    if (n > max) problems.push(`${file}: ${n} ${noun}, over CloudFormation's limit of ${max} per stack; split the stack`);
  }
  return problems;
}

/**
 * Disaster-recovery state comes from CloudFormation, never from a local file: the secondary
 * stack's outputs are read in the secondary region at deploy time (`.deploy/` only records them),
 * and a deploy that would empty `ReplicaKmsKeyArn` on a primary that replicates today is refused
 * unless `--allow-dr-removal`, naming what the change removes (derived from the templates).
 *
 * | primary today          | this deploy's ReplicaKmsKeyArn | result                                      |
 * |------------------------|--------------------------------|---------------------------------------------|
 * | absent, or ''          | anything                       | deploy                                      |
 * | an ARN                 | an ARN (same or new)           | deploy                                      |
 * | an ARN                 | '' (no secondary stack, no output, nothing passed) | refuse, listing what would be removed; `--allow-dr-removal` deploys |
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import { DeployError } from './errors';
import { NESTED_STACK_TYPE } from './events';
import { outputsRecord } from './outputs';
import { describeStack } from './stack-state';

export const REPLICA_PARAMETER = 'ReplicaKmsKeyArn';

export interface SecondaryState {
  /** The secondary stack's outputs as CloudFormation reports them ({} when it does not exist). */
  readonly outputs: Record<string, string>;
  /** `stockwx-prod-secondary in us-west-2 is UPDATE_COMPLETE`, for messages. */
  readonly seen: string;
  readonly stack?: Stack;
  /** The parameter file turns the secondary stack off (`toggles.secondaryStack: false`): its outputs are not used. */
  readonly disabled?: boolean;
}

/** DescribeStacks of the secondary stack in its own region. */
export async function readSecondary(cfn: CloudFormationClient, stackName: string, region: string): Promise<SecondaryState> {
  const stack = await describeStack(cfn, stackName);
  if (!stack) return { outputs: {}, seen: `no stack ${stackName} in ${region}` };
  return { outputs: outputsRecord(stack.Outputs), seen: `${stackName} in ${region} is ${stack.StackStatus}`, stack };
}

/** The value of a parameter on a deployed stack ('' when unset or no stack). */
export function currentParameter(stack: Stack | undefined, name: string): string {
  return stack?.Parameters?.find((p) => p.ParameterKey === name)?.ParameterValue ?? '';
}

type Doc = Record<string, unknown>;
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function refersTo(node: unknown, test: (key: string, value: unknown) => boolean): boolean {
  if (Array.isArray(node)) return node.some((n) => refersTo(n, test));
  if (!isRecord(node)) return false;
  return Object.entries(node).some(([k, v]) => test(k, v) || refersTo(v, test));
}

/**
 * What an empty `ReplicaKmsKeyArn` removes, one entry per resource:
 * `Datastores/MetricsTable (AWS::DynamoDB::GlobalTable): Replicas changes`,
 * `DataLake/ReplicationRole (AWS::IAM::Role): removed`. Read from generated/root.yaml and the
 * nested templates it passes the parameter to.
 */
export async function replicationDependents(templateDir: string): Promise<string[]> {
  const load = async (file: string): Promise<Doc> => parseTemplate(await readFile(path.join(templateDir, file), 'utf8'), file);
  const root = await load('root.yaml');
  const out: string[] = [];
  for (const [id, resource] of Object.entries((root.Resources as Record<string, Doc>) ?? {})) {
    const props = resource.Properties as Doc | undefined;
    if (
      resource.Type !== NESTED_STACK_TYPE ||
      typeof props?.TemplateURL !== 'string' ||
      !isRecord(props.Parameters) ||
      !(REPLICA_PARAMETER in props.Parameters)
    )
      continue;
    const child = await load(path.basename(props.TemplateURL));
    // Conditions that depend on the parameter, directly or through other conditions.
    const conditions = (child.Conditions as Record<string, unknown>) ?? {};
    const dependent = new Set<string>();
    for (let grew = true; grew; ) {
      grew = false;
      for (const [name, body] of Object.entries(conditions)) {
        if (dependent.has(name)) continue;
        if (refersTo(body, (k, v) => (k === 'Ref' && v === REPLICA_PARAMETER) || (k === 'Condition' && typeof v === 'string' && dependent.has(v)))) {
          dependent.add(name);
          grew = true;
        }
      }
    }
    for (const [logicalId, r] of Object.entries((child.Resources as Record<string, Doc>) ?? {})) {
      const where = `${id}/${logicalId} (${String(r.Type)})`;
      if (typeof r.Condition === 'string' && dependent.has(r.Condition)) {
        out.push(`${where}: removed`);
        continue;
      }
      const changed = Object.entries((r.Properties as Doc) ?? {})
        .filter(([, v]) =>
          refersTo(v, (k, args) => (k === 'Fn::If' && Array.isArray(args) && dependent.has(String(args[0]))) || (k === 'Ref' && args === REPLICA_PARAMETER)),
        )
        .map(([k]) => k);
      if (changed.length > 0) out.push(`${where}: ${changed.join(', ')} change`);
    }
  }
  return out.sort();
}

export interface DrGuardInput {
  readonly stackName: string;
  readonly region: string;
  /** The primary stack as it is now (undefined: not deployed yet). */
  readonly primary?: Stack;
  /** The value this deploy would send ('' or undefined: the template default, empty). */
  readonly next?: string;
  readonly secondary: SecondaryState;
  readonly allowRemoval: boolean;
  readonly templateDir: string;
}

/** Throws when the deploy would switch replication off without `--allow-dr-removal`; returns a warning line when it is allowed. */
export async function guardReplication(i: DrGuardInput): Promise<string | undefined> {
  const now = currentParameter(i.primary, REPLICA_PARAMETER);
  if (now === '' || (i.next ?? '') !== '') return undefined;
  const removed = await replicationDependents(i.templateDir);
  const list = removed.length > 0 ? removed.join('; ') : 'the replication settings of the nested stacks';
  if (i.allowRemoval) return `--allow-dr-removal: ${i.stackName} in ${i.region} stops replicating (${REPLICA_PARAMETER} was ${now}): ${list}`;
  throw new DeployError(
    `${i.stackName} in ${i.region} replicates with ${REPLICA_PARAMETER}=${now}, but this deploy would send '' (${i.secondary.seen}${i.secondary.stack ? `, without a ${REPLICA_PARAMETER} output` : ''}), which removes: ${list}. ${i.secondary.disabled ? 'Set toggles.secondaryStack to true and deploy the secondary first (--secondary)' : 'Deploy the secondary first (--secondary)'}, pass --parameter ${REPLICA_PARAMETER}=<arn>, or re-run with --allow-dr-removal to remove replication on purpose`,
  );
}

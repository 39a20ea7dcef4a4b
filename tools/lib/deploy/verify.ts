/**
 * After every deploy (and every "no changes"), believe only what CloudFormation shows: the stack
 * and each nested stack must be in the `*_COMPLETE` state the operation leads to, and every output
 * their templates declare (as the server holds them: GetTemplate) must be present. Any gap is one
 * DeployError naming every problem. (moto has said CREATE_COMPLETE for a stack that created nothing.)
 *
 * | operation          | root must be                              | each nested stack must be         |
 * |--------------------|-------------------------------------------|-----------------------------------|
 * | CREATE             | CREATE_COMPLETE                           | CREATE_COMPLETE                   |
 * | UPDATE             | UPDATE_COMPLETE                           | CREATE_COMPLETE or UPDATE_COMPLETE (unchanged children keep theirs) |
 * | NONE (no changes)  | CREATE_, UPDATE_, IMPORT_ or UPDATE_ROLLBACK_COMPLETE | CREATE_COMPLETE or UPDATE_COMPLETE |
 */
import { DescribeStacksCommand, GetTemplateCommand, ListStackResourcesCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import { describeAwsError, DeployError } from './errors';
import { NESTED_STACK_TYPE } from './events';
import { outputsRecord } from './outputs';

export type Operation = 'CREATE' | 'UPDATE' | 'NONE';

const ROOT_OK: Record<Operation, readonly string[]> = {
  CREATE: ['CREATE_COMPLETE'],
  UPDATE: ['UPDATE_COMPLETE'],
  NONE: ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'],
};
const NESTED_OK: Record<Operation, readonly string[]> = {
  CREATE: ['CREATE_COMPLETE'],
  UPDATE: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'],
  NONE: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'],
};

type Json = unknown;

/** An output value that is an intrinsic function printed as text: `{'Fn::GetAtt': [...]}`. */
const UNRESOLVED = /^\{\s*['"](Fn::[A-Za-z]+|Ref)['"]\s*:/;

/**
 * Evaluates a template's Conditions with the stack's parameter values: `Fn::Equals`, `Fn::And`,
 * `Fn::Or`, `Fn::Not`, `Condition`, `Ref` to parameters and pseudo parameters. Returns undefined
 * for a condition it cannot decide (anything else).
 */
export function evaluateConditions(conditions: Record<string, Json>, values: Readonly<Record<string, string>>): Record<string, boolean | undefined> {
  const out: Record<string, boolean | undefined> = {};
  const busy = new Set<string>();
  const value = (x: Json): string | undefined => {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return String(x);
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      const [k, v] = Object.entries(x)[0] ?? [];
      if (k === 'Ref' && typeof v === 'string') return values[v];
    }
    return undefined;
  };
  const truth = (x: Json): boolean | undefined => {
    if (!x || typeof x !== 'object' || Array.isArray(x)) return undefined;
    const [k, v] = Object.entries(x)[0] ?? [];
    const args = Array.isArray(v) ? v : [];
    switch (k) {
      case 'Condition':
        return typeof v === 'string' ? named(v) : undefined;
      case 'Fn::Equals': {
        const [a, b] = args.map(value);
        return a === undefined || b === undefined ? undefined : a === b;
      }
      case 'Fn::Not': {
        const t = truth(args[0]);
        return t === undefined ? undefined : !t;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const ts = args.map(truth);
        if (k === 'Fn::And' && ts.includes(false)) return false;
        if (k === 'Fn::Or' && ts.includes(true)) return true;
        return ts.includes(undefined) ? undefined : k === 'Fn::And';
      }
      default:
        return undefined;
    }
  };
  const named = (name: string): boolean | undefined => {
    if (name in out) return out[name];
    if (busy.has(name)) return undefined;
    busy.add(name);
    out[name] = truth(conditions[name]);
    return out[name];
  };
  for (const name of Object.keys(conditions)) named(name);
  return out;
}

/** Outputs the template declares that must exist given the parameter values (an undecidable Condition does not require one). */
export function declaredOutputs(templateText: string, values: Readonly<Record<string, string>>, file = 'template'): string[] {
  const doc = parseTemplate(templateText, file);
  const conditions = evaluateConditions((doc.Conditions as Record<string, Json> | undefined) ?? {}, values);
  return Object.entries((doc.Outputs as Record<string, { Condition?: string }> | undefined) ?? {})
    .filter(([, o]) => !o?.Condition || conditions[o.Condition] === true)
    .map(([k]) => k)
    .sort();
}

/** Parameter values of a stack as CloudFormation resolved them, plus the pseudo parameters conditions may use. */
function stackValues(stack: Stack): Record<string, string> {
  const arn = /^arn:([^:]+):cloudformation:([^:]+):(\d+):/.exec(stack.StackId ?? '');
  const values: Record<string, string> = {
    'AWS::StackName': stack.StackName ?? '',
    'AWS::StackId': stack.StackId ?? '',
    ...(arn ? { 'AWS::Partition': arn[1]!, 'AWS::Region': arn[2]!, 'AWS::AccountId': arn[3]! } : {}),
  };
  for (const p of stack.Parameters ?? []) if (p.ParameterKey) values[p.ParameterKey] = p.ResolvedValue ?? p.ParameterValue ?? '';
  return values;
}

async function read<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new DeployError(describeAwsError(doing, error), 1, { cause: error });
  }
}

export interface VerifiedStack {
  readonly stack: Stack;
  readonly outputs: Record<string, string>;
  /** Tree paths of the nested stacks checked. */
  readonly nested: readonly string[];
}

/**
 * Checks a stack and its nested stacks as the table above says; returns the stack (fresh) and
 * its outputs, or throws one DeployError listing every problem and `fix`.
 */
export async function verifyStack(
  cfn: CloudFormationClient,
  stackName: string,
  operation: Operation,
  fix: string,
  displayName = stackName,
): Promise<VerifiedStack> {
  const problems: string[] = [];
  const nested: string[] = [];
  const describe = async (id: string): Promise<Stack | undefined> =>
    (await read(`reading stack ${id}`, () => cfn.send(new DescribeStacksCommand({ StackName: id })))).Stacks?.[0];

  async function check(stack: Stack, path: string, allowed: readonly string[]): Promise<void> {
    const status = stack.StackStatus ?? 'UNKNOWN';
    if (!allowed.includes(status))
      problems.push(`${path} is ${status}${stack.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}, expected ${allowed.join(' or ')}`);
    const body =
      (await read(`reading the template of ${path}`, () => cfn.send(new GetTemplateCommand({ StackName: stack.StackId ?? path, TemplateStage: 'Original' }))))
        .TemplateBody ?? '';
    const values = outputsRecord(stack.Outputs);
    // An intrinsic echoed back as text is an output the server could not resolve (moto does this).
    const present = new Set(Object.keys(values).filter((k) => !UNRESOLVED.test(values[k]!)));
    const missing = declaredOutputs(body, stackValues(stack), path).filter((k) => !present.has(k));
    if (missing.length > 0)
      problems.push(`${path} lacks ${missing.length} output${missing.length === 1 ? '' : 's'} its template declares: ${missing.join(', ')}`);

    let token: string | undefined;
    do {
      const page = await read(`listing the resources of ${path}`, () =>
        cfn.send(new ListStackResourcesCommand({ StackName: stack.StackId ?? path, NextToken: token })),
      );
      for (const r of page.StackResourceSummaries ?? []) {
        if (r.ResourceType !== NESTED_STACK_TYPE) continue;
        const childPath = `${path}/${r.LogicalResourceId}`;
        nested.push(childPath);
        const child = r.PhysicalResourceId ? await describe(r.PhysicalResourceId).catch(() => undefined) : undefined;
        if (!child) problems.push(`${childPath} (nested stack) does not exist${r.ResourceStatus ? ` (resource ${r.ResourceStatus})` : ''}`);
        else await check(child, childPath, NESTED_OK[operation]);
      }
      token = page.NextToken;
    } while (token);
  }

  const stack = await describe(stackName).catch((error: unknown) => {
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw error;
  });
  if (!stack) throw new DeployError(`${displayName} does not exist after the deploy; ${fix}`);
  await check(stack, displayName, ROOT_OK[operation]);
  if (problems.length > 0) {
    throw new DeployError(`${displayName}: CloudFormation does not confirm the deploy: ${problems.join('; ')}. ${fix}`);
  }
  return { stack, outputs: outputsRecord(stack.Outputs), nested };
}

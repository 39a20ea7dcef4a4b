/**
 * What a deployment creates: the root stack, every nested stack root includes (its
 * `AWS::CloudFormation::Stack` condition evaluated) with the parameter values root passes it,
 * and, when the deployment has one, the secondary-region stack with the parameters the deploy
 * tool gives it. Each stack becomes a StackScope that evaluates values in it.
 *
 * Provenance: root parameters depend on themselves (`EnableDax` → {EnableDax}); a nested
 * stack's parameter depends on whatever root used to compute it (`NatGatewayMode` ←
 * `!If [IsProd, per-az, single]` → {Environment}); `AWS::Region` depends on `AWS::Region` (the
 * --region flag) in the primary region and on `SecondaryRegion` in the secondary one.
 */
import path from 'node:path';
import { isRecord, section, type Json } from '../grade/tree';
import { EMPTY_DEPS, StackScope, parameterValue, unionDeps, Unknown, type Evaluated } from './evaluate';

/** A twelve-digit stand-in: names that embed the account match across stacks all the same. */
export const PLACEHOLDER_ACCOUNT_ID = '123456789012';

export interface DeploymentInput {
  /** File name → parsed template (generated/ or a git ref). */
  readonly templates: ReadonlyMap<string, Json>;
  /** Root parameter name → value, only the ones the deployment sets (the rest keep the template default). */
  readonly rootValues: Readonly<Record<string, string>>;
  /** Region of the root stack. */
  readonly region: string;
  /** Root stack name (pseudo parameter `AWS::StackName`). @default stack */
  readonly stackName?: string;
  /** Root template file. @default root.yaml */
  readonly rootFile?: string;
  /**
   * The secondary-region template, when the deployment includes it (deploy --secondary).
   * Its region is the root's resolved SecondaryRegion.
   */
  readonly secondaryFile?: string;
}

export interface StackInstance {
  /** Short name, the file name without `.yaml` (`networking`, `root`, `secondary`). */
  readonly name: string;
  readonly file: string;
  /** Logical ID of the nesting `AWS::CloudFormation::Stack` in root, for nested stacks. */
  readonly logicalId?: string;
  readonly region: string;
  readonly scope: StackScope;
}

export interface ExcludedStack {
  readonly logicalId: string;
  readonly file: string;
  readonly condition: string;
  readonly deps: ReadonlySet<string>;
}

export interface Deployment {
  readonly region: string;
  readonly secondaryRegion?: string;
  readonly stacks: readonly StackInstance[];
  /** Nested stacks whose condition is false. */
  readonly excludedStacks: readonly ExcludedStack[];
}

function pseudo(region: Evaluated, stackName: string): Map<string, Evaluated> {
  const fixed = (value: unknown): Evaluated => ({ value, deps: EMPTY_DEPS });
  return new Map<string, Evaluated>([
    ['AWS::Region', region],
    ['AWS::AccountId', fixed(PLACEHOLDER_ACCOUNT_ID)],
    ['AWS::Partition', fixed('aws')],
    ['AWS::URLSuffix', fixed('amazonaws.com')],
    ['AWS::StackName', fixed(stackName)],
    ['AWS::StackId', fixed(new Unknown('the stack ID is assigned at deploy time'))],
    ['AWS::NotificationARNs', fixed([])],
  ]);
}

/** Values for every parameter a template declares: given ones, else its Default, else Unknown. */
function parameterValues(template: Json, given: ReadonlyMap<string, Evaluated>, stack: string): Map<string, Evaluated> {
  const out = new Map<string, Evaluated>();
  for (const [name, definition] of Object.entries(section(template, 'Parameters'))) {
    const d = isRecord(definition) ? definition : {};
    const passed = given.get(name);
    if (passed) {
      const v = passed.value;
      out.set(name, { value: typeof v === 'string' || typeof v === 'number' ? parameterValue(d.Type, String(v)) : v, deps: passed.deps });
    } else if (d.Default !== undefined) {
      out.set(name, { value: parameterValue(d.Type, String(d.Default)), deps: EMPTY_DEPS });
    } else {
      out.set(name, { value: new Unknown(`${stack} parameter ${name} has no value and no default`), deps: EMPTY_DEPS });
    }
  }
  return out;
}

const stem = (file: string): string => path.posix.basename(file).replace(/\.(ya?ml|json)$/, '');

/** The stacks a deployment creates, each with its parameter values evaluated. */
export function instantiate(input: DeploymentInput): Deployment {
  const rootFile = input.rootFile ?? 'root.yaml';
  const rootTemplate = input.templates.get(rootFile);
  if (!rootTemplate) throw new Error(`no ${rootFile} among the templates (${[...input.templates.keys()].join(', ') || 'none'})`);
  const stackName = input.stackName ?? 'stack';
  const given = new Map<string, Evaluated>(Object.entries(input.rootValues).map(([k, v]) => [k, { value: v, deps: new Set([k]) }]));
  // Parameters left at their default still depend on themselves: changing them is a remedy too.
  const rootParams = parameterValues(rootTemplate, given, 'root');
  for (const [name, e] of rootParams) if (e.deps.size === 0) rootParams.set(name, { value: e.value, deps: new Set([name]) });
  const region: Evaluated = { value: input.region, deps: new Set(['AWS::Region']) };
  const root = new StackScope({ stack: 'root', template: rootTemplate, parameters: rootParams, pseudo: pseudo(region, stackName) });
  const stacks: StackInstance[] = [{ name: stem(rootFile), file: rootFile, region: input.region, scope: root }];
  const excludedStacks: ExcludedStack[] = [];

  for (const [logicalId, resource] of Object.entries(section(rootTemplate, 'Resources'))) {
    if (!isRecord(resource) || resource.Type !== 'AWS::CloudFormation::Stack') continue;
    const url = section(resource, 'Properties').TemplateURL;
    if (typeof url !== 'string') continue;
    const file = path.posix.normalize(path.posix.join(path.posix.dirname(rootFile), url));
    if (typeof resource.Condition === 'string') {
      const c = root.condition(resource.Condition);
      if (!c.value) {
        excludedStacks.push({ logicalId, file, condition: resource.Condition, deps: c.deps });
        continue;
      }
    }
    const template = input.templates.get(file);
    if (!template) throw new Error(`root.yaml ${logicalId}: TemplateURL ${url} names ${file}, which is not among the templates`);
    const passed = new Map<string, Evaluated>();
    for (const [name, value] of Object.entries(section(section(resource, 'Properties'), 'Parameters'))) passed.set(name, root.evaluate(value));
    const scope = new StackScope({
      stack: stem(file),
      template,
      parameters: parameterValues(template, passed, stem(file)),
      pseudo: pseudo(region, `${stackName}-${logicalId}`),
    });
    stacks.push({ name: stem(file), file, logicalId, region: input.region, scope });
  }

  let secondaryRegion: string | undefined;
  if (input.secondaryFile) {
    const template = input.templates.get(input.secondaryFile);
    if (!template) throw new Error(`no ${input.secondaryFile} among the templates`);
    const chosen = root.evaluate({
      'Fn::If': ['HasSecondaryRegion', { Ref: 'SecondaryRegion' }, { 'Fn::FindInMap': ['RegionConfig', { Ref: 'AWS::Region' }, 'Secondary'] }],
    });
    if (typeof chosen.value !== 'string') throw new Error(`cannot tell the secondary region: ${String(chosen.value)}`);
    secondaryRegion = chosen.value;
    const secondaryRegionValue: Evaluated = { value: secondaryRegion, deps: chosen.deps };
    // The deploy tool's rule (tools/lib/deploy/cli.ts secondaryParameters): PrimaryRegion, NamePrefix
    // as root computes it for nested stacks, and any root parameter of the same name.
    const passed = new Map<string, Evaluated>();
    for (const name of Object.keys(section(template, 'Parameters'))) {
      if (name === 'PrimaryRegion') passed.set(name, region);
      else if (name === 'NamePrefix') passed.set(name, root.evaluate({ 'Fn::Sub': '${ProjectName}-${Environment}' }));
      else if (rootParams.has(name)) passed.set(name, rootParams.get(name)!);
    }
    const scope = new StackScope({
      stack: stem(input.secondaryFile),
      template,
      parameters: parameterValues(template, passed, stem(input.secondaryFile)),
      pseudo: pseudo(secondaryRegionValue, `${stackName}-secondary`),
    });
    stacks.push({ name: stem(input.secondaryFile), file: input.secondaryFile, region: secondaryRegion, scope });
  }
  return { region: input.region, ...(secondaryRegion ? { secondaryRegion } : {}), stacks, excludedStacks };
}

/** Root parameters the secondary stack's outputs feed (ReplicaKmsKeyArn): outputs named like a root parameter. */
export function secondaryFeeds(templates: ReadonlyMap<string, Json>, secondaryFile: string, rootFile = 'root.yaml'): string[] {
  const outputs = Object.keys(section(templates.get(secondaryFile) ?? {}, 'Outputs'));
  const rootParameters = section(templates.get(rootFile) ?? {}, 'Parameters');
  return outputs.filter((o) => o in rootParameters).sort();
}

export { unionDeps };

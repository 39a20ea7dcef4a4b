/**
 * Money in the deploy tool (issue 13 point 3): before the confirm prompt of `npm run deploy` and
 * in `npm run diff`, the monthly delta of the change — "+$65.70/month: 2 NAT gateways in AppVpc" —
 * computed by the cost engine (tools/lib/cost) from what CloudFormation holds now (GetTemplate of
 * the stack and each nested stack, the stack's parameters from DescribeStacks: what the
 * verification reads too) and what this deploy sends; and `MonthlyBudgetUsd` derived from the
 * estimate when neither the file nor a flag sets it (tools/lib/cost/budget.ts).
 *
 * | the stack in CloudFormation               | before side                        | shown                          |
 * | ----------------------------------------- | ---------------------------------- | ------------------------------ |
 * | absent, REVIEW_IN_PROGRESS, ROLLBACK_COMPLETE | nothing (a first deploy)       | the full estimate, largest lines |
 * | deployed                                  | its templates and parameters       | the delta, largest lines first |
 * | unreadable (denied, a template the engine cannot evaluate) | —                 | "not estimated (reason)"; the deploy goes on |
 *
 * The estimate is an offline figure at list prices; it never blocks a deploy.
 */
import {
  GetTemplateCommand,
  ListStackResourcesCommand,
  type CloudFormationClient,
  type ListStackResourcesCommandOutput,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import path from 'node:path';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import { buildAll } from '../build-templates';
import { BUDGET_PARAMETER, budgetAdvice, costDelta, estimate, loadTemplates, renderDelta, usd, type Estimate, type EstimateInput } from '../cost';
import { isRecord, section, type Json } from '../grade/tree';
import { deploysSecondary, type ParameterFile, type ResolvedParameters } from '../params';
import { describeAwsError } from './errors';
import { NESTED_STACK_TYPE } from './events';
import { classify, describeStack } from './stack-state';

/** Most delta lines shown before the prompt; the rest are summarised in one line. */
export const COST_LINES_SHOWN = 8;

const ROOT_FILE = 'root.yaml';
const SECONDARY_FILE = 'secondary.yaml';

export interface DeployCostOptions {
  /** Where generated/ is (the deploy's repository root). */
  readonly repoRoot: string;
  /** Estimate from generated/ as it is (`--no-build`), else from the templates the sources build now (what packaging writes). */
  readonly noBuild: boolean;
  readonly file: ParameterFile;
  /** How the parameter file is named in messages. */
  readonly displayName: string;
  readonly stackName: string;
  readonly region: string;
  /** Name of the secondary-region stack (`<stackName>-secondary`). */
  readonly secondaryStackName: string;
}

/** The stack tree CloudFormation holds, as the engine reads templates: file → template, and the root's parameter values. */
export interface DeployedTree {
  readonly templates: Map<string, Json>;
  readonly rootValues: Record<string, string>;
}

/** The templates of this deploy: generated/ (`--no-build`) or built from templates-src now. */
async function localTemplates(o: Pick<DeployCostOptions, 'repoRoot' | 'noBuild'>): Promise<Map<string, Json>> {
  if (o.noBuild) return loadTemplates(path.join(o.repoRoot, 'generated'));
  return new Map(buildAll({ verify: false }).map((t) => [t.file, parseTemplate(t.text, t.file) as Json]));
}

async function templateOf(cfn: CloudFormationClient, stackId: string, what: string): Promise<Json> {
  let body: string | undefined;
  try {
    body = (await cfn.send(new GetTemplateCommand({ StackName: stackId, TemplateStage: 'Original' }))).TemplateBody;
  } catch (error) {
    throw new Error(describeAwsError(`reading the template of ${what}`, error), { cause: error });
  }
  if (!body) throw new Error(`reading the template of ${what}: CloudFormation returned no template body`);
  return parseTemplate(body, what) as Json;
}

const parametersOf = (stack: Stack): Record<string, string> =>
  Object.fromEntries((stack.Parameters ?? []).filter((p) => p.ParameterKey).map((p) => [p.ParameterKey!, p.ResolvedValue ?? p.ParameterValue ?? '']));

/** A stack that exists but holds nothing deployed: a change set under review, or a failed first create. */
const holdsNothing = (stack: Stack | undefined): boolean => ['absent', 'review', 'rollback-complete'].includes(classify(stack?.StackStatus));

/**
 * The deployed root stack and its nested stacks, or undefined when nothing is deployed. Each
 * nested template is filed under the name the local root gives the same logical ID
 * (`Networking` → networking.yaml), and the deployed root's TemplateURLs (S3 URLs after packaging)
 * point at those names, so both sides name their stacks alike.
 */
export async function readDeployedTree(cfn: CloudFormationClient, stackName: string, localRoot?: Json): Promise<DeployedTree | undefined> {
  const stack = await describeStack(cfn, stackName);
  if (holdsNothing(stack)) return undefined;
  const stackId = stack!.StackId ?? stackName;
  const root = await templateOf(cfn, stackId, stackName);
  const templates = new Map<string, Json>([[ROOT_FILE, root]]);
  const localResources = section(localRoot ?? {}, 'Resources');
  let token: string | undefined;
  do {
    let page: ListStackResourcesCommandOutput;
    try {
      page = await cfn.send(new ListStackResourcesCommand({ StackName: stackId, NextToken: token }));
    } catch (error) {
      throw new Error(describeAwsError(`listing the resources of ${stackName}`, error), { cause: error });
    }
    for (const r of page.StackResourceSummaries ?? []) {
      if (r.ResourceType !== NESTED_STACK_TYPE || !r.LogicalResourceId || !r.PhysicalResourceId) continue;
      const declared = section(section(root, 'Resources'), r.LogicalResourceId);
      if (!isRecord(declared.Properties)) continue;
      const localUrl = section(section(localResources, r.LogicalResourceId), 'Properties').TemplateURL;
      const file = typeof localUrl === 'string' ? path.posix.basename(localUrl) : `${r.LogicalResourceId.toLowerCase()}.yaml`;
      templates.set(file, await templateOf(cfn, r.PhysicalResourceId, `${stackName}/${r.LogicalResourceId}`));
      (declared.Properties as Record<string, unknown>).TemplateURL = `./${file}`;
    }
    token = page.NextToken;
  } while (token);
  return { templates, rootValues: parametersOf(stack!) };
}

/** An estimate of nothing: the before side of a first deploy. */
function nothing(region: string): Estimate {
  return { region, currency: 'USD', monthly: { fixed: 0, usage: 0, total: 0 }, stacks: [], unpriced: [], excluded: [], assumptions: [], parameters: {} };
}

/** The estimate narrowed to some of its stacks, totals recomputed. */
function narrowed(e: Estimate, stacks: readonly string[]): Estimate {
  const kept = e.stacks.filter((s) => stacks.includes(s.stack));
  const fixed = kept.reduce((n, s) => n + s.fixed, 0);
  const usage = kept.reduce((n, s) => n + s.usage, 0);
  return {
    ...e,
    stacks: kept,
    monthly: { fixed, usage, total: fixed + usage },
    unpriced: e.unpriced.filter((u) => stacks.includes(u.stack)),
    excluded: e.excluded.filter((x) => stacks.includes(x.stack)),
  };
}

const firstLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0]!;

/** The lines shown for a before/after pair: the delta, or the full estimate of a first deploy. */
export function costLines(before: Estimate | undefined, after: Estimate, what: string): string[] {
  const full = costDelta(before ?? nothing(after.region), after);
  // A first deploy lists what costs money; a change also lists free resources it adds or removes.
  const delta = before ? full : { ...full, lines: full.lines.filter((l) => Math.abs(l.delta) >= 0.005) };
  const [, ...lines] = renderDelta({ ...delta, newlyUnpriced: [] }, { maxLines: COST_LINES_SHOWN });
  const unpriced = delta.newlyUnpriced.length;
  if (unpriced > 0)
    lines.push(
      `  plus ${unpriced} line(s) with no price for ${[...new Set(delta.newlyUnpriced.map((u) => u.region))].sort().join(', ')}, not in the figure (npm run cost lists them)`,
    );
  const m = after.monthly;
  const head = `monthly cost of ${what} (offline estimate at list prices, as npm run cost prints it):`;
  if (!before)
    return [
      head,
      `  first deploy: ${usd(m.total)}/month (${usd(m.fixed)} fixed, ${usd(m.usage)} usage)${lines.length > 0 ? '; the largest parts:' : ''}`,
      ...lines.map((l) => `  ${l}`),
    ];
  if (delta.lines.length === 0 && delta.newlyUnpriced.length === 0) return [head, `  no change: ${usd(m.total)}/month`];
  const sign = delta.delta.total >= 0 ? '+' : '';
  return [
    head,
    `  ${sign}${usd(delta.delta.total)}/month (${usd(delta.before.total)} → ${usd(m.total)}; fixed ${delta.delta.fixed >= 0 ? '+' : ''}${usd(delta.delta.fixed)}, usage ${delta.delta.usage >= 0 ? '+' : ''}${usd(delta.delta.usage)})`,
    ...lines.map((l) => `  ${l}`),
  ];
}

/**
 * The deploy's cost: built once per run from the local templates, asked for the budget before the
 * change set is created and for the lines before each confirm prompt.
 */
export class DeployCost {
  private constructor(
    private readonly o: DeployCostOptions,
    /** The templates of this deploy, or why they could not be read. */
    private readonly local: Map<string, Json> | Error,
  ) {}

  static async load(o: DeployCostOptions): Promise<DeployCost> {
    const local = await localTemplates(o).catch((error: unknown) => new Error(`reading the templates: ${firstLine(error)}`));
    return new DeployCost(o, local);
  }

  private input(templates: ReadonlyMap<string, Json>, rootValues: Readonly<Record<string, string>>, secondary: boolean): EstimateInput {
    return {
      templates,
      rootValues,
      region: this.o.region,
      stackName: this.o.stackName,
      secondaryFile: secondary && templates.has(SECONDARY_FILE) ? SECONDARY_FILE : false,
    };
  }

  /**
   * The root values with MonthlyBudgetUsd derived from the estimate of the whole deployment (the
   * secondary stack too when it has one) when the file and the flags leave it out and the root
   * template declares it, and a line saying what the budget is.
   */
  withBudget(resolved: ResolvedParameters): { values: Record<string, string>; line?: string } {
    const values = { ...resolved.values };
    if (this.local instanceof Error)
      return {
        values,
        line: `budget: not derived (${this.local.message}); ${BUDGET_PARAMETER} keeps ${resolved.values[BUDGET_PARAMETER] ?? 'the template default'}`,
      };
    if (section(section(this.local.get(ROOT_FILE) ?? {}, 'Parameters'), BUDGET_PARAMETER).Type === undefined) return { values };
    const source = resolved.sources[BUDGET_PARAMETER];
    let e: Estimate;
    try {
      e = estimate(this.input(this.local, values, deploysSecondary(this.o.file)));
    } catch (error) {
      return {
        values,
        line: `budget: not derived (the estimate failed: ${firstLine(error)}); ${BUDGET_PARAMETER} keeps ${values[BUDGET_PARAMETER] ?? 'the template default'}`,
      };
    }
    const setBy = source === 'flag' ? `--parameter ${BUDGET_PARAMETER}` : `${this.o.displayName} monthlyBudgetUsd`;
    const advice = budgetAdvice(e.monthly.total, source === 'default' ? undefined : values[BUDGET_PARAMETER], setBy);
    if (advice.source === 'estimate') values[BUDGET_PARAMETER] = String(advice.usd);
    // The estimate is a lower bound where prices are missing (most of them outside us-east-1): say so.
    const regions = [...new Set(e.unpriced.map((u) => u.region))].sort().join(', ');
    const lowerBound =
      advice.source === 'estimate' && e.unpriced.length > 0
        ? `; the estimate is a lower bound (${e.unpriced.length} line(s) have no price for ${regions})`
        : '';
    return {
      values: Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b))),
      line: `budget: ${advice.warning ? `warning: ${advice.warning}` : advice.text}${lowerBound}`,
    };
  }

  /** The lines for the root stack's change (its nested stacks included, the secondary stack not). Never throws. */
  async primaryLines(cfn: CloudFormationClient, values: Readonly<Record<string, string>>): Promise<string[]> {
    return this.lines(`${this.o.stackName}`, async (local) => {
      const after = estimate(this.input(local, values, false));
      const deployed = await readDeployedTree(cfn, this.o.stackName, local.get(ROOT_FILE));
      return { after, before: deployed ? estimate(this.input(deployed.templates, deployed.rootValues, false)) : undefined };
    });
  }

  /** The lines for the secondary stack's change (that stack only). Never throws. */
  async secondaryLines(cfn: CloudFormationClient, values: Readonly<Record<string, string>>): Promise<string[]> {
    return this.lines(this.o.secondaryStackName, async (local) => {
      const after = narrowed(estimate(this.input(local, values, true)), ['secondary']);
      const stack = await describeStack(cfn, this.o.secondaryStackName);
      if (holdsNothing(stack)) return { after, before: undefined };
      // The deployed secondary template with the parameters it was given: those named like root
      // parameters are what the deploy tool passed from root, so they stand in for root's here.
      const deployed = new Map(local);
      deployed.set(SECONDARY_FILE, await templateOf(cfn, stack!.StackId ?? this.o.secondaryStackName, this.o.secondaryStackName));
      const given = parametersOf(stack!);
      const rootNames = new Set(Object.keys(section(local.get(ROOT_FILE) ?? {}, 'Parameters')));
      const before = narrowed(
        estimate(this.input(deployed, { ...values, ...Object.fromEntries(Object.entries(given).filter(([k]) => rootNames.has(k))) }, true)),
        ['secondary'],
      );
      return { after, before };
    });
  }

  private async lines(what: string, sides: (local: Map<string, Json>) => Promise<{ before?: Estimate; after: Estimate }>): Promise<string[]> {
    try {
      if (this.local instanceof Error) throw this.local;
      const { before, after } = await sides(this.local);
      return costLines(before, after, what);
    } catch (error) {
      return [
        `monthly cost of ${what}: not estimated (${firstLine(error)}); npm run cost -- --params ${path.basename(this.o.displayName)} estimates it offline`,
      ];
    }
  }
}

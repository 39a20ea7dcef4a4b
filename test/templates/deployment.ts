/**
 * The stacks of one environment as `npm run deploy -- --params <file>` would create them, evaluated
 * from the committed templates with tools/lib/validate/evaluate.ts: root with the values the deploy
 * tool passes, each nested stack that exists with the parameters root computes for it, and the
 * secondary-region stack with the deploy tool's secondaryParameters. Shared by the template tests
 * that ask what a parameter file deploys.
 */
import path from 'node:path';
import { secondaryParameters, secondaryStackName } from '../../tools/lib/deploy/cli';
import { readTemplates, type TemplateFile } from '../../tools/lib/validate';
import { evaluate, EvaluationError, parameterValues, resourceExists, type EvaluationContext } from '../../tools/lib/validate/evaluate';

type Json = Record<string, any>;

export const REPO = path.resolve(__dirname, '../..');
export const ACCOUNT = '111122223333';

/** generated/ as the validator reads it (file → template). */
export async function generatedTemplates(): Promise<Map<string, TemplateFile>> {
  const { files, findings } = await readTemplates(path.join(REPO, 'generated'));
  if (findings.length > 0) throw new Error(`generated/ does not read cleanly: ${JSON.stringify(findings)}`);
  return new Map(files.map((f) => [f.file, f]));
}

export interface EvaluatedDeployment {
  readonly label: string;
  /** Root first, then each nested stack that exists (by logical ID), then the secondary stack when included. */
  readonly stacks: EvaluationContext[];
  /** Logical ID of the nesting stack resource → its context; `root` and `secondary` for the others. */
  readonly byId: ReadonlyMap<string, EvaluationContext>;
}

export interface DeploymentOptions {
  readonly label: string;
  /** Root parameter values (resolveRootParameters' values); the rest keep their defaults. */
  readonly values: Readonly<Record<string, string>>;
  readonly regions: { readonly primary: string; readonly secondary: string };
  readonly stackName: string;
  /** Evaluate the secondary-region stack too. @default true */
  readonly secondary?: boolean;
}

/** A nested stack's parameters are strings: lists were joined by the parent. */
const asParameter = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

export function evaluateDeployment(templates: ReadonlyMap<string, TemplateFile>, o: DeploymentOptions): EvaluatedDeployment {
  const template = (file: string): TemplateFile => {
    const t = templates.get(file);
    if (!t) throw new Error(`generated/${file} is missing`);
    return t;
  };
  const root = template('root.yaml');
  const children = new Map<string, EvaluationContext>();
  const rootCtx: EvaluationContext = {
    stack: `${o.label}/root`,
    doc: root.doc,
    parameters: parameterValues(root.doc, o.values, `${o.label} root.yaml`),
    region: o.regions.primary,
    account: ACCOUNT,
    stackName: o.stackName,
    stackOutput: (id, output) => {
      const child = childOf(id);
      const definition = (child.doc.Outputs as Json | undefined)?.[output];
      if (!definition) throw new EvaluationError(`${o.label}: ${id} has no output ${output}`);
      if (typeof definition.Condition === 'string' && !evaluate({ Condition: definition.Condition }, child))
        throw new EvaluationError(`${o.label}: ${id}.Outputs.${output} does not exist for these parameters`);
      return evaluate(definition.Value, child, `${id}.Outputs.${output}`);
    },
  };
  function childOf(id: string): EvaluationContext {
    const known = children.get(id);
    if (known) return known;
    const resource = (root.doc.Resources as Json)[id] as Json;
    const file = String(resource.Properties.TemplateURL).replace(/^\.\//, '');
    const given = evaluate(resource.Properties.Parameters ?? {}, rootCtx, `${id}.Parameters`) as Json;
    const doc = template(file).doc;
    const ctx: EvaluationContext = {
      stack: `${o.label}/${id}`,
      doc,
      parameters: parameterValues(doc, Object.fromEntries(Object.entries(given).map(([k, v]) => [k, asParameter(v)])), `${o.label} ${file}`),
      region: o.regions.primary,
      account: ACCOUNT,
      stackName: `${file.replace('.yaml', '')}-nested`,
    };
    children.set(id, ctx);
    return ctx;
  }
  const nested = Object.entries(root.doc.Resources as Record<string, Json>).filter(
    ([, r]) => r.Type === 'AWS::CloudFormation::Stack' && resourceExists(r, rootCtx),
  );
  const byId = new Map<string, EvaluationContext>([['root', rootCtx], ...nested.map(([id]) => [id, childOf(id)] as const)]);
  if (o.secondary ?? true) {
    const secondary = template('secondary.yaml');
    byId.set('secondary', {
      stack: `${o.label}/secondary`,
      doc: secondary.doc,
      parameters: parameterValues(secondary.doc, secondaryParameters(secondary.text!, o.values, o.regions.primary), `${o.label} secondary.yaml`),
      region: o.regions.secondary,
      account: ACCOUNT,
      stackName: secondaryStackName(o.stackName),
    });
  }
  return { label: o.label, stacks: [...byId.values()], byId };
}

/** `Stack/LogicalId` of every resource that exists in the deployment (root's nested stack resources included). */
export function existingResources(d: EvaluatedDeployment): Set<string> {
  const out = new Set<string>();
  for (const [id, ctx] of d.byId) {
    for (const [logicalId, r] of Object.entries(ctx.doc.Resources as Record<string, Json>)) if (resourceExists(r, ctx)) out.add(`${id}/${logicalId}`);
  }
  return out;
}

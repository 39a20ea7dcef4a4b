/**
 * What every bullet check is made of. A check is a plain function of the submission's tree
 * (cdk-nag style: no I/O, never throws on odd input) that returns the bullet's parts: each part
 * is one thing the bullet asks for ("gateway endpoint for s3"), with the credit earned in [0, 1],
 * the evidence that earned it (file, logical ID, type, the property that satisfied it) and, when
 * the credit is not full, what is missing in words a student can act on. The bullet's score is
 * the weighted mean of its parts, so list bullets earn proportional credit.
 */
import { allText, alternatives, ifConditions, isRecord, isTrue, properties, section, type Json, type ResourceRef, type TemplateTree } from '../tree';

export { allText, alternatives, isRecord, isTrue, properties, section, type Json, type ResourceRef, type TemplateTree };

/** Facts about version control of the submission (bullet 11.2). */
export interface RepoFacts {
  /** The submission's directory is inside a git work tree. */
  readonly isGitRepo: boolean;
  /** Template files (relative to the submission) that git tracks. */
  readonly tracked: ReadonlySet<string>;
}

export interface CheckContext {
  readonly tree: TemplateTree;
  readonly repo: RepoFacts;
}

/** One resource that satisfied (part of) a bullet. */
export interface Evidence {
  readonly file: string;
  readonly logicalId: string;
  readonly type: string;
  /** The property (path) that satisfied the part, e.g. `Properties.ServiceName`. */
  readonly property?: string;
  /** 1-based line of the logical ID in its file. */
  readonly line?: number;
  /** Conditions the resource (or the value) exists under: its `Condition`, its nested stack's, `!If`s in the value. */
  readonly conditions?: readonly string[];
  /** The SAM resource it was expanded from. */
  readonly expandedFrom?: string;
  /** What it showed, when the part's label does not say it. */
  readonly note?: string;
}

export interface Part {
  /** What the bullet asks for, as found: `gateway endpoint for s3`. */
  readonly label: string;
  /** Credit earned, in [0, 1]. */
  readonly credit: number;
  readonly evidence: readonly Evidence[];
  /** For credit below 1: what is missing, concretely (`s3`, `a COGNITO_USER_POOLS authorizer on the methods`). */
  readonly missing?: string;
  /** Relative weight within the bullet. @default 1 */
  readonly weight?: number;
}

export interface BulletOutcome {
  readonly parts: readonly Part[];
  /** Advice appended to the hint when something is missing (the resource type and property to use). */
  readonly advice?: string;
  /** Something the instructor should know that is not a miss (e.g. what cannot be seen in a template). */
  readonly note?: string;
}

export type BulletCheck = (ctx: CheckContext) => BulletOutcome;

/**
 * Evidence for a resource. `property` names the path that satisfied the part; `value` (that
 * property's value) adds the conditions of any `!If` inside it.
 */
export function ev(tree: TemplateTree, r: ResourceRef, property?: string, value?: unknown, note?: string): Evidence {
  const conditions = [...tree.conditionsOf(r), ...(value !== undefined ? [...ifConditions(value)] : [])];
  const line = tree.lineOf(r.file, r.logicalId);
  const from = tree.expandedFrom(r.file, r.logicalId);
  return {
    file: r.file,
    logicalId: r.logicalId,
    type: r.type,
    ...(property ? { property } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(conditions.length > 0 ? { conditions: [...new Set(conditions)] } : {}),
    ...(from ? { expandedFrom: from } : {}),
    ...(note ? { note } : {}),
  };
}

export function found(label: string, evidence: readonly Evidence[], weight?: number): Part {
  return { label, credit: 1, evidence, ...(weight !== undefined ? { weight } : {}) };
}

export function missed(label: string, missing: string, weight?: number): Part {
  return { label, credit: 0, evidence: [], missing, ...(weight !== undefined ? { weight } : {}) };
}

/** A part with partial credit (0 < credit < 1) and what would complete it. */
export function partly(label: string, credit: number, evidence: readonly Evidence[], missing: string, weight?: number): Part {
  return { label, credit: Math.max(0, Math.min(1, credit)), evidence, missing, ...(weight !== undefined ? { weight } : {}) };
}

/** `found` when `evidence` is not empty, else `missed`. */
export function foundIf(label: string, evidence: readonly Evidence[], missing: string, weight?: number): Part {
  return evidence.length > 0 ? found(label, evidence, weight) : missed(label, missing, weight);
}

/** The text a resource is known by: its logical ID, its name-like properties (`!Sub` bodies included) and its `Name` tag. */
export function nameOf(r: ResourceRef): string {
  const p = properties(r.resource);
  const names = [
    'Name',
    'TopicName',
    'BucketName',
    'TableName',
    'FunctionName',
    'QueueName',
    'StreamName',
    'GroupName',
    'GroupDescription',
    'Description',
    'DashboardName',
    'DashboardId',
    'DataSetId',
    'RoleName',
    'AlarmName',
    'ClusterName',
    'DisplayName',
    'AliasName',
  ];
  const tags = Array.isArray(p.Tags) ? p.Tags.filter((t) => isRecord(t) && t.Key === 'Name').map((t) => (t as Json).Value) : [];
  return [r.logicalId, ...names.map((n) => p[n]), ...tags].map(allText).join(' ');
}

export function named(rs: readonly ResourceRef[], pattern: RegExp): ResourceRef[] {
  return rs.filter((r) => pattern.test(nameOf(r)));
}

/** Distinct resources, first occurrence kept. */
export function unique(rs: readonly ResourceRef[]): ResourceRef[] {
  const seen = new Set<string>();
  return rs.filter((r) => {
    const key = `${r.file}#${r.logicalId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The names of a value's `!Ref`s to parameters of its own file (`KmsKeyArn`), for values passed in from outside. */
export function parameterNames(tree: TemplateTree, file: string, value: unknown): string[] {
  const params = section(tree.get(file)?.template ?? {}, 'Parameters');
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isRecord(v)) {
      if (typeof v.Ref === 'string' && v.Ref in params) out.add(v.Ref);
      const sub = v['Fn::Sub'];
      const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
      if (text) for (const m of text.matchAll(/\$\{([^!}.][^}.]*)\}/g)) if (m[1]! in params) out.add(m[1]!);
      for (const [k, x] of Object.entries(v)) if (k !== 'Ref') visit(x);
    }
  };
  visit(value);
  return [...out].sort();
}

/** How a KMS key property is satisfied: a key of the submission, a key passed in, an AWS managed key, or nothing. */
export type KeyUse =
  | { readonly kind: 'cmk'; readonly key: ResourceRef }
  | { readonly kind: 'passed-in'; readonly via: string }
  | { readonly kind: 'aws-managed'; readonly alias: string }
  | { readonly kind: 'none' };

/** Classifies a `KMSMasterKeyID`/`KmsKeyId`-like value (first branch that names a key wins). */
export function keyUse(tree: TemplateTree, file: string, value: unknown): KeyUse {
  for (const v of alternatives(value)) {
    if (v === undefined || v === null || v === '') continue;
    const key = tree.resolveType(file, v, 'AWS::KMS::Key');
    if (key) return { kind: 'cmk', key };
    const alias = tree.resolveType(file, v, 'AWS::KMS::Alias');
    if (alias) {
      const target = tree.resolveType(alias.file, properties(alias.resource).TargetKeyId, 'AWS::KMS::Key');
      if (target) return { kind: 'cmk', key: target };
    }
    const text = allText(v);
    if (/alias\/aws\//.test(text)) return { kind: 'aws-managed', alias: text.replace(/^[\s\S]*?(alias\/aws\/\S+)[\s\S]*$/, '$1') };
    if (isRecord(v) && 'Fn::ImportValue' in v) return { kind: 'passed-in', via: 'an imported value' };
    const params = parameterNames(tree, file, v);
    if (params.length > 0) return { kind: 'passed-in', via: `parameter ${params.join(', ')}` };
    if (/arn:aws[\w-]*:kms:|^[0-9a-f-]{36}$|^alias\//.test(text)) return { kind: 'passed-in', via: `the key ${text.split('\n').pop()}` };
  }
  return { kind: 'none' };
}

/** Event source mappings feeding a function, with the resource each one reads (when it is in the tree). */
export function feeds(tree: TemplateTree, fn: ResourceRef): { mapping: ResourceRef; source?: ResourceRef }[] {
  return tree
    .resources('AWS::Lambda::EventSourceMapping')
    .filter(
      (m) =>
        tree.resolve(m.file, properties(m.resource).FunctionName).some((r) => r.file === fn.file && r.logicalId === fn.logicalId) ||
        allText(properties(m.resource).FunctionName) === fn.logicalId,
    )
    .map((mapping) => ({
      mapping,
      source: tree.resolve(mapping.file, properties(mapping.resource).EventSourceArn).find((r) => r.type !== 'AWS::Lambda::Function'),
    }));
}

/** The IAM role of a function, when it resolves. */
export function roleOf(tree: TemplateTree, fn: ResourceRef): ResourceRef | undefined {
  return tree.resolveType(fn.file, properties(fn.resource).Role, 'AWS::IAM::Role');
}

/** Allow statements of a role: its inline policies and the AWS::IAM::Policy/ManagedPolicy resources attached to it. */
export function allowStatements(tree: TemplateTree, role: ResourceRef): { statement: Json; from: ResourceRef }[] {
  const out: { statement: Json; from: ResourceRef }[] = [];
  const push = (doc: unknown, from: ResourceRef): void => {
    for (const d of alternatives(doc)) {
      if (!isRecord(d)) continue;
      for (const s of (Array.isArray(d.Statement) ? d.Statement : [d.Statement]).flatMap(alternatives))
        if (isRecord(s) && s.Effect === 'Allow') out.push({ statement: s, from });
    }
  };
  for (const p of alternatives(properties(role.resource).Policies).flatMap((v) => (Array.isArray(v) ? v.flatMap(alternatives) : [v])))
    if (isRecord(p)) push(p.PolicyDocument, role);
  for (const policy of tree.resources(/^AWS::IAM::(Policy|ManagedPolicy|RolePolicy)$/)) {
    const p = properties(policy.resource);
    const roles = [p.Roles, p.RoleName].flatMap((v) => (Array.isArray(v) ? v : [v]));
    if (roles.some((r) => tree.resolve(policy.file, r).some((x) => x.file === role.file && x.logicalId === role.logicalId))) push(p.PolicyDocument, policy);
  }
  return out;
}

/** Literal actions of a statement (lower case). */
export function actionsOf(statement: Json): string[] {
  return alternatives(statement.Action)
    .flatMap((v) => (Array.isArray(v) ? v.flatMap(alternatives) : [v]))
    .filter((a): a is string => typeof a === 'string')
    .map((a) => a.toLowerCase());
}

/** True when an action pattern (`dynamodb:*`, `dynamodb:Put*`, `*`) grants `action`. */
export function grants(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return re.test(action);
}

/** Targets of a function's environment variables (resources in the tree), with the variable names. */
export function environmentTargets(tree: TemplateTree, fn: ResourceRef): { variable: string; target: ResourceRef }[] {
  const variables = section(section(properties(fn.resource), 'Environment'), 'Variables');
  return Object.entries(variables).flatMap(([variable, value]) => tree.resolve(fn.file, value).map((target) => ({ variable, target })));
}

/** Environment variables of a function whose names match (for values passed in as parameters). */
export function environmentNames(fn: ResourceRef, pattern: RegExp): string[] {
  return Object.keys(section(section(properties(fn.resource), 'Environment'), 'Variables')).filter((v) => pattern.test(v));
}

/**
 * Whether a function writes to a service: an environment variable naming a resource of `type`
 * (or, passed in, a variable named like `namePattern`), or its role allowing one of `actions`.
 */
export function writesTo(tree: TemplateTree, fn: ResourceRef, type: RegExp, namePattern: RegExp, actions: readonly string[]): Evidence[] {
  const viaEnv = environmentTargets(tree, fn).filter((t) => type.test(t.target.type));
  if (viaEnv.length > 0)
    return unique(viaEnv.map((t) => t.target)).map((t) =>
      ev(tree, t, undefined, undefined, `${fn.logicalId} environment ${viaEnv.find((x) => x.target === t)!.variable}`),
    );
  const role = roleOf(tree, fn);
  if (role) {
    const allowed = allowStatements(tree, role).filter((s) => actionsOf(s.statement).some((a) => actions.some((action) => grants(a, action))));
    if (allowed.length > 0)
      return [
        ev(
          tree,
          allowed[0]!.from,
          'PolicyDocument.Statement',
          undefined,
          `allows ${actionsOf(allowed[0]!.statement)
            .filter((a) => actions.some((x) => grants(a, x)))
            .join(', ')}`,
        ),
      ];
  }
  const names = environmentNames(fn, namePattern);
  if (names.length > 0) return [ev(tree, fn, `Properties.Environment.Variables.${names[0]}`, undefined, `environment ${names.join(', ')} (passed in)`)];
  return [];
}

/**
 * Compares two sets of generated templates (file name → parsed template) resource by resource:
 * added, removed and modified resources with the changed property paths, parameter / output /
 * mapping / condition / metadata changes, a replacement forecast per changed property, and the
 * stateful resources that would be replaced or deleted. Pure: the spec is passed in.
 *
 * Logical IDs are the identity, as in CloudFormation: a renamed logical ID is a removal plus an
 * addition (the old resource is deleted), and is only *noted* as a probable rename.
 */
import { isRecord, section, type Json } from '../grade/tree';
import { worst, type Replacement, type ReplacementSpec } from './spec';
import { STATEFUL_TYPES } from '../stateful';

export { STATEFUL_TYPES };

/** Resource attributes outside Properties that are compared too (none of them replaces). */
const ATTRIBUTES = ['Condition', 'DependsOn', 'Metadata', 'CreationPolicy', 'UpdatePolicy', 'DeletionPolicy', 'UpdateReplacePolicy'] as const;

export interface ValueChange {
  /** JSON-pointer-like path, e.g. `/Properties/KeySchema/1/AttributeName`. */
  readonly path: string;
  /** Absent when the path was added. */
  readonly before?: unknown;
  /** Absent when the path was removed. */
  readonly after?: unknown;
}

export interface PropertyChange extends ValueChange {
  readonly replacement: Replacement;
}

export interface ResourceDiff {
  readonly logicalId: string;
  readonly type: string;
  readonly action: 'add' | 'remove' | 'modify';
  /** For modify: every changed path. */
  readonly changes: readonly PropertyChange[];
  /** Worst forecast of the changes (modify), `always` when the type changes. */
  readonly replacement: Replacement;
  readonly stateful: boolean;
  /** The policy that decides what happens to the old resource: DeletionPolicy for removals, UpdateReplacePolicy for replacements. */
  readonly deletionPolicy?: string;
  /** A fixed physical name (`TableName: …`): CloudFormation cannot replace a custom-named resource without a new name. */
  readonly customName?: string;
  /** For add/remove: the logical ID on the other side with the same type and properties. */
  readonly renamedFrom?: string;
  readonly renamedTo?: string;
  /** The forecast came from a type the spec does not know (custom resources). */
  readonly unknownType?: boolean;
}

export type SectionName = 'Parameters' | 'Mappings' | 'Conditions' | 'Outputs' | 'Metadata';
export const SECTIONS: readonly SectionName[] = ['Parameters', 'Mappings', 'Conditions', 'Outputs', 'Metadata'];

export interface EntryDiff {
  readonly section: SectionName;
  readonly name: string;
  readonly action: 'add' | 'remove' | 'modify';
  readonly changes: readonly ValueChange[];
}

export interface FileDiff {
  readonly file: string;
  /** Logical ID of the nesting `AWS::CloudFormation::Stack` in root, when nested. */
  readonly stack?: string;
  readonly action: 'add' | 'remove' | 'modify' | 'unchanged';
  readonly resources: readonly ResourceDiff[];
  readonly entries: readonly EntryDiff[];
  /** Description or other top-level keys changed. */
  readonly other: readonly ValueChange[];
}

export interface StatefulWarning {
  readonly file: string;
  readonly logicalId: string;
  readonly type: string;
  readonly action: 'replace' | 'maybe replace' | 'delete' | 'change type';
  /** The paths that cause it (replacements). */
  readonly paths: readonly string[];
  /** DeletionPolicy (delete) or UpdateReplacePolicy (replace) of the resource. */
  readonly deletionPolicy?: string;
  /** The name property that makes a replacement fail (see ResourceDiff.customName). */
  readonly customName?: string;
}

/** Name properties that fix a resource's physical name, per stateful type. */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::Kinesis::Stream': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Cognito::UserPool': 'UserPoolName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Backup::BackupVault': 'BackupVaultName',
};

export interface TreeDiff {
  readonly files: readonly FileDiff[];
  readonly warnings: readonly StatefulWarning[];
}

/** Structural equality of JSON values (prototypes ignored, unlike util.isDeepStrictEqual). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

function isIntrinsic(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition');
}

/** Every changed leaf between two JSON values; intrinsics are compared as whole values. */
export function valueChanges(before: unknown, after: unknown, path = ''): ValueChange[] {
  if (jsonEqual(before, after)) return [];
  if (before === undefined) return [{ path: path || '/', after }];
  if (after === undefined) return [{ path: path || '/', before }];
  if (isRecord(before) && isRecord(after) && !isIntrinsic(before) && !isIntrinsic(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => valueChanges(before[k], after[k], `${path}/${escapePointerToken(k)}`));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: ValueChange[] = [];
    if (before.length === after.length) {
      for (let i = 0; i < before.length; i++) out.push(...valueChanges(before[i], after[i], `${path}/${i}`));
      return out;
    }
    // Lengths differ: align equal elements (longest common subsequence) so one inserted policy
    // statement or tag shows as one addition, not as a change of every later index.
    const keep = commonElements(before, after);
    for (let i = 0; i < before.length; i++) if (!keep.before.has(i)) out.push({ path: `${path}/${i}`, before: before[i] });
    for (let j = 0; j < after.length; j++) if (!keep.after.has(j)) out.push({ path: `${path}/${j}`, after: after[j] });
    return out;
  }
  return [{ path: path || '/', before, after }];
}

/** Indexes of the elements a longest common subsequence keeps on each side. */
function commonElements(a: readonly unknown[], b: readonly unknown[]): { before: Set<number>; after: Set<number> } {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) table[i]![j] = jsonEqual(a[i], b[j]) ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  }
  const keep = { before: new Set<number>(), after: new Set<number>() };
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (jsonEqual(a[i], b[j])) {
      keep.before.add(i++);
      keep.after.add(j++);
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return keep;
}

/** JSON pointer escaping (`~` → `~0`, `/` → `~1`). */
function escapePointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function segments(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resourceDiff(logicalId: string, before: Json | undefined, after: Json | undefined, spec: () => ReplacementSpec): ResourceDiff {
  const side = (after ?? before)!;
  const type = String(side.Type);
  const stateful = STATEFUL_TYPES.has(type) || (before !== undefined && STATEFUL_TYPES.has(String(before.Type)));
  if (!before) return { logicalId, type, action: 'add', changes: [], replacement: 'never', stateful, deletionPolicy: policy(after) };
  if (!after) return { logicalId, type, action: 'remove', changes: [], replacement: 'never', stateful, deletionPolicy: policy(before) };
  const changes: PropertyChange[] = [];
  let unknownType = false;
  if (before.Type !== after.Type) changes.push({ path: '/Type', before: before.Type, after: after.Type, replacement: 'always' });
  for (const c of valueChanges(section(before, 'Properties'), section(after, 'Properties'), '/Properties')) {
    const forecast = spec().forecast(type, segments(c.path).slice(1));
    if (forecast === undefined) unknownType = true;
    changes.push({ ...c, replacement: forecast ?? 'never' });
  }
  for (const attribute of ATTRIBUTES) {
    for (const c of valueChanges(before[attribute], after[attribute], `/${attribute}`)) changes.push({ ...c, replacement: 'never' });
  }
  const replacement = changes.reduce<Replacement>((r, c) => worst(r, c.replacement), 'never');
  const nameProperty = NAME_PROPERTIES[type];
  const named =
    nameProperty !== undefined &&
    replacement !== 'never' &&
    section(after, 'Properties')[nameProperty] !== undefined &&
    jsonEqual(section(before, 'Properties')[nameProperty], section(after, 'Properties')[nameProperty]);
  const replacePolicy = typeof after.UpdateReplacePolicy === 'string' ? after.UpdateReplacePolicy : undefined;
  return {
    logicalId,
    type,
    action: 'modify',
    changes,
    replacement,
    stateful,
    deletionPolicy: replacePolicy,
    ...(named ? { customName: nameProperty } : {}),
    ...(unknownType ? { unknownType } : {}),
  };
}

function policy(resource: Json | undefined): string | undefined {
  return typeof resource?.DeletionPolicy === 'string' ? resource.DeletionPolicy : undefined;
}

/** Resource entries of a template, logical ID → definition. */
function resources(template: Json | undefined): Record<string, Json> {
  return Object.fromEntries(Object.entries(section(template ?? {}, 'Resources')).filter((e): e is [string, Json] => isRecord(e[1])));
}

function fileDiff(file: string, before: Json | undefined, after: Json | undefined, stack: string | undefined, spec: () => ReplacementSpec): FileDiff {
  const a = resources(before);
  const b = resources(after);
  const out: ResourceDiff[] = [];
  for (const id of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (jsonEqual(a[id], b[id])) continue;
    out.push(resourceDiff(id, a[id], b[id], spec));
  }
  // Probable renames: a removal and an addition with the same type and properties.
  const removed = out.filter((r) => r.action === 'remove');
  const added = out.filter((r) => r.action === 'add');
  const notes = new Map<string, Partial<ResourceDiff>>();
  for (const r of removed) {
    const twin = added.find(
      (x) => x.type === r.type && !notes.has(x.logicalId) && jsonEqual(section(a[r.logicalId]!, 'Properties'), section(b[x.logicalId]!, 'Properties')),
    );
    if (twin) {
      notes.set(r.logicalId, { renamedTo: twin.logicalId });
      notes.set(twin.logicalId, { renamedFrom: r.logicalId });
    }
  }
  const resourcesDiff = out.map((r) => ({ ...r, ...notes.get(r.logicalId) }));
  const entries: EntryDiff[] = [];
  for (const name of SECTIONS) {
    const x = section(before ?? {}, name);
    const y = section(after ?? {}, name);
    for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
      if (jsonEqual(x[key], y[key])) continue;
      const action = x[key] === undefined ? 'add' : y[key] === undefined ? 'remove' : 'modify';
      entries.push({
        section: name,
        name: key,
        action,
        changes: action === 'modify' ? valueChanges(x[key], y[key], `/${name}/${escapePointerToken(key)}`) : [],
      });
    }
  }
  const otherKeys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter(
    (k) => k !== 'Resources' && !(SECTIONS as readonly string[]).includes(k),
  );
  const other = otherKeys.flatMap((k) => valueChanges(before?.[k], after?.[k], `/${k}`));
  const action = !before ? 'add' : !after ? 'remove' : resourcesDiff.length + entries.length + other.length > 0 ? 'modify' : 'unchanged';
  return { file, ...(stack ? { stack } : {}), action, resources: resourcesDiff, entries, other };
}

export interface DiffInput {
  /** File name → parsed template at the base. */
  readonly before: ReadonlyMap<string, Json>;
  /** File name → parsed template at the head. */
  readonly after: ReadonlyMap<string, Json>;
  /** File name → logical ID of the root stack that nests it (from either side). */
  readonly stacks?: ReadonlyMap<string, string>;
  /** The replacement spec; called only when a resource is modified. */
  readonly spec: () => ReplacementSpec;
}

/** Compares every file of both sides (root, nested, standalone), in file-name order with root first. */
export function diffTrees(input: DiffInput): TreeDiff {
  const names = [...new Set([...input.before.keys(), ...input.after.keys()])].sort((x, y) =>
    x === 'root.yaml' ? -1 : y === 'root.yaml' ? 1 : x.localeCompare(y),
  );
  const files = names.map((f) => fileDiff(f, input.before.get(f), input.after.get(f), input.stacks?.get(f), input.spec));
  const warnings: StatefulWarning[] = [];
  for (const f of files) {
    for (const r of f.resources) {
      if (!r.stateful) continue;
      const typeChange = r.changes.some((c) => c.path === '/Type');
      const causes = r.changes.filter((c) => c.replacement !== 'never').map((c) => c.path);
      const action =
        r.action === 'remove'
          ? 'delete'
          : typeChange
            ? 'change type'
            : r.replacement === 'always'
              ? 'replace'
              : r.replacement === 'conditional'
                ? 'maybe replace'
                : undefined;
      if (action) {
        warnings.push({
          file: f.file,
          logicalId: r.logicalId,
          type: r.type,
          action,
          paths: r.action === 'remove' ? [] : causes,
          ...(r.deletionPolicy ? { deletionPolicy: r.deletionPolicy } : {}),
          ...(r.customName ? { customName: r.customName } : {}),
        });
      }
    }
  }
  return { files, warnings };
}

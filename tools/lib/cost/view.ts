/** One resource of a deployed stack, with its properties evaluated on demand and their provenance kept. */
import { isRecord, section, type Json } from '../grade/tree';
import { EMPTY_DEPS, ResourceToken, Unknown, unionDeps, type Evaluated } from './evaluate';
import type { StackInstance } from './deployment';

export class ResourceView {
  readonly type: string;
  private readonly cache = new Map<string, Evaluated>();

  constructor(
    readonly stack: StackInstance,
    readonly logicalId: string,
    readonly resource: Json,
  ) {
    this.type = String(resource.Type);
  }

  /** `<stack>#<logicalId>`: unique across the deployment. */
  get key(): string {
    return `${this.stack.name}#${this.logicalId}`;
  }

  get condition(): string | undefined {
    return typeof this.resource.Condition === 'string' ? this.resource.Condition : undefined;
  }

  /**
   * The evaluated property at a dotted path below Properties (`StreamModeDetails.StreamMode`,
   * `Rules.0.Name`). The path is followed through plain maps and lists first and only the value
   * it reaches is evaluated, so its provenance is that value's own, not its siblings'.
   */
  prop(path: string): Evaluated {
    const cached = this.cache.get(path);
    if (cached) return cached;
    const segments = path.split('.');
    let raw: unknown = section(this.resource, 'Properties');
    let i = 0;
    for (; i < segments.length; i++) {
      if (isIntrinsic(raw)) break;
      const segment = segments[i]!;
      if (Array.isArray(raw)) raw = raw[Number(segment)];
      else if (isRecord(raw)) raw = raw[segment];
      else {
        raw = undefined;
        break;
      }
    }
    const evaluated = this.stack.scope.evaluate(raw);
    let value: unknown = evaluated.value;
    for (const segment of segments.slice(i)) {
      if (Array.isArray(value)) value = value[Number(segment)];
      else if (isRecord(value)) value = value[segment];
      else {
        value = undefined;
        break;
      }
    }
    const out = { value, deps: evaluated.deps };
    this.cache.set(path, out);
    return out;
  }

  /** A numeric property, or the fallback when it is absent or not a number. */
  num(path: string, fallback: number): { value: number; deps: ReadonlySet<string> } {
    const e = this.prop(path);
    const n = typeof e.value === 'number' || (typeof e.value === 'string' && e.value.trim() !== '') ? Number(e.value) : Number.NaN;
    return { value: Number.isFinite(n) ? n : fallback, deps: e.deps };
  }

  /** A string property, or undefined when absent or unknown. */
  str(path: string): { value: string | undefined; deps: ReadonlySet<string> } {
    const e = this.prop(path);
    return { value: typeof e.value === 'string' || typeof e.value === 'number' ? String(e.value) : undefined, deps: e.deps };
  }

  /**
   * How many elements a list property has, with the provenance of the count only: the list
   * itself when it is computed (`!If`, `!Split`), the conditions of `!If` elements when it is
   * literal — not the values inside the elements (a rule's metric name does not change how many
   * rules there are).
   */
  size(path: string): { value: number; deps: ReadonlySet<string> } {
    const raw = path
      .split('.')
      .reduce<unknown>((v, k) => (Array.isArray(v) ? v[Number(k)] : isRecord(v) && !isIntrinsic(v) ? v[k] : undefined), section(this.resource, 'Properties'));
    const evaluated = this.list(path);
    if (!Array.isArray(raw)) return { value: evaluated.value.length, deps: evaluated.deps };
    const deps = raw.filter((e) => isRecord(e) && 'Fn::If' in e).map((e) => this.stack.scope.evaluate(e).deps);
    return { value: evaluated.value.length, deps: unionDeps(EMPTY_DEPS, ...deps) };
  }

  /** A list property (empty when absent or unknown). */
  list(path: string): { value: unknown[]; deps: ReadonlySet<string> } {
    const e = this.prop(path);
    return { value: Array.isArray(e.value) ? e.value : [], deps: e.deps };
  }
}

function isIntrinsic(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

/** The logical ID a property refers to in the same stack (`!Ref AppVpc`, `!GetAtt AppVpc.VpcId`). */
export function tokenId(value: unknown): string | undefined {
  return value instanceof ResourceToken ? value.logicalId : undefined;
}

export function isUnknown(value: unknown): value is Unknown {
  return value instanceof Unknown;
}

export { EMPTY_DEPS, unionDeps };

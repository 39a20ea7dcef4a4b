/**
 * Replacement forecast from the CloudFormation resource specification in @aws-cdk/aws-service-spec:
 * each property (and nested property) carries `causesReplacement: 'yes' | 'maybe' | 'no'`, read
 * here as always / conditional / never. The database is loaded once per process (~0.6 s) and only
 * when a resource was modified.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';

export type Replacement = 'always' | 'conditional' | 'never';

const RANK: Readonly<Record<Replacement, number>> = { never: 0, conditional: 1, always: 2 };

export function worst(a: Replacement, b: Replacement): Replacement {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The subset of the spec's property model this module reads. */
interface SpecType {
  readonly type: string;
  readonly reference?: { readonly $ref: string };
  readonly element?: SpecType;
  readonly types?: readonly SpecType[];
}
interface SpecProperty {
  readonly type: SpecType;
  readonly causesReplacement?: 'yes' | 'no' | 'maybe';
}
interface SpecResource {
  readonly properties: Readonly<Record<string, SpecProperty>>;
  readonly additionalReplacementProperties?: readonly (readonly string[])[];
}

/** Looks up `causesReplacement` for property paths. */
export interface ReplacementSpec {
  /** Forecast for a change at `path` (property names and indexes below `Properties`), or undefined for an unknown type. */
  forecast(resourceType: string, path: readonly string[]): Replacement | undefined;
}

function fromSpec(value: SpecProperty['causesReplacement']): Replacement {
  return value === 'yes' ? 'always' : value === 'maybe' ? 'conditional' : 'never';
}

class ServiceSpec implements ReplacementSpec {
  private readonly db = loadAwsServiceSpecSync();

  forecast(resourceType: string, path: readonly string[]): Replacement | undefined {
    const found = this.db.lookup('resource', 'cloudFormationType', 'equals', resourceType);
    if (found.length === 0) return undefined;
    const resource = found[0] as unknown as SpecResource;
    for (const extra of resource.additionalReplacementProperties ?? []) {
      if (extra.every((segment, i) => path[i] === segment || (path[i] !== undefined && /^\d+$/.test(path[i]!) && segment === '*'))) return 'always';
    }
    return this.walk(resource.properties, path);
  }

  /** Worst forecast along the path: a replacing parent property replaces whatever changes below it. */
  private walk(properties: Readonly<Record<string, SpecProperty>>, path: readonly string[]): Replacement {
    const [name, ...rest] = path;
    const property = name === undefined ? undefined : properties[name];
    if (!property) return 'never';
    let result = fromSpec(property.causesReplacement);
    if (rest.length > 0 && result !== 'always') {
      const below = this.below(property.type, rest);
      if (below) result = worst(result, below);
    }
    return result;
  }

  private below(type: SpecType, path: readonly string[]): Replacement | undefined {
    if ((type.type === 'array' || type.type === 'map') && type.element) return this.below(type.element, path.slice(1));
    if (type.type === 'union' && type.types) {
      let out: Replacement | undefined;
      for (const t of type.types) {
        const r = this.below(t, path);
        if (r) out = out ? worst(out, r) : r;
      }
      return out;
    }
    if (type.type === 'ref' && type.reference && path.length > 0) {
      const definition = this.db.get('typeDefinition', type.reference.$ref) as unknown as { properties: Record<string, SpecProperty> };
      return this.walk(definition.properties, path);
    }
    return undefined;
  }
}

let shared: ReplacementSpec | undefined;

/** The spec, loaded on first use and shared by every later call in this process. */
export function replacementSpec(): ReplacementSpec {
  shared ??= new ServiceSpec();
  return shared;
}

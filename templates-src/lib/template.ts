/**
 * The template model every stack module builds: parameters, mappings, conditions, resources and
 * outputs added through one object that refuses clashing logical IDs, plus the roadmap map that
 * becomes `Metadata.Roadmap`. `toDocument()` returns plain CloudFormation JSON (intrinsics still
 * as cloudform objects); the emitter turns it into YAML.
 */
import type Parameter from 'cloudform-types/types/parameter';
import type Output from 'cloudform-types/types/output';
import type Resource from 'cloudform-types/types/resource';
import { BULLET_IDS, ROADMAP } from '../roadmap';
import { ref, type Condition, type IntrinsicFunction } from './fn';

export type { Parameter, Output, Resource };

/** A `'true'`/`'false'` switch (CloudFormation parameters have no boolean type). */
export function booleanParameter(description: string, defaultValue: 'true' | 'false'): Parameter {
  return { Type: 'String', Description: description, AllowedValues: ['true', 'false'], Default: defaultValue };
}

/** A group of resources built together by one helper; logical IDs are the keys. */
export type Fragment = Readonly<Record<string, Resource>>;

/** Plain template document, the shape CloudFormation reads. */
export interface TemplateDocument {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Metadata?: Record<string, unknown>;
  Parameters?: Record<string, Parameter>;
  Rules?: Record<string, TemplateRule>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, Condition>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, Output>;
}

/**
 * A template rule: CloudFormation checks the assertions against the parameter values before it
 * creates or updates anything (a change set with a failing rule is refused with the description).
 */
export interface TemplateRule {
  /** Only when this holds (rule functions: `Fn::Equals`, `Fn::Not`, …). @default always */
  RuleCondition?: unknown;
  Assertions: { Assert: unknown; AssertDescription: string }[];
}

export interface OutputOptions {
  readonly value: unknown;
  readonly description: string;
  /** Root or stack condition under which the output exists. @default always */
  readonly condition?: string;
}

/** Raised for mistakes in a stack module, caught at build time with the offending name. */
export class TemplateDefinitionError extends Error {
  override readonly name = 'TemplateDefinitionError';
}

type Section = 'Parameters' | 'Rules' | 'Mappings' | 'Conditions' | 'Resources' | 'Outputs';

export class StackTemplate {
  private readonly parameters = new Map<string, Parameter>();
  private readonly rules = new Map<string, TemplateRule>();
  private readonly mappings = new Map<string, Record<string, Record<string, unknown>>>();
  private readonly conditions = new Map<string, Condition>();
  private readonly resources = new Map<string, Resource>();
  private readonly outputs = new Map<string, Output>();
  private readonly roadmap = new Map<string, string[]>();
  /** `<namespace>:<logical ID>` → the section that claimed it. */
  private readonly owners = new Map<string, Section>();

  /**
   * @param name the stack's short name (`networking`), used in error messages
   * @param description the template's `Description`
   */
  constructor(
    readonly name: string,
    private readonly description: string,
  ) {}

  private claim(id: string, section: Section): void {
    if (!/^[A-Za-z0-9]+$/.test(id)) {
      throw new TemplateDefinitionError(`${this.name}: logical ID "${id}" must be alphanumeric (CloudFormation rejects other characters)`);
    }
    // Parameters and resources share one namespace (both are targets of !Ref); the others have their own.
    const namespace = section === 'Parameters' || section === 'Resources' ? 'Ref' : section;
    const previous = this.owners.get(`${namespace}:${id}`);
    if (previous !== undefined) {
      throw new TemplateDefinitionError(`${this.name}: logical ID "${id}" is defined twice (${previous} and ${section}); rename one of them`);
    }
    this.owners.set(`${namespace}:${id}`, section);
  }

  /** Declares a parameter and returns `!Ref` to it. */
  parameter(id: string, definition: Parameter): IntrinsicFunction {
    this.claim(id, 'Parameters');
    this.parameters.set(id, definition);
    return ref(id);
  }

  hasParameter(id: string): boolean {
    return this.parameters.has(id);
  }

  /** Declares a template rule (checked by CloudFormation against the parameters before any change). */
  rule(id: string, definition: TemplateRule): string {
    this.claim(id, 'Rules');
    this.rules.set(id, definition);
    return id;
  }

  mapping(id: string, value: Record<string, Record<string, unknown>>): string {
    this.claim(id, 'Mappings');
    this.mappings.set(id, value);
    return id;
  }

  /** Declares a condition and returns its name (for `Condition:` and `!If`). */
  condition(id: string, definition: Condition): string {
    this.claim(id, 'Conditions');
    this.conditions.set(id, definition);
    return id;
  }

  /** Adds one resource and returns its logical ID. */
  resource(id: string, definition: Resource): string {
    this.claim(id, 'Resources');
    this.resources.set(id, definition);
    return id;
  }

  /** Adds every resource of a fragment; throws on the first clashing logical ID. */
  add(fragment: Fragment): string[] {
    return Object.entries(fragment).map(([id, definition]) => this.resource(id, definition));
  }

  hasResource(id: string): boolean {
    return this.resources.has(id);
  }

  output(id: string, options: OutputOptions): void {
    this.claim(id, 'Outputs');
    const output: Output = { Description: options.description, Value: options.value as Output['Value'] };
    if (options.condition !== undefined) output.Condition = options.condition;
    this.outputs.set(id, output);
  }

  /**
   * Records that these logical IDs (resources, or parameters/mappings for bullets such as
   * "Use Parameters") implement a roadmap bullet (`'1.4'`); written to `Metadata.Roadmap`.
   * Unknown bullets throw now; unknown logical IDs throw in `toDocument()`.
   */
  implements(bulletId: string, ...logicalIds: string[]): void {
    if (!BULLET_IDS.has(bulletId)) {
      throw new TemplateDefinitionError(`${this.name}: roadmap bullet "${bulletId}" does not exist (see templates-src/roadmap.ts)`);
    }
    const list = this.roadmap.get(bulletId) ?? [];
    for (const id of logicalIds) if (!list.includes(id)) list.push(id);
    this.roadmap.set(bulletId, list);
  }

  /** True when a parameter, mapping, condition, resource or output has this logical ID. */
  declares(id: string): boolean {
    return [...this.owners.keys()].some((key) => key.endsWith(`:${id}`));
  }

  /** The finished document. Throws one error naming every roadmap entry that points at nothing. */
  toDocument(extraMetadata: Record<string, unknown> = {}): TemplateDocument {
    const dangling: string[] = [];
    for (const [bullet, ids] of this.roadmap) {
      for (const id of ids) if (!this.declares(id)) dangling.push(`${bullet} → ${id}`);
    }
    if (dangling.length > 0) {
      throw new TemplateDefinitionError(`${this.name}: roadmap entries name logical IDs the template does not declare: ${dangling.join(', ')}`);
    }
    const doc: TemplateDocument = {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: this.description,
      Resources: Object.fromEntries(this.resources),
    };
    const roadmap = this.roadmapMetadata();
    const metadata = { ...extraMetadata, ...(Object.keys(roadmap).length > 0 ? { Roadmap: roadmap } : {}) };
    if (Object.keys(metadata).length > 0) doc.Metadata = metadata;
    if (this.parameters.size > 0) doc.Parameters = Object.fromEntries(this.parameters);
    if (this.rules.size > 0) doc.Rules = Object.fromEntries(this.rules);
    if (this.mappings.size > 0) doc.Mappings = Object.fromEntries(this.mappings);
    if (this.conditions.size > 0) doc.Conditions = Object.fromEntries(this.conditions);
    if (this.outputs.size > 0) doc.Outputs = Object.fromEntries(this.outputs);
    return doc;
  }

  /** Bullets in roadmap order, each with its text and logical IDs. */
  private roadmapMetadata(): Record<string, { Text: string; Resources: string[] }> {
    const out: Record<string, { Text: string; Resources: string[] }> = {};
    for (const s of ROADMAP) {
      for (const b of s.bullets) {
        const ids = this.roadmap.get(b.id);
        if (ids) out[b.id] = { Text: b.text, Resources: [...ids] };
      }
    }
    return out;
  }
}

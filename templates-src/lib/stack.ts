/**
 * What the registry (templates-src/stacks.ts) knows about each nested stack: where it is written,
 * which roadmap steps it implements, and its contract with root — where every parameter comes
 * from and which outputs it promises. Build, validation, packaging, the report and the tests read
 * the registry; nothing else lists the stacks.
 */
import type { TemplateDocument } from './template';

/** Where a child parameter's value comes from in root. */
export type Wire =
  /** A root parameter of this name (`!Ref Name`). */
  | { readonly parameter: string }
  /** Another child stack's output (`!GetAtt Stack.Outputs.Name`). */
  | { readonly output: readonly [stack: string, output: string] }
  /** A literal or intrinsic value computed in root (`!Sub`, `!If`, `!FindInMap` …). */
  | { readonly value: unknown };

export interface StackDefinition {
  /** Logical ID of the `AWS::CloudFormation::Stack` in root, e.g. `Networking`. */
  readonly id: string;
  /** Output file in generated/, e.g. `networking.yaml`. */
  readonly file: string;
  /** Source module, for the header comment, e.g. `templates-src/networking.ts`. */
  readonly source: string;
  /** Roadmap steps this stack implements (wholly or partly). */
  readonly steps: readonly number[];
  /** Parameter name → where root takes it from. Every parameter without a default must be wired. */
  readonly inputs: Readonly<Record<string, Wire>>;
  /** Outputs other stacks or users rely on; the validator checks the template declares each. */
  readonly outputs: readonly string[];
  /** Root condition under which the stack is deployed. @default always */
  readonly condition?: string;
  /** Builds the template. Pure: no I/O, no environment, no clock. */
  build(): TemplateDocument;
}

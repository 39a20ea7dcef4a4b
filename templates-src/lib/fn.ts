/**
 * Intrinsic functions. They build cloudform's `IntrinsicFunction` objects (so they type-check
 * against cloudform's resource property types) and add what cloudform lacks: `Fn::Cidr`,
 * `!Sub` without variables, and typed condition helpers. The emitter turns them into short tags.
 */
import { ConditionIntrinsicFunction, IntrinsicFunction } from 'cloudform-types/types/dataTypes';
import type { Condition, List, Value } from 'cloudform-types/types/dataTypes';

export { IntrinsicFunction, ConditionIntrinsicFunction };
export type { Condition, List, Value };

/** `!Ref name` — a parameter, a resource or a pseudo parameter such as `AWS::Region`. */
export function ref(logicalId: string): IntrinsicFunction {
  return new IntrinsicFunction('Ref', logicalId);
}

/** `!GetAtt resource.attribute` (emitted dotted). */
export function getAtt(logicalId: string, attribute: Value<string>): IntrinsicFunction {
  return new IntrinsicFunction('Fn::GetAtt', [logicalId, attribute]);
}

/** `!GetAtt Stack.Outputs.Name` for a nested stack's output. */
export function stackOutput(stackLogicalId: string, output: string): IntrinsicFunction {
  return getAtt(stackLogicalId, `Outputs.${output}`);
}

/** `!Sub 'text ${Var}'`, with optional variables (emitted as `!Sub [text, {vars}]`). */
export function sub(text: string, vars?: Readonly<Record<string, Value<unknown>>>): IntrinsicFunction {
  return new IntrinsicFunction('Fn::Sub', vars && Object.keys(vars).length > 0 ? [text, vars] : text);
}

export function join(delimiter: string, values: List<unknown>): IntrinsicFunction {
  return new IntrinsicFunction('Fn::Join', [delimiter, values]);
}

export function select(index: Value<number>, list: List<unknown>): IntrinsicFunction {
  return new IntrinsicFunction('Fn::Select', [index, list]);
}

export function split(delimiter: string, source: Value<string>): IntrinsicFunction {
  return new IntrinsicFunction('Fn::Split', [delimiter, source]);
}

export function findInMap(map: string, topKey: Value<string>, secondKey: Value<string>): IntrinsicFunction {
  return new IntrinsicFunction('Fn::FindInMap', [map, topKey, secondKey]);
}

/** `!GetAZs ''` — the AZs of the stack's region. */
export function getAZs(region: Value<string> = ''): IntrinsicFunction {
  return new IntrinsicFunction('Fn::GetAZs', region);
}

/** `!Select [i, !GetAZs '']`. */
export function az(index: number): IntrinsicFunction {
  return select(index, getAZs());
}

/** `!Cidr [block, count, bits]`. */
export function cidr(block: Value<string>, count: Value<number>, cidrBits: Value<number>): IntrinsicFunction {
  return new IntrinsicFunction('Fn::Cidr', [block, count, cidrBits]);
}

export function base64(value: Value<string>): IntrinsicFunction {
  return new IntrinsicFunction('Fn::Base64', value);
}

/** `!If [condition, whenTrue, whenFalse]`. */
export function ifThen(condition: string, whenTrue: unknown, whenFalse: unknown): ConditionIntrinsicFunction {
  return new ConditionIntrinsicFunction('Fn::If', [condition, whenTrue, whenFalse]);
}

export function equals(left: unknown, right: unknown): ConditionIntrinsicFunction {
  return new ConditionIntrinsicFunction('Fn::Equals', [left, right]);
}

export function and(...conditions: Condition[]): ConditionIntrinsicFunction {
  return new ConditionIntrinsicFunction('Fn::And', conditions);
}

export function or(...conditions: Condition[]): ConditionIntrinsicFunction {
  return new ConditionIntrinsicFunction('Fn::Or', conditions);
}

export function not(condition: Condition): ConditionIntrinsicFunction {
  return new ConditionIntrinsicFunction('Fn::Not', [condition]);
}

/** A reference to a named condition inside `!And`/`!Or`/`!Not` (emitted as `Condition: Name`). */
export function conditionRef(name: string): Condition {
  return { Condition: name };
}

/** `AWS::NoValue`: removes the property when used in one branch of `!If`. */
export const NO_VALUE = ref('AWS::NoValue');

/** Pseudo parameters. */
export const AWS = {
  accountId: ref('AWS::AccountId'),
  region: ref('AWS::Region'),
  partition: ref('AWS::Partition'),
  stackName: ref('AWS::StackName'),
  urlSuffix: ref('AWS::URLSuffix'),
} as const;

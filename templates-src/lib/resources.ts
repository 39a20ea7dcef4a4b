/**
 * Resource-level attributes shared by the builders. cloudform's Resource type lacks
 * `UpdateReplacePolicy`, so it is added here.
 */
import type Resource from 'cloudform-types/types/resource';
import { ifThen, ref } from './fn';

export type RetainableResource = Resource & { UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot' };

/**
 * Marks a stateful resource (bucket, table, stream, key, log archive) as kept when the stack is
 * deleted or the resource replaced — except after the failed operation that first created it:
 *
 * | operation                                  | `RetainExceptOnCreate`          | plain `Retain`                     |
 * | ------------------------------------------ | ------------------------------- | ---------------------------------- |
 * | the first CREATE fails and rolls back      | deleted (it holds nothing yet)  | kept: the retry fails on its name ("already exists") |
 * | stack deleted, or resource removed later   | kept                            | kept                               |
 * | replaced by an update (UpdateReplacePolicy)| kept (`Retain`)                 | kept                               |
 *
 * `UpdateReplacePolicy` has no RetainExceptOnCreate (only Delete, Retain, Snapshot). Literals, not
 * parameters: CloudFormation only accepts parameters here through the `AWS::LanguageExtensions`
 * transform, which would make `generated/` differ from what is deployed.
 */
export function retained<T extends Resource>(resource: T): T {
  return Object.assign(resource, { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' }) as T;
}

/** Sets the resource's `Condition`. */
export function when<T extends Resource>(condition: string, resource: T): T {
  return Object.assign(resource, { Condition: condition });
}

/** Sets `DependsOn`. */
export function dependsOn<T extends Resource>(resource: T, ...ids: string[]): T {
  return Object.assign(resource, { DependsOn: ids.length === 1 ? ids[0] : ids });
}

/**
 * Orders `resource` after `targetId` only when `condition` holds. `DependsOn` cannot name a
 * resource whose condition may be false, and takes no intrinsics; a `!Ref` inside `!If` in the
 * resource's Metadata is a dependency CloudFormation honours in the true branch only.
 * @param key the Metadata key recording the dependency, e.g. `AfterApiGatewayAccount`
 */
export function dependsOnWhen<T extends Resource>(resource: T, key: string, condition: string, targetId: string): T {
  const metadata = { ...((resource as { Metadata?: Record<string, unknown> }).Metadata ?? {}), [key]: ifThen(condition, ref(targetId), 'not created here') };
  return Object.assign(resource, { Metadata: metadata });
}

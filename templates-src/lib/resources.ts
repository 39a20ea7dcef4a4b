/**
 * Resource-level attributes shared by the builders. cloudform's Resource type lacks
 * `UpdateReplacePolicy`, so it is added here.
 */
import type Resource from 'cloudform-types/types/resource';

export type RetainableResource = Resource & { UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot' };

/**
 * Marks a stateful resource (bucket, table, stream, key, log archive) `Retain` on delete and on
 * replacement. A literal, not a parameter: CloudFormation only accepts parameters here through the
 * `AWS::LanguageExtensions` transform, which would make `generated/` differ from what is deployed.
 */
export function retained<T extends Resource>(resource: T): T {
  return Object.assign(resource, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }) as T;
}

/** Sets the resource's `Condition`. */
export function when<T extends Resource>(condition: string, resource: T): T {
  return Object.assign(resource, { Condition: condition });
}

/** Sets `DependsOn`. */
export function dependsOn<T extends Resource>(resource: T, ...ids: string[]): T {
  return Object.assign(resource, { DependsOn: ids.length === 1 ? ids[0] : ids });
}

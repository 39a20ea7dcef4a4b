import { dig, isRecord, type Violation } from '../model';
import { NAME_PROPERTIES } from '../physical-names';
import type { SecurityRule } from './rule';

export const retainExceptOnCreate: SecurityRule = {
  id: 'retain-except-on-create',
  severity: 'error',
  info: 'A resource with a physical name kept on delete uses DeletionPolicy RetainExceptOnCreate, not Retain.',
  explanation:
    'When the first CREATE of a stack fails, the rollback keeps every Retain resource; the retry then fails on the first of their names ("already exists") and the stack can only be deployed after deleting them by hand. RetainExceptOnCreate keeps the resource on every later delete or removal but deletes it when the operation that created it rolls back.',
  resourceTypes: Object.keys(NAME_PROPERTIES),
  check(id, resource) {
    if (resource.DeletionPolicy !== 'Retain') return [];
    const props = isRecord(resource.Properties) ? resource.Properties : {};
    const named = (NAME_PROPERTIES[String(resource.Type)] ?? []).find((p) => !p.label && dig(props, ...p.path.split('.')) !== undefined);
    if (!named) return [];
    const v: Violation = {
      logicalId: id,
      path: 'DeletionPolicy',
      message: `${String(resource.Type)} has a physical name (${named.path}) and DeletionPolicy Retain: a failed first deploy keeps it and the retry fails with "already exists"`,
      fix: 'use DeletionPolicy: RetainExceptOnCreate (retained() does), keep UpdateReplacePolicy: Retain',
    };
    return [v];
  },
};

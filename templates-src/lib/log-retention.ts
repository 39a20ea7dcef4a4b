/**
 * Log retention that depends on the environment: prod keeps audit and network logs longer than
 * dev. The `logGroup()` builder takes a plain number, so the `!If` is applied here.
 */
import type LogGroup from 'cloudform-types/types/logs/logGroup';
import { IS_PROD } from './common';
import { ifThen } from './fn';

/** Sets `RetentionInDays: !If [IsProd, prodDays, devDays]` (the template must declare IsProd). @default 365 / 90 */
export function longerInProd(group: LogGroup, prodDays = 365, devDays = 90): LogGroup {
  group.Properties.RetentionInDays = ifThen(IS_PROD, prodDays, devDays);
  return group;
}

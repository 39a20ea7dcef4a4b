/**
 * "Ours" versus "someone else's": the physical IDs the deployed stack holds for every resource of
 * a type its templates declare (conditions ignored, since the deployed stack may still hold one the
 * new parameters drop). An account singleton with one of these IDs was made by this stack, and a
 * deploy must keep managing it; any other one belongs to the account (Organizations, Control
 * Tower, another environment) and is used instead of creating a second.
 */
import type { CheckContext } from './types';

export async function deployedIdsOf(ctx: CheckContext, type: string): Promise<string[]> {
  const ids = await Promise.all(ctx.target.plan.declared(type).map((r) => ctx.deployedId(r.path, r.logicalId)));
  return ids.filter((id): id is string => id !== undefined && id !== '');
}

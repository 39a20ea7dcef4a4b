/**
 * The project's registry (templates-src/stacks.ts) in the shape the validator reads. Kept apart
 * from index.ts so callers with their own registry (tests) do not load every stack module.
 */
import { ROOT, STACKS, STANDALONE } from '../../../templates-src/stacks';
import type { RegistryStack, ValidationRegistry } from './model';

function entry(s: RegistryStack): RegistryStack {
  return { id: s.id, file: s.file, outputs: [...s.outputs], ...(s.condition !== undefined ? { condition: s.condition } : {}) };
}

export function projectRegistry(): ValidationRegistry {
  return { root: { file: ROOT.file }, stacks: STACKS.map(entry), standalone: STANDALONE.map(entry) };
}

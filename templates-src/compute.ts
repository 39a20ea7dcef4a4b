/**
 * compute.yaml — NOT YET BUILT: a placeholder so the registry compiles while the stack is written.
 */
import Topic from 'cloudform-types/types/sns/topic';
import { COMMON_INPUTS, newStackTemplate } from './lib/common';
import type { StackDefinition } from './lib/stack';

export const compute: StackDefinition = {
  id: 'Compute',
  file: 'compute.yaml',
  source: 'templates-src/compute.ts',
  steps: [4,8],
  inputs: { ...COMMON_INPUTS },
  outputs: [],
  build() {
    const t = newStackTemplate('compute', 'placeholder');
    t.resource('Placeholder', new Topic({}));
    return t.toDocument();
  },
};

/**
 * datastores.yaml — NOT YET BUILT: a placeholder so the registry compiles while the stack is written.
 */
import Topic from 'cloudform-types/types/sns/topic';
import { COMMON_INPUTS, newStackTemplate } from './lib/common';
import type { StackDefinition } from './lib/stack';

export const datastores: StackDefinition = {
  id: 'Datastores',
  file: 'datastores.yaml',
  source: 'templates-src/datastores.ts',
  steps: [5,10],
  inputs: { ...COMMON_INPUTS },
  outputs: [],
  build() {
    const t = newStackTemplate('datastores', 'placeholder');
    t.resource('Placeholder', new Topic({}));
    return t.toDocument();
  },
};

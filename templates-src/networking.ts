/**
 * networking.yaml — NOT YET BUILT: a placeholder so the registry compiles while the stack is written.
 */
import Topic from 'cloudform-types/types/sns/topic';
import { COMMON_INPUTS, newStackTemplate } from './lib/common';
import type { StackDefinition } from './lib/stack';

export const networking: StackDefinition = {
  id: 'Networking',
  file: 'networking.yaml',
  source: 'templates-src/networking.ts',
  steps: [1,10],
  inputs: { ...COMMON_INPUTS },
  outputs: [],
  build() {
    const t = newStackTemplate('networking', 'placeholder');
    t.resource('Placeholder', new Topic({}));
    return t.toDocument();
  },
};

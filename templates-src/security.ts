/**
 * security.yaml — NOT YET BUILT: a placeholder so the registry compiles while the stack is written.
 */
import Topic from 'cloudform-types/types/sns/topic';
import { COMMON_INPUTS, newStackTemplate } from './lib/common';
import type { StackDefinition } from './lib/stack';

export const security: StackDefinition = {
  id: 'Security',
  file: 'security.yaml',
  source: 'templates-src/security.ts',
  steps: [8,9],
  inputs: { ...COMMON_INPUTS },
  outputs: [],
  build() {
    const t = newStackTemplate('security', 'placeholder');
    t.resource('Placeholder', new Topic({}));
    return t.toDocument();
  },
};

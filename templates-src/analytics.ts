/**
 * analytics.yaml — NOT YET BUILT: a placeholder so the registry compiles while the stack is written.
 */
import Topic from 'cloudform-types/types/sns/topic';
import { COMMON_INPUTS, newStackTemplate } from './lib/common';
import type { StackDefinition } from './lib/stack';

export const analytics: StackDefinition = {
  id: 'Analytics',
  file: 'analytics.yaml',
  source: 'templates-src/analytics.ts',
  steps: [6],
  inputs: { ...COMMON_INPUTS },
  outputs: [],
  build() {
    const t = newStackTemplate('analytics', 'placeholder');
    t.resource('Placeholder', new Topic({}));
    return t.toDocument();
  },
};

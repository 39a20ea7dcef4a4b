/**
 * dashboards.yaml — NOT YET BUILT: a placeholder so the registry compiles while the stack is written.
 */
import Topic from 'cloudform-types/types/sns/topic';
import { COMMON_INPUTS, newStackTemplate } from './lib/common';
import type { StackDefinition } from './lib/stack';

export const dashboards: StackDefinition = {
  id: 'Dashboards',
  file: 'dashboards.yaml',
  source: 'templates-src/dashboards.ts',
  steps: [7],
  inputs: { ...COMMON_INPUTS },
  outputs: [],
  build() {
    const t = newStackTemplate('dashboards', 'placeholder');
    t.resource('Placeholder', new Topic({}));
    return t.toDocument();
  },
};

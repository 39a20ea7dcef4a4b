/**
 * data-lake.yaml — NOT YET BUILT: a placeholder so the registry compiles while the stack is written.
 */
import Topic from 'cloudform-types/types/sns/topic';
import { COMMON_INPUTS, newStackTemplate } from './lib/common';
import type { StackDefinition } from './lib/stack';

export const dataLake: StackDefinition = {
  id: 'DataLake',
  file: 'data-lake.yaml',
  source: 'templates-src/data-lake.ts',
  steps: [2,10],
  inputs: { ...COMMON_INPUTS },
  outputs: [],
  build() {
    const t = newStackTemplate('data-lake', 'placeholder');
    t.resource('Placeholder', new Topic({}));
    return t.toDocument();
  },
};

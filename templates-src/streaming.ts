/**
 * streaming.yaml — NOT YET BUILT: a placeholder so the registry compiles while the stack is written.
 */
import Topic from 'cloudform-types/types/sns/topic';
import { COMMON_INPUTS, newStackTemplate } from './lib/common';
import type { StackDefinition } from './lib/stack';

export const streaming: StackDefinition = {
  id: 'Streaming',
  file: 'streaming.yaml',
  source: 'templates-src/streaming.ts',
  steps: [3],
  inputs: { ...COMMON_INPUTS },
  outputs: [],
  build() {
    const t = newStackTemplate('streaming', 'placeholder');
    t.resource('Placeholder', new Topic({}));
    return t.toDocument();
  },
};

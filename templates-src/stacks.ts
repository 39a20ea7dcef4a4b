/**
 * The registry: every nested stack, in deployment order. Build, validation, packaging, the
 * report and the tests read this list; adding a stack is one import and one entry.
 */
import { analytics } from './analytics';
import { bootstrap } from './bootstrap';
import { compute } from './compute';
import { dashboards } from './dashboards';
import { dataLake } from './data-lake';
import { datastores } from './datastores';
import type { StackDefinition } from './lib/stack';
import { networking } from './networking';
import { secondary } from './secondary';
import { security } from './security';
import { streaming } from './streaming';

export const STACKS: readonly StackDefinition[] = [security, streaming, networking, dataLake, datastores, compute, analytics, dashboards];

/** The root template's registry entry, for tools that treat root like the other files. */
export const ROOT = { id: 'Root', file: 'root.yaml', source: 'templates-src/root.ts', steps: [11] } as const;

/**
 * Top-level templates that are not nested in root (deployed on their own): for example the
 * secondary-region template and the bootstrap stack. Built and validated like the others.
 */
export const STANDALONE: readonly StackDefinition[] = [secondary, bootstrap];

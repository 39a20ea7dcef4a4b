/**
 * Imported first by the demo's entry points. The X-Ray SDK (loaded by Powertools' Tracer through
 * the handlers' observability module) starts in automatic mode at import: it enables a
 * cls-hooked async hook with destroy tracking on every promise of the process. At replay speed
 * that hook cost about a tenth of the demo's CPU plus much of its garbage collection, for tracing
 * that is off locally anyway (the demo's Tracers are created with `enabled: false`). Manual mode,
 * the SDK's documented switch, loads it without the hook. A value set by the user is kept.
 */
process.env.AWS_XRAY_MANUAL_MODE ??= 'true';

export {};

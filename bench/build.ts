/**
 * npm run bench:build — whole-process wall time of `npm run build:templates`' command line
 * (`node tools/run.cjs tools/build-templates.ts`, bundle cached, nothing to write) paired with
 * `node -e 0`, plus the first run after a source edit (re-bundled), the first run after a
 * templates-src edit (re-bundled and type-checked: the incremental `tsc` program of
 * tools/lib/typecheck.ts) and a run that writes and re-parses every template (empty output
 * directory), medians over N runs, interleaved so machine load hits both alike. Writes
 * bench/results/build.json. The bars: the cached build (nothing changed, type check skipped)
 * ≤ 0.6 s whole-process on 2 cores (issue 15; DESIGN §9 says 0.8 s), ≥ 5x faster than the CDK
 * peer's 4.5 s synth.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOAD_NOTE, machine, median, wall as measureWall } from './measure';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = path.resolve(__dirname, '..');

const wall = (command: string, args: string[]): number => measureWall(root, command, args);

const build = ['tools/run.cjs', 'tools/build-templates.ts'];
wall(process.execPath, build); // warm the bundle cache and the page cache
const node0: number[] = [];
const buildTimes: number[] = [];
const cold: number[] = [];
for (let i = 0; i < RUNS; i++) {
  node0.push(wall(process.execPath, ['-e', '0']));
  buildTimes.push(wall(process.execPath, build));
}
// Re-bundled: the launcher's bundle cache removed first (the first run after any source edit).
for (let i = 0; i < Math.min(5, RUNS); i++) {
  spawnSync('rm', ['-rf', '.cache/run'], { cwd: root });
  cold.push(wall(process.execPath, build));
}
// Re-bundled and type-checked: the type-check stamp removed too (the incremental .tsbuildinfo is
// kept), which is what the first build after editing a stack module costs.
const typechecked: number[] = [];
for (let i = 0; i < Math.min(5, RUNS); i++) {
  spawnSync('rm', ['-rf', '.cache/run', '.cache/typecheck/templates-src.stamp'], { cwd: root });
  typechecked.push(wall(process.execPath, build));
}
// Into an empty directory: every template is written and re-parsed (a fresh clone without generated/).
const fresh: number[] = [];
for (let i = 0; i < Math.min(5, RUNS); i++) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'bench-build-'));
  fresh.push(wall(process.execPath, [...build, '--out', out]));
  rmSync(out, { recursive: true, force: true });
}
const result = {
  date: new Date().toISOString().slice(0, 10),
  machine: machine(),
  runs: RUNS,
  medianSeconds: {
    nodeE0: Number(median(node0).toFixed(3)),
    buildTemplates: Number(median(buildTimes).toFixed(3)),
    buildTemplatesRebundled: Number(median(cold).toFixed(3)),
    buildTemplatesRebundledTypechecked: Number(median(typechecked).toFixed(3)),
    buildTemplatesAllFilesWritten: Number(median(fresh).toFixed(3)),
  },
  bar: { buildTemplatesSeconds: 0.6, cdkSynthSeconds: 4.5 },
  note: LOAD_NOTE,
};
const speedup = result.bar.cdkSynthSeconds / result.medianSeconds.buildTemplates;
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/build.json'), `${JSON.stringify({ ...result, speedupVsCdkSynth: Number(speedup.toFixed(1)) }, null, 2)}\n`);
console.log(
  `node -e 0: ${result.medianSeconds.nodeE0} s · build:templates: ${result.medianSeconds.buildTemplates} s (re-bundled: ${result.medianSeconds.buildTemplatesRebundled} s, re-bundled and type-checked: ${result.medianSeconds.buildTemplatesRebundledTypechecked} s, all files written: ${result.medianSeconds.buildTemplatesAllFilesWritten} s) · ${speedup.toFixed(1)}x faster than cdk synth · bar ${result.bar.buildTemplatesSeconds} s: ${result.medianSeconds.buildTemplates <= result.bar.buildTemplatesSeconds ? 'met' : 'MISSED'}`,
);

/**
 * What every benchmark script shares: wall time of a whole process, the median, and the machine
 * block (with its load) written into each bench/results/*.json.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

/** Wall seconds of one run of `command` in `cwd` (its output ignored); throws when it fails. */
export function wall(cwd: string, command: string, args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const load2 = (l: number): number => Math.round(l * 100) / 100;

/** The machine of a results file; `load` is the 1-minute load average now, or those sampled around the runs. */
export function machine(load: number | readonly number[] = os.loadavg()[0]!): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadAverage1m: typeof load === 'number' ? load2(load) : load.map(load2),
  };
}

export const LOAD_NOTE =
  'loadAverage1m is the 1-minute load average of the machine around the measurement (2.0 = both cores busy); figures taken under load are slower than on an idle machine';

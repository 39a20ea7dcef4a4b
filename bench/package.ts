/**
 * npm run bench:package — DESIGN §9's packaging bar: a second `npm run package` with nothing
 * changed uploads nothing and finishes in under 2 s against a local S3. Whole-process wall time
 * of `node tools/run.cjs tools/package.ts --params parameters/dev.json` in a temp copy of this
 * checkout (its sources, generated/ and the real handler zips, timestamps kept; node_modules
 * linked), so no `.deploy/` file of yours is touched, against
 * test/integration/moto/server.py on 127.0.0.1 (moto's S3, CloudFormation and STS: the bucket is
 * found through the bootstrap stack, as for a user), medians, paired with `node -e 0`:
 * - first: the handler zips and templates already built, every artifact uploaded once;
 * - again: nothing changed (the bar), each run's "N uploaded" read from its output and required 0.
 * Writes bench/results/package.json. Needs python3 with moto (the tests' patched server).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPatchedMoto } from '../test/integration/moto/harness';
import { LOAD_NOTE, machine, median, wall } from './measure';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const REGION = 'eu-central-1';
const repo = path.resolve(__dirname, '..');
const COPIED = ['tools', 'templates-src', 'contracts', 'handlers', 'parameters', 'generated', 'dist', 'package.json', 'tsconfig.json'];

async function main(): Promise<void> {
  spawnSync(process.execPath, ['tools/run.cjs', 'tools/build-handlers.ts'], { cwd: repo, stdio: 'ignore' });
  const root = mkdtempSync(path.join(os.tmpdir(), 'bench-package-'));
  for (const entry of COPIED)
    if (existsSync(path.join(repo, entry))) cpSync(path.join(repo, entry), path.join(root, entry), { recursive: true, preserveTimestamps: true });
  symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const moto = await startPatchedMoto();
  try {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const tool = (name: string, args: string[]): { seconds: number; output: string } => {
      const start = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ['tools/run.cjs', `tools/${name}.ts`, ...args], { cwd: root, env, encoding: 'utf8' });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (r.status !== 0) throw new Error(`${name} exited with ${r.status}: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
      return { seconds, output: r.stdout + r.stderr };
    };
    const uploaded = (output: string): number => Number(/: (\d+) uploaded, \d+ unchanged/.exec(output)?.[1] ?? Number.NaN);
    tool('bootstrap', ['--region', REGION, '--yes']);
    const packageArgs = ['--params', 'parameters/dev.json', '--region', REGION];
    const first = tool('package', packageArgs);
    const node0: number[] = [];
    const again: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      node0.push(wall(root, process.execPath, ['-e', '0']));
      const run = tool('package', packageArgs);
      if (uploaded(run.output) !== 0) throw new Error(`a package with nothing changed uploaded ${uploaded(run.output)} artifacts`);
      again.push(run.seconds);
    }
    const r3 = (x: number): number => Number(x.toFixed(3));
    const result = {
      date: new Date().toISOString().slice(0, 10),
      machine: machine(),
      note: LOAD_NOTE,
      server: 'test/integration/moto/server.py (moto 5.2) on 127.0.0.1',
      runs: RUNS,
      first: { seconds: r3(first.seconds), uploaded: uploaded(first.output) },
      medianSeconds: { nodeE0: r3(median(node0)), packageNothingChanged: r3(median(again)) },
      bar: { packageNothingChangedSeconds: 2 },
      met: median(again) < 2,
    };
    mkdirSync(path.join(repo, 'bench/results'), { recursive: true });
    writeFileSync(path.join(repo, 'bench/results/package.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `package: first ${result.first.seconds} s (${result.first.uploaded} uploaded) · nothing changed ${result.medianSeconds.packageNothingChanged} s, 0 uploaded (bar 2 s: ${result.met ? 'met' : 'missed'}) · node -e 0 ${result.medianSeconds.nodeE0} s`,
    );
  } finally {
    await moto.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:package failed: ${(error as Error).message}`);
  process.exitCode = 1;
});

/**
 * What the integration tests need around moto_server, the real CloudFormation/S3/STS API server
 * that ships with our Python:
 *
 * - `moto()`: the server to use. `MOTO_ENDPOINT` (set by .ci/run) when that server passes the
 *   probe below; otherwise, when `python3 -c 'import moto'` works, one started here on a free port
 *   of 127.0.0.1 through test/integration/moto/server.py (moto with the patches listed at its top) and stopped
 *   by PID; otherwise the suite says it is skipped (with REQUIRE_LOCAL_SERVERS=true, as .ci/run sets it, it fails instead).
 *   The probe deploys a one-key stack through a change set and expects its output back: a plain
 *   moto_server fails that (patches 1 and 2 in server.py), and with it every deploy of ours would
 *   end in "lacks outputs", so the suite would test moto's gaps instead of our tool.
 * - `makeProject()`: a checkout of this repository in a temp dir (tools/, templates-src/, contracts/, handlers/,
 *   parameters/, package.json; node_modules linked) whose generated/root.yaml nests only stacks
 *   moto can build. The root keeps the real root's Parameters, Conditions and Mappings (so the
 *   real parameter files validate), and its Resources are the chosen nested stacks of the real
 *   root with every input from a left-out stack replaced by a fixed value.
 * - `cli()`: runs `tools/<verb>.ts` of that checkout as a user does (tsx, cwd = the checkout).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { emitTemplate, parseTemplate } from '../../../templates-src/lib/yaml';
import { LOCAL_SERVERS_REQUIRED } from '../../helpers/required';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
/** moto's default account (the STS identity of any key it has not been told about). */
export const ACCOUNT = '123456789012';

export interface Moto {
  readonly endpoint: string;
  /** Where the server came from, for the log line. */
  readonly source: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function clients(endpoint: string, region: string): { cfn: CloudFormationClient; s3: S3Client } {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const common = { endpoint, region, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 };
  return { cfn: new CloudFormationClient(common), s3: new S3Client({ ...common, forcePathStyle: true }) };
}

const PROBE_TEMPLATE = [
  'Resources:',
  '  Key:',
  '    Type: AWS::KMS::Key',
  '    Properties:',
  '      KeyPolicy: {Version: "2012-10-17", Statement: []}',
  '      Tags: [{Key: Probe, Value: "1"}]',
  'Outputs:',
  '  KeyArn:',
  '    Value: !GetAtt Key.Arn',
  '',
].join('\n');

/** True when the server builds a tagged KMS key through a change set and reports its output. */
export async function probe(endpoint: string): Promise<boolean> {
  const { cfn } = clients(endpoint, 'me-central-1');
  const name = `probe-${process.pid}-${Date.now()}`;
  try {
    const cs = await cfn.send(new CreateChangeSetCommand({ StackName: name, ChangeSetName: 'probe', ChangeSetType: 'CREATE', TemplateBody: PROBE_TEMPLATE }));
    await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: cs.Id }));
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: cs.Id }));
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    return Boolean(stack?.Outputs?.some((o) => o.OutputKey === 'KeyArn' && o.OutputValue));
  } catch {
    return false;
  }
}

async function waitUntilUp(endpoint: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint.replace('localhost', '127.0.0.1')}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('moto_server did not answer within 15 s');
}

/** Starts test/integration/moto/server.py on a free port; stop() ends it by PID. */
export async function startPatchedMoto(): Promise<Moto> {
  const port = await freePort();
  // MOTO_LOG=<file> keeps the server's log (tracebacks of its 500s) for a failing run.
  const log = process.env.MOTO_LOG ? openSync(process.env.MOTO_LOG, 'a') : 'ignore';
  const child = spawn('python3', [path.join(__dirname, 'server.py'), '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', log, log] });
  const endpoint = `http://localhost:${port}`;
  await waitUntilUp(endpoint, child);
  return {
    endpoint,
    source: `test/integration/moto/server.py (pid ${child.pid})`,
    stop: async () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}

function hasMoto(): boolean {
  return spawnSync('python3', ['-c', 'import moto'], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether this run can have a moto server (given, or python3 with moto), decided when the suite
 * loads; `motoTest` is `test` then, else `test.skip`, so a run without moto counts its tests as
 * skipped (jest's pending, which .ci/run's last line prints) instead of passing them empty. With
 * REQUIRE_LOCAL_SERVERS=true they always run, and fail without a server (see `moto()`).
 */
export const MOTO_AVAILABLE: boolean = Boolean(process.env.MOTO_ENDPOINT) || hasMoto();
export const motoTest: typeof test = MOTO_AVAILABLE || LOCAL_SERVERS_REQUIRED ? test : test.skip;

/** The server for this suite, or a reason to skip (printed by the suite). */
export async function moto(): Promise<Moto | { skip: string }> {
  const given = process.env.MOTO_ENDPOINT;
  if (given && (await probe(given))) return { endpoint: given, source: `MOTO_ENDPOINT ${given}`, stop: async () => {} };
  if (!hasMoto()) {
    const skip = given
      ? `MOTO_ENDPOINT ${given} fails the probe and python3 has no moto to start a patched server`
      : "python3 -c 'import moto' fails and MOTO_ENDPOINT is not set";
    // .ci/run starts moto: there a missing server fails the suite instead of skipping it.
    if (LOCAL_SERVERS_REQUIRED) throw new Error(`the moto integration suite cannot run (REQUIRE_LOCAL_SERVERS=true): ${skip}`);
    return { skip };
  }
  const started = await startPatchedMoto();
  if (given) {
    console.log(
      `MOTO_ENDPOINT ${given} is moto without test/integration/moto/server.py's patches (a tagged AWS::KMS::Key or a change set's Outputs fail the probe): using ${started.source} at ${started.endpoint}`,
    );
  }
  return started;
}

// ---------------------------------------------------------------------------------------------
// A checkout whose root nests only what moto can build

type Doc = Record<string, any>;

/** Fixed stand-ins for the outputs of stacks the moto root leaves out (Security, Streaming …). */
function standIn(stack: string, output: string, region: string): string {
  if (/KeyArn$/.test(output)) return `arn:aws:kms:${region}:${ACCOUNT}:key/${stack.toLowerCase()}-${output.toLowerCase()}`;
  if (/TopicArn$/.test(output)) return `arn:aws:sns:${region}:${ACCOUNT}:${output}`;
  if (/RoleArn$/.test(output)) return `arn:aws:iam::${ACCOUNT}:role/${output}`;
  if (/Arn$/.test(output)) return `arn:aws:${stack.toLowerCase()}:${region}:${ACCOUNT}:${output}`;
  if (output === 'HealthCheckDomain') return 'abc123.execute-api.example.com';
  if (output === 'HealthCheckPath') return '/prod/health';
  return `${stack}-${output}`;
}

function replaceLeftOut(node: unknown, kept: ReadonlySet<string>, region: string): unknown {
  if (Array.isArray(node)) return node.map((n) => replaceLeftOut(n, kept, region));
  if (node && typeof node === 'object') {
    const entries = Object.entries(node as Doc);
    if (entries.length === 1 && entries[0]![0] === 'Fn::GetAtt') {
      const [stack, attr] = entries[0]![1] as [string, string];
      if (!kept.has(stack)) return standIn(stack, attr.replace(/^Outputs\./, ''), region);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, replaceLeftOut(v, kept, region)]));
  }
  return node;
}

function mentionsLeftOut(node: unknown, kept: ReadonlySet<string>): boolean {
  if (Array.isArray(node)) return node.some((n) => mentionsLeftOut(n, kept));
  if (node && typeof node === 'object') {
    return Object.entries(node as Doc).some(([k, v]) => (k === 'Fn::GetAtt' && Array.isArray(v) && !kept.has(String(v[0]))) || mentionsLeftOut(v, kept));
  }
  return false;
}

/** The moto root: the real root's Parameters/Conditions/Mappings, the kept nested stacks, the outputs they can answer. */
export function motoRoot(rootText: string, kept: readonly string[], region: string): string {
  const root = parseTemplate(rootText, 'generated/root.yaml') as Doc;
  const keep = new Set(kept);
  const resources = Object.fromEntries(
    Object.entries(root.Resources as Doc)
      .filter(([id]) => keep.has(id))
      .map(([id, r]) => [id, replaceLeftOut(r, keep, region)]),
  );
  const outputs = Object.fromEntries(Object.entries(root.Outputs as Doc).filter(([, o]) => !mentionsLeftOut(o, keep)));
  const doc: Doc = { ...root, Description: `moto root: ${kept.join(', ')} of generated/root.yaml`, Resources: resources, Outputs: outputs };
  delete doc.Metadata;
  return emitTemplate(doc, { header: ['integration-test root (test/integration/moto/harness.ts)'] });
}

export interface Project {
  readonly dir: string;
  /** Rewrites generated/root.yaml to nest these stacks of the real root. */
  setRoot(kept: readonly string[]): Promise<void>;
  remove(): Promise<void>;
}

export async function makeProject(region: string, kept: readonly string[]): Promise<Project> {
  const dir = await mkdtemp(path.join(tmpdir(), 'moto-project-'));
  for (const d of ['tools', 'templates-src', 'contracts', 'handlers', 'parameters']) await cp(path.join(REPO, d), path.join(dir, d), { recursive: true });
  await cp(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  await symlink(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  await mkdir(path.join(dir, 'generated'));
  await mkdir(path.join(dir, 'dist', 'handlers'), { recursive: true });
  const rootText = await readFile(path.join(REPO, 'generated', 'root.yaml'), 'utf8');
  const setRoot = async (stacks: readonly string[]): Promise<void> => {
    const root = parseTemplate(rootText, 'root.yaml') as Doc;
    for (const id of stacks) {
      const file = path.basename(String(root.Resources[id].Properties.TemplateURL));
      await cp(path.join(REPO, 'generated', file), path.join(dir, 'generated', file));
      const doc = parseTemplate(await readFile(path.join(REPO, 'generated', file), 'utf8'), file) as Doc;
      // Handler zips the child references: tiny stand-ins (moto never runs them).
      for (const r of Object.values(doc.Resources as Doc)) {
        const code = (r as Doc).Properties?.Code;
        if (typeof code === 'string') await writeFile(path.resolve(dir, 'generated', code), Buffer.from(`PK stand-in for ${path.basename(code)}`));
      }
    }
    await writeFile(path.join(dir, 'generated', 'root.yaml'), motoRoot(rootText, stacks, region));
  };
  await setRoot(kept);
  return { dir, setRoot, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tools/<verb>.ts` of the checkout with tsx, as `npm run <verb> --` does, against `endpoint`. */
export function cli(
  project: Project,
  verb: 'bootstrap' | 'package' | 'deploy',
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 40_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(project.dir, 'tools', `${verb}.ts`), ...args], {
      cwd: project.dir,
      env: {
        PATH: process.env.PATH,
        HOME: project.dir,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_CONFIG_FILE: path.join(project.dir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(project.dir, 'no-aws-credentials'),
        CI: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a hung tsx and the node it starts end together
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // A command that hangs is ended by its PID and reported with what it printed (exit 124).
    const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 124, stdout, stderr });
    });
  });
}

/** Expects the exit code, showing the command's output when it differs. */
export function exits(r: CliResult, code: number): void {
  expect(r.code === code ? { code } : { code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code });
}

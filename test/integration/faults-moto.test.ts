/**
 * Every non-idempotent call the tools make, with its answer lost or replaced by a 500 (the fault
 * proxy in front of moto_server): the call is sent once (the proxy counts it), and the tool then
 * reports what CloudFormation shows — it follows an operation that happened and fails, changing
 * nothing, for one that did not. Judged by the server's state.
 *
 * Calls covered: ExecuteChangeSet (create and update), DeleteStack (a diff's empty stack, and
 * `--recreate`). ContinueUpdateRollback has no moto path (moto never reaches
 * UPDATE_ROLLBACK_FAILED): test/tools/deploy/once.test.ts covers it. The tools never call
 * CreateStack, UpdateStack or CancelUpdateStack.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DescribeStacksCommand, ListChangeSetsCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { startFaultProxy, type FaultProxy } from './moto/fault-proxy';
import { cli, clients, exits, makeProject, moto, type Moto, type Project, motoTest } from './moto/harness';

const REGION = 'ap-southeast-2';
const STACK = 'stockwx-dev';

let server: Moto | undefined;
let proxy: FaultProxy;
let project: Project;
let skip = '';

beforeAll(async () => {
  const m = await moto();
  if ('skip' in m) {
    skip = m.skip;
    console.log(`SKIPPED: fault-injection tests against moto_server: ${skip}`);
    return;
  }
  server = m;
  proxy = await startFaultProxy(m.endpoint);
  project = await makeProject(REGION, ['Networking']);
  // Bootstrap straight at the server; only the calls under test go through the proxy.
  exits(await cli(project, 'bootstrap', ['--region', REGION, '--endpoint-url', m.endpoint, '--yes']), 0);
}, 60_000);

afterAll(async () => {
  await project?.remove();
  await proxy?.stop();
  await server?.stop();
});

const it = (name: string, fn: () => Promise<void>): void =>
  motoTest(
    name,
    async () => {
      if (!server) return void console.log(`skipped (${skip}): ${name}`);
      await fn();
    },
    60_000,
  );

async function stack(name: string): Promise<Stack | undefined> {
  try {
    return (await clients(server!.endpoint, REGION).cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch {
    return undefined;
  }
}

async function changeSets(name: string): Promise<string[]> {
  const res = await clients(server!.endpoint, REGION).cfn.send(new ListChangeSetsCommand({ StackName: name }));
  // moto lists the change sets of every stack in the region: keep this stack's.
  return (res.Summaries ?? []).filter((s) => s.StackName === name).map((s) => s.ExecutionStatus ?? '?');
}

/** Runs a deploy through the proxy with one fault armed; returns the result and how often the call went out. */
async function deployWith(action: string, fault: '500-before' | '500-after' | 'drop-after' | undefined, args: readonly string[], params = 'dev.json') {
  const sent = proxy.actions.length;
  if (fault) proxy.arm(action, fault);
  const r = await cli(project, 'deploy', ['--params', params, '--region', REGION, '--endpoint-url', proxy.endpoint, '--no-build', ...args]);
  const calls = proxy.actions.slice(sent).filter((a) => a === action).length;
  return { r, calls };
}

describe('non-idempotent calls are sent once and reconciled', () => {
  it('ExecuteChangeSet answered 500 before the server saw it: exit 1, nothing created, the change set still AVAILABLE', async () => {
    const { r, calls } = await deployWith('ExecuteChangeSet', '500-before', ['--yes']);
    exits(r, 1);
    expect(calls).toBe(1);
    expect(r.stderr).toContain('was not repeated');
    expect(r.stderr).toContain('it was not carried out, nothing changed');
    const s = await stack(STACK);
    expect(s?.StackStatus).toBe('REVIEW_IN_PROGRESS');
    expect(s?.Outputs ?? []).toEqual([]);
    expect(await changeSets(STACK)).toEqual(['AVAILABLE']);
  });

  it('ExecuteChangeSet carried out but its answer lost: the create is followed to CREATE_COMPLETE, exit 0', async () => {
    const { r, calls } = await deployWith('ExecuteChangeSet', 'drop-after', ['--yes']);
    exits(r, 0);
    expect(calls).toBe(1);
    expect(r.stdout).toContain('CloudFormation shows it started');
    const s = await stack(STACK);
    expect(s?.StackStatus).toBe('CREATE_COMPLETE');
    expect(s?.Outputs?.find((o) => o.OutputKey === 'NetworkingAppVpcId')?.OutputValue).toMatch(/^vpc-/);
  });

  it('ExecuteChangeSet of an update carried out but answered 500: followed to UPDATE_COMPLETE, exit 0', async () => {
    await project.setRoot(['Networking', 'DataLake']);
    const { r, calls } = await deployWith('ExecuteChangeSet', '500-after', ['--yes']);
    exits(r, 0);
    expect(calls).toBe(1);
    const s = await stack(STACK);
    expect(s?.StackStatus).toBe('UPDATE_COMPLETE');
    expect(s?.Outputs?.some((o) => o.OutputKey === 'DataLakeRawBucketName')).toBe(true);
  });

  it('DeleteStack of a diff carried out but its answer lost: the diff succeeds and the empty stack is gone', async () => {
    await writeFile(
      path.join(project.dir, 'parameters', 'other.json'),
      JSON.stringify({ ...(await import(path.join(project.dir, 'parameters', 'dev.json'))).default, stackName: 'stockwx-other' }),
    );
    const { r, calls } = await deployWith('DeleteStack', 'drop-after', ['--diff'], 'other.json');
    exits(r, 0);
    expect(calls).toBe(1);
    const s = await stack('stockwx-other');
    expect(s === undefined || s.StackStatus === 'DELETE_COMPLETE').toBe(true);
  });

  it('DeleteStack of a diff answered 500 before the server saw it: exit 1, and the stack is still there to see', async () => {
    const { r, calls } = await deployWith('DeleteStack', '500-before', ['--diff'], 'other.json');
    exits(r, 1);
    expect(calls).toBe(1);
    expect(r.stderr).toContain('REVIEW_IN_PROGRESS');
    expect((await stack('stockwx-other'))?.StackStatus).toBe('REVIEW_IN_PROGRESS');
  });

  it('DeleteStack of --recreate carried out but answered 500: the half-built stack is deleted, and the create that follows is tried', async () => {
    // moto builds Analytics as CREATE_COMPLETE without its Glue and Athena outputs: the deploy
    // fails naming them, and --recreate is the repair it names.
    await project.setRoot(['DataLake', 'Analytics']);
    await writeFile(
      path.join(project.dir, 'parameters', 'analytics.json'),
      JSON.stringify({ ...(await import(path.join(project.dir, 'parameters', 'dev.json'))).default, stackName: 'stockwx-analytics', projectName: 'stockwxa' }),
    );
    const first = await deployWith('ExecuteChangeSet', undefined, ['--yes'], 'analytics.json');
    exits(first.r, 1);
    expect(first.r.stderr).toMatch(/lacks \d+ outputs? its template declares: .*AnalyticsGlueDatabaseName/);
    expect(first.r.stderr).toContain('--recreate');
    const before = await stack('stockwx-analytics');
    expect(before?.StackStatus).toBe('CREATE_COMPLETE');

    const { r, calls } = await deployWith('DeleteStack', '500-after', ['--yes', '--recreate'], 'analytics.json');
    expect(calls).toBe(1);
    expect(r.stdout).toContain('DeleteStack got HTTP 500');
    expect(r.stdout).toContain('CloudFormation shows it started');
    expect((await stack(before!.StackId!))?.StackStatus).toBe('DELETE_COMPLETE');
    const after = await stack('stockwx-analytics');
    expect(after?.StackId).not.toBe(before?.StackId);
    // The deleted stack's buckets were retained (RetainExceptOnCreate: this delete is not the rollback
    // of their create) under fixed names, so the
    // new create fails on them: the server's rejection is the root cause printed.
    exits(r, 1);
    expect(r.stderr).toContain('BucketAlreadyExists');
  });
});

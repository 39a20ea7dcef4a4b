/**
 * Deploys moto_server really rejects, or really half-builds: each ends non-zero with the
 * server's root cause, and never with a success line. Judged by the exit code, the cause printed
 * and the server's state.
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { cli, clients, exits, makeProject, moto, type Moto, type Project, motoTest } from './moto/harness';

const REGION = 'ca-central-1';

let server: Moto | undefined;
let project: Project;
let skip = '';

beforeAll(async () => {
  const m = await moto();
  if ('skip' in m) {
    skip = m.skip;
    console.log(`SKIPPED: deploy failure tests against moto_server: ${skip}`);
    return;
  }
  server = m;
  project = await makeProject(REGION, ['Compute']);
  exits(await cli(project, 'bootstrap', ['--region', REGION, '--endpoint-url', m.endpoint, '--yes']), 0);
}, 60_000);

afterAll(async () => {
  await project?.remove();
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

async function stack(endpoint: string, region: string, name: string): Promise<Stack | undefined> {
  try {
    return (await clients(endpoint, region).cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch {
    return undefined;
  }
}

describe('deploys the server rejects end non-zero with the root cause', () => {
  it('Compute with stand-in roles: Lambda refuses the role (InvalidParameterValueException), exit 1', async () => {
    const r = await cli(project, 'deploy', ['--params', 'dev.json', '--region', REGION, '--endpoint-url', server!.endpoint, '--no-build', '--yes']);
    exits(r, 1);
    expect(r.stderr).toContain('InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda.');
    expect(r.stdout).not.toMatch(/every declared output present/);
    // The handler zips were packaged and uploaded before the change set (content-addressed keys).
    expect(r.stdout).toMatch(/packaged \d+ artifacts/);
    expect((await stack(server!.endpoint, REGION, 'stockwx-dev'))?.Outputs ?? []).toEqual([]);
  });

  it('Analytics: moto says CREATE_COMPLETE without the Glue and Athena outputs, the tool says which are missing, exit 1', async () => {
    await project.setRoot(['DataLake', 'Analytics']);
    const r = await cli(project, 'deploy', [
      '--params',
      'dev.json',
      '--region',
      REGION,
      '--endpoint-url',
      server!.endpoint,
      '--no-build',
      '--yes',
      '--parameter',
      'ProjectName=stockwxb',
    ]);
    // The Compute attempt left stockwx-dev REVIEW_IN_PROGRESS (never executed): it is created now.
    exits(r, 1);
    expect(r.stderr).toMatch(/stockwx-dev\/Analytics lacks 3 outputs its template declares: AthenaWorkGroupName, CrawlerName, GlueDatabaseName/);
    expect(r.stderr).toContain('--recreate');
    expect((await stack(server!.endpoint, REGION, 'stockwx-dev'))?.StackStatus).toBe('CREATE_COMPLETE');
  });
});

describe('a plain moto_server (without test/integration/moto/server.py)', () => {
  let plain: { endpoint: string; stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    if (!server) return;
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    child.on('error', () => undefined);
    for (let i = 0; i < 150 && child.exitCode === null; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/moto-api/`).then(
        (x) => x.ok,
        () => false,
      );
      if (up) {
        plain = {
          endpoint: `http://localhost:${port}`,
          stop: async () => {
            const exited = new Promise((r) => child.once('exit', r));
            process.kill(child.pid!, 'SIGTERM');
            await exited;
          },
        };
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 30_000);
  afterAll(() => plain?.stop());

  it('bootstrap meets the KMS key-tags 500: exit 1, the 500 and what CloudFormation showed, no success line', async () => {
    if (!plain) return void console.log('skipped: moto_server is not on PATH');
    const r = await cli(project, 'bootstrap', ['--region', REGION, '--endpoint-url', plain.endpoint, '--yes']);
    exits(r, 1);
    expect(r.stderr).toContain('the call got HTTP 500');
    expect(r.stderr).toContain('was not repeated');
    expect(r.stderr).toMatch(/stockwx-bootstrap is REVIEW_IN_PROGRESS, yet the stack recorded CREATE_IN_PROGRESS/);
    expect(r.stdout).not.toContain('CREATE_COMPLETE');
    expect((await stack(plain.endpoint, REGION, 'stockwx-bootstrap'))?.StackStatus).toBe('REVIEW_IN_PROGRESS');
  });
});

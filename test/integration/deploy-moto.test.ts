/**
 * bootstrap → package → package again → diff → deploy → deploy again → a change → deploy, run as
 * a user runs them (the CLIs of a checkout, `--endpoint-url` at moto_server), each step judged by
 * the server's state read back with the SDK, never by what the tool printed. The root nests
 * stacks moto builds completely: Networking first, then the change adds DataLake (harness.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DescribeStacksCommand, ListChangeSetsCommand, ListStackResourcesCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { parseTemplate } from '../../templates-src/lib/yaml';
import { ACCOUNT, cli, clients, exits, makeProject, moto, type Moto, type Project, motoTest } from './moto/harness';

const REGION = 'eu-central-1';
const STACK = 'stockwx-dev';
const BOOTSTRAP = 'stockwx-bootstrap';
const REPLICA_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/replica-e2e`;

let server: Moto | undefined;
let project: Project;
let skip = '';

beforeAll(async () => {
  const m = await moto();
  if ('skip' in m) {
    skip = m.skip;
    console.log(`SKIPPED: deploy integration tests against moto_server: ${skip}`);
    return;
  }
  server = m;
  project = await makeProject(REGION, ['Networking']);
}, 60_000);

afterAll(async () => {
  await project?.remove();
  await server?.stop();
});

const flags = (): string[] => ['--region', REGION, '--endpoint-url', server!.endpoint];
const it = (name: string, fn: () => Promise<void>, timeout = 60_000): void =>
  motoTest(
    name,
    async () => {
      if (!server) return void console.log(`skipped (${skip}): ${name}`);
      await fn();
    },
    timeout,
  );

async function stack(name: string): Promise<Stack | undefined> {
  const { cfn } = clients(server!.endpoint, REGION);
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch {
    return undefined;
  }
}

async function objects(bucket: string): Promise<Record<string, string>> {
  const { s3 } = clients(server!.endpoint, REGION);
  const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return Object.fromEntries((res.Contents ?? []).map((o) => [o.Key!, `${o.ETag} ${o.LastModified?.toISOString()}`]));
}

async function pendingChangeSets(name: string): Promise<string[]> {
  const { cfn } = clients(server!.endpoint, REGION);
  const res = await cfn.send(new ListChangeSetsCommand({ StackName: name }));
  // moto lists the change sets of every stack in the region: keep this stack's.
  return (res.Summaries ?? [])
    .filter((s) => s.StackName === name && s.ExecutionStatus !== 'EXECUTE_COMPLETE')
    .map((s) => `${s.ChangeSetName} ${s.ExecutionStatus}`);
}

const outputs = (s: Stack | undefined): Record<string, string> => Object.fromEntries((s?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
const parameter = (s: Stack | undefined, key: string): string | undefined => s?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;

let bucket = '';
let afterFirstPackage: Record<string, string> = {};

describe('a user deploys to moto_server', () => {
  it('bootstrap creates the stack with both outputs and a bucket that answers HeadBucket', async () => {
    const r = await cli(project, 'bootstrap', [...flags(), '--yes']);
    expect(r.stderr).not.toContain('NodeVersionSupportWarning');
    exits(r, 0);
    const s = await stack(BOOTSTRAP);
    expect(s?.StackStatus).toBe('CREATE_COMPLETE');
    bucket = outputs(s).ArtifactsBucketName!;
    expect(bucket).toBe(`stockwx-artifacts-${ACCOUNT}-${REGION}`);
    expect(outputs(s).ArtifactsKmsKeyArn).toMatch(/^arn:aws:kms:/);
    await expect(clients(server!.endpoint, REGION).s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: ACCOUNT }))).resolves.toBeDefined();
  });

  it('bootstrap again: no changes, exit 0, no change set left', async () => {
    const before = await stack(BOOTSTRAP);
    const r = await cli(project, 'bootstrap', [...flags(), '--yes']);
    exits(r, 0);
    const after = await stack(BOOTSTRAP);
    expect(after?.StackStatus).toBe('CREATE_COMPLETE');
    expect(String(after?.LastUpdatedTime)).toBe(String(before?.LastUpdatedTime));
    expect(await pendingChangeSets(BOOTSTRAP)).toEqual([]);
  });

  it('package uploads the root and both nested templates to content-addressed keys', async () => {
    const r = await cli(project, 'package', ['--params', 'dev.json', ...flags(), '--no-build']);
    exits(r, 0);
    afterFirstPackage = await objects(bucket);
    const manifest = JSON.parse(await readFile(path.join(project.dir, '.deploy', `${STACK}-manifest.json`), 'utf8'));
    const keys = (manifest.artifacts as { key: string }[]).map((a) => a.key).sort();
    expect(keys).toHaveLength(2);
    expect(Object.keys(afterFirstPackage).sort()).toEqual(keys);
    // The packaged root points at its children under the endpoint, on localhost, in the bucket.
    const packaged = parseTemplate(await readFile(path.join(project.dir, '.deploy', 'packaged', STACK, REGION, 'root.yaml'), 'utf8'), 'root.yaml') as any;
    for (const id of ['Networking']) {
      const url = new URL(packaged.Resources[id].Properties.TemplateURL);
      expect(url.hostname).toBe('localhost');
      expect(url.pathname.split('/')[1]).toBe(bucket);
      expect(Object.keys(afterFirstPackage)).toContain(url.pathname.split('/').slice(2).join('/'));
    }
  });

  it('package again uploads nothing: the bucket is byte-for-byte and time-for-time the same', async () => {
    const r = await cli(project, 'package', ['--params', 'dev.json', ...flags(), '--no-build']);
    exits(r, 0);
    expect(await objects(bucket)).toEqual(afterFirstPackage);
  });

  it('diff creates and removes a change set, leaving no stack behind', async () => {
    const r = await cli(project, 'deploy', ['--params', 'dev.json', ...flags(), '--no-build', '--diff']);
    exits(r, 0);
    expect(r.stdout).toMatch(/Networking/);
    const s = await stack(STACK);
    expect(s === undefined || s.StackStatus === 'DELETE_COMPLETE').toBe(true);
  });

  it('deploy creates root and nested stacks, every declared output present', async () => {
    const r = await cli(project, 'deploy', ['--params', 'dev.json', ...flags(), '--no-build', '--yes']);
    expect(`${r.stdout}${r.stderr}`).not.toContain('NodeVersionSupportWarning');
    exits(r, 0);
    const s = await stack(STACK);
    expect(s?.StackStatus).toBe('CREATE_COMPLETE');
    const declared = Object.keys((parseTemplate(await readFile(path.join(project.dir, 'generated', 'root.yaml'), 'utf8'), 'root.yaml') as any).Outputs).sort();
    expect(declared.length).toBeGreaterThan(10);
    expect(Object.keys(outputs(s)).sort()).toEqual(declared);
    expect(outputs(s).NetworkingAppVpcId).toMatch(/^vpc-[0-9a-f]+$/);
    const { cfn } = clients(server!.endpoint, REGION);
    const nested = (await cfn.send(new ListStackResourcesCommand({ StackName: STACK }))).StackResourceSummaries!.filter(
      (x) => x.ResourceType === 'AWS::CloudFormation::Stack',
    );
    expect(nested.map((n) => n.LogicalResourceId).sort()).toEqual(['Networking']);
    for (const n of nested) expect((await stack(n.PhysicalResourceId!))?.StackStatus).toBe('CREATE_COMPLETE');
    expect(await pendingChangeSets(STACK)).toEqual([]);
    expect(JSON.parse(await readFile(path.join(project.dir, '.deploy', `${STACK}-outputs.json`), 'utf8'))).toEqual(outputs(s));
  });

  it('deploy again: no changes, exit 0, the stack untouched and no change set left', async () => {
    const before = await stack(STACK);
    const r = await cli(project, 'deploy', ['--params', 'dev.json', ...flags(), '--no-build', '--yes']);
    exits(r, 0);
    const after = await stack(STACK);
    expect(after?.StackStatus).toBe(before?.StackStatus);
    expect(String(after?.LastUpdatedTime)).toBe(String(before?.LastUpdatedTime));
    expect(await pendingChangeSets(STACK)).toEqual([]);
  });

  it('a change (DataLake added, replication on) deploys as an update: root UPDATE_COMPLETE, DataLake created', async () => {
    await project.setRoot(['Networking', 'DataLake']);
    const before = await objects(bucket);
    const r = await cli(project, 'deploy', ['--params', 'dev.json', ...flags(), '--no-build', '--yes', '--parameter', `ReplicaKmsKeyArn=${REPLICA_KEY}`]);
    exits(r, 0);
    const s = await stack(STACK);
    expect(s?.StackStatus).toBe('UPDATE_COMPLETE');
    expect(parameter(s, 'ReplicaKmsKeyArn')).toBe(REPLICA_KEY);
    expect(outputs(s).DataLakeReplicationRoleArn).toMatch(/^arn:aws:iam::/);
    // The new root and the DataLake template were uploaded; Networking's key is unchanged.
    const after = await objects(bucket);
    expect(Object.keys(after).length - Object.keys(before).length).toBe(2);
    const { cfn } = clients(server!.endpoint, REGION);
    const nested = (await cfn.send(new ListStackResourcesCommand({ StackName: STACK }))).StackResourceSummaries!.filter(
      (x) => x.ResourceType === 'AWS::CloudFormation::Stack',
    );
    expect(nested.map((n) => n.LogicalResourceId).sort()).toEqual(['DataLake', 'Networking']);
    expect(await pendingChangeSets(STACK)).toEqual([]);
  });

  it('a deploy that would empty ReplicaKmsKeyArn is refused, naming what it removes, and changes nothing', async () => {
    const before = await stack(STACK);
    const r = await cli(project, 'deploy', ['--params', 'dev.json', ...flags(), '--no-build', '--yes']);
    exits(r, 1);
    expect(r.stderr).toContain('--allow-dr-removal');
    expect(r.stderr).toContain(`no stack ${STACK}-secondary in us-west-2`);
    expect(r.stderr).toMatch(/DataLake\/ReplicationRole \(AWS::IAM::Role\): removed/);
    const after = await stack(STACK);
    expect(parameter(after, 'ReplicaKmsKeyArn')).toBe(REPLICA_KEY);
    expect(String(after?.LastUpdatedTime)).toBe(String(before?.LastUpdatedTime));
    expect(await pendingChangeSets(STACK)).toEqual([]);
  });

  it('AWS_ENDPOINT_URL works as --endpoint-url does: a no-op deploy', async () => {
    const before = await stack(STACK);
    const r = await cli(
      project,
      'deploy',
      ['--params', 'dev.json', '--region', REGION, '--no-build', '--yes', '--parameter', `ReplicaKmsKeyArn=${REPLICA_KEY}`],
      {
        AWS_ENDPOINT_URL: server!.endpoint,
      },
    );
    exits(r, 0);
    expect(String((await stack(STACK))?.LastUpdatedTime)).toBe(String(before?.LastUpdatedTime));
  });

  it('--allow-dr-removal deploys it: replication is off on the server', async () => {
    const r = await cli(project, 'deploy', ['--params', 'dev.json', ...flags(), '--no-build', '--yes', '--allow-dr-removal']);
    exits(r, 0);
    expect(r.stdout).toContain('--allow-dr-removal: stockwx-dev in eu-central-1 stops replicating');
    const s = await stack(STACK);
    expect(s?.StackStatus).toBe('UPDATE_COMPLETE');
    expect(parameter(s, 'ReplicaKmsKeyArn') ?? '').toBe('');
    expect(await pendingChangeSets(STACK)).toEqual([]);
  });
});

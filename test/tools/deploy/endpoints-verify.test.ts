import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { UsageError } from '../../../tools/lib/errors';
import { parseBootstrapArgs } from '../../../tools/lib/deploy/bootstrap';
import { parseDeployArgs, parsePackageArgs } from '../../../tools/lib/deploy/cli';
import { fakeClock } from '../../../tools/lib/deploy/clock';
import { createClients } from '../../../tools/lib/deploy/preflight';
import { cliHintFlags, objectUrlBase, resolveEndpoints } from '../../../tools/lib/deploy/endpoints';
import { declaredOutputs, evaluateConditions, verifyStack } from '../../../tools/lib/deploy/verify';
import { checkBucket, findArtifactsBucket } from '../../../tools/lib/package/bucket';
import { objectUrl } from '../../../tools/lib/package/registry';
import { uploadAll } from '../../../tools/lib/package/uploader';
import { fakeCloudFormation, T0 } from './fake-cloudformation';

describe('resolveEndpoints', () => {
  test.each([
    ['nothing: AWS', undefined, {}, {}],
    [
      '--endpoint-url for every service',
      'http://localhost:4566/',
      { AWS_ENDPOINT_URL: 'http://other:1' },
      { CLOUDFORMATION: 'http://localhost:4566', S3: 'http://localhost:4566', STS: 'http://localhost:4566' },
    ],
    [
      'AWS_ENDPOINT_URL for every service',
      undefined,
      { AWS_ENDPOINT_URL: 'http://localhost:5000' },
      { CLOUDFORMATION: 'http://localhost:5000', S3: 'http://localhost:5000', STS: 'http://localhost:5000' },
    ],
    [
      'a service variable beats the global one',
      undefined,
      { AWS_ENDPOINT_URL: 'http://localhost:5000', AWS_ENDPOINT_URL_S3: 'http://s3.localhost.localstack.cloud:4566' },
      { CLOUDFORMATION: 'http://localhost:5000', S3: 'http://s3.localhost.localstack.cloud:4566', STS: 'http://localhost:5000' },
    ],
    [
      'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns the variables off',
      undefined,
      { AWS_ENDPOINT_URL: 'http://localhost:5000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
      {},
    ],
  ])('%s', (_name, flag, env, expected) => {
    expect(resolveEndpoints(flag, env)).toEqual(expected);
  });

  test('bad URLs are usage errors naming the flag or the variable', () => {
    expect(() => resolveEndpoints('not-a-url', {})).toThrow(
      new UsageError("--endpoint-url must be an http:// or https:// URL such as http://localhost:4566 (got 'not-a-url')"),
    );
    expect(() => resolveEndpoints(undefined, { AWS_ENDPOINT_URL_S3: 'ftp://x' })).toThrow(
      new UsageError("AWS_ENDPOINT_URL_S3 must be an http:// or https:// URL such as http://localhost:4566 (got 'ftp://x')"),
    );
  });

  test('the CLIs refuse bad URLs and regions as usage errors naming the flag', () => {
    expect(() => parseDeployArgs(['--params', 'dev', '--endpoint-url', 'nope'])).toThrow(UsageError);
    expect(() => parseDeployArgs(['--params', 'dev', '--region', 'moon-1'])).toThrow("--region must be an AWS region name such as us-east-1 (got 'moon-1')");
    expect(() => parsePackageArgs(['--params', 'dev', '--yes'])).toThrow("Unknown option '--yes'");
    expect(() => parseBootstrapArgs(['--region', 'US-EAST-1'])).toThrow(UsageError);
    expect(parseDeployArgs(['--params=dev', '--endpoint-url=http://localhost:4566/']).endpointUrl).toBe('http://localhost:4566');
  });
});

describe('object URLs under a custom endpoint', () => {
  test.each([
    ['http://127.0.0.1:5000', 'http://localhost:5000/b/templates/x.yaml'],
    ['http://127.1.2.3:5000/', 'http://localhost:5000/b/templates/x.yaml'],
    ['http://[::1]:4566', 'http://localhost:4566/b/templates/x.yaml'],
    ['http://localhost:4566', 'http://localhost:4566/b/templates/x.yaml'],
    ['http://localstack:4566', 'http://localstack:4566/b/templates/x.yaml'],
  ])('%s → %s (moto and LocalStack resolve localhost, not a loopback IP)', (endpoint, url) => {
    expect(objectUrl('b', 'us-east-1', 'templates/x.yaml', endpoint)).toBe(url);
  });

  test('AWS: region-qualified virtual-hosted URL', () => {
    expect(objectUrl('b', 'eu-west-1', 'k')).toBe('https://b.s3.eu-west-1.amazonaws.com/k');
    expect(objectUrlBase('http://127.0.0.1:1')).toBe('http://localhost:1');
  });

  test('CLI hints carry --region, and --endpoint-url when CloudFormation is elsewhere', () => {
    expect(cliHintFlags('eu-west-1', {})).toBe(' --region eu-west-1');
    expect(cliHintFlags('eu-west-1', { CLOUDFORMATION: 'http://localhost:5000' })).toBe(' --region eu-west-1 --endpoint-url http://localhost:5000');
  });
});

describe('declared outputs and their conditions', () => {
  const template = [
    'Parameters:',
    '  Env: {Type: String}',
    '  Email: {Type: String, Default: ""}',
    'Conditions:',
    '  IsProd: !Equals [!Ref Env, prod]',
    '  HasEmail: !Not [!Equals [!Ref Email, ""]]',
    '  ProdWithEmail: !And [{Condition: IsProd}, {Condition: HasEmail}]',
    "  Odd: {'Fn::Equals': [{'Fn::Select': ['0', ['a']]}, a]}",
    'Resources:',
    '  T: {Type: AWS::SNS::Topic}',
    'Outputs:',
    '  Always: {Value: x}',
    '  ProdOnly: {Value: x, Condition: IsProd}',
    '  Both: {Value: x, Condition: ProdWithEmail}',
    '  Undecidable: {Value: x, Condition: Odd}',
    '',
  ].join('\n');

  test('an output with a false or undecidable condition is not required', () => {
    expect(declaredOutputs(template, { Env: 'dev', Email: '' })).toEqual(['Always']);
    expect(declaredOutputs(template, { Env: 'prod', Email: '' })).toEqual(['Always', 'ProdOnly']);
    expect(declaredOutputs(template, { Env: 'prod', Email: 'a@b.c' })).toEqual(['Always', 'Both', 'ProdOnly']);
  });

  test('Fn::Or and Fn::And short-circuit around what cannot be decided', () => {
    const c = evaluateConditions(
      {
        A: { 'Fn::Or': [{ 'Fn::Equals': ['1', '1'] }, { 'Fn::GetAZs': '' }] },
        B: { 'Fn::And': [{ 'Fn::Equals': ['1', '2'] }, { 'Fn::GetAZs': '' }] },
        C: { 'Fn::And': [{ 'Fn::Equals': ['1', '1'] }, { 'Fn::GetAZs': '' }] },
      },
      {},
    );
    expect(c).toEqual({ A: true, B: false, C: undefined });
  });
});

describe('verifyStack', () => {
  const clock = fakeClock(T0);
  test('a nested stack that rolled back, a missing output and an unresolved one: one error naming all three', async () => {
    const cfn = fakeCloudFormation(clock, {
      stack: {
        name: 'app',
        id: 'arn:app',
        status: 'UPDATE_COMPLETE',
        declaredOutputs: ['A', 'B', 'C'],
        outputs: [
          { OutputKey: 'A', OutputValue: 'ok' },
          { OutputKey: 'C', OutputValue: "{'Fn::GetAtt': ['X', 'Outputs.Y']}" },
        ],
      },
      nestedStacks: [
        { logicalId: 'Good', id: 'arn:good', status: 'CREATE_COMPLETE' },
        { logicalId: 'Bad', id: 'arn:bad', status: 'UPDATE_ROLLBACK_COMPLETE' },
      ],
    });
    await expect(verifyStack(cfn.client, 'app', 'UPDATE', 'Fix it.')).rejects.toThrow(
      'app: CloudFormation does not confirm the deploy: app lacks 2 outputs its template declares: B, C; app/Bad is UPDATE_ROLLBACK_COMPLETE, expected CREATE_COMPLETE or UPDATE_COMPLETE. Fix it.',
    );
  });

  test('a create must end CREATE_COMPLETE in every stack', async () => {
    const cfn = fakeCloudFormation(clock, {
      stack: { name: 'app', id: 'arn:app', status: 'CREATE_COMPLETE', outputs: [] },
      nestedStacks: [{ logicalId: 'N', id: 'arn:n', status: 'CREATE_COMPLETE' }],
    });
    await expect(verifyStack(cfn.client, 'app', 'CREATE', '')).resolves.toMatchObject({ nested: ['app/N'] });
  });
});

describe('the artifacts bucket', () => {
  const s3 = (): { client: S3Client; mock: ReturnType<typeof mockClient> } => {
    const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    return { client, mock: mockClient(client) };
  };

  test.each([
    [undefined, 'bootstrap stack stockwx-bootstrap in eu-west-1 does not exist; run npm run bootstrap -- --region eu-west-1 (or pass --bucket)'],
    [
      'REVIEW_IN_PROGRESS',
      'bootstrap stack stockwx-bootstrap in eu-west-1 was never created (REVIEW_IN_PROGRESS: its change set was not executed); run npm run bootstrap -- --region eu-west-1',
    ],
    ['UPDATE_IN_PROGRESS', 'bootstrap stack stockwx-bootstrap in eu-west-1 is UPDATE_IN_PROGRESS; wait for it to finish, then retry'],
    [
      'ROLLBACK_COMPLETE',
      'bootstrap stack stockwx-bootstrap in eu-west-1 is ROLLBACK_COMPLETE without the ArtifactsBucketName output its template declares; repair it with npm run bootstrap -- --region eu-west-1 --recreate',
    ],
    [
      'CREATE_COMPLETE',
      'bootstrap stack stockwx-bootstrap in eu-west-1 is CREATE_COMPLETE without the ArtifactsBucketName output its template declares; repair it with npm run bootstrap -- --region eu-west-1 --recreate',
    ],
  ])('bootstrap stack %s → a message with the command that repairs it', async (status, message) => {
    const cfn = fakeCloudFormation(fakeClock(T0), { stack: { name: 'stockwx-bootstrap', id: 'arn:b', status, outputs: [] } });
    await expect(findArtifactsBucket(cfn.client, 'stockwx-bootstrap', 'eu-west-1')).rejects.toThrow(message);
  });

  test("someone else's bucket: HeadBucket with ExpectedBucketOwner is refused (403) and nothing is uploaded", async () => {
    const { client, mock } = s3();
    mock.on(HeadBucketCommand).rejects(Object.assign(new Error('Forbidden'), { name: '403', $metadata: { httpStatusCode: 403 } }));
    await expect(checkBucket(client, 'their-bucket', '111122223333', 'us-east-1', true)).rejects.toThrow(
      '--bucket their-bucket does not belong to account 111122223333 (or we may not read it): HeadBucket with ExpectedBucketOwner=111122223333 was refused; nothing was uploaded',
    );
    expect(mock.commandCalls(HeadBucketCommand)[0]!.args[0].input).toEqual({ Bucket: 'their-bucket', ExpectedBucketOwner: '111122223333' });
  });

  test('every HeadObject and PutObject carries ExpectedBucketOwner', async () => {
    const { client, mock } = s3();
    mock.on(HeadObjectCommand).rejects(Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }));
    mock.on(PutObjectCommand).resolves({});
    await uploadAll(client, 'b', [{ key: 'k', body: Buffer.from('x'), contentType: 'text/plain' }], { expectedOwner: '111122223333' });
    expect(mock.commandCalls(HeadObjectCommand)[0]!.args[0].input.ExpectedBucketOwner).toBe('111122223333');
    expect(mock.commandCalls(PutObjectCommand)[0]!.args[0].input.ExpectedBucketOwner).toBe('111122223333');
  });
});

test('the CloudFormation client of createClients keeps SDK retries for reads (no maxAttempts override)', async () => {
  const c = createClients('us-east-1', { endpoints: {} });
  expect(await c.cfn.config.maxAttempts()).toBe(3);
  expect(c.cfn).toBeInstanceOf(CloudFormationClient);
  expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
});

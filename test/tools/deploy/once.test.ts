import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { fakeClock } from '../../../tools/lib/deploy/clock';
import { deployStack } from '../../../tools/lib/deploy/deploy';
import { awsErrorDetail, describeAnswer, isUncertain, NON_IDEMPOTENT_COMMANDS, sendOnce } from '../../../tools/lib/deploy/once';
import { fakeCloudFormation, memoryOutput, resourceChange, T0, type Scenario } from './fake-cloudformation';

/** A CloudFormation endpoint on 127.0.0.1 that answers every request with HTTP 500 and counts them. */
async function failingServer(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    n++;
    req.resume();
    req.on('end', () =>
      res
        .writeHead(500, { 'content-type': 'text/xml' })
        .end('<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>boom</Message></Error></ErrorResponse>'),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: () => n, close: () => new Promise((r) => server.close(() => r())) };
}

describe('sendOnce against a server that answers 500', () => {
  let server: Awaited<ReturnType<typeof failingServer>>;
  let cfn: CloudFormationClient;
  beforeAll(async () => {
    server = await failingServer();
    // The SDK's standard retry strategy, without its backoff delays (they only slow the test).
    cfn = new CloudFormationClient({
      region: 'us-east-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      requestHandler: new NodeHttpHandler(),
      retryStrategy: undefined,
    });
  });
  afterAll(() => server.close());

  const commands = [
    new ExecuteChangeSetCommand({ ChangeSetName: 'cs', StackName: 's' }),
    new DeleteStackCommand({ StackName: 's' }),
    new ContinueUpdateRollbackCommand({ StackName: 's' }),
    new CancelUpdateStackCommand({ StackName: 's' }),
    new CreateStackCommand({ StackName: 's', TemplateBody: '{}' }),
    new UpdateStackCommand({ StackName: 's', TemplateBody: '{}' }),
  ];

  test('the list names every command below', () => {
    expect([...NON_IDEMPOTENT_COMMANDS].sort()).toEqual(commands.map((c) => c.constructor.name).sort());
  });

  test.each(commands.map((c) => [c.constructor.name, c] as const))(
    '%s goes out exactly once',
    async (_name, command) => {
      const before = server.count();
      const error = await sendOnce(cfn, command).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(server.count() - before).toBe(1);
      expect(isUncertain(error)).toBe(true);
    },
    20_000,
  );

  test('a read through the same client keeps the SDK retries (3 attempts)', async () => {
    const before = server.count();
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 's' }))).rejects.toBeDefined();
    expect(server.count() - before).toBe(3);
  }, 20_000);
});

describe('isUncertain / describeAnswer / awsErrorDetail', () => {
  const err = (props: Record<string, unknown>): Error => Object.assign(new Error(String(props.message ?? 'x')), props);
  test.each([
    ['HTTP 500', err({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }), true],
    ['HTTP 503', err({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }), true],
    ['timeout, no answer', err({ name: 'TimeoutError', message: 'socket hang up' }), true],
    ['connection reset', err({ code: 'ECONNRESET', message: 'read ECONNRESET' }), true],
    ['ValidationError 400', err({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } }), false],
    ['InvalidChangeSetStatus 400', err({ name: 'InvalidChangeSetStatusException', $metadata: { httpStatusCode: 400 } }), false],
    ['Throttling 400', err({ name: 'Throttling', $metadata: { httpStatusCode: 400 } }), false],
  ])('%s → uncertain %s', (_name, error, uncertain) => {
    expect(isUncertain(error)).toBe(uncertain);
  });

  test('describeAnswer says what came back', () => {
    expect(describeAnswer(err({ name: 'InternalFailure', message: 'boom', $metadata: { httpStatusCode: 500 } }))).toBe('HTTP 500 (InternalFailure: boom)');
    expect(describeAnswer(err({ code: 'ECONNRESET', message: 'socket hang up' }))).toBe('no answer (ECONNRESET: socket hang up)');
  });

  test('awsErrorDetail reads the raw JSON answer when the SDK could not parse it (moto)', async () => {
    const body = (async function* () {
      yield Buffer.from('{"__type": "InvalidParameterValueException", "message": "The role defined for the function cannot be assumed by Lambda."}');
    })();
    const e = err({
      message: '@aws-sdk XML parse error: unexpected content.\n  Deserialization error: …',
      $response: { body },
      $metadata: { httpStatusCode: 400 },
    });
    await expect(awsErrorDetail(e)).resolves.toBe('InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda.');
  });
});

describe('deployStack reconciles a lost answer instead of repeating the call', () => {
  const CS = 'arn:aws:cloudformation:us-east-1:111122223333:changeSet/deploy-x/1';
  const lost = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const http500 = (): Error => Object.assign(new Error('We encountered an internal error'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
  const create = (fail: Scenario['fail']): Scenario => ({
    stack: {
      name: 'app',
      id: 'arn:app',
      on: {
        execute: [
          { at: 0, status: 'CREATE_IN_PROGRESS' },
          { at: 10_000, status: 'CREATE_COMPLETE' },
        ],
      },
      outputs: [{ OutputKey: 'Url', OutputValue: 'https://x' }],
    },
    changeSet: { id: CS, name: 'deploy-x', statuses: ['CREATE_COMPLETE'], changes: [resourceChange('Add', 'Topic', 'AWS::SNS::Topic')] },
    fail,
  });
  const run = async (scenario: Scenario, extra: Record<string, unknown> = {}) => {
    const clock = fakeClock(T0);
    const cfn = fakeCloudFormation(clock, scenario);
    const out = memoryOutput();
    const result = deployStack(
      { cfn: cfn.client, clock, out, confirm: async () => true, packageTemplate: async () => 'https://b.s3.us-east-1.amazonaws.com/t.yaml', env: {} },
      { stackName: 'app', parameters: {}, yes: true, region: 'us-east-1', outputsDir: `/tmp/once-test-${process.pid}`, ...extra },
    );
    return { result, cfn, out };
  };

  test('ExecuteChangeSet carried out, answer lost: followed to CREATE_COMPLETE, sent once', async () => {
    const t = await run(create({ execute: { error: lost(), carriedOut: true } }));
    await expect(t.result).resolves.toMatchObject({ outcome: 'created', exitCode: 0, outputs: { Url: 'https://x' } });
    expect(t.cfn.mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(t.out.text()).toContain(
      'ExecuteChangeSet got no answer (ECONNRESET: socket hang up); CloudFormation shows it started (change set deploy-x is EXECUTE_IN_PROGRESS',
    );
  });

  test('ExecuteChangeSet answered 500 and not carried out: fails saying nothing changed, sent once', async () => {
    const t = await run(create({ execute: { error: http500(), carriedOut: false } }));
    await expect(t.result).rejects.toThrow(
      'executing change set deploy-x on app: the call got HTTP 500 (InternalFailure: We encountered an internal error) and was not repeated; CloudFormation shows change set deploy-x is AVAILABLE; app is REVIEW_IN_PROGRESS: it was not carried out, nothing changed',
    );
    expect(t.cfn.mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });

  test('ExecuteChangeSet refused (4xx): the refusal, without reconciling', async () => {
    const refusal = Object.assign(new Error('ChangeSet [x] cannot be executed in its current status of [EXECUTE_IN_PROGRESS]'), {
      name: 'InvalidChangeSetStatusException',
      $metadata: { httpStatusCode: 400 },
    });
    const t = await run(create({ execute: { error: refusal, carriedOut: false } }));
    await expect(t.result).rejects.toThrow('executing change set deploy-x on app: InvalidChangeSetStatusException: ChangeSet [x] cannot be executed');
  });

  test('ContinueUpdateRollback carried out, answered 500: followed to UPDATE_ROLLBACK_COMPLETE, then the update', async () => {
    const scenario: Scenario = {
      stack: {
        name: 'app',
        id: 'arn:app',
        status: 'UPDATE_ROLLBACK_FAILED',
        lastUpdated: new Date(T0 - 60_000),
        on: {
          continueRollback: [
            { at: 0, status: 'UPDATE_ROLLBACK_IN_PROGRESS' },
            { at: 5_000, status: 'UPDATE_ROLLBACK_COMPLETE' },
          ],
          execute: [
            { at: 0, status: 'UPDATE_IN_PROGRESS' },
            { at: 5_000, status: 'UPDATE_COMPLETE' },
          ],
        },
        outputs: [{ OutputKey: 'Url', OutputValue: 'https://x' }],
      },
      changeSet: { id: CS, name: 'deploy-x', statuses: ['CREATE_COMPLETE'], changes: [resourceChange('Modify', 'Topic', 'AWS::SNS::Topic')] },
      fail: { continueRollback: { error: http500(), carriedOut: true } },
    };
    const t = await run(scenario, { continueRollback: true });
    await expect(t.result).resolves.toMatchObject({ outcome: 'updated' });
    expect(t.cfn.mock.commandCalls(ContinueUpdateRollbackCommand)).toHaveLength(1);
    expect(t.out.text()).toContain('ContinueUpdateRollback got HTTP 500');
  });

  test('ContinueUpdateRollback answered 500, not carried out: fails, still UPDATE_ROLLBACK_FAILED', async () => {
    const scenario: Scenario = {
      stack: { name: 'app', id: 'arn:app', status: 'UPDATE_ROLLBACK_FAILED', lastUpdated: new Date(T0 - 60_000) },
      fail: { continueRollback: { error: http500(), carriedOut: false } },
    };
    const t = await run(scenario, { continueRollback: true });
    await expect(t.result).rejects.toThrow('CloudFormation shows app is UPDATE_ROLLBACK_FAILED: it was not carried out, nothing changed');
    expect(t.cfn.mock.commandCalls(ContinueUpdateRollbackCommand)).toHaveLength(1);
  });

  test('DeleteStack of --recreate carried out, answer lost: waits for DELETE_COMPLETE, then creates', async () => {
    const scenario: Scenario = {
      stack: {
        name: 'app',
        id: 'arn:app',
        status: 'ROLLBACK_COMPLETE',
        on: {
          delete: [
            { at: 0, status: 'DELETE_IN_PROGRESS' },
            { at: 5_000, status: 'DELETE_COMPLETE' },
          ],
          execute: [
            { at: 0, status: 'CREATE_IN_PROGRESS' },
            { at: 5_000, status: 'CREATE_COMPLETE' },
          ],
        },
        outputs: [{ OutputKey: 'Url', OutputValue: 'https://x' }],
      },
      changeSet: { id: CS, name: 'deploy-x', statuses: ['CREATE_COMPLETE'], changes: [resourceChange('Add', 'Topic', 'AWS::SNS::Topic')] },
      fail: { delete: { error: lost(), carriedOut: true } },
    };
    const t = await run(scenario, { recreate: true });
    await expect(t.result).resolves.toMatchObject({ outcome: 'created' });
    expect(t.cfn.mock.commandCalls(DeleteStackCommand)).toHaveLength(1);
    expect(t.out.text()).toContain('DeleteStack got no answer');
  });
});

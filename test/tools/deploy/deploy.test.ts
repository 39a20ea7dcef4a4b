import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ContinueUpdateRollbackCommand,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { fakeClock } from '../../../tools/lib/deploy/clock';
import { deployStack, type DeployOptions } from '../../../tools/lib/deploy/deploy';
import { DeployError } from '../../../tools/lib/deploy/errors';
import { fakeCloudFormation, memoryOutput, nestedId, resourceChange, ROOT_ID, T0, validationError, type FakeEvent, type Scenario } from './fake-cloudformation';

const STACK = 'stockwx-prod';
const CS_ID = 'arn:aws:cloudformation:us-east-1:111122223333:changeSet/deploy-20261122T050000Z/cs-uuid';
const NESTED_CS = 'arn:aws:cloudformation:us-east-1:111122223333:changeSet/nested-compute/cs2';
const STACK_TYPE = 'AWS::CloudFormation::Stack';

const ev = (
  at: number,
  stackPath: 'root' | 'Compute' | 'Datastores',
  logicalId: string,
  type: string,
  status: string,
  reason?: string,
  physicalId?: string,
): FakeEvent => {
  const nested = stackPath !== 'root';
  return {
    at,
    stackId: nested ? nestedId(stackPath) : ROOT_ID,
    stackName: nested ? `${STACK}-${stackPath}-X1` : STACK,
    logicalId: logicalId === '@self' ? (nested ? `${STACK}-${stackPath}-X1` : STACK) : logicalId,
    type,
    status,
    reason,
    physicalId,
  };
};

/** An update of root and its Compute stack: one function modified. */
function updateScenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    stack: {
      name: STACK,
      id: ROOT_ID,
      status: 'UPDATE_COMPLETE',
      lastUpdated: new Date(T0 - 3_600_000),
      on: {
        execute: [
          { at: 0, status: 'UPDATE_IN_PROGRESS' },
          { at: 20_000, status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' },
          { at: 25_000, status: 'UPDATE_COMPLETE' },
        ],
      },
      outputs: [
        { OutputKey: 'IngestApiUrl', OutputValue: 'https://abc.execute-api.us-east-1.amazonaws.com/prod' },
        { OutputKey: 'DashboardUrl', OutputValue: 'https://console.aws.amazon.com/cloudwatch/home#dashboards:name=stockwx-prod' },
      ],
    },
    changeSet: {
      id: CS_ID,
      name: 'deploy-20261122T050000Z',
      statuses: ['CREATE_IN_PROGRESS', 'CREATE_COMPLETE'],
      changes: [resourceChange('Modify', 'Compute', STACK_TYPE, { Replacement: 'False', ChangeSetId: NESTED_CS })],
    },
    nested: {
      [NESTED_CS]: [resourceChange('Modify', 'EnricherFunction', 'AWS::Lambda::Function', { Replacement: 'False', Details: [{ Target: { Name: 'Code' } }] })],
    },
    events: [
      ev(1_000, 'root', '@self', STACK_TYPE, 'UPDATE_IN_PROGRESS', 'User Initiated'),
      ev(2_000, 'root', 'Compute', STACK_TYPE, 'UPDATE_IN_PROGRESS', undefined, nestedId('Compute')),
      ev(3_000, 'Compute', '@self', STACK_TYPE, 'UPDATE_IN_PROGRESS'),
      ev(4_000, 'Compute', 'EnricherFunction', 'AWS::Lambda::Function', 'UPDATE_IN_PROGRESS'),
      ev(9_000, 'Compute', 'EnricherFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE'),
      ev(10_000, 'Compute', '@self', STACK_TYPE, 'UPDATE_COMPLETE'),
      ev(11_000, 'root', 'Compute', STACK_TYPE, 'UPDATE_COMPLETE', undefined, nestedId('Compute')),
      ev(20_000, 'root', '@self', STACK_TYPE, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'),
      ev(25_000, 'root', '@self', STACK_TYPE, 'UPDATE_COMPLETE'),
    ],
    ...overrides,
  };
}

let outputsDir: string;
beforeAll(async () => {
  outputsDir = await mkdtemp(path.join(tmpdir(), 'deploy-test-'));
});
afterAll(() => rm(outputsDir, { recursive: true, force: true }));

function setup(scenario: Scenario, options: Partial<DeployOptions> = {}, tty = false) {
  const clock = fakeClock(T0);
  const { mock, client } = fakeCloudFormation(clock, scenario);
  const out = memoryOutput(tty);
  const confirm = jest.fn(async () => true);
  const packageTemplate = jest.fn(async () => 'https://artifacts.s3.us-east-1.amazonaws.com/templates/abc.yaml');
  const run = () =>
    deployStack(
      { cfn: client, clock, out, confirm, packageTemplate, env: {} },
      { stackName: STACK, parameters: { Environment: 'prod' }, yes: true, pollMs: 5000, outputsDir, ...options },
    );
  return { clock, mock, out, confirm, packageTemplate, run };
}

afterEach(() => jest.restoreAllMocks());

describe('deployStack', () => {
  test('update: change set with nested stacks, one report, plain progress, outputs written', async () => {
    const t = setup(updateScenario());
    const result = await t.run();
    expect(result.outcome).toBe('updated');
    expect(result.exitCode).toBe(0);
    const create = t.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(create).toMatchObject({
      StackName: STACK,
      ChangeSetType: 'UPDATE',
      IncludeNestedStacks: true,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      TemplateURL: 'https://artifacts.s3.us-east-1.amazonaws.com/templates/abc.yaml',
      Parameters: [{ ParameterKey: 'Environment', ParameterValue: 'prod' }],
    });
    expect(t.mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(t.out.text()).toContain('Modify  Compute');
    expect(t.out.text()).toContain('Modify    EnricherFunction  AWS::Lambda::Function');
    expect(t.out.text()).toContain(`05:00:14 UPDATE_COMPLETE ${STACK}/Compute/EnricherFunction AWS::Lambda::Function\n`);
    expect(JSON.parse(await readFile(path.join(outputsDir, `${STACK}-outputs.json`), 'utf8'))).toEqual({
      DashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home#dashboards:name=stockwx-prod',
      IngestApiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/prod',
    });
    expect(Object.keys(result.outputs)).toEqual(['DashboardUrl', 'IngestApiUrl']);
    expect(t.out.text()).toContain('Outputs:\n  DashboardUrl  https://console');
  });

  test('create: an absent stack gets a CREATE change set and ends CREATE_COMPLETE', async () => {
    const base = updateScenario();
    const t = setup({
      ...base,
      stack: {
        name: STACK,
        id: ROOT_ID,
        on: {
          execute: [
            { at: 0, status: 'CREATE_IN_PROGRESS' },
            { at: 30_000, status: 'CREATE_COMPLETE' },
          ],
        },
        outputs: [{ OutputKey: 'A', OutputValue: '1' }],
      },
      changeSet: { ...base.changeSet!, changes: [resourceChange('Add', 'Compute', STACK_TYPE, { ChangeSetId: NESTED_CS })] },
      nested: { [NESTED_CS]: [resourceChange('Add', 'EnricherFunction', 'AWS::Lambda::Function')] },
    });
    const result = await t.run();
    expect(result.outcome).toBe('created');
    expect(t.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType).toBe('CREATE');
    expect(result.outputs).toEqual({ A: '1' });
  });

  test.each([
    [
      'the change set FAILED with "didn\'t contain changes"',
      {
        changeSet: {
          id: CS_ID,
          name: 'deploy-x',
          statuses: ['FAILED'],
          reason: "The submitted information didn't contain changes. Submit different information to create a change set.",
        },
      },
      1,
    ],
    ['CreateChangeSet said "No updates are to be performed."', { createError: validationError('No updates are to be performed.') }, 0],
  ] as const)('no changes when %s: success, exit 0, empty change set deleted, nothing executed', async (_name, overrides, deletes) => {
    const t = setup(updateScenario(overrides as Partial<Scenario>));
    const result = await t.run();
    expect(result).toMatchObject({ outcome: 'no-changes', exitCode: 0 });
    expect(t.mock.commandCalls(DeleteChangeSetCommand)).toHaveLength(deletes);
    expect(t.mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(t.out.text()).toContain(`no changes: ${STACK} has the template and parameters of this deploy`);
  });

  test('failure in a nested stack: the error names the nested resource, not "Embedded stack … failed"', async () => {
    const base = updateScenario();
    const t = setup({
      ...base,
      stack: {
        ...base.stack,
        on: {
          execute: [
            { at: 0, status: 'UPDATE_IN_PROGRESS' },
            { at: 40_000, status: 'UPDATE_ROLLBACK_COMPLETE' },
          ],
        },
      },
      events: [
        ev(1_000, 'root', '@self', STACK_TYPE, 'UPDATE_IN_PROGRESS', 'User Initiated'),
        ev(2_000, 'root', 'Datastores', STACK_TYPE, 'UPDATE_IN_PROGRESS', undefined, nestedId('Datastores')),
        ev(3_000, 'Datastores', 'MetricsTable', 'AWS::DynamoDB::Table', 'UPDATE_IN_PROGRESS'),
        ev(3_500, 'Datastores', 'LatestTable', 'AWS::DynamoDB::Table', 'UPDATE_IN_PROGRESS'),
        ev(
          6_000,
          'Datastores',
          'MetricsTable',
          'AWS::DynamoDB::Table',
          'UPDATE_FAILED',
          'Resource handler returned message: "One or more parameter values were invalid: Cannot update GSI" (HandlerErrorCode: InvalidRequest)',
        ),
        ev(6_500, 'Datastores', 'LatestTable', 'AWS::DynamoDB::Table', 'UPDATE_FAILED', 'Resource update cancelled'),
        ev(7_000, 'Datastores', '@self', STACK_TYPE, 'UPDATE_FAILED', 'The following resource(s) failed to update: [MetricsTable]'),
        ev(
          8_000,
          'root',
          'Datastores',
          STACK_TYPE,
          'UPDATE_FAILED',
          `Embedded stack ${nestedId('Datastores')} was not successfully updated. Currently in UPDATE_ROLLBACK_IN_PROGRESS with reason: The following resource(s) failed to update: [MetricsTable].`,
          nestedId('Datastores'),
        ),
        ev(40_000, 'root', '@self', STACK_TYPE, 'UPDATE_ROLLBACK_COMPLETE'),
      ],
    });
    const error = await t.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect((error as Error).message).toBe(
      `deploy of ${STACK} failed, ending in UPDATE_ROLLBACK_COMPLETE. Root cause: ${STACK}/Datastores/MetricsTable (AWS::DynamoDB::Table) UPDATE_FAILED: Resource handler returned message: "One or more parameter values were invalid: Cannot update GSI" (HandlerErrorCode: InvalidRequest)`,
    );
  });

  describe('RELIABILITY 10: ROLLBACK_COMPLETE', () => {
    const history: FakeEvent[] = [
      {
        ...ev(0, 'root', 'KeyPolicy', 'AWS::KMS::Key', 'CREATE_FAILED', 'Resource handler returned message: "MalformedPolicyDocumentException"'),
        at: new Date(T0 - 600_000),
      },
      { ...ev(0, 'root', 'Bucket', 'AWS::S3::Bucket', 'CREATE_FAILED', 'Resource creation cancelled'), at: new Date(T0 - 599_000) },
      { ...ev(0, 'root', '@self', STACK_TYPE, 'ROLLBACK_COMPLETE'), at: new Date(T0 - 500_000) },
    ];
    const rolledBack = (): Scenario => {
      const base = updateScenario();
      return {
        ...base,
        stack: {
          name: STACK,
          id: ROOT_ID,
          status: 'ROLLBACK_COMPLETE',
          on: {
            delete: [
              { at: 0, status: 'DELETE_IN_PROGRESS' },
              { at: 15_000, status: 'DELETE_COMPLETE' },
            ],
            execute: [
              { at: 0, status: 'CREATE_IN_PROGRESS' },
              { at: 10_000, status: 'CREATE_COMPLETE' },
            ],
          },
        },
        events: history,
      };
    };

    test('without --recreate: prints the first failure, explains, deletes nothing', async () => {
      const t = setup(rolledBack());
      await expect(t.run()).rejects.toThrow(`stack ${STACK} is ROLLBACK_COMPLETE; fix the cause above, then re-run the deploy with --recreate`);
      expect(t.out.text()).toContain(
        `  ${STACK}/KeyPolicy (AWS::KMS::Key) CREATE_FAILED: Resource handler returned message: "MalformedPolicyDocumentException"\n`,
      );
      expect(t.mock.commandCalls(DeleteStackCommand)).toHaveLength(0);
      expect(t.mock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
      expect(t.packageTemplate).not.toHaveBeenCalled();
    });

    test('with --recreate: deletes, waits, creates', async () => {
      const t = setup(rolledBack(), { recreate: true });
      const result = await t.run();
      expect(t.mock.commandCalls(DeleteStackCommand)).toHaveLength(1);
      expect(t.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType).toBe('CREATE');
      expect(result.outcome).toBe('created');
    });
  });

  describe('RELIABILITY 11: UPDATE_ROLLBACK_FAILED', () => {
    const stuck = (): Scenario => {
      const base = updateScenario();
      return {
        ...base,
        stack: {
          ...base.stack,
          status: 'UPDATE_ROLLBACK_FAILED',
          on: {
            continueRollback: [
              { at: 0, status: 'UPDATE_ROLLBACK_IN_PROGRESS' },
              { at: 12_000, status: 'UPDATE_ROLLBACK_COMPLETE' },
            ],
            execute: base.stack.on!.execute!,
          },
        },
      };
    };

    test('without --continue-rollback: explains and never deletes', async () => {
      const t = setup(stuck());
      await expect(t.run()).rejects.toThrow('re-run the deploy with --continue-rollback');
      expect(t.mock.commandCalls(ContinueUpdateRollbackCommand)).toHaveLength(0);
      expect(t.mock.commandCalls(DeleteStackCommand)).toHaveLength(0);
    });

    test('with --continue-rollback --skip-resources: continues, waits for UPDATE_ROLLBACK_COMPLETE, then updates', async () => {
      const t = setup(stuck(), { continueRollback: true, skipResources: ['Datastores.MetricsTable'] });
      const result = await t.run();
      expect(t.mock.commandCalls(ContinueUpdateRollbackCommand)[0]!.args[0].input).toEqual({
        StackName: STACK,
        ResourcesToSkip: ['Datastores.MetricsTable'],
        ClientRequestToken: expect.stringMatching(/^stockwx-continue-/),
      });
      expect(result.outcome).toBe('updated');
      expect(t.mock.commandCalls(DeleteStackCommand)).toHaveLength(0);
    });
  });

  describe('RELIABILITY 15: stack already in progress', () => {
    const busy = (): Scenario => {
      const base = updateScenario();
      // Someone else's update finishes 60 s from now (modelled as a 'delete'-free timeline started at T0).
      return { ...base, stack: { ...base.stack, status: 'UPDATE_IN_PROGRESS' } };
    };

    test('without --wait-timeout: aborts without starting a second operation', async () => {
      const t = setup(busy());
      await expect(t.run()).rejects.toThrow(
        `stack ${STACK} is UPDATE_IN_PROGRESS (another operation is running); wait for it to finish or re-run with --wait-timeout 30m`,
      );
      expect(t.mock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    });

    test('with --wait-timeout shorter than the operation: times out, nothing started', async () => {
      const t = setup(busy(), { waitTimeoutMs: 30_000 });
      await expect(t.run()).rejects.toThrow(
        'waiting for the operation in progress: stockwx-prod is still UPDATE_IN_PROGRESS after 30s; CloudFormation continues on its own',
      );
      expect(t.clock.slept).toEqual([5000, 5000, 5000, 5000, 5000, 5000]);
      expect(t.mock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    });

    test('with --wait-timeout long enough: waits, then deploys', async () => {
      const scenario = busy();
      const t = setup(scenario, { waitTimeoutMs: 600_000 });
      // The other operation completes after three polls.
      let polls = 0;
      const original = scenario.stack;
      const sleep = t.clock.sleep;
      t.clock.sleep = async (ms, signal) => {
        if (++polls === 3) original.status = 'UPDATE_COMPLETE';
        return sleep(ms, signal);
      };
      const result = await t.run();
      expect(result.outcome).toBe('updated');
      expect(t.out.text()).toContain(`stack ${STACK} is UPDATE_IN_PROGRESS; waiting up to 10m for it to finish`);
    });
  });

  test('interrupted wait (Ctrl-C): stops watching with exit 130, says CloudFormation continues', async () => {
    const controller = new AbortController();
    const scenario = updateScenario();
    const clock = fakeClock(T0);
    const { client } = fakeCloudFormation(clock, scenario);
    const out = memoryOutput();
    let sleeps = 0;
    const sleep = clock.sleep;
    clock.sleep = async (ms, signal) => {
      if (++sleeps === 3) controller.abort(new Error('SIGINT'));
      return sleep(ms, signal);
    };
    const error = (await deployStack(
      { cfn: client, clock, out, confirm: async () => true, packageTemplate: async () => 'https://x/t.yaml', env: {}, signal: controller.signal },
      { stackName: STACK, parameters: {}, yes: true, outputsDir },
    ).catch((e: unknown) => e)) as DeployError;
    expect(error).toBeInstanceOf(DeployError);
    expect(error.exitCode).toBe(130);
    expect(error.message).toBe(`deploying ${STACK}: interrupted; stopped watching ${STACK} (UPDATE_IN_PROGRESS), but CloudFormation continues the operation`);
  });

  test('our own deploy outlasting --execute-timeout: stops watching with a clear message', async () => {
    const t = setup(updateScenario(), { executeTimeoutMs: 10_000 });
    await expect(t.run()).rejects.toThrow(`deploying ${STACK}: ${STACK} is still UPDATE_IN_PROGRESS after 10s`);
  });

  test('--no-execute leaves the change set for review', async () => {
    const t = setup(updateScenario(), { noExecute: true });
    const result = await t.run();
    expect(result.outcome).toBe('change-set-left');
    expect(t.mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(t.mock.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    expect(t.out.text()).toContain(`aws cloudformation execute-change-set --change-set-name ${CS_ID}`);
  });

  test('diff prints the report and deletes the change set', async () => {
    const t = setup(updateScenario(), { mode: 'diff' });
    const result = await t.run();
    expect(result.outcome).toBe('diff');
    expect(t.mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(t.mock.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(t.mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetName).toBe('diff-20261122T050000Z');
  });

  test('declining the confirmation deletes the change set and exits 1', async () => {
    const t = setup(updateScenario(), { yes: false });
    t.confirm.mockResolvedValueOnce(false);
    const result = await t.run();
    expect(result).toMatchObject({ outcome: 'declined', exitCode: 1 });
    expect(t.confirm).toHaveBeenCalledWith(`Deploy these changes to ${STACK}? [y/N] `);
    expect(t.mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(t.mock.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  test('a change set that fails for another reason stops with the reason', async () => {
    const t = setup(updateScenario({ changeSet: { id: CS_ID, name: 'deploy-x', statuses: ['FAILED'], reason: 'Parameters: [AlertEmail] must have values' } }));
    await expect(t.run()).rejects.toThrow(
      `change set deploy-x for ${STACK} failed: Parameters: [AlertEmail] must have values; fix the template or parameters and retry`,
    );
  });
});

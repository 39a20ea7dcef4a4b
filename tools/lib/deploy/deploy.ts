/**
 * The deploy state machine for one stack (root with its nested stacks, or a standalone one):
 *
 *   state → (wait | recover | refuse) → package → change set → report → confirm → execute →
 *   stream events → outputs
 *
 * Every AWS call goes through the injected clients, every wait through the injected clock, and
 * every question through `confirm`, so tests drive each branch in milliseconds.
 *
 * | stack state             | without flag                              | with flag                                        |
 * |-------------------------|-------------------------------------------|--------------------------------------------------|
 * | ROLLBACK_COMPLETE       | print first failures, explain, exit 1     | --recreate: delete, wait, create                  |
 * | UPDATE_ROLLBACK_FAILED  | explain, exit 1                           | --continue-rollback [--skip-resources]: continue, wait, update |
 * | *_IN_PROGRESS           | abort, exit 1                             | --wait-timeout: wait, then decide again           |
 * | no changes              | delete the empty change set, verify, exit 0 |                                                |
 * | complete, but outputs or nested stacks missing | explain, exit 1        | --recreate: confirm, delete, wait, create         |
 *
 * ExecuteChangeSet, DeleteStack and ContinueUpdateRollback are sent once (once.ts); a lost answer
 * is reconciled from what CloudFormation shows (reconcile.ts). Success is only what verify.ts
 * confirms: the `*_COMPLETE` state of the operation on the stack and every nested stack, and every
 * declared output present.
 */
import {
  ContinueUpdateRollbackCommand,
  DeleteStackCommand,
  ExecuteChangeSetCommand,
  type CloudFormationClient,
  type Stack,
  type Tag,
} from '@aws-sdk/client-cloudformation';
import { changeSetName, createChangeSet, deleteChangeSet, describeChangeSetTree, waitForChangeSet, type ChangeSetTree } from './changeset';
import { formatDuration, type Clock } from './clock';
import { DeployError } from './errors';
import { describeEvent, EventWatcher, isFailure, rootCause, type TreeEvent } from './events';
import { awsErrorDetail, describeAnswer, isUncertain, sendOnce } from './once';
import { formatOutputs, writeOutputs } from './outputs';
import { createRenderer, type Output } from './progress';
import { reconcileContinueRollback, reconcileDelete, reconcileExecute, type Reconciled } from './reconcile';
import { formatChangeReport } from './report';
import { classify, describeStack, getStackState, isTerminal, type StackState } from './stack-state';
import { verifyStack, type Operation } from './verify';

export interface DeployDeps {
  readonly cfn: CloudFormationClient;
  readonly clock: Clock;
  /** Where the report, progress and outputs go. */
  readonly out: Output;
  /** Asks the user; resolves true to proceed. Only called when `yes` is false. */
  readonly confirm: (question: string) => Promise<boolean>;
  /**
   * Packages the templates and returns the root template's URL, or a small template's body
   * (called once, after the state checks).
   */
  readonly packageTemplate: () => Promise<string>;
  /** Environment for renderer selection. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Stops waits when aborted (Ctrl-C); the CloudFormation operation itself continues. */
  readonly signal?: AbortSignal;
}

export interface DeployOptions {
  readonly stackName: string;
  /** Root parameters to pass (the rest use template defaults). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly tags?: readonly Tag[];
  /** `diff`: report only, delete the change set. @default 'deploy' */
  readonly mode?: 'deploy' | 'diff';
  /** Skip the confirmation. @default false */
  readonly yes?: boolean;
  /** Create the change set, print the report, and leave it for review. @default false */
  readonly noExecute?: boolean;
  /** Delete and recreate a stack in ROLLBACK_COMPLETE. @default false */
  readonly recreate?: boolean;
  /** Continue a rollback from UPDATE_ROLLBACK_FAILED. @default false */
  readonly continueRollback?: boolean;
  /** Logical IDs for ContinueUpdateRollback's ResourcesToSkip (only with continueRollback). @default [] */
  readonly skipResources?: readonly string[];
  /** How long to wait for an operation already in progress; 0 aborts at once. @default 0 */
  readonly waitTimeoutMs?: number;
  /** How long to follow our own operation before giving up watching. @default 2 hours */
  readonly executeTimeoutMs?: number;
  /** Poll interval for change sets, stack status and events. @default 5000 */
  readonly pollMs?: number;
  /** Directory for `<stack>-outputs.json`. @default '.deploy' */
  readonly outputsDir?: string;
  /** ANSI colour in the report. @default out.isTTY */
  readonly color?: boolean;
  /** Region of the stack, for printed AWS CLI hints. */
  readonly region?: string;
  /** ` --region r [--endpoint-url u]` appended to printed AWS CLI hints. @default ' --region <region>' */
  readonly hintFlags?: string;
  /** The command that re-runs this deploy, for fixes in messages. @default 'the deploy' */
  readonly rerun?: string;
  /** The change's monthly cost (tools/lib/deploy/cost-line.ts), printed after the report, before the prompt. @default none */
  readonly costLines?: () => Promise<readonly string[]>;
}

export type DeployOutcome = 'created' | 'updated' | 'no-changes' | 'change-set-left' | 'diff' | 'declined';

export interface DeployResult {
  readonly outcome: DeployOutcome;
  readonly exitCode: number;
  readonly outputs: Record<string, string>;
  readonly report?: string;
  readonly changeSetId?: string;
}

export async function deployStack(deps: DeployDeps, o: DeployOptions): Promise<DeployResult> {
  const { cfn, clock, out } = deps;
  const pollMs = o.pollMs ?? 5000;
  const mode = o.mode ?? 'deploy';
  const say = (line: string): void => void out.write(`${line}\n`);
  const hint = o.hintFlags ?? (o.region ? ` --region ${o.region}` : '');
  const rerun = o.rerun ?? 'the deploy';

  let state = await getStackState(cfn, o.stackName);

  // RELIABILITY 15: someone else's operation is running.
  if (state.kind === 'in-progress') {
    const waitMs = o.waitTimeoutMs ?? 0;
    if (waitMs <= 0) {
      throw new DeployError(`stack ${o.stackName} is ${state.status} (another operation is running); wait for it to finish or re-run with --wait-timeout 30m`);
    }
    say(`stack ${o.stackName} is ${state.status}; waiting up to ${formatDuration(waitMs)} for it to finish`);
    state = await waitForStack(deps, o.stackName, waitMs, pollMs, 'waiting for the operation in progress');
  }

  // A stack that says *_COMPLETE but lacks declared outputs or nested stacks (an execution the
  // server half-applied): only --recreate repairs it, because an update with the same template is "no changes".
  if (state.kind === 'ready' && o.recreate && mode === 'deploy') {
    const problem = await verifyStack(cfn, o.stackName, 'NONE', '').then(
      () => undefined,
      (error: unknown) => (error instanceof DeployError ? error.message : Promise.reject(error)),
    );
    if (problem === undefined) say(`--recreate: ${o.stackName} is ${state.status} with everything its template declares; nothing to recreate, updating`);
    else {
      say(`--recreate: ${problem}`);
      if (
        !o.yes &&
        !(await deps.confirm(
          `Delete ${o.stackName} and create it again? Stateful resources are RetainExceptOnCreate: those of an operation that completed are kept, and their fixed names then block the new create. [y/N] `,
        ))
      ) {
        return { outcome: 'declined', exitCode: 1, outputs: {} };
      }
      state = await deleteAndWait(deps, o, state, pollMs, hint);
    }
  }

  // RELIABILITY 10: a failed first create leaves ROLLBACK_COMPLETE, which cannot be updated.
  if (state.kind === 'rollback-complete') {
    const failures = await firstFailures(cfn, state.stackId!, o.stackName);
    say(`stack ${o.stackName} is ROLLBACK_COMPLETE: its first create failed and CloudFormation cannot update it.`);
    for (const f of failures) say(`  ${describeEvent(f)}`);
    if (!o.recreate || mode === 'diff') {
      throw new DeployError(
        `stack ${o.stackName} is ROLLBACK_COMPLETE; fix the cause above, then re-run ${rerun} with --recreate to delete and create it again (the rollback of the failed create already removed its RetainExceptOnCreate resources, so their names are free)`,
      );
    }
    state = await deleteAndWait(deps, o, state, pollMs, hint);
  }

  // RELIABILITY 11: UPDATE_ROLLBACK_FAILED needs ContinueUpdateRollback; never delete.
  if (state.kind === 'update-rollback-failed') {
    if (!o.continueRollback || mode === 'diff') {
      throw new DeployError(
        `stack ${o.stackName} is UPDATE_ROLLBACK_FAILED: fix what blocked the rollback (see the stack events), then re-run ${rerun} with --continue-rollback (add --skip-resources A,B to skip resources that cannot roll back)`,
      );
    }
    const skip = o.skipResources ?? [];
    say(`--continue-rollback: continuing the rollback of ${o.stackName}${skip.length ? ` skipping ${skip.join(', ')}` : ''}`);
    const sentAt = clock.now();
    try {
      await sendOnce(
        cfn,
        new ContinueUpdateRollbackCommand({
          StackName: o.stackName,
          ResourcesToSkip: skip.length ? [...skip] : undefined,
          ClientRequestToken: token('continue', sentAt),
        }),
      );
    } catch (error) {
      const r = await settle(error, `continuing the rollback of ${o.stackName}`, hint, () =>
        reconcileContinueRollback(reconcileDeps(deps, pollMs), { stackName: o.stackName, stackId: state.stackId!, before: state.stack, sentAt }),
      );
      say(`ContinueUpdateRollback got ${describeAnswer(error)}; CloudFormation shows it started (${r.seen}): following it`);
    }
    state = await waitForStack(deps, o.stackName, o.executeTimeoutMs ?? 3_600_000, pollMs, 'continuing the rollback');
    if (state.status !== 'UPDATE_ROLLBACK_COMPLETE') {
      throw new DeployError(
        `the rollback of ${o.stackName} ended in ${state.status}; check the stack events, then retry with --continue-rollback --skip-resources <logical IDs>`,
      );
    }
    say(`${o.stackName} is UPDATE_ROLLBACK_COMPLETE; updating`);
  }

  if (state.kind === 'broken') {
    throw new DeployError(
      `stack ${o.stackName} is ${state.status} and cannot be updated; inspect it in the console (delete it, retaining resources that failed to delete) and retry`,
    );
  }
  if (state.kind === 'in-progress') {
    throw new DeployError(`stack ${o.stackName} is still ${state.status}; retry when it has finished`);
  }

  const type = state.kind === 'absent' || state.kind === 'review' ? 'CREATE' : 'UPDATE';
  const template = await deps.packageTemplate();
  const name = changeSetName(clock.now(), mode === 'diff' ? 'diff' : 'deploy');
  const created = await createChangeSet(cfn, { stackName: o.stackName, changeSetName: name, type, template, parameters: o.parameters, tags: o.tags });
  if (created.id === '') return noChanges(deps, o, rerun);
  const outcome = await waitForChangeSet(cfn, o.stackName, created.id, { clock, pollMs, signal: deps.signal });
  if (outcome.kind === 'no-changes') {
    await deleteChangeSet(cfn, o.stackName, created.id);
    return noChanges(deps, o, rerun);
  }

  const tree: ChangeSetTree = await describeChangeSetTree(cfn, o.stackName, created.id);
  const report = formatChangeReport(tree, { color: o.color ?? Boolean(out.isTTY) });
  out.write(report);
  if (o.costLines) for (const line of ['', ...(await o.costLines())]) say(line);

  if (mode === 'diff') {
    await deleteChangeSet(cfn, o.stackName, created.id);
    // A CREATE change set leaves an empty REVIEW_IN_PROGRESS stack behind; a diff removes it.
    if (type === 'CREATE' && state.kind === 'absent') {
      const review = await describeStack(cfn, created.stackId);
      const sentAt = clock.now();
      try {
        await sendOnce(cfn, new DeleteStackCommand({ StackName: created.stackId, ClientRequestToken: token('delete', sentAt) }));
      } catch (error) {
        const r = await settle(error, `removing the empty stack ${o.stackName} the diff's change set created`, hint, () =>
          reconcileDelete(reconcileDeps(deps, pollMs), { stackName: o.stackName, stackId: created.stackId, before: review, sentAt }),
        );
        say(`DeleteStack got ${describeAnswer(error)}; CloudFormation shows it started (${r.seen})`);
      }
    }
    return { outcome: 'diff', exitCode: 0, outputs: {}, report, changeSetId: created.id };
  }
  if (o.noExecute) {
    say(`change set ${tree.changeSetName} left for review; execute it with: aws cloudformation execute-change-set --change-set-name ${created.id}${hint}`);
    return { outcome: 'change-set-left', exitCode: 0, outputs: {}, report, changeSetId: created.id };
  }
  if (!o.yes && !(await deps.confirm(`Deploy these changes to ${o.stackName}? [y/N] `))) {
    await deleteChangeSet(cfn, o.stackName, created.id);
    say(`not deployed; change set ${tree.changeSetName} deleted`);
    return { outcome: 'declined', exitCode: 1, outputs: {}, report, changeSetId: created.id };
  }

  const started = clock.now();
  // Events are compared with CloudFormation's clock; allow for skew between it and ours. The
  // events already there are read (and dropped) first, so any stack event after this is ours.
  const watcher = new EventWatcher(cfn, created.stackId, o.stackName, started - 60_000);
  await watcher.poll();
  try {
    await sendOnce(cfn, new ExecuteChangeSetCommand({ ChangeSetName: created.id, StackName: o.stackName, ClientRequestToken: token('execute', started) }));
  } catch (error) {
    const r = await settle(error, `executing change set ${tree.changeSetName} on ${o.stackName}`, hint, () =>
      reconcileExecute(reconcileDeps(deps, pollMs), {
        stackName: o.stackName,
        stackId: created.stackId,
        changeSetId: created.id,
        changeSetName: tree.changeSetName,
        before: state.stack,
        sentAt: started,
      }),
    );
    say(`ExecuteChangeSet got ${describeAnswer(error)}; CloudFormation shows it started (${r.seen}): following it`);
  }
  const renderer = createRenderer(out, o.stackName, deps.env);
  const seen: TreeEvent[] = [];
  let final: StackState;
  try {
    // Right after ExecuteChangeSet the stack may still show its previous (terminal) status: only a
    // different status, a new LastUpdatedTime, the stack's ChangeSetId, or a terminal event of the
    // stack itself since the call means our operation has finished (moto updates neither the time
    // nor the ChangeSetId).
    const before = type === 'UPDATE' ? state.stack : undefined;
    const moved = (s: Stack | undefined): boolean =>
      !before ||
      s?.StackStatus !== before.StackStatus ||
      String(s?.LastUpdatedTime) !== String(before.LastUpdatedTime) ||
      (s?.ChangeSetId !== undefined && s.ChangeSetId === created.id) ||
      seen.some((t) => t.depth === 0 && t.event.PhysicalResourceId === t.event.StackId && isTerminal(t.event.ResourceStatus));
    final = await waitForStack(
      deps,
      created.stackId,
      o.executeTimeoutMs ?? 7_200_000,
      pollMs,
      `deploying ${o.stackName}`,
      async () => {
        const fresh = await watcher.poll();
        seen.push(...fresh);
        renderer.update(fresh);
      },
      moved,
    );
    const rest = await watcher.poll();
    seen.push(...rest);
    renderer.update(rest);
  } finally {
    renderer.finish();
  }

  const expected = type === 'CREATE' ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE';
  if (final.status !== expected) {
    const cause = rootCause(seen);
    throw new DeployError(
      `deploy of ${o.stackName} failed, ending in ${final.status}. Root cause: ${cause ? describeEvent(cause) : `no failed event found; see aws cloudformation describe-stack-events --stack-name ${o.stackName}${hint}`}`,
    );
  }
  const verified = await verifyStack(
    cfn,
    created.stackId,
    type as Operation,
    `Not deployed as declared: see aws cloudformation describe-stack-events --stack-name ${o.stackName}${hint}; once the cause is fixed, re-run ${rerun} with --recreate to delete the stack and create it again`,
    o.stackName,
  );
  const file = await writeOutputs(o.outputsDir ?? '.deploy', o.stackName, verified.outputs);
  out.write(formatOutputs(verified.outputs));
  const nested = verified.nested.length ? ` with ${verified.nested.length} nested stack${verified.nested.length === 1 ? '' : 's'}` : '';
  say(`${o.stackName} is ${verified.stack.StackStatus}${nested}, every declared output present; outputs written to ${file}`);
  return { outcome: type === 'CREATE' ? 'created' : 'updated', exitCode: 0, outputs: verified.outputs, report, changeSetId: created.id };
}

/** The idempotency token CloudFormation records on the operation's events. */
function token(what: string, now: number): string {
  return `stockwx-${what}-${now}`;
}

function reconcileDeps(deps: DeployDeps, pollMs: number) {
  return { cfn: deps.cfn, clock: deps.clock, pollMs: Math.min(pollMs, 2000) };
}

/**
 * A once-only call failed: a refusal (4xx) is a plain failure; a lost answer is reconciled, and
 * anything but "started" fails with what CloudFormation showed.
 */
async function settle(error: unknown, doing: string, hint: string, reconcile: () => Promise<Reconciled>): Promise<Reconciled> {
  if (!isUncertain(error)) throw new DeployError(`${doing}: ${await awsErrorDetail(error)}`, 1, { cause: error });
  const r = await reconcile();
  if (r.verdict === 'started') return r;
  const what =
    r.verdict === 'not-started'
      ? 'it was not carried out, nothing changed; re-run when the endpoint answers'
      : `the server began it without recording it as started, so nothing is known to be deployed; inspect the stack (aws cloudformation describe-stack-events --stack-name ${r.stack?.StackName ?? 'the stack'}${hint}) before re-running`;
  throw new DeployError(`${doing}: the call got ${describeAnswer(error)} and was not repeated; CloudFormation shows ${r.seen}: ${what}`, 1, { cause: error });
}

/** DeleteStack (sent once), then wait for it to be gone. */
async function deleteAndWait(deps: DeployDeps, o: DeployOptions, state: StackState, pollMs: number, hint: string): Promise<StackState> {
  deps.out.write(`--recreate: deleting ${o.stackName}\n`);
  const sentAt = deps.clock.now();
  try {
    await sendOnce(deps.cfn, new DeleteStackCommand({ StackName: state.stackId, ClientRequestToken: token('delete', sentAt) }));
  } catch (error) {
    const r = await settle(error, `deleting ${o.stackName}`, hint, () =>
      reconcileDelete(reconcileDeps(deps, pollMs), { stackName: o.stackName, stackId: state.stackId!, before: state.stack, sentAt }),
    );
    deps.out.write(`DeleteStack got ${describeAnswer(error)}; CloudFormation shows it started (${r.seen}): following it\n`);
  }
  const deleted = await waitForStack(deps, state.stackId!, o.executeTimeoutMs ?? 3_600_000, pollMs, 'deleting the stack');
  if (deleted.status !== 'DELETE_COMPLETE' && deleted.kind !== 'absent') {
    throw new DeployError(
      `deleting ${o.stackName} ended in ${deleted.status}; delete it retaining the resources that failed (aws cloudformation delete-stack --stack-name ${o.stackName} --retain-resources …${hint}) and retry`,
    );
  }
  return { kind: 'absent' };
}

async function noChanges(deps: DeployDeps, o: DeployOptions, rerun: string): Promise<DeployResult> {
  deps.out.write(`no changes: ${o.stackName} has the template and parameters of this deploy\n`);
  if ((o.mode ?? 'deploy') === 'diff') return { outcome: 'no-changes', exitCode: 0, outputs: {} };
  const verified = await verifyStack(
    deps.cfn,
    o.stackName,
    'NONE',
    `The template is unchanged, so an update cannot repair this: re-run ${rerun} with --recreate to delete the stack and create it again (its stateful resources are RetainExceptOnCreate and survive that delete: empty and delete them first, or their fixed names fail the new create)`,
  );
  await writeOutputs(o.outputsDir ?? '.deploy', o.stackName, verified.outputs);
  deps.out.write(formatOutputs(verified.outputs));
  deps.out.write(`${o.stackName} is ${verified.stack.StackStatus}, every declared output present\n`);
  return { outcome: 'no-changes', exitCode: 0, outputs: verified.outputs };
}

/**
 * Polls a stack until its status is terminal, calling `onPoll` each round (event streaming).
 * Throws when `timeoutMs` passes or the signal aborts; CloudFormation's operation continues.
 */
export async function waitForStack(
  deps: Pick<DeployDeps, 'cfn' | 'clock' | 'signal'>,
  stack: string,
  timeoutMs: number,
  pollMs: number,
  doing: string,
  onPoll?: () => Promise<void>,
  /** Extra condition for "finished" besides a terminal status. @default always */
  accept: (s: Stack | undefined) => boolean = () => true,
): Promise<StackState> {
  const start = deps.clock.now();
  for (;;) {
    if (onPoll) await onPoll();
    const s = await describeStack(deps.cfn, stack);
    if (isTerminal(s?.StackStatus) && accept(s)) return { kind: classify(s?.StackStatus), status: s?.StackStatus, stackId: s?.StackId, stack: s };
    if (deps.clock.now() - start >= timeoutMs) {
      throw new DeployError(
        `${doing}: ${s?.StackName ?? stack} is still ${s?.StackStatus} after ${formatDuration(timeoutMs)}; CloudFormation continues on its own. Re-run later (with --wait-timeout) or watch the console`,
      );
    }
    try {
      await deps.clock.sleep(pollMs, deps.signal);
    } catch {
      throw new DeployError(
        `${doing}: interrupted; stopped watching ${s?.StackName ?? stack} (${s?.StackStatus}), but CloudFormation continues the operation`,
        130,
      );
    }
  }
}

/** The first failed events of a stack's history across its nested stacks (for ROLLBACK_COMPLETE). */
async function firstFailures(cfn: CloudFormationClient, stackId: string, stackName: string): Promise<TreeEvent[]> {
  const watcher = new EventWatcher(cfn, stackId, stackName, 0);
  const events = await watcher.poll();
  const cause = rootCause(events);
  const failures = events.filter((t) => isFailure(t.event));
  const ordered = cause ? [cause, ...failures.filter((f) => f !== cause)] : failures;
  return ordered.slice(0, 5);
}

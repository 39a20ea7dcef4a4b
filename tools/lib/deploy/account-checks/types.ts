/**
 * The shapes every account check shares. A check is two halves kept apart so the decision is
 * unit-testable without an SDK:
 *
 *   read(context)            → an observation of the account (SDK calls only, no judgement)
 *   decide(observation, t)   → outcomes (pure: adapt a parameter, stop with a fix, or warn)
 *
 * The runner (index.ts) calls `read`, turns a failed read into a warning or a stop (the check's
 * `whenUnreadable`), applies adaptations unless a `--parameter` flag set the same key, and prints
 * one line per outcome.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AccountClients } from './clients';
import type { Plan } from './plan';

/** The stack the preflight checks parameters for. */
export interface Target {
  /** `root`: generated/root.yaml and its nested stacks; `secondary`: generated/secondary.yaml. */
  readonly kind: 'root' | 'secondary';
  readonly stackName: string;
  readonly region: string;
  /** The parameters this deploy would send (the rest keep their template defaults). */
  readonly parameters: Readonly<Record<string, string>>;
  /** Parameters the user set with `--parameter Key=Value`: an adaptation never overrides them. */
  readonly fromFlag: ReadonlySet<string>;
  /** Whether `--parameter` can set this parameter (root parameters only). */
  readonly overridable: (parameter: string) => boolean;
  /** Where each other parameter came from, for messages (`parameters/prod.json`, `the template default`). */
  readonly origin: (parameter: string) => string;
  /** The parameter-file key that feeds a parameter (`toggles.guardDuty`), for fixes; undefined when none. */
  readonly fileKey: (parameter: string) => string | undefined;
  /** The secondary region (root target: the standby certificate is checked there). */
  readonly secondaryRegion?: string;
  /** The templates of this deploy evaluated with its parameters. */
  readonly plan: Plan;
}

/** What a check reads with: the SDK clients of any region, the stack as deployed, who we are. */
export interface CheckContext {
  readonly target: Target;
  readonly account: string;
  /** Clients of `region` (the target's region unless told otherwise). */
  readonly clients: (region?: string) => AccountClients;
  /** CloudFormation in the target's region (the deployed stack's resources). */
  readonly cfn: CloudFormationClient;
  /**
   * True when this deploy creates the stack: it does not exist, or holds no resources
   * (REVIEW_IN_PROGRESS; ROLLBACK_COMPLETE, which `--recreate` replaces).
   */
  readonly firstCreate: boolean;
  /**
   * The physical ID of a resource of the deployed stack (`path` of nested-stack logical IDs from the
   * root, then the resource's logical ID), or undefined when the stack or the resource does not exist.
   * This is how a check tells "ours" from an account singleton someone else made.
   */
  readonly deployedId: (path: readonly string[], logicalId: string) => Promise<string | undefined>;
}

export type Outcome =
  /** Set these parameters (one line: why). */
  | { readonly kind: 'adapt'; readonly set: Readonly<Record<string, string>>; readonly because: string }
  /** The deploy cannot succeed: stop before anything is created (one line: what, where, the fix). */
  | { readonly kind: 'stop'; readonly problem: string; readonly fix: string }
  /** Could not be checked, or will deploy but misbehave: say so, do not block. */
  | { readonly kind: 'warn'; readonly message: string };

export interface AccountCheck<O = unknown> {
  /** Short name in tests and `--debug`: `guardduty`, `vpc-quota`. */
  readonly id: string;
  /** What it checks, in messages: "the GuardDuty detector". */
  readonly subject: string;
  /**
   * What an unreadable account (AccessDenied, an endpoint that does not implement the call, any
   * other failed read) means for this check: `warn` (say so, deploy) or `stop` (the deploy must not
   * go ahead unchecked). Decided per check in the table of index.ts.
   */
  readonly whenUnreadable: 'warn' | 'stop';
  /** What the parameters would be without the check, for the unreadable line ("EnableGuardDuty stays true"). */
  readonly consequence: (t: Target) => string;
  /** Whether the check concerns this deploy (its toggle is on, its parameter exists in the target). */
  applies(t: Target): boolean;
  read(context: CheckContext): Promise<O>;
  decide(observation: O, t: Target): readonly Outcome[];
}

/** A parameter's value in the target: what the deploy sends, else the template default (undefined when the template has no such parameter). */
export function parameterOf(t: Target, parameter: string): string | undefined {
  return t.parameters[parameter] ?? t.plan.defaultOf(parameter);
}

/** `set toggles.guardDuty to false` for a parameter with a file key, else `pass --parameter Name=value`. */
export function howToSet(t: Target, parameter: string, value: string): string {
  const key = t.fileKey(parameter);
  return key ? `set ${key} to ${value}` : `pass --parameter ${parameter}=${value}`;
}

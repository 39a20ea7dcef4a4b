/**
 * API Gateway's CloudWatch Logs role: one setting per account and region (`GetAccount`
 * `cloudwatchRoleArn`), last writer wins. The root stack sets it with `ManageApiGatewayAccount`,
 * the secondary stack in its region with `ManageStandbyApiGatewayAccount`.
 *
 * | role set in the region       | Manage… | outcome                                                       |
 * |------------------------------|---------|---------------------------------------------------------------|
 * | someone else's               | true    | adapt: false (the stage logs through that role; ours would overwrite it) |
 * | ours, or someone else's      | false   | nothing                                                       |
 * | ours                         | true    | nothing                                                       |
 * | none                         | false   | stop: a stage with execution logging fails without a role      |
 * | none                         | true    | nothing (this deploy sets it)                                 |
 */
import { GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { call } from './read';
import { howToSet, parameterOf, type AccountCheck, type CheckContext, type Outcome, type Target } from './types';

/** The parameter of each template that sets the account's role. */
export const API_GATEWAY_ACCOUNT_PARAMETERS = ['ManageApiGatewayAccount', 'ManageStandbyApiGatewayAccount'] as const;

export function apiGatewayParameter(t: Target): string | undefined {
  return API_GATEWAY_ACCOUNT_PARAMETERS.find((p) => t.plan.defaultOf(p) !== undefined);
}

export interface ApiGatewayAccountObservation {
  /** `cloudwatchRoleArn` of the region's API Gateway account settings, if any. */
  readonly roleArn?: string;
  /** Role names the deployed stack holds for the role its AWS::ApiGateway::Account sets. */
  readonly ours: readonly string[];
}

/** `arn:aws:iam::1:role/path/name` → `name` (a role's physical ID in CloudFormation is its name). */
export function roleName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export function decideApiGatewayAccount(o: ApiGatewayAccountObservation, t: Target): Outcome[] {
  const parameter = apiGatewayParameter(t);
  if (!parameter) return [];
  const manage = parameterOf(t, parameter) === 'true';
  if (!o.roleArn) {
    if (manage) return [];
    return [
      {
        kind: 'stop',
        problem: `${parameter}=false, but API Gateway in ${t.region} has no CloudWatch Logs role in its account settings, and the API stage's execution logging fails without one`,
        fix: howToSet(t, parameter, 'true'),
      },
    ];
  }
  if (!manage || o.ours.includes(roleName(o.roleArn))) return [];
  return [
    {
      kind: 'adapt',
      set: { [parameter]: 'false' },
      because: `API Gateway in ${t.region} already logs through ${o.roleArn} (one setting per account and region; setting ours would replace it)`,
    },
  ];
}

/** Role names the deployed stack holds for the roles its AWS::ApiGateway::Account resources point at. */
async function ourRoles(ctx: CheckContext): Promise<string[]> {
  const names: string[] = [];
  for (const account of ctx.target.plan.declared('AWS::ApiGateway::Account')) {
    const arn = (account.definition.Properties as Record<string, unknown> | undefined)?.CloudWatchRoleArn;
    const getAtt = arn && typeof arn === 'object' ? (arn as Record<string, unknown>)['Fn::GetAtt'] : undefined;
    const roleId = Array.isArray(getAtt) ? String(getAtt[0]) : typeof getAtt === 'string' ? getAtt.split('.')[0]! : undefined;
    const id = roleId ? await ctx.deployedId(account.path, roleId) : undefined;
    if (id) names.push(id);
  }
  return names;
}

export const apiGatewayAccountCheck: AccountCheck<ApiGatewayAccountObservation> = {
  id: 'api-gateway-account',
  subject: "API Gateway's CloudWatch Logs role",
  whenUnreadable: 'warn',
  consequence: (t) => `${apiGatewayParameter(t)} stays ${parameterOf(t, apiGatewayParameter(t) ?? '')}`,
  applies: (t) => apiGatewayParameter(t) !== undefined,
  async read(ctx) {
    const res = await call('apigateway:GET on /account (GetAccount)', () => ctx.clients().apiGateway().send(new GetAccountCommand({})));
    const roleArn = res.cloudwatchRoleArn || undefined;
    return { roleArn, ours: roleArn ? await ourRoles(ctx) : [] };
  },
  decide: decideApiGatewayAccount,
};

/**
 * The regional WAFv2 web ACL that streaming.yaml associates with the ingestion API's stage:
 * three AWS managed rule groups and a per-IP rate limit, CloudWatch metrics and sampled requests
 * on every rule, and full logging to an encrypted log group.
 */
import LoggingConfiguration from 'cloudform-types/types/waFv2/loggingConfiguration';
import WebACL, { type Rule } from 'cloudform-types/types/waFv2/webAcl';
import { getAtt, sub, type Value } from './fn';
import { nameText, physicalName, tags } from './names';
import { longerInProd } from './log-retention';
import { logGroup } from './observability';
import { dependsOn, when } from './resources';
import type { Fragment, Resource } from './template';

export interface WebAclProps {
  readonly logsKeyArn: Value<string>;
  /** Requests per 5-minute window from one IP before it is blocked. @default 2000 */
  readonly rateLimitPer5Min?: number;
  /** Condition under which the web ACL, its log group and its logging exist. @default always */
  readonly condition?: string;
}

/** AWS managed rule groups, in evaluation order. */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'] as const;

/**
 * Rules of the managed groups that only count, with the reason. `SizeRestrictions_BODY` blocks
 * every body over 8 KB (a fixed limit of the rule, independent of WAF's body inspection limit),
 * while `POST /ingest` accepts batches of up to 500 events (~100 KB): any batch above ~40 events
 * would get 403. The API's request model (at most 500 records) and API Gateway's 10 MB payload
 * limit bound the body instead; the other rules still inspect the first 16 KB.
 */
export const COUNT_ONLY_RULES: Readonly<Partial<Record<(typeof MANAGED_RULE_GROUPS)[number], readonly string[]>>> = {
  AWSManagedRulesCommonRuleSet: ['SizeRestrictions_BODY'],
};

function visibility(metric: string): Rule['VisibilityConfig'] {
  return { MetricName: sub(`${nameText('waf')}-${metric}`), CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true };
}

/**
 * `WebAcl`, `WebAclLogGroup` and `WebAclLogging`. The rate rule comes first so a flood is cut
 * before the managed groups spend WCUs on it. WAF requires the log group name to start with
 * `aws-waf-logs-` and the destination ARN without the `:*` suffix `!GetAtt …Arn` carries; the
 * Authorization header (Cognito tokens) is redacted from the logs.
 */
export function webAcl(props: WebAclProps): Fragment {
  const rateRule: Rule = {
    Name: 'RateLimitPerIp',
    Priority: 0,
    Action: { Block: {} },
    Statement: { RateBasedStatement: { Limit: props.rateLimitPer5Min ?? 2000, AggregateKeyType: 'IP' } },
    VisibilityConfig: visibility('rate-limit'),
  };
  const managed: Rule[] = MANAGED_RULE_GROUPS.map((name, i) => ({
    Name: name,
    Priority: i + 1,
    OverrideAction: { None: {} },
    Statement: {
      ManagedRuleGroupStatement: {
        VendorName: 'AWS',
        Name: name,
        ...(COUNT_ONLY_RULES[name] ? { RuleActionOverrides: COUNT_ONLY_RULES[name].map((rule) => ({ Name: rule, ActionToUse: { Count: {} } })) } : {}),
      },
    },
    VisibilityConfig: visibility(name),
  }));
  const logGroupName = `aws-waf-logs-${nameText('api')}`;
  const only = <T extends Resource>(r: T): T => (props.condition ? when(props.condition, r) : r);
  return {
    WebAcl: only(
      new WebACL({
        Name: physicalName('api'),
        Description: 'Protects the ingestion REST API: IP reputation, common exploits, known bad inputs, per-IP rate limit',
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: [rateRule, ...managed],
        VisibilityConfig: visibility('api'),
        Tags: tags(),
      }),
    ),
    WebAclLogGroup: only(longerInProd(logGroup({ logGroupName: sub(logGroupName), kmsKeyArn: props.logsKeyArn }))),
    WebAclLogging: only(
      dependsOn(
        new LoggingConfiguration({
          ResourceArn: getAtt('WebAcl', 'Arn'),
          LogDestinationConfigs: [sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroupName}`)],
          RedactedFields: [{ SingleHeader: { Name: 'authorization' } }],
        }),
        'WebAclLogGroup',
      ),
    ),
  };
}

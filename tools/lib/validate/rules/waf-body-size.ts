import { dig, isRecord, listItems, resourcesOf, subVariables, subText, type Json, type Violation } from '../model';
import { apiBodies, type ApiBody } from './request-body-size';
import { propertiesOf, targetOf, type RuleContext, type SecurityRule } from './rule';

/** The managed rule that blocks larger bodies, and its fixed limit (not WAF's inspection limit). */
const GROUP = 'AWSManagedRulesCommonRuleSet';
const RULE = 'SizeRestrictions_BODY';
export const SIZE_RESTRICTIONS_BODY_BYTES = 8 * 1024;

/** True when the web ACL's common rule set still blocks with SizeRestrictions_BODY. */
function blocksLargeBodies(acl: Json): boolean {
  return listItems(propertiesOf(acl).Rules).some((rule) => {
    if (!isRecord(rule)) return false;
    const group = dig(rule, 'Statement', 'ManagedRuleGroupStatement');
    if (!isRecord(group) || group.Name !== GROUP) return false;
    if (isRecord(rule.OverrideAction) && 'Count' in rule.OverrideAction) return false;
    const counted = listItems(group.RuleActionOverrides).some(
      (o) => isRecord(o) && o.Name === RULE && isRecord(o.ActionToUse) && ('Count' in o.ActionToUse || 'Allow' in o.ActionToUse),
    );
    const excluded = listItems(group.ExcludedRules).some((o) => isRecord(o) && o.Name === RULE);
    return !counted && !excluded;
  });
}

/** The REST API a WebACLAssociation's ResourceArn names (`…/restapis/${Api}/stages/…`). */
function associatedApi(association: Json): string | undefined {
  const text = subText(propertiesOf(association).ResourceArn);
  return text === undefined ? undefined : subVariables(text).find((v) => text.includes(`/restapis/\${${v}}`));
}

/**
 * The APIs an ACL protects: associations in its own template that name it, and — when an
 * association takes its ACL from a parameter (the ACL lives in another stack) — those too, since
 * the ACL cannot be told apart offline.
 */
function protectedApis(aclId: string, ctx: RuleContext): { file: string; api: string; resources: ReadonlyMap<string, Json> }[] {
  const out: { file: string; api: string; resources: ReadonlyMap<string, Json> }[] = [];
  for (const f of ctx.files) {
    const resources = new Map(resourcesOf(f.doc));
    for (const [, r] of resources) {
      if (r.Type !== 'AWS::WAFv2::WebACLAssociation') continue;
      const target = targetOf(propertiesOf(r).WebACLArn);
      const sameAcl = f.file === ctx.file && target === aclId;
      const fromParameter = target !== undefined && !resources.has(target) && f.file !== ctx.file;
      const api = associatedApi(r);
      if ((sameAcl || fromParameter) && api) out.push({ file: f.file, api, resources });
    }
  }
  return out;
}

export const wafBodySize: SecurityRule = {
  id: 'waf-body-size',
  severity: 'error',
  info: 'A web ACL whose AWSManagedRulesCommonRuleSet blocks with SizeRestrictions_BODY (bodies over 8 KB) protects no API that accepts larger bodies.',
  explanation:
    'SizeRestrictions_BODY blocks every request body over 8 KB — a fixed limit of the rule, whatever the body inspection limit. An API whose model accepts larger requests (a batch of events) answers 403 to exactly its largest legitimate requests, after the deploy looked fine.',
  resourceTypes: ['AWS::WAFv2::WebACL'],
  check(id, resource, ctx) {
    if (!blocksLargeBodies(resource)) return [];
    const tooLarge: (ApiBody & { file: string; api: string })[] = [];
    for (const p of protectedApis(id, ctx))
      for (const b of apiBodies(p.api, p.resources)) if (b.maxBodyBytes > SIZE_RESTRICTIONS_BODY_BYTES) tooLarge.push({ ...b, file: p.file, api: p.api });
    if (tooLarge.length === 0) return [];
    const worst = tooLarge.reduce((a, b) => (b.maxBodyBytes > a.maxBodyBytes ? b : a));
    const v: Violation = {
      logicalId: id,
      path: 'Properties.Rules',
      message: `${GROUP} blocks bodies over ${SIZE_RESTRICTIONS_BODY_BYTES} bytes (${RULE}), but ${worst.file}: ${worst.api} ${worst.httpMethod} (${worst.methodId}${worst.modelId ? `, model ${worst.modelId}` : ', no model'}) accepts bodies of at least ${worst.maxBodyBytes} bytes`,
      fix: `override ${RULE} to Count (ManagedRuleGroupStatement.RuleActionOverrides) and bound the body with the request model, or lower the model's maxItems`,
    };
    return [v];
  },
};

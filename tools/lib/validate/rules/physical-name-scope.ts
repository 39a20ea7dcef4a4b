import { dig, isRecord, type Violation } from '../model';
import { NAME_PROPERTIES, propertyScope, REQUIRED_IN_NAME } from '../physical-names';
import type { SecurityRule } from './rule';

/** Readable names of the pseudo parameters a name must contain. */
const AS_SUB: Readonly<Record<string, string>> = { 'AWS::Region': '${AWS::Region}', 'AWS::AccountId': '${AWS::AccountId}' };

export const physicalNameScope: SecurityRule = {
  id: 'physical-name-scope',
  severity: 'error',
  info: 'Physical names of types whose names are global to the account (IAM, dashboards, budgets) contain the region; S3 bucket names contain account and region; Cognito domain prefixes the account.',
  explanation:
    "Two environments, the same environment in two regions, or a stack and its secondary region stack all deploy with the same name prefix into one account: a name unique only per region collides in the second region's deploy (and an S3 name with every other AWS customer). The scope comes from the type's ARN in the CloudFormation specification.",
  resourceTypes: Object.keys(NAME_PROPERTIES),
  check(id, resource, ctx) {
    const type = String(resource.Type);
    const props = isRecord(resource.Properties) ? resource.Properties : {};
    const out: Violation[] = [];
    for (const p of NAME_PROPERTIES[type] ?? []) {
      if (p.parent) continue;
      const value = dig(props, ...p.path.split('.'));
      const required = REQUIRED_IN_NAME[propertyScope(type, p, ctx.spec)];
      if (value === undefined || !required) continue;
      // A bare !Ref of a parameter: the value is the deployer's; nothing to check offline.
      if (isRecord(value) && typeof value.Ref === 'string' && !value.Ref.startsWith('AWS::')) continue;
      const text = JSON.stringify(value);
      const missing = required.filter((token) => !text.includes(token));
      if (missing.length === 0) continue;
      out.push({
        logicalId: id,
        path: `Properties.${p.path}`,
        message: `${type} names are unique across ${missing.includes('AWS::AccountId') && missing.includes('AWS::Region') ? 'all of AWS' : missing.includes('AWS::Region') ? 'every region of the account' : 'every account of the region'}, but this one does not contain ${missing.map((t) => AS_SUB[t]).join(' and ')}`,
        fix: `add ${missing.map((t) => AS_SUB[t]).join(' and ')} to the name (e.g. !Sub '\${NamePrefix}-<purpose>-${missing.map((t) => AS_SUB[t]).join('-')}')`,
      });
    }
    return out;
  },
};

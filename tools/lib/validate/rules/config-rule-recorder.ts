import type { Json } from '../model';
import { resourcesOf } from '../model';
import type { SecurityRule } from './rule';

const RECORDER = 'AWS::Config::ConfigurationRecorder';

export const configRuleRecorder: SecurityRule = {
  id: 'config-rule-recorder',
  severity: 'error',
  info: 'AWS Config rules have a Condition when the recorder they need is conditional (or is not in the templates at all).',
  explanation:
    'PutConfigRule fails with NoAvailableConfigurationRecorderException in a region without a configuration recorder: a rule created unconditionally next to a recorder that may not be created fails the deploy exactly when the recorder is switched off.',
  resourceTypes: ['AWS::Config::ConfigRule'],
  check(id, resource, ctx) {
    if (typeof resource.Condition === 'string') return [];
    const here = [...ctx.resources.values()].filter((r) => r.Type === RECORDER);
    if (here.some((r) => typeof r.Condition !== 'string')) return [];
    if (here.length > 0) {
      const conditions = [...new Set(here.map((r: Json) => String(r.Condition)))].join(', ');
      return [
        {
          logicalId: id,
          path: 'Condition',
          message: `the Config rule is unconditional but this template's recorder exists only under ${conditions}`,
          fix: 'give the rule a Condition that holds when a recorder exists (ours, or one the account already has)',
        },
      ];
    }
    const anywhere = ctx.files.some((f) => resourcesOf(f.doc).some(([, r]) => r.Type === RECORDER));
    return [
      {
        logicalId: id,
        path: 'Condition',
        severity: anywhere ? 'error' : 'warning',
        message: anywhere
          ? 'the Config rule is unconditional, but the recorder is created by another template, possibly under a condition'
          : 'the Config rule relies on a recorder no template creates',
        fix: 'give the rule a Condition on a parameter saying a recorder exists in the account and region (e.g. UseExistingConfigRecorder)',
      },
    ];
  },
};

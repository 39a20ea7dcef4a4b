import type { Violation } from '../model';
import type { SecurityRule } from './rule';

/**
 * Resource types that exist once per account and region, and what a second one does:
 * `fails` — its CREATE fails (the service is already enabled or at its limit of one);
 * `overwrites` — it silently replaces the account's setting (last writer wins).
 */
export const ACCOUNT_SINGLETONS: Readonly<Record<string, { readonly second: 'fails' | 'overwrites'; readonly what: string }>> = {
  'AWS::GuardDuty::Detector': { second: 'fails', what: 'one GuardDuty detector per account and region ("detector already exists")' },
  'AWS::SecurityHub::Hub': { second: 'fails', what: 'Security Hub is enabled once per account and region ("account is already subscribed")' },
  'AWS::Config::ConfigurationRecorder': { second: 'fails', what: 'one AWS Config recorder per account and region (MaxNumberOfConfigurationRecordersExceeded)' },
  'AWS::Config::DeliveryChannel': { second: 'fails', what: 'one AWS Config delivery channel per account and region (MaxNumberOfDeliveryChannelsExceeded)' },
  'AWS::Macie::Session': { second: 'fails', what: 'Macie is enabled once per account and region' },
  'AWS::Detective::Graph': { second: 'fails', what: 'one Detective behavior graph per account and region' },
  'AWS::ApiGateway::Account': { second: 'overwrites', what: "API Gateway's CloudWatch Logs role is one setting per account and region (last writer wins)" },
};

export const singletonCondition: SecurityRule = {
  id: 'singleton-condition',
  severity: 'error',
  info: 'Account singletons (GuardDuty detector, Security Hub, Config recorder and delivery channel, ApiGateway::Account, Macie, Detective) are created only under a Condition.',
  explanation:
    'There is one per account and region: a second environment in the account, or an account where Organizations or Control Tower already enabled the service, fails the first deploy (or overwrites the setting). A condition on a parameter lets the deployer — or the deploy preflight, which reads the account — say "use the existing one".',
  resourceTypes: Object.keys(ACCOUNT_SINGLETONS),
  check(id, resource) {
    if (typeof resource.Condition === 'string') return [];
    const singleton = ACCOUNT_SINGLETONS[String(resource.Type)]!;
    const v: Violation = {
      logicalId: id,
      path: 'Condition',
      message: `${String(resource.Type)} is created unconditionally, but ${singleton.what}`,
      fix: 'create it under a Condition on a parameter (e.g. EnableGuardDuty, ManageApiGatewayAccount) that is false when the account already has one',
    };
    return [v];
  },
};

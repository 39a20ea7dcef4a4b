import { dig } from '../model';
import { alwaysEquals, propertiesOf, type SecurityRule } from './rule';

export const lambdaTracing: SecurityRule = {
  id: 'lambda-tracing',
  severity: 'error',
  info: 'Lambda functions have X-Ray TracingConfig Mode Active.',
  explanation: 'DESIGN §5: every function traces actively so a record can be followed from ingest to alert.',
  resourceTypes: ['AWS::Lambda::Function'],
  check(id, resource) {
    if (alwaysEquals(dig(propertiesOf(resource), 'TracingConfig', 'Mode'), 'Active')) return [];
    return [{ logicalId: id, path: 'Properties.TracingConfig.Mode', message: 'active tracing is off', fix: 'set TracingConfig: { Mode: Active }' }];
  },
};

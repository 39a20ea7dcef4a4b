/**
 * What every nested stack shares: the `NamePrefix` and `Environment` parameters, the `IsProd`
 * condition, and how root wires them.
 */
import { equals, findInMap, ifThen, ref, sub } from './fn';
import { ENVIRONMENT, NAME_PREFIX } from './names';
import type { Wire } from './stack';
import { StackTemplate } from './template';

export const IS_PROD = 'IsProd';

/** A new template with the common parameters and the `IsProd` condition already declared. */
export function newStackTemplate(name: string, description: string): StackTemplate {
  const t = new StackTemplate(name, description);
  t.parameter(NAME_PREFIX, {
    Type: 'String',
    Description: 'Prefix of every physical name: <project>-<environment>, set by root',
    AllowedPattern: '^[a-z][a-z0-9-]{2,30}$',
  });
  t.parameter(ENVIRONMENT, {
    Type: 'String',
    Description: 'Deployment environment; prod turns on deletion protection and per-AZ NAT gateways',
    AllowedValues: ['dev', 'prod'],
  });
  t.condition(IS_PROD, equals(ref(ENVIRONMENT), 'prod'));
  return t;
}

/** Root wiring of the common parameters, spread into every stack's `inputs`. */
export const COMMON_INPUTS: Readonly<Record<string, Wire>> = {
  [NAME_PREFIX]: { value: sub('${ProjectName}-${Environment}') },
  [ENVIRONMENT]: { parameter: 'Environment' },
};

/** The secondary region: the parameter, or the partner of the stack's region in root's RegionConfig mapping. */
export const SECONDARY_REGION_INPUT: Wire = {
  value: ifThen('HasSecondaryRegion', ref('SecondaryRegion'), findInMap('RegionConfig', ref('AWS::Region'), 'Secondary')),
};

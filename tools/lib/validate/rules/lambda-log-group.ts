import { dig, isRecord, subText } from '../model';
import { alwaysSet, propertiesOf, refersTo, type SecurityRule } from './rule';

/**
 * A name as comparable text: a literal, a `!Sub` template, or a `!Join ''` of literals and
 * `!Ref`s (written `${X}`). Undefined when the name cannot be read statically.
 */
function nameText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const sub = subText(value);
  if (sub !== undefined) return sub;
  const join = isRecord(value) ? value['Fn::Join'] : undefined;
  if (Array.isArray(join) && join[0] === '' && Array.isArray(join[1])) {
    const parts = (join[1] as unknown[]).map((p) => (typeof p === 'string' ? p : isRecord(p) && typeof p.Ref === 'string' ? `\${${p.Ref}}` : undefined));
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  return undefined;
}

export const lambdaLogGroup: SecurityRule = {
  id: 'lambda-log-group',
  severity: 'error',
  info: 'Every Lambda function has its own log group: LoggingConfig.LogGroup, or a log group named /aws/lambda/<FunctionName> in the same template.',
  explanation:
    'Otherwise Lambda creates the group on first invoke with no retention and no KMS key, outside the stack (STYLE.md: every function is born with a log group).',
  resourceTypes: ['AWS::Lambda::Function'],
  check(id, resource, ctx) {
    const props = propertiesOf(resource);
    if (alwaysSet(dig(props, 'LoggingConfig', 'LogGroup'))) return [];
    const fnName = nameText(props.FunctionName);
    const expected = new Set([`/aws/lambda/\${${id}}`, ...(fnName !== undefined ? [`/aws/lambda/${fnName}`] : [])]);
    for (const r of ctx.resources.values()) {
      if (r.Type !== 'AWS::Logs::LogGroup') continue;
      const name = propertiesOf(r).LogGroupName;
      const text = nameText(name);
      if (text !== undefined && expected.has(text)) return [];
      if (text === undefined && refersTo(name, id)) return [];
    }
    return [
      {
        logicalId: id,
        path: 'Properties.LoggingConfig.LogGroup',
        message: `no log group for this function (looked for LoggingConfig.LogGroup or a log group named ${[...expected].join(' or ')})`,
        fix: 'add logGroup({ logGroupName: lambdaLogGroupName(fn) }) next to the function, or set LoggingConfig.LogGroup',
      },
    ];
  },
};

import { isRecord, resourcesOf, sectionOf, walk, type Json } from '../model';
import { propertiesOf, refersTo, type RuleContext, type SecurityRule } from './rule';

/** Property names under which a queue ARN means "dead-letter / on-failure destination". */
const DLQ_KEYS = /^(deadLetterTargetArn|DeadLetterConfig|OnFailure|DeadLetterQueue|DeadLetterTargetArn)$/;

/** True when some other resource of the template uses the queue as a dead-letter or on-failure target. */
function usedAsDlq(queueId: string, ctx: RuleContext): boolean {
  for (const [id, r] of ctx.resources) {
    if (id === queueId) continue;
    let found = false;
    walk(r.Properties, '', (node) => {
      if (found || !isRecord(node)) return;
      for (const [k, v] of Object.entries(node)) {
        if (!DLQ_KEYS.test(k)) continue;
        walk(v, '', (inner) => {
          if (!found && refersTo(inner, queueId)) found = true;
        });
      }
    });
    if (found) return true;
  }
  return false;
}

function alarmsOf(doc: Json): Json[] {
  return resourcesOf(doc)
    .map(([, r]) => r)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
}

function alarmWatches(alarm: Json, queueId: string): boolean {
  let found = false;
  walk(alarm.Properties, '', (node) => {
    if (!found && refersTo(node, queueId)) found = true;
  });
  return found;
}

/**
 * Alarms in other stacks that watch the queue through root's wiring: the queue's stack outputs
 * it (`Outputs.X` refers to the queue), root passes `!GetAtt <ThatStack>.Outputs.X` as parameter
 * P of another nested stack, and an alarm there refers to P. Returns true when one is found.
 */
function alarmedThroughRoot(queueId: string, ctx: RuleContext): boolean {
  const outputs = Object.entries(sectionOf(ctx.doc, 'Outputs'))
    .filter(([, o]) => isRecord(o) && refersTo(o.Value, queueId))
    .map(([name]) => `Outputs.${name}`);
  if (outputs.length === 0) return false;
  const byFile = new Map(ctx.files.map((f) => [f.file, f.doc]));
  for (const root of ctx.files) {
    const stacks = resourcesOf(root.doc).filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack');
    const self = stacks.find(([, r]) => propertiesOf(r).TemplateURL === `./${ctx.file}`);
    if (!self) continue;
    for (const [, consumer] of stacks) {
      const child = byFile.get(String(propertiesOf(consumer).TemplateURL ?? '').replace(/^\.\//, ''));
      const parameters = propertiesOf(consumer).Parameters;
      if (!child || !isRecord(parameters)) continue;
      for (const [parameter, value] of Object.entries(parameters)) {
        const getAtt = isRecord(value) ? value['Fn::GetAtt'] : undefined;
        if (!Array.isArray(getAtt) || getAtt[0] !== self[0] || !outputs.includes(String(getAtt[1]))) continue;
        if (alarmsOf(child).some((a) => alarmWatches(a, parameter))) return true;
      }
    }
  }
  return false;
}

export const sqsDlqAlarm: SecurityRule = {
  id: 'sqs-dlq-alarm',
  severity: 'error',
  info: 'Every SQS queue used as a dead-letter / on-failure destination has a CloudWatch alarm on it, in its own stack or in a stack root wires its name/ARN output to (warning when neither is determinable but other stacks have SQS alarms).',
  explanation: 'DESIGN §5: a record in a DLQ is a failure someone must see and replay; a queue nobody watches is data loss with extra steps.',
  resourceTypes: ['AWS::SQS::Queue'],
  check(id, _resource, ctx) {
    const outputs = Object.entries(sectionOf(ctx.doc, 'Outputs'));
    const isDlq =
      usedAsDlq(id, ctx) || /dlq|deadletter/i.test(id) || outputs.some(([name, o]) => /dlq|deadletter/i.test(name) && isRecord(o) && refersTo(o.Value, id));
    if (!isDlq) return [];
    if (alarmsOf(ctx.doc).some((a) => alarmWatches(a, id))) return [];
    if (alarmedThroughRoot(id, ctx)) return [];
    const elsewhere = ctx.files.some((f) => f.file !== ctx.file && alarmsOf(f.doc).some((a) => propertiesOf(a).Namespace === 'AWS/SQS'));
    return [
      {
        logicalId: id,
        path: '-',
        severity: elsewhere ? 'warning' : 'error',
        message: elsewhere
          ? 'dead-letter queue has no alarm in this template; another stack has SQS alarms that may watch it (not determinable offline)'
          : 'dead-letter queue has no alarm',
        fix: 'add an alarm on AWS/SQS ApproximateNumberOfMessagesVisible > 0 with QueueName !GetAtt <queue>.QueueName, next to the queue',
      },
    ];
  },
};

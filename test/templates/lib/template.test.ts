import Topic from 'cloudform-types/types/sns/topic';
import { newStackTemplate } from '../../../templates-src/lib/common';
import { ref } from '../../../templates-src/lib/fn';
import { StackTemplate, TemplateDefinitionError } from '../../../templates-src/lib/template';

describe('StackTemplate', () => {
  test('returns refs for parameters and IDs for resources and conditions', () => {
    const t = new StackTemplate('demo', 'd');
    expect(JSON.parse(JSON.stringify(t.parameter('P', { Type: 'String' })))).toEqual({ Ref: 'P' });
    expect(t.resource('Topic', new Topic({}))).toBe('Topic');
    expect(t.condition('C', { 'Fn::Equals': ['a', 'b'] } as never)).toBe('C');
  });

  test.each([
    ['two resources', (t: StackTemplate) => t.resource('X', new Topic({})), 'Resources and Resources'],
    ['a parameter and a resource (shared !Ref namespace)', (t: StackTemplate) => t.parameter('X', { Type: 'String' }), 'Resources and Parameters'],
  ])('rejects a clashing logical ID: %s', (_name, second, where) => {
    const t = new StackTemplate('demo', 'd');
    t.resource('X', new Topic({}));
    expect(() => second(t)).toThrow(new TemplateDefinitionError(`demo: logical ID "X" is defined twice (${where}); rename one of them`));
  });

  test('a condition and a resource may share a name (separate namespaces)', () => {
    const t = new StackTemplate('demo', 'd');
    t.resource('X', new Topic({}));
    expect(() => t.condition('X', { Condition: 'Y' })).not.toThrow();
  });

  test('add() merges a fragment and throws on the first clash', () => {
    const t = new StackTemplate('demo', 'd');
    t.add({ A: new Topic({}), B: new Topic({}) });
    expect(() => t.add({ C: new Topic({}), B: new Topic({}) })).toThrow(/"B" is defined twice/);
  });

  test('rejects non-alphanumeric logical IDs', () => {
    expect(() => new StackTemplate('demo', 'd').resource('raw-bucket', new Topic({}))).toThrow(/must be alphanumeric/);
  });

  test('implements() rejects unknown roadmap bullets', () => {
    expect(() => new StackTemplate('demo', 'd').implements('12.1', 'X')).toThrow('demo: roadmap bullet "12.1" does not exist');
  });

  test('toDocument() names every roadmap entry pointing at nothing', () => {
    const t = new StackTemplate('demo', 'd');
    t.resource('A', new Topic({}));
    t.implements('8.3', 'A', 'Missing');
    t.implements('1.1', 'Gone');
    expect(() => t.toDocument()).toThrow('demo: roadmap entries name logical IDs the template does not declare: 8.3 → Missing, 1.1 → Gone');
  });

  test('Metadata.Roadmap lists bullets in roadmap order with their text', () => {
    const t = new StackTemplate('demo', 'd');
    t.resource('Topic', new Topic({}));
    t.parameter('Symbols', { Type: 'String' });
    t.implements('11.3', 'Symbols');
    t.implements('8.3', 'Topic');
    const doc = t.toDocument();
    expect(doc.Metadata).toEqual({
      Roadmap: {
        '8.3': { Text: 'Set up SNS Topics: OpsAlerts, MarketAlerts, WeatherAlerts, FinOpsAlerts', Resources: ['Topic'] },
        '11.3': { Text: 'Use Parameters (symbols, cities, thresholds)', Resources: ['Symbols'] },
      },
    });
    expect(Object.keys(doc.Metadata!.Roadmap as object)).toEqual(['8.3', '11.3']);
  });

  test('outputs carry an optional condition', () => {
    const t = new StackTemplate('demo', 'd');
    t.resource('Topic', new Topic({}));
    t.output('TopicArn', { value: ref('Topic'), description: 'arn', condition: 'C' });
    expect(JSON.parse(JSON.stringify(t.toDocument().Outputs))).toEqual({ TopicArn: { Description: 'arn', Value: { Ref: 'Topic' }, Condition: 'C' } });
  });
});

describe('newStackTemplate', () => {
  test('declares NamePrefix, Environment and IsProd', () => {
    const doc = JSON.parse(JSON.stringify(newStackTemplate('x', 'd').toDocument()));
    expect(Object.keys(doc.Parameters)).toEqual(['NamePrefix', 'Environment']);
    expect(doc.Parameters.Environment.AllowedValues).toEqual(['dev', 'prod']);
    expect(doc.Conditions.IsProd).toEqual({ 'Fn::Equals': [{ Ref: 'Environment' }, 'prod'] });
  });
});

/**
 * Reference integrity inside one template: `!Ref`, `!GetAtt`, `!Sub` variables, Conditions,
 * `!FindInMap`, `DependsOn`, and parameters nobody reads.
 *
 * | reference              | may name                                                       |
 * | ---------------------- | -------------------------------------------------------------- |
 * | `!Ref X`               | parameter, resource, pseudo parameter (in Conditions: no resource) |
 * | `!GetAtt X.Attr`       | resource                                                       |
 * | `${X}` in `!Sub`       | explicit variable, parameter, resource, pseudo parameter      |
 * | `${X.Attr}` in `!Sub`  | explicit variable, resource                                    |
 * | `Condition: X`, `!If`  | condition                                                      |
 * | `!FindInMap [M, K, L]` | mapping M; literal K and L must exist                         |
 * | `DependsOn`            | another resource                                               |
 */
import { didYouMean, isRecord, PSEUDO_PARAMETERS, sectionOf, subVariables, walk, type Issue, type Json } from './model';

interface Names {
  readonly parameters: ReadonlySet<string>;
  readonly resources: ReadonlySet<string>;
  readonly conditions: ReadonlySet<string>;
  readonly mappings: Json;
}

const REF_SECTIONS = ['Resources', 'Outputs', 'Conditions', 'Rules'] as const;

export function checkReferences(doc: Json): Issue[] {
  const names: Names = {
    parameters: new Set(Object.keys(sectionOf(doc, 'Parameters'))),
    resources: new Set(Object.keys(sectionOf(doc, 'Resources'))),
    conditions: new Set(Object.keys(sectionOf(doc, 'Conditions'))),
    mappings: sectionOf(doc, 'Mappings'),
  };
  const out: Issue[] = [];
  const used = new Set<string>();
  const refTargets = [...names.parameters, ...names.resources];

  const condition = (owner: string, path: string, name: unknown): void => {
    if (typeof name !== 'string') return;
    if (names.conditions.has(name)) return;
    out.push({
      logicalId: owner,
      path,
      rule: 'condition-exists',
      severity: 'error',
      message: `condition ${name} is not declared`,
      fix: didYouMean(name, names.conditions, 'declare it under Conditions or fix the name'),
    });
  };

  for (const section of REF_SECTIONS) {
    for (const [owner, body] of Object.entries(sectionOf(doc, section))) {
      if (section === 'Resources' || section === 'Outputs') {
        if (isRecord(body) && 'Condition' in body) condition(owner, 'Condition', body.Condition);
      }
      walk(body, '', (node, p) => {
        if (!isRecord(node)) return;
        const at = p || '-';
        if ('Ref' in node && typeof node.Ref === 'string' && Object.keys(node).length === 1) {
          const target = node.Ref;
          used.add(target);
          const ok = PSEUDO_PARAMETERS.has(target) || names.parameters.has(target) || (names.resources.has(target) && section !== 'Conditions');
          if (!ok) {
            const why = names.resources.has(target)
              ? `conditions can only reference parameters, not resource ${target}`
              : `!Ref ${target} names no parameter, resource or pseudo parameter`;
            out.push({
              logicalId: owner,
              path: at,
              rule: 'ref-target',
              severity: 'error',
              message: why,
              fix: didYouMean(target, refTargets, `declare a parameter or resource ${target}, or fix the name`),
            });
          }
        }
        if ('Fn::GetAtt' in node) {
          const arg = node['Fn::GetAtt'];
          const target = Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined;
          if (typeof target === 'string' && !names.resources.has(target)) {
            out.push({
              logicalId: owner,
              path: at,
              rule: 'getatt-target',
              severity: 'error',
              message: `!GetAtt ${target}.… names no resource in this template`,
              fix: didYouMean(target, names.resources, `declare resource ${target} or fix the name`),
            });
          }
        }
        if ('Fn::Sub' in node) checkSub(node['Fn::Sub'], owner, at, names, used, out);
        if ('Fn::If' in node && Array.isArray(node['Fn::If'])) condition(owner, `${at}.Fn::If[0]`, node['Fn::If'][0]);
        if (section === 'Conditions' && 'Condition' in node && typeof node.Condition === 'string') condition(owner, at, node.Condition);
        if ('Fn::FindInMap' in node) checkFindInMap(node['Fn::FindInMap'], owner, at, names, out);
      });
    }
  }

  for (const [id, resource] of Object.entries(sectionOf(doc, 'Resources'))) {
    if (!isRecord(resource) || resource.DependsOn === undefined) continue;
    const targets = Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    for (const target of targets) {
      if (typeof target === 'string' && names.resources.has(target) && target !== id) continue;
      out.push({
        logicalId: id,
        path: 'DependsOn',
        rule: 'depends-on',
        severity: 'error',
        message: target === id ? 'a resource cannot depend on itself' : `DependsOn ${String(target)} names no resource in this template`,
        fix: didYouMean(String(target), names.resources, 'name a resource of this template'),
      });
    }
  }

  out.push(...checkConditionalReferences(doc));

  for (const name of names.parameters) {
    if (used.has(name)) continue;
    out.push({
      logicalId: name,
      path: '-',
      rule: 'unused-parameter',
      severity: 'warning',
      message: `parameter ${name} is declared but never referenced`,
      fix: 'use it or remove it (root must then stop passing it)',
    });
  }
  return out;
}

function checkSub(arg: unknown, owner: string, at: string, names: Names, used: Set<string>, out: Issue[]): void {
  const text = typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
  if (text === undefined) return;
  const vars = Array.isArray(arg) && isRecord(arg[1]) ? arg[1] : {};
  for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
    const name = m[1]!.trim();
    if (name.startsWith('!') || name in vars) continue;
    if (name.includes('::')) {
      if (PSEUDO_PARAMETERS.has(name) && name !== 'AWS::NoValue') continue;
      out.push({
        logicalId: owner,
        path: at,
        rule: 'sub-variable',
        severity: 'error',
        message: `!Sub variable \${${name}} is not a pseudo parameter`,
        fix: didYouMean(name, PSEUDO_PARAMETERS, 'use AWS::Region, AWS::AccountId, AWS::Partition, AWS::StackName, AWS::StackId or AWS::URLSuffix'),
      });
      continue;
    }
    const dot = name.indexOf('.');
    const target = dot > 0 ? name.slice(0, dot) : name;
    used.add(target);
    const ok = dot > 0 ? names.resources.has(target) : names.parameters.has(target) || names.resources.has(target);
    if (ok) continue;
    const candidates = dot > 0 ? names.resources : [...names.parameters, ...names.resources, ...Object.keys(vars)];
    out.push({
      logicalId: owner,
      path: at,
      rule: 'sub-variable',
      severity: 'error',
      message:
        dot > 0
          ? `!Sub variable \${${name}}: ${target} is not a resource of this template`
          : `!Sub variable \${${name}} resolves to no parameter, resource or variable`,
      fix: didYouMean(target, candidates, `declare ${target}, pass it in the !Sub variable map, or escape it as \${!${name}}`),
    });
  }
}

function checkFindInMap(arg: unknown, owner: string, at: string, names: Names, out: Issue[]): void {
  if (!Array.isArray(arg)) return;
  const [map, top, second] = arg as unknown[];
  if (typeof map !== 'string') return;
  const mapping = names.mappings[map];
  if (!isRecord(mapping)) {
    out.push({
      logicalId: owner,
      path: at,
      rule: 'find-in-map',
      severity: 'error',
      message: `!FindInMap names mapping ${map}, which is not declared`,
      fix: didYouMean(map, Object.keys(names.mappings), 'declare it under Mappings'),
    });
    return;
  }
  if (typeof top !== 'string') {
    if (typeof second !== 'string') return;
    const lacking = Object.keys(mapping).filter((k) => !isRecord(mapping[k]) || !(second in (mapping[k] as Json)));
    if (lacking.length > 0) {
      out.push({
        logicalId: owner,
        path: at,
        rule: 'find-in-map',
        severity: 'warning',
        message: `mapping ${map} lacks key ${second} under ${lacking.join(', ')}; the lookup fails there`,
        fix: `add ${second} to those entries`,
      });
    }
    return;
  }
  const entry = mapping[top];
  if (!isRecord(entry)) {
    out.push({
      logicalId: owner,
      path: at,
      rule: 'find-in-map',
      severity: 'error',
      message: `mapping ${map} has no key ${top}`,
      fix: didYouMean(top, Object.keys(mapping), `add ${top} to Mappings.${map}`),
    });
    return;
  }
  if (typeof second === 'string' && !(second in entry)) {
    out.push({
      logicalId: owner,
      path: at,
      rule: 'find-in-map',
      severity: 'error',
      message: `mapping ${map}.${top} has no key ${second}`,
      fix: didYouMean(second, Object.keys(entry), `add ${second} to Mappings.${map}.${top}`),
    });
  }
}

/** Conditions known to hold wherever `condition` holds: itself and, through `!And`, its parts. */
function impliedBy(condition: string, conditions: Json, seen = new Set<string>()): Set<string> {
  if (seen.has(condition)) return seen;
  seen.add(condition);
  const definition = conditions[condition];
  const parts = isRecord(definition) && Array.isArray(definition['Fn::And']) ? definition['Fn::And'] : [];
  for (const part of parts) if (isRecord(part) && typeof part.Condition === 'string') impliedBy(part.Condition, conditions, seen);
  return seen;
}

/**
 * A resource or output that references a conditional resource must hold under that condition
 * too: have the same (or a stronger `!And`) condition, or sit in the true branch of
 * `!If [<condition>, …]`. Otherwise the deploy fails whenever the condition is false. Warning:
 * conditions implied in other ways (e.g. through parameters) are not proven here.
 */
function checkConditionalReferences(doc: Json): Issue[] {
  const conditions = sectionOf(doc, 'Conditions');
  const resources = sectionOf(doc, 'Resources');
  const conditionOf = (id: string): string | undefined => {
    const r = resources[id];
    return isRecord(r) && typeof r.Condition === 'string' ? r.Condition : undefined;
  };
  const out: Issue[] = [];
  const visit = (owner: string, node: unknown, path: string, holds: ReadonlySet<string>): void => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) visit(owner, item, `${path}[${i}]`, holds);
      return;
    }
    if (!isRecord(node)) return;
    const cond = node['Fn::If'];
    if (Array.isArray(cond) && cond.length === 3 && typeof cond[0] === 'string') {
      visit(owner, cond[1], `${path}.Fn::If[1]`, new Set([...holds, ...impliedBy(cond[0], conditions)]));
      visit(owner, cond[2], `${path}.Fn::If[2]`, holds);
      return;
    }
    const targets: string[] = [];
    if (typeof node.Ref === 'string') targets.push(node.Ref);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') targets.push(getAtt[0]);
    const sub = node['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
    if (text !== undefined) {
      const vars = Array.isArray(sub) && isRecord(sub[1]) ? sub[1] : {};
      for (const name of subVariables(text)) if (!(name in vars)) targets.push(name.split('.')[0]!);
    }
    for (const target of targets) {
      const needed = conditionOf(target);
      if (needed === undefined || target === owner || holds.has(needed)) continue;
      out.push({
        logicalId: owner,
        path: path || '-',
        rule: 'conditional-reference',
        severity: 'warning',
        message: `references ${target}, which only exists under condition ${needed}`,
        fix: `give ${owner} Condition: ${needed}, or wrap the reference in !If [${needed}, …, !Ref AWS::NoValue]`,
      });
    }
    for (const [k, v] of Object.entries(node)) visit(owner, v, path ? `${path}.${k}` : k, holds);
  };
  for (const section of ['Resources', 'Outputs']) {
    for (const [owner, body] of Object.entries(sectionOf(doc, section))) {
      if (!isRecord(body)) continue;
      const own = typeof body.Condition === 'string' ? impliedBy(body.Condition, conditions) : new Set<string>();
      for (const key of ['Properties', 'Value', 'Metadata']) if (key in body) visit(owner, body[key], key === 'Value' ? 'Value' : key, own);
      if (section === 'Resources') {
        const deps = Array.isArray(body.DependsOn) ? body.DependsOn : [body.DependsOn];
        for (const dep of deps) {
          const needed = typeof dep === 'string' ? conditionOf(dep) : undefined;
          if (needed !== undefined && !own.has(needed)) {
            out.push({
              logicalId: owner,
              path: 'DependsOn',
              rule: 'conditional-reference',
              severity: 'warning',
              message: `depends on ${String(dep)}, which only exists under condition ${needed}`,
              fix: `give ${owner} Condition: ${needed} or drop the dependency`,
            });
          }
        }
      }
    }
  }
  return out;
}

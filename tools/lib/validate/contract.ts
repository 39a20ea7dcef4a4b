/**
 * The root ↔ child contract (DESIGN §3): children are wired only through root, so root must pass
 * every child parameter without a default, pass nothing a child does not declare, and read only
 * outputs the child declares; each registry entry's promised outputs must exist in its template,
 * and every nested stack's `TemplateURL` is `./<file>` of a template that exists.
 */
import { didYouMean, dig, isRecord, resourcesOf, sectionOf, subVariables, walk, type Finding, type TemplateFile, type ValidationRegistry } from './model';

const STACK_TYPE = 'AWS::CloudFormation::Stack';

export function checkContract(files: readonly TemplateFile[], registry: ValidationRegistry): Finding[] {
  const out: Finding[] = [];
  const byFile = new Map(files.map((f) => [f.file, f.doc]));
  const rootFile = registry.root.file;
  const root = byFile.get(rootFile);
  const push = (file: string, logicalId: string, path: string, rule: string, message: string, fix: string, severity: Finding['severity'] = 'error'): void => {
    out.push({ file, logicalId, path, rule, severity, message, fix });
  };

  for (const s of registry.standalone ?? []) {
    if (!byFile.has(s.file))
      push(s.file, '(template)', '-', 'contract-missing-file', `standalone template ${s.id} (${s.file}) is missing`, 'run npm run build:templates');
  }
  if (!root) {
    push(rootFile, '(template)', '-', 'contract-missing-file', `root template ${rootFile} is missing`, 'run npm run build:templates');
    return out;
  }

  const rootResources = new Map(resourcesOf(root));
  /** Stack logical ID → child file name, from TemplateURL. */
  const childOf = new Map<string, string>();

  for (const s of registry.stacks) {
    const resource = rootResources.get(s.id);
    if (!resource || resource.Type !== STACK_TYPE) {
      push(
        rootFile,
        s.id,
        'Type',
        'contract-stack-resource',
        `registry stack ${s.id} has no ${STACK_TYPE} resource of that logical ID in root`,
        'rebuild root from the registry (npm run build:templates)',
      );
      continue;
    }
    const url = dig(resource, 'Properties', 'TemplateURL');
    if (url !== `./${s.file}`) {
      push(
        rootFile,
        s.id,
        'Properties.TemplateURL',
        'contract-template-url',
        `TemplateURL is ${JSON.stringify(url)}, expected ./${s.file}`,
        `write TemplateURL: ./${s.file} (the packager rewrites it to S3)`,
      );
    }
  }

  for (const [id, resource] of rootResources) {
    if (resource.Type !== STACK_TYPE) continue;
    const url = dig(resource, 'Properties', 'TemplateURL');
    if (typeof url !== 'string' || !url.startsWith('./')) {
      push(
        rootFile,
        id,
        'Properties.TemplateURL',
        'contract-template-url',
        `TemplateURL ${JSON.stringify(url)} is not a relative ./<file> path`,
        'point it at ./<file>.yaml next to root; packaging uploads it',
      );
      continue;
    }
    const file = url.slice(2);
    if (!byFile.has(file)) {
      push(
        rootFile,
        id,
        'Properties.TemplateURL',
        'contract-template-url',
        `TemplateURL ${url} names a template that does not exist`,
        `build ${file} or fix the path`,
      );
      continue;
    }
    childOf.set(id, file);
    if (!registry.stacks.some((s) => s.id === id)) {
      push(rootFile, id, '-', 'contract-unregistered', `nested stack ${id} is not in the registry`, 'add it to templates-src/stacks.ts', 'warning');
    }
    const child = byFile.get(file)!;
    const declared = sectionOf(child, 'Parameters');
    const passed = dig(resource, 'Properties', 'Parameters');
    const passedNames = isRecord(passed) ? Object.keys(passed) : [];
    for (const [name, p] of Object.entries(declared)) {
      if (isRecord(p) && 'Default' in p) continue;
      if (passedNames.includes(name)) continue;
      push(
        rootFile,
        id,
        `Properties.Parameters.${name}`,
        'contract-missing-parameter',
        `${file} declares parameter ${name} without a Default, and root does not pass it`,
        `wire ${name} in the ${id} entry of templates-src/stacks.ts (inputs), or give it a Default`,
      );
    }
    for (const name of passedNames) {
      if (name in declared) continue;
      push(
        rootFile,
        id,
        `Properties.Parameters.${name}`,
        'contract-unknown-parameter',
        `root passes ${name}, which ${file} does not declare (CloudFormation rejects the stack)`,
        didYouMean(name, Object.keys(declared), `remove it from the ${id} inputs or declare it in ${file}`),
      );
    }
  }

  // Every Stack.Outputs.Name read in root (GetAtt or ${Stack.Outputs.Name} in Sub) exists in the child.
  for (const section of ['Resources', 'Outputs', 'Conditions']) {
    for (const [owner, body] of Object.entries(sectionOf(root, section))) {
      walk(body, '', (node, p) => {
        if (!isRecord(node)) return;
        const reads: [string, string][] = [];
        const getAtt = node['Fn::GetAtt'];
        if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') reads.push([getAtt[0], getAtt[1]]);
        const sub = node['Fn::Sub'];
        const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
        if (text !== undefined) {
          for (const name of subVariables(text)) {
            const dot = name.indexOf('.');
            if (dot > 0) reads.push([name.slice(0, dot), name.slice(dot + 1)]);
          }
        }
        for (const [stack, attribute] of reads) {
          const file = childOf.get(stack);
          if (!file || !attribute.startsWith('Outputs.')) continue;
          const output = attribute.slice('Outputs.'.length);
          const outputs = sectionOf(byFile.get(file)!, 'Outputs');
          const declared = outputs[output];
          if (isRecord(declared)) {
            // A conditional child output does not exist when its condition is false; root must only read it under a condition.
            const reader = sectionOf(root, section)[owner];
            const guarded = p.includes('Fn::If[1]') || (isRecord(reader) && typeof reader.Condition === 'string');
            if (typeof declared.Condition === 'string' && !guarded) {
              push(
                rootFile,
                owner,
                p || '-',
                'contract-conditional-output',
                `reads ${stack}.Outputs.${output}, which ${file} only declares under its condition ${declared.Condition}`,
                `read it inside !If [<matching root condition>, …], or make the child output unconditional (e.g. !If [${declared.Condition}, value, ''])`,
                'warning',
              );
            }
            continue;
          }
          push(
            rootFile,
            owner,
            p || '-',
            'contract-output',
            `reads ${stack}.Outputs.${output}, which ${file} does not declare`,
            didYouMean(output, Object.keys(outputs), `add output ${output} to ${file} or read another one`),
          );
        }
      });
    }
  }

  for (const s of [...registry.stacks, ...(registry.standalone ?? [])]) {
    const child = byFile.get(s.file);
    if (!child) continue;
    const outputs = sectionOf(child, 'Outputs');
    for (const name of s.outputs) {
      if (name in outputs) continue;
      push(
        s.file,
        name,
        'Outputs',
        'contract-promised-output',
        `registry entry ${s.id} promises output ${name}, but ${s.file} does not declare it`,
        didYouMean(name, Object.keys(outputs), `add t.output('${name}', …) to the stack, or remove it from the entry's outputs`),
      );
    }
  }

  // Stacks talk only through root (STYLE.md): no Export / Fn::ImportValue in root or nested stacks.
  for (const file of [rootFile, ...registry.stacks.map((s) => s.file)]) {
    const doc = byFile.get(file);
    if (!doc) continue;
    for (const [name, output] of Object.entries(sectionOf(doc, 'Outputs'))) {
      if (isRecord(output) && output.Export !== undefined) {
        push(
          file,
          name,
          'Export',
          'contract-no-export',
          'output is exported; our stacks are wired only through root parameters and nested outputs',
          'remove Export and wire the value through root (registry inputs)',
        );
      }
    }
    for (const section of ['Resources', 'Outputs', 'Conditions']) {
      for (const [owner, body] of Object.entries(sectionOf(doc, section))) {
        walk(body, '', (node, p) => {
          if (isRecord(node) && 'Fn::ImportValue' in node) {
            push(
              file,
              owner,
              p || '-',
              'contract-no-export',
              '!ImportValue couples this stack to another stack outside root',
              "take the value as a parameter wired in root from the producing stack's output",
            );
          }
        });
      }
    }
  }

  const known = new Set([rootFile, ...registry.stacks.map((s) => s.file), ...(registry.standalone ?? []).map((s) => s.file)]);
  for (const f of files) {
    if (!known.has(f.file))
      push(
        f.file,
        '(template)',
        '-',
        'contract-unregistered',
        `${f.file} is not produced by any registry entry`,
        'delete it or add its stack to templates-src/stacks.ts',
        'warning',
      );
  }
  return out;
}

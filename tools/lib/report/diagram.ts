/**
 * A Mermaid flowchart of the template tree: one subgraph per nested stack, the main resources
 * as nodes, and edges derived from the templates themselves — API integrations, authorizers and
 * WAF associations, event source mappings, environment variables, schedule targets, crawler
 * targets, Athena/QuickSight references, dashboard metrics, topic subscriptions and alarm
 * actions — so the picture follows the code. Deterministic: nodes and edges are sorted.
 */
import { allText, properties, section, type ResourceRef, type TemplateTree } from '../grade/tree';

/** Resource types drawn as nodes: label, Mermaid shape, order within a subgraph. */
const MAIN: Readonly<Record<string, { readonly label: string; readonly shape: 'box' | 'db' | 'fn' | 'topic' | 'api' }>> = {
  'AWS::WAFv2::WebACL': { label: 'WAF web ACL', shape: 'box' },
  'AWS::Cognito::UserPool': { label: 'Cognito user pool', shape: 'box' },
  'AWS::ApiGateway::RestApi': { label: 'API Gateway', shape: 'api' },
  'AWS::ApiGatewayV2::Api': { label: 'API Gateway', shape: 'api' },
  'AWS::Scheduler::Schedule': { label: 'EventBridge schedule', shape: 'box' },
  'AWS::Kinesis::Stream': { label: 'Kinesis stream', shape: 'db' },
  'AWS::Lambda::Function': { label: 'Lambda', shape: 'fn' },
  'AWS::DynamoDB::GlobalTable': { label: 'DynamoDB global table', shape: 'db' },
  'AWS::DynamoDB::Table': { label: 'DynamoDB table', shape: 'db' },
  'AWS::DAX::Cluster': { label: 'DAX cluster', shape: 'db' },
  'AWS::S3::Bucket': { label: 'S3 bucket', shape: 'db' },
  'AWS::Glue::Crawler': { label: 'Glue crawler', shape: 'box' },
  'AWS::Glue::Database': { label: 'Glue database', shape: 'db' },
  'AWS::Athena::WorkGroup': { label: 'Athena workgroup', shape: 'box' },
  'AWS::QuickSight::DataSet': { label: 'QuickSight data set', shape: 'box' },
  'AWS::QuickSight::Dashboard': { label: 'QuickSight dashboard', shape: 'box' },
  'AWS::CloudWatch::Dashboard': { label: 'CloudWatch dashboard', shape: 'box' },
  'AWS::Budgets::Budget': { label: 'Budget', shape: 'box' },
  'AWS::SNS::Topic': { label: 'SNS topic', shape: 'topic' },
  'AWS::KMS::Key': { label: 'KMS key', shape: 'box' },
};
const TYPE_ORDER = Object.keys(MAIN);
/** Pseudo type for the one "alarms" node per stack. */
const ALARMS = 'AWS::CloudWatch::Alarm';

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** Control or observation rather than data flow (drawn dotted). */
  readonly dotted?: boolean;
}

function nodeKey(r: { file: string; logicalId: string }): string {
  return `${r.file}#${r.logicalId}`;
}

function isMain(r: ResourceRef): boolean {
  return r.type in MAIN;
}

export interface DiagramOptions {
  /** Mermaid flow direction. @default LR */
  readonly direction?: 'LR' | 'TB';
}

/** Builds the Mermaid source (no code fences), ending with a newline. */
export function buildDiagram(tree: TemplateTree, options: DiagramOptions = {}): string {
  const nodes = tree.resources().filter(isMain);
  const alarmFiles = new Set(tree.resources(ALARMS).map((a) => a.file));
  const edges = new Map<string, Edge>();
  const add = (from: ResourceRef | { file: string; logicalId: string } | undefined, to: ResourceRef | undefined, label: string, dotted = false): void => {
    if (!from || !to || nodeKey(from) === nodeKey(to)) return;
    const e: Edge = { from: nodeKey(from), to: nodeKey(to), label, dotted };
    edges.set(`${e.from}>${e.to}>${label}`, e);
  };
  /** Main resources a value reaches, looking one step through helper resources (stages, data sources, permissions). */
  const reach = (file: string, value: unknown): ResourceRef[] => {
    const direct = tree.resolve(file, value);
    const via = direct.filter((r) => !isMain(r)).flatMap((r) => tree.resolve(r.file, properties(r.resource)));
    const seen = new Map<string, ResourceRef>();
    for (const r of [...direct, ...via]) if (isMain(r)) seen.set(nodeKey(r), r);
    return [...seen.values()];
  };
  const ofType = (rs: ResourceRef[], type: RegExp) => rs.filter((r) => type.test(r.type));

  for (const m of tree.resources('AWS::ApiGateway::Method')) {
    const p = properties(m.resource);
    const api = tree.resolveType(m.file, p.RestApiId, 'AWS::ApiGateway::RestApi');
    const integration = section(p, 'Integration');
    if (/kinesis:/.test(allText(integration.Uri))) for (const s of ofType(reach(m.file, integration), /Kinesis::Stream/)) add(api, s, 'PutRecords');
    for (const f of ofType(reach(m.file, integration), /Lambda::Function/)) add(api, f, 'invokes');
  }
  for (const a of tree.resources('AWS::ApiGateway::Authorizer')) {
    const p = properties(a.resource);
    for (const pool of ofType(tree.resolve(a.file, p.ProviderARNs), /Cognito::UserPool/))
      add(pool, tree.resolveType(a.file, p.RestApiId, 'AWS::ApiGateway::RestApi'), 'authorizes', true);
  }
  for (const w of tree.resources('AWS::WAFv2::WebACLAssociation')) {
    const p = properties(w.resource);
    for (const acl of ofType(tree.resolve(w.file, p.WebACLArn), /WAFv2::WebACL$/))
      for (const api of ofType(reach(w.file, p.ResourceArn), /ApiGateway/)) add(acl, api, 'protects', true);
  }
  for (const m of tree.resources('AWS::Lambda::EventSourceMapping')) {
    const p = properties(m.resource);
    const fn = tree.resolveType(m.file, p.FunctionName, 'AWS::Lambda::Function');
    for (const source of tree.resolve(m.file, p.EventSourceArn).filter(isMain)) add(source, fn, source.type === 'AWS::Kinesis::Stream' ? 'records' : 'stream');
  }
  // Function → what its environment names; the label is the variable, which says how it is used.
  for (const fn of tree.resources('AWS::Lambda::Function')) {
    const variables = section(section(properties(fn.resource), 'Environment'), 'Variables');
    for (const [name, value] of Object.entries(variables).sort(([a], [b]) => a.localeCompare(b))) {
      for (const target of tree.resolve(fn.file, value).filter(isMain)) if (target.type !== 'AWS::KMS::Key') add(fn, target, name);
    }
  }
  for (const s of tree.resources('AWS::Scheduler::Schedule')) {
    const arn = section(properties(s.resource), 'Target').Arn;
    add(s, tree.resolveType(s.file, arn, 'AWS::Lambda::Function') ?? tree.functionByArnText(s.file, arn), 'invokes', true);
  }
  for (const c of tree.resources('AWS::Glue::Crawler')) {
    const p = properties(c.resource);
    for (const b of ofType(tree.resolve(c.file, section(p, 'Targets')), /S3::Bucket/)) add(b, c, 'crawls');
    for (const db of ofType(tree.resolve(c.file, p.DatabaseName), /Glue::Database/)) add(c, db, 'catalogs');
  }
  for (const w of tree.resources('AWS::Athena::WorkGroup')) {
    for (const b of ofType(tree.resolve(w.file, section(properties(w.resource), 'WorkGroupConfiguration')), /S3::Bucket/)) add(w, b, 'results');
  }
  for (const q of tree.resources('AWS::Athena::NamedQuery')) {
    const p = properties(q.resource);
    const wg = tree.resolveType(q.file, p.WorkGroup, 'AWS::Athena::WorkGroup');
    for (const db of ofType(tree.resolve(q.file, p.Database), /Glue::Database/)) add(db, wg, 'queries');
  }
  for (const r of [...tree.resources('AWS::QuickSight::DataSet'), ...tree.resources('AWS::QuickSight::Dashboard')]) {
    for (const source of reach(r.file, properties(r.resource)).filter((s) => /Athena::WorkGroup|Glue::Database|QuickSight::DataSet|DynamoDB/.test(s.type)))
      add(source, r, 'visualised');
  }
  for (const d of tree.resources('AWS::CloudWatch::Dashboard')) {
    for (const source of tree.resolve(d.file, properties(d.resource).DashboardBody).filter((s) => isMain(s) && s.type !== 'AWS::KMS::Key'))
      add(source, d, 'metrics', true);
  }
  for (const s of tree.resources('AWS::SNS::Subscription')) {
    const p = properties(s.resource);
    for (const topic of ofType(tree.resolve(s.file, p.TopicArn), /SNS::Topic/))
      for (const target of tree.resolve(s.file, p.Endpoint).filter(isMain)) add(topic, target, 'notifies');
  }
  for (const a of tree.resources(ALARMS)) {
    const p = properties(a.resource);
    for (const topic of ofType(tree.resolve(a.file, [p.AlarmActions, p.OKActions]), /SNS::Topic/)) add({ file: a.file, logicalId: 'Alarms' }, topic, 'alarm');
  }
  for (const b of tree.resources('AWS::Budgets::Budget')) {
    for (const topic of ofType(tree.resolve(b.file, properties(b.resource)), /SNS::Topic/)) add(b, topic, 'alerts');
  }

  const ids = new Map<string, string>();
  const idOf = (key: string): string => {
    let id = ids.get(key);
    if (!id) {
      const [file, logicalId] = key.split('#') as [string, string];
      id = `${(tree.stackIdOf(file) ?? file.replace(/\.yaml$/, '')).replace(/[^A-Za-z0-9]/g, '')}_${logicalId}`;
      ids.set(key, id);
    }
    return id;
  };
  const lines = [`flowchart ${options.direction ?? 'LR'}`];
  /** One subgraph per file with main resources (and its alarms node), indented by `pad`. */
  const fileSubgraph = (file: string, title: string, pad: string): string[] => {
    const members = nodes
      .filter((n) => n.file === file)
      .sort((a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || a.logicalId.localeCompare(b.logicalId));
    const hasAlarms = alarmFiles.has(file) && [...edges.values()].some((e) => e.from === `${file}#Alarms`);
    if (members.length === 0 && !hasAlarms) return [];
    const out = [`${pad}subgraph ${idOf(`${file}#stack`)}["${title} · ${file}"]`];
    for (const n of members) out.push(`${pad}  ${idOf(nodeKey(n))}${shape(MAIN[n.type]!.shape, `${MAIN[n.type]!.label}<br/>${n.logicalId}`)}`);
    if (hasAlarms)
      out.push(
        `${pad}  ${idOf(`${file}#Alarms`)}${shape('box', `CloudWatch alarms<br/>${tree.resources(ALARMS).filter((a) => a.file === file).length} alarms`)}`,
      );
    out.push(`${pad}end`);
    return out;
  };
  // Nested stacks inside the root stack's subgraph; standalone templates beside it.
  const nested = tree.files.filter((f) => tree.stackIdOf(f.file) !== undefined);
  const rootLines = [...fileSubgraph(tree.rootFile, 'Root', '    '), ...nested.flatMap((f) => fileSubgraph(f.file, tree.stackIdOf(f.file)!, '    '))];
  if (rootLines.length > 0) lines.push(`  subgraph ${idOf(`${tree.rootFile}#tree`)}["Root stack · ${tree.rootFile}"]`, ...rootLines, '  end');
  for (const f of tree.files.filter((x) => x.file !== tree.rootFile && tree.stackIdOf(x.file) === undefined))
    lines.push(...fileSubgraph(f.file, 'Standalone', '  '));
  const sorted = [...edges.values()].sort(
    (a, b) => idOf(a.from).localeCompare(idOf(b.from)) || idOf(a.to).localeCompare(idOf(b.to)) || a.label.localeCompare(b.label),
  );
  for (const e of sorted) lines.push(`  ${idOf(e.from)} ${e.dotted ? '-.' : '--'} ${e.label} ${e.dotted ? '.->' : '-->'} ${idOf(e.to)}`);
  return `${lines.join('\n')}\n`;
}

function shape(kind: 'box' | 'db' | 'fn' | 'topic' | 'api', label: string): string {
  const text = `"${label.replace(/"/g, '#quot;')}"`;
  switch (kind) {
    case 'db':
      return `[(${text})]`;
    case 'fn':
      return `[[${text}]]`;
    case 'topic':
      return `{{${text}}}`;
    case 'api':
      return `([${text}])`;
    default:
      return `[${text}]`;
  }
}

/** The README section between the markers, fenced. */
export function readmeSection(diagram: string): string {
  return ['', '```mermaid', diagram.trimEnd(), '```', ''].join('\n');
}

export const README_START = '<!-- architecture:start -->';
export const README_END = '<!-- architecture:end -->';

/**
 * `readme` with the text between the architecture markers replaced by the diagram, or undefined
 * when the markers are absent (the README then stays as it is).
 */
export function replaceReadmeSection(readme: string, diagram: string): string | undefined {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END, start + README_START.length);
  if (start < 0 || end < 0) return undefined;
  return readme.slice(0, start + README_START.length) + readmeSection(diagram) + readme.slice(end);
}

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildDiagram, README_END, README_START, replaceReadmeSection } from '../../../tools/lib/report/diagram';
import { TemplateTree } from '../../../tools/lib/grade/tree';
import { diagramOfDocuments, syncReadme } from '../../../tools/lib/report/readme';
import { fixtureTree, templateOf } from './fixture-tree';

/** Reverses key order at every level: the diagram must not depend on how templates order keys. */
function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reorder(v)]),
    );
  return value;
}

describe('architecture diagram', () => {
  const diagram = buildDiagram(new TemplateTree(fixtureTree()));

  test('is deterministic, independent of key order', () => {
    const shuffled = fixtureTree().map((f) => ({ file: f.file, template: reorder(f.template) as Record<string, unknown> }));
    expect(buildDiagram(new TemplateTree(fixtureTree()))).toBe(diagram);
    expect(buildDiagram(new TemplateTree(shuffled))).toBe(diagram);
  });

  test('draws one subgraph per nested stack with its main resources', () => {
    expect(diagram.startsWith('flowchart LR\n')).toBe(true);
    expect(diagram).toContain('flowchart LR\n  subgraph root_tree["Root stack · root.yaml"]\n    subgraph Security_stack["Security · security.yaml"]\n');
    expect(diagram).toContain(
      '    subgraph Streaming_stack["Streaming · streaming.yaml"]\n      Streaming_UserPool["Cognito user pool<br/>UserPool"]\n      Streaming_Api(["API Gateway<br/>Api"])\n      Streaming_Stream[("Kinesis stream<br/>Stream")]\n    end',
    );
    expect(diagram).toContain('      Security_MarketAlertsTopic{{"SNS topic<br/>MarketAlertsTopic"}}');
    expect(diagram).not.toContain('Networking_stack'); // endpoints and VPCs are not main resources
  });

  test.each([
    ['API → Kinesis (integration)', 'Streaming_Api -- PutRecords --> Streaming_Stream'],
    ['Kinesis → enricher (event source mapping across stacks)', 'Streaming_Stream -- records --> Compute_EnricherFunction'],
    ['enricher → table (env var through root wiring)', 'Compute_EnricherFunction -- METRICS_TABLE --> Datastores_MetricsTable'],
    ['enricher → raw bucket', 'Compute_EnricherFunction -- RAW_BUCKET --> DataLake_RawBucket'],
    ['Cognito → API (authorizer)', 'Streaming_UserPool -. authorizes .-> Streaming_Api'],
    ['WAF → API (association through the root wiring)', 'Security_WebAcl -. protects .-> Streaming_Api'],
    ['rules → topic', 'Compute_RulesFunction -- MARKET_ALERTS_TOPIC_ARN --> Security_MarketAlertsTopic'],
  ])('derives the %s edge', (_label, edge) => {
    expect(diagram).toContain(`  ${edge}\n`);
  });

  test('standalone templates sit beside the root stack', () => {
    const files = fixtureTree();
    files.push({ file: 'bootstrap.yaml', template: { Resources: { ArtifactsBucket: { Type: 'AWS::S3::Bucket', Properties: {} } } } });
    expect(buildDiagram(new TemplateTree(files))).toMatch(
      /\n {2}end\n {2}subgraph bootstrap_stack\["Standalone · bootstrap.yaml"\]\n {4}bootstrap_ArtifactsBucket\[\("S3 bucket<br\/>ArtifactsBucket"\)\]\n {2}end\n/,
    );
  });

  test('an edge disappears when the template no longer wires it', () => {
    const files = fixtureTree();
    delete templateOf(files, 'compute.yaml').Resources.EnricherMapping;
    expect(buildDiagram(new TemplateTree(files))).not.toContain('Streaming_Stream -- records --> Compute_EnricherFunction');
  });

  test('diagramOfDocuments (build:templates) equals the diagram of the parsed files', () => {
    expect(
      diagramOfDocuments(
        fixtureTree().map((f) => ({ file: f.file, document: f.template })),
        'root.yaml',
      ),
    ).toBe(diagram);
  });
});

describe('README architecture section', () => {
  const readme = `# Project\n\nintro\n\n${README_START}\nold diagram\n${README_END}\n\nmore\n`;

  test('replaces only the text between the markers', () => {
    const next = replaceReadmeSection(readme, 'flowchart LR\n  A --> B\n')!;
    expect(next).toBe(`# Project\n\nintro\n\n${README_START}\n\`\`\`mermaid\nflowchart LR\n  A --> B\n\`\`\`\n${README_END}\n\nmore\n`);
    expect(replaceReadmeSection(next, 'flowchart LR\n  A --> B\n')).toBe(next);
  });

  test('leaves a README without markers alone', () => {
    expect(replaceReadmeSection('# Project\n', 'flowchart LR\n')).toBeUndefined();
  });

  describe('syncReadme', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'readme-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test.each<[string, string | undefined, boolean, string, string | undefined]>([
      ['no README', undefined, false, 'absent', undefined],
      ['no markers', '# P\n', false, 'absent', '# P\n'],
      ['stale, check mode', readme, true, 'changed', readme],
      ['stale, write mode', readme, false, 'changed', replaceReadmeSection(readme, 'flowchart LR\n')],
      ['up to date', replaceReadmeSection(readme, 'flowchart LR\n'), true, 'unchanged', replaceReadmeSection(readme, 'flowchart LR\n')],
    ])('%s', async (_label, content, check, status, after) => {
      const file = path.join(dir, 'README.md');
      if (content !== undefined) await writeFile(file, content);
      expect(await syncReadme(file, () => 'flowchart LR\n', { check })).toBe(status);
      expect(await readFile(file, 'utf8').catch(() => undefined)).toBe(after);
    });
  });
});

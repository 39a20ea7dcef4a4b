import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BULLET_IDS, ROADMAP } from '../../../templates-src/roadmap';
import { ROOT, STACKS, STANDALONE } from '../../../templates-src/stacks';
import { renderRoadmapDoc, syncRoadmapDoc } from '../../../tools/lib/report/roadmap-doc';

const ROOT_DIR = path.join(__dirname, '../../..');

describe('roadmap IDs', () => {
  test('are written in the source, unique, and numbered under their own step', () => {
    const ids = ROADMAP.flatMap((s) => s.bullets.map((b) => b.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(BULLET_IDS.size).toBe(ids.length);
    for (const s of ROADMAP) for (const b of s.bullets) expect(b.id).toMatch(new RegExp(`^${s.step}\\.\\d+$`));
    const source = readFileSync(path.join(ROOT_DIR, 'templates-src/roadmap.ts'), 'utf8');
    for (const id of ids) expect(source).toContain(`{ id: '${id}', text: `);
  });

  test('the optional bullets are the ones the roadmap words as optional', () => {
    const optional = ROADMAP.flatMap((s) => s.bullets).filter((b) => b.optional);
    expect(optional.map((b) => b.id)).toEqual(
      ROADMAP.flatMap((s) => s.bullets)
        .filter((b) => /^Optional:/.test(b.text))
        .map((b) => b.id),
    );
  });
});

describe('docs/roadmap.md', () => {
  const doc = renderRoadmapDoc(ROADMAP, [ROOT, ...STACKS, ...STANDALONE]);

  test('lists every step and every bullet with its ID and wording', () => {
    for (const s of ROADMAP) {
      expect(doc).toContain(`## Step ${s.step} – ${s.title} (`);
      for (const b of s.bullets) expect(doc).toContain(`| ${b.id} | ${b.text}`);
    }
    expect(doc).toContain('| 5.3 | Optional: Deploy DAX Cluster for caching *(optional: not required for full marks)* |');
  });

  test('links each step to the generated files whose registry entry declares it', () => {
    expect(doc).toContain('## Step 1 – Networking (`networking.yaml`)\n\nImplemented in [`networking.yaml`](../generated/networking.yaml)');
    for (const stack of STACKS)
      for (const step of stack.steps) expect(doc.split(`## Step ${step} –`)[1]!.split('## Step')[0]).toContain(`(../generated/${stack.file})`);
  });

  test('the committed file is what the source renders (build:templates --check keeps it so)', async () => {
    expect(await readFile(path.join(ROOT_DIR, 'docs/roadmap.md'), 'utf8')).toBe(doc);
  });

  test('the README links to it, not to a path outside the repository', async () => {
    const readme = await readFile(path.join(ROOT_DIR, 'README.md'), 'utf8');
    expect(readme).toContain('](docs/roadmap.md)');
    expect(readme).not.toContain('../shared/ROADMAP.md');
  });
});

describe('syncRoadmapDoc (build:templates and its --check)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'roadmap-doc-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('check mode reports a stale file and leaves it; write mode rewrites it; then it is up to date', async () => {
    const file = path.join(dir, 'docs', 'roadmap.md');
    await mkdir(path.dirname(file));
    await writeFile(file, 'old\n');
    expect(await syncRoadmapDoc(file, 'new\n', { check: true })).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('old\n');
    expect(await syncRoadmapDoc(file, 'new\n', { check: false })).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect(await syncRoadmapDoc(file, 'new\n', { check: true })).toBe(false);
  });

  test('a project without docs/ (a scratch copy) is left alone', async () => {
    expect(await syncRoadmapDoc(path.join(dir, 'docs', 'roadmap.md'), 'x\n', { check: false })).toBe(false);
  });
});

/** The README's "For instructors" section quotes real output and the default rubric: both are checked here against their sources. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { renderGradeMarkdown } from '../../../tools/lib/grade/render';
import { defaultRubric } from '../../../tools/lib/grade/rubric';
import { gradeFixture } from './helpers';

const README = path.join(__dirname, '../../../README.md');

describe('README, For instructors', () => {
  let readme: string;
  beforeAll(async () => {
    readme = await readFile(README, 'utf8');
  });

  test('the grade.md sample is real output of the fixture it names', async () => {
    const block = /<!-- grade-sample:start -->\n```markdown\n([\s\S]*?)\n```\n<!-- grade-sample:end -->/.exec(readme);
    expect(block).not.toBeNull();
    const md = renderGradeMarkdown(await gradeFixture('split-files'));
    expect(md).toContain(`${block![1]}\n`);
    expect(block![1]!.startsWith('## Step 1 – Networking')).toBe(true);
  });

  test('the defaults it quotes are the default rubric', () => {
    const r = defaultRubric();
    const pct = (x: number) => `${Math.round(x * 100)} %`;
    expect(readme).toContain(
      `The total is \`roadmap × (${pct(r.weights.roadmap)} + placement × ${pct(r.weights.placement)} + quality × ${pct(r.weights.quality)})\``,
    );
    expect(readme).toContain(`| \`thresholds.pass\`, \`thresholds.partial\` | ${r.thresholds.pass}, ${r.thresholds.partial} |`);
    expect(readme).toContain(`| \`weights.placement\`, \`weights.quality\` | ${r.weights.placement}, ${r.weights.quality} |`);
    expect(readme).toContain(
      `| \`quality.deductions.error\`, \`.warning\`, \`.info\` | ${r.quality.deductions.error}, ${r.quality.deductions.warning}, ${r.quality.deductions.info} |`,
    );
    expect(readme).toContain(`| \`quality.cfnLint\` | \`${r.quality.cfnLint}\` |`);
    expect(r.quality.securityRules).toHaveLength(9); // "the nine in the default rubric"
  });
});

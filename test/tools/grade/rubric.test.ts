import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROADMAP } from '../../../templates-src/roadmap';
import { UsageError } from '../../../tools/lib/errors';
import { defaultRubric, loadRubric, parseRubric } from '../../../tools/lib/grade/rubric';
import { SECURITY_RULES } from '../../../tools/lib/validate';
import defaultRubricJson from '../../../tools/lib/grade/default-rubric.json';
import { bullet, gradeFixture } from './helpers';

function problems(value: unknown): string[] {
  try {
    parseRubric(value, 'r.json');
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message.split('\n');
  }
  throw new Error('expected the rubric to be rejected');
}

describe('the default rubric', () => {
  const rubric = defaultRubric();

  test('gives every roadmap step and bullet a weight, optional where the roadmap says so', () => {
    expect([...rubric.steps.keys()]).toEqual(ROADMAP.map((s) => s.step));
    for (const s of ROADMAP) {
      expect([...rubric.steps.get(s.step)!.bullets.keys()]).toEqual(s.bullets.map((b) => b.id));
      for (const b of s.bullets) expect(rubric.steps.get(s.step)!.bullets.get(b.id)!.optional).toBe(b.optional === true);
    }
  });

  test('lists every step and bullet explicitly, so an instructor can copy and edit it', () => {
    const file = defaultRubricJson as { steps: Record<string, { bullets: Record<string, unknown> }> };
    expect(Object.keys(file.steps)).toEqual(ROADMAP.map((s) => String(s.step)));
    for (const s of ROADMAP) expect(Object.keys(file.steps[String(s.step)]!.bullets)).toEqual(s.bullets.map((b) => b.id));
  });

  test('weights and thresholds', () => {
    expect(rubric.weights).toEqual({ roadmap: 0.85, placement: 0.05, quality: 0.1 });
    expect(rubric.thresholds).toEqual({ pass: 1, partial: 0 });
    expect(rubric.quality.securityRules.every((id) => SECURITY_RULES.some((r) => r.id === id))).toBe(true);
  });
});

describe('an instructor rubric', () => {
  test.each<[string, unknown, string]>([
    ['a misspelt top-level key', { weigths: { placement: 0.1 } }, 'r.json: weigths: unknown key (did you mean weights?)'],
    ['a misspelt nested key', { steps: { '1': { bulets: {} } } }, 'r.json: steps.1.bulets: unknown key (did you mean bullets?)'],
    [
      'a misspelt bullet key',
      { steps: { '1': { bullets: { '1.1': { wieght: 2 } } } } },
      'r.json: steps.1.bullets.1.1.wieght: unknown key (did you mean weight?)',
    ],
    [
      'a bullet the roadmap does not have',
      { steps: { '1': { bullets: { '1.6': { weight: 2 } } } } },
      'r.json: steps.1.bullets.1.6: the roadmap has no bullet 1.6 (step 1 has 1.1, 1.2, 1.3, 1.4, 1.5)',
    ],
    [
      'a bullet under the wrong step',
      { steps: { '1': { bullets: { '2.1': { weight: 2 } } } } },
      'r.json: steps.1.bullets.2.1: bullet 2.1 belongs to step 2 (move it under steps.2.bullets)',
    ],
    ['a step the roadmap does not have', { steps: { '12': { weight: 1 } } }, 'r.json: steps.12: the roadmap has no step 12 (steps are 1–11)'],
    [
      'an unknown security rule',
      { quality: { securityRules: ['s3-tls-onyl'] } },
      'r.json: quality.securityRules[0]: "s3-tls-onyl" is not a security rule (did you mean s3-tls-only?)',
    ],
    ['a bad cfnLint value', { quality: { cfnLint: 'yes' } }, 'r.json: quality.cfnLint: must be one of "auto", "off" (got "yes")'],
    [
      'weights above 1',
      { weights: { placement: 0.6, quality: 0.5 } },
      'r.json: weights: placement + quality is 1.1; together they must be at most 1 (the bullets get the rest)',
    ],
    ['a negative weight', { steps: { '2': { weight: -1 } } }, 'r.json: steps.2.weight: must be >= 0 (got -1)'],
  ])('rejects %s, naming the key', (_label, value, message) => {
    expect(problems(value)).toContain(message);
  });

  test('reports every problem at once', () => {
    expect(problems({ weigths: {}, countOptionl: true })).toEqual([
      'r.json: weigths: unknown key (did you mean weights?)',
      'r.json: countOptionl: unknown key (did you mean countOptional?)',
    ]);
  });

  test('keys left out take the defaults', () => {
    const rubric = parseRubric({ steps: { '4': { weight: 3, bullets: { '4.2': { weight: 0 } } } } }, 'r.json');
    expect(rubric.weights).toEqual(defaultRubric().weights);
    expect(rubric.steps.get(4)).toMatchObject({ weight: 3 });
    expect(rubric.steps.get(4)!.bullets.get('4.2')).toEqual({ weight: 0, optional: false });
    expect(rubric.steps.get(5)!.bullets.get('5.3')).toEqual({ weight: 1, optional: true });
  });

  test('changes the grade: weights, optional bullets and thresholds', async () => {
    const base = await gradeFixture('split-files');
    const strict = await gradeFixture(
      'split-files',
      parseRubric({ thresholds: { pass: 1, partial: 0.8 }, steps: { '5': { bullets: { '5.3': { optional: false } } } } }, 'strict.json'),
    );
    expect(bullet(base, '1.5')).toMatchObject({ verdict: 'partial', score: 0.6667 });
    expect(bullet(strict, '1.5')).toMatchObject({ verdict: 'fail', score: 0 }); // below the partial threshold scores 0
    expect(bullet(strict, '1.4')).toMatchObject({ verdict: 'partial', score: 0.8333 });
    const step5 = (g: typeof base) => g.steps.find((s) => s.step === 5)!.score;
    expect(step5(base)).toBeCloseTo(0.75, 4); // 5.1 pass, 5.2 half; DAX left out
    expect(step5(strict)).toBeCloseTo(1 / 3, 4); // 5.2 below 0.8 fails, DAX counted and missing
    expect(strict.rubric).toBe('strict.json');
  });

  test('is read from a file; a file that is not JSON is a usage error naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rubric-'));
    try {
      await writeFile(path.join(dir, 'ok.json'), '\uFEFF{ "weights": { "placement": 0 } }');
      expect((await loadRubric(path.join(dir, 'ok.json'))).weights).toEqual({ roadmap: 0.9, placement: 0, quality: 0.1 });
      await writeFile(path.join(dir, 'bad.json'), '{ weights: }');
      await expect(loadRubric(path.join(dir, 'bad.json'))).rejects.toThrow(
        new RegExp(`^${path.join(dir, 'bad.json').replace(/[/\\.]/g, '\\$&')}: not valid JSON`),
      );
      await expect(loadRubric(path.join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: cannot read the rubric \(ENOENT\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

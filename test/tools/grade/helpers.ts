/** Grading the fixtures under test/fixtures/submissions the way `npm run grade` does, without cfn-lint and with fixed git facts. */
import path from 'node:path';
import type { RepoFacts } from '../../../tools/lib/grade/checks';
import type { BulletGrade, SubmissionGrade } from '../../../tools/lib/grade/grade';
import { defaultRubric, type Rubric } from '../../../tools/lib/grade/rubric';
import { gradeAll, type GradeRun } from '../../../tools/lib/grade/run';

export const SUBMISSIONS = path.join(__dirname, '../../fixtures/submissions');

/** Fixtures are graded as if nothing were committed, so 11.2 does not depend on the test run's git state. */
export const NOT_IN_GIT = async (): Promise<RepoFacts> => ({ isGitRepo: false, tracked: new Set() });

export function fixture(name: string): string {
  return path.join(SUBMISSIONS, name);
}

export async function gradeFixtures(names: readonly string[], rubric: Rubric = defaultRubric()): Promise<GradeRun> {
  return gradeAll({ inputs: names.map(fixture), rubric, cfnLint: 'off', repoFacts: NOT_IN_GIT });
}

export async function gradeFixture(name: string, rubric?: Rubric): Promise<SubmissionGrade> {
  return (await gradeFixtures([name], rubric)).grades[0]!;
}

export function bullet(g: SubmissionGrade, id: string): BulletGrade {
  const b = g.steps.flatMap((s) => s.bullets).find((x) => x.id === id);
  if (!b) throw new Error(`no bullet ${id}`);
  return b;
}

/** `{ '1.1': 'pass', … }` for every bullet. */
export function verdicts(g: SubmissionGrade): Record<string, string> {
  return Object.fromEntries(g.steps.flatMap((s) => s.bullets).map((b) => [b.id, b.verdict]));
}

/** The README's "What it costs" tables are the rendering of bench/results/cost.json (npm run bench:cost writes both). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { estimateParameterFile } from '../../../tools/lib/cost';
import { README_END, README_START, renderReadmeTables, withReadmeTables, type CostResults } from '../../../tools/lib/cost/readme';
import { REPO } from './helpers';

test('README.md shows the committed cost results, unedited', () => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const results = JSON.parse(readFileSync(path.join(REPO, 'bench', 'results', 'cost.json'), 'utf8')) as CostResults;
  const tables = renderReadmeTables(results);
  expect(readme.slice(readme.indexOf(README_START), readme.indexOf(README_END) + README_END.length)).toBe(tables);
  expect(withReadmeTables(readme, tables)).toBe(readme);
});

test('a README without the markers is an error, not a silent append', () => {
  expect(() => withReadmeTables('# no markers\n', 'x')).toThrow(/README.md has no <!-- cost:start -->/);
});

test.each(['dev.json', 'prod.json'])(
  'the committed results of %s are what the engine estimates from the committed templates now (re-run npm run bench:cost)',
  async (name) => {
    const results = JSON.parse(readFileSync(path.join(REPO, 'bench', 'results', 'cost.json'), 'utf8')) as CostResults;
    const { estimate, budget } = await estimateParameterFile({ params: name, cwd: REPO });
    const cents = (n: number) => Math.round(n * 100) / 100;
    expect(results.profiles[name]!.monthly).toEqual({
      fixed: cents(estimate.monthly.fixed),
      usage: cents(estimate.monthly.usage),
      total: cents(estimate.monthly.total),
    });
    expect(results.profiles[name]!.budget.usd).toBe(budget.usd);
  },
);

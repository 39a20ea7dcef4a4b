/** diff:templates with the monthly cost delta, end to end on a throwaway git repository holding generated/. */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diffTemplates } from '../../../tools/lib/diff';
import { renderCostSections } from '../../../tools/lib/diff/cost';

const REPO = path.resolve(__dirname, '../../..');

describe('diff:templates cost delta', () => {
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' });

  beforeAll(async () => {
    repo = await mkdtemp(path.join(tmpdir(), 'diff-cost-'));
    git('init', '--quiet', '--initial-branch=main');
    await cp(path.join(REPO, 'generated'), path.join(repo, 'generated'), { recursive: true });
    await mkdir(path.join(repo, 'parameters'));
    await cp(path.join(REPO, 'parameters', 'dev.json'), path.join(repo, 'parameters', 'dev.json'));
    git('add', '.');
    git('commit', '--quiet', '-m', 'base');
    // The change under review: the second NAT gateway and its address no longer depend on PerAzNat.
    const file = path.join(repo, 'generated', 'networking.yaml');
    const text = await readFile(file, 'utf8');
    const changed = text
      .replace(/( {2}AppNatEip2:\n {4}Type: AWS::EC2::EIP\n) {4}Condition: PerAzNat\n/, '$1')
      .replace(/( {2}AppNatGateway2:\n {4}Type: AWS::EC2::NatGateway\n) {4}Condition: PerAzNat\n/, '$1');
    expect(changed).not.toBe(text);
    await writeFile(file, changed);
  });

  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  test('the report says what the change costs a month, per parameter file', async () => {
    const run = await diffTemplates({ cwd: repo, base: 'HEAD' });
    expect(run.cost).toHaveLength(1);
    expect(run.cost[0]!.params).toBe('parameters/dev.json');
    expect(run.cost[0]!.delta!.lines.map((l) => l.text)).toEqual([
      '+$32.85/month: 1 NAT gateway in AppVpc',
      '+$3.65/month: 1 public IPv4 address in networking',
    ]);
    expect(run.output).toContain('### Monthly cost (offline estimate, list prices, `npm run cost`)');
    expect(run.output).toMatch(/\*\*parameters\/dev\.json\*\* \(us-east-1\): \+\$36\.50\/month/);
    expect(run.output).toContain('- +$32.85/month: 1 NAT gateway in AppVpc');
  });

  test('text format and --without-cost', async () => {
    const text = await diffTemplates({ cwd: repo, base: 'HEAD', format: 'text' });
    expect(text.output).toContain('  +$32.85/month: 1 NAT gateway in AppVpc');
    const none = await diffTemplates({ cwd: repo, base: 'HEAD', costParams: false });
    expect(none.cost).toEqual([]);
    expect(none.output).not.toContain('Monthly cost');
  });

  test('a parameter file that cannot be estimated is a line in the report, not a failed diff', async () => {
    const run = await diffTemplates({ cwd: repo, base: 'HEAD', costParams: ['parameters/missing.json'] });
    expect(run.cost).toEqual([{ params: 'parameters/missing.json', error: expect.stringMatching(/no such file/) }]);
    expect(renderCostSections(run.cost, true)).toContain(`- **parameters/missing.json**: not estimated (${run.cost[0]!.error})`);
  });
});

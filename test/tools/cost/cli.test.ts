/** npm run cost as a user runs it: flags, formats, exit codes. */
import { spawnSync } from 'node:child_process';
import { REPO } from './helpers';

function cost(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/run.cjs', 'tools/cost.ts', ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run cost', () => {
  test("--format json prints the issue's shape: region, currency, monthly, stacks with resources, unpriced", () => {
    const r = cost('--params', 'dev.json', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      region: 'us-east-1',
      currency: 'USD',
      monthly: { fixed: expect.any(Number), usage: expect.any(Number), total: expect.any(Number) },
      unpriced: expect.any(Array),
    });
    expect(doc.monthly.total).toBeCloseTo(doc.monthly.fixed + doc.monthly.usage, 1);
    const networking = doc.stacks.find((s: { stack: string }) => s.stack === 'networking');
    expect(networking).toMatchObject({ fixed: expect.any(Number), usage: expect.any(Number) });
    expect(networking.resources.find((x: { logicalId: string }) => x.logicalId === 'AppVpc')).toMatchObject({ type: 'AWS::EC2::VPC', fixed: 0, priced: true });
    // dev.json switches the NAT gateway off: it is listed as not created, with its condition.
    expect(doc.excluded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stack: 'networking', logicalId: 'AppNatGateway1', condition: 'HasNatGateway', deps: ['EnableNatGateway'] }),
      ]),
    );
    // and toggles.secondaryStack false leaves the secondary stack out.
    expect(doc.stacks.map((s: { stack: string }) => s.stack)).not.toContain('secondary');
    expect(doc.drivers).toHaveLength(5);
  });

  test('Markdown names the total, the top five drivers and the assumptions', () => {
    const r = cost('--params', 'parameters/prod.json', '--primary-only');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^## Monthly cost: stockwx-prod \(parameters\/prod\.json\)/);
    expect(r.stdout).toContain('### Top 5 drivers');
    expect(r.stdout).toContain('### Assumptions');
    expect(r.stdout).not.toContain('secondary (us-west-2)');
  });

  test('--region prices the same deployment elsewhere and lists what has no price there', () => {
    const doc = JSON.parse(cost('--params', 'dev.json', '--format', 'json', '--region', 'eu-central-1').stdout);
    expect(doc.region).toBe('eu-central-1');
    expect(doc.unpriced.some((u: { region: string }) => u.region === 'eu-central-1')).toBe(true);
  });

  test.each<[string[], RegExp]>([
    [[], /--params is required/],
    [['--params', 'dev.json', '--format', 'xml'], /--format must be md or json \(got 'xml'\)/],
    [['--params', 'dev.json', '--region', 'mars-1'], /--region must be an AWS region/],
    [['--params', 'nope.json'], /--params nope\.json: no such file/],
    [['--params', 'dev.json', '--parameter', 'EnableDaxx=true'], /did you mean EnableDax\?/],
  ])('%j is a usage error (exit 2, one line)', (args, message) => {
    const r = cost(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

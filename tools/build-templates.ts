/**
 * npm run build:templates [-- --check] [--out <dir>]
 * Writes generated/*.yaml from templates-src/. With --check, writes nothing and exits 1 naming
 * every stale, missing or extra file.
 */
import path from 'node:path';
import { syncTemplates } from './lib/build-templates';

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const outIndex = argv.indexOf('--out');
  const unknown = argv.filter((a, i) => a !== '--check' && a !== '--out' && !(outIndex >= 0 && i === outIndex + 1));
  if (unknown.length > 0) {
    console.error(`build:templates: unknown argument ${unknown[0]} (usage: npm run build:templates [-- --check] [--out <dir>])`);
    return 2;
  }
  const dir = path.resolve(outIndex >= 0 ? (argv[outIndex + 1] ?? 'generated') : 'generated');
  const started = process.hrtime.bigint();
  const result = await syncTemplates(dir, { check });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rel = path.relative(process.cwd(), dir) || '.';
  /** A changed file as the user would type it (README.md lives beside generated/, not in it). */
  const show = (f: string) => path.relative(process.cwd(), path.resolve(dir, f));
  if (check) {
    if (result.changed.length === 0 && result.extra.length === 0) {
      console.log(`${rel}/ is up to date (${result.total} templates)`);
      return 0;
    }
    for (const f of result.changed) console.error(`${show(f)} is stale: run npm run build:templates and commit it`);
    for (const f of result.extra) console.error(`${show(f)} is not produced by any source: delete it or add its stack to templates-src/stacks.ts`);
    return 1;
  }
  const changes = result.changed.length + result.extra.length;
  console.log(`built ${result.total} templates into ${rel}/ in ${ms.toFixed(0)} ms (${changes === 0 ? 'no changes' : `${result.changed.length} written${result.extra.length ? `, ${result.extra.length} removed` : ''}`})`);
  for (const f of result.changed) console.log(`  wrote ${show(f)}`);
  for (const f of result.extra) console.log(`  removed ${show(f)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`build:templates failed: ${(error as Error).message}`);
    if (process.argv.includes('--debug')) console.error(error);
    process.exit(1);
  },
);

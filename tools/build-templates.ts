/**
 * npm run build:templates [-- --check] [--out <dir>] [--debug]
 * Type-checks templates-src/ (skipped when nothing changed since the last clean check), then
 * writes generated/*.yaml, the README's architecture diagram and parameters/schema.json from
 * templates-src/. With --check, writes nothing and exits 1 naming every stale, missing or extra
 * file. A type error writes nothing and exits 1 with one `file:line:col message` line per error.
 */
import path from 'node:path';
import { runCli, type CliArgs } from './lib/cli';
import { ToolError } from './lib/errors';
import { syncParameterSchema } from './lib/params-schema';
import { typecheck } from './lib/typecheck';

const spec = {
  name: 'build:templates',
  usage:
    'usage: npm run build:templates [-- --check] [--out <dir>] [--debug]\n  --check      write nothing; exit 1 naming every stale, missing or extra file\n  --out <dir>  write the templates into <dir> (default generated/)',
  options: { check: { type: 'boolean' }, out: { type: 'string' } },
} as const;

async function main({ values }: CliArgs<typeof spec.options>): Promise<number> {
  const check = values.check === true;
  const dir = path.resolve(values.out ?? 'generated');
  const started = process.hrtime.bigint();
  // npm runs scripts at the repository root (generated/ above is resolved from it too).
  const types = await typecheck({ root: process.cwd() });
  if (types.errors.length > 0) {
    throw new ToolError(
      `${types.errors.join('\n')}\nbuild:templates: templates-src/ does not type-check (${types.errors.length} error${types.errors.length === 1 ? '' : 's'}); nothing was written`,
    );
  }
  // Imported after the type check: a module that does not type-check may also throw when loaded.
  const { syncTemplates } = await import('./lib/build-templates.js');
  const result = await syncTemplates(dir, { check });
  const schemaFile = path.join(path.dirname(dir), 'parameters', 'schema.json');
  if ((await syncParameterSchema(schemaFile, { check })) === 'changed') result.changed.push(path.relative(dir, schemaFile));
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
  console.log(
    `built ${result.total} templates into ${rel}/ in ${ms.toFixed(0)} ms (${changes === 0 ? 'no changes' : `${result.changed.length} written${result.extra.length ? `, ${result.extra.length} removed` : ''}`}${types.cached ? '' : '; templates-src type-checked'})`,
  );
  for (const f of result.changed) console.log(`  wrote ${show(f)}`);
  for (const f of result.extra) console.log(`  removed ${show(f)}`);
  return 0;
}

runCli(spec, main);

/**
 * npm run build:handlers [-- --only <name> …] [--debug]
 * Bundles every handler (or the named ones) with one esbuild run into deterministic zips in
 * dist/handlers/ and prints the size table (tools/lib/bundle.ts). A build error (syntax, missing
 * import) is one `file:line:col message` line per error and exit 1.
 */
import { bundleHandlers, discoverHandlers, sizeTable, type BundleResult } from './lib/bundle';
import { runCli, type CliArgs } from './lib/cli';
import { ToolError, UsageError } from './lib/errors';
import { didYouMean } from './lib/suggest';

const spec = {
  name: 'build:handlers',
  usage: 'usage: npm run build:handlers [-- --only <name> …] [--debug]\n  --only <name>  bundle only this handler (repeatable), e.g. --only enricher',
  options: { only: { type: 'string', multiple: true } },
} as const;

interface EsbuildMessage {
  readonly text: string;
  readonly location?: { readonly file: string; readonly line: number; readonly column: number } | null;
}

async function main({ values }: CliArgs<typeof spec.options>): Promise<number> {
  const known = await discoverHandlers(process.cwd());
  for (const name of values.only ?? []) {
    if (!known.includes(name))
      throw new UsageError(`--only ${name}: no handlers/${name}/index.ts; ${didYouMean(name, known, `the handlers are ${known.join(', ')}`)}`);
  }
  let results: BundleResult[];
  try {
    results = await bundleHandlers(values.only ? { only: values.only } : {});
  } catch (error) {
    const errors = (error as { errors?: EsbuildMessage[] }).errors;
    if (!Array.isArray(errors) || errors.length === 0) throw error;
    const lines = errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1} ` : ''}${e.text}`);
    throw new ToolError(`${lines.join('\n')}\nbuild:handlers: the handlers cannot be bundled (${errors.length} error${errors.length === 1 ? '' : 's'})`, 1, {
      cause: error,
    });
  }
  console.log(sizeTable(results));
  console.log(`\n${results.length} zips in dist/handlers/`);
  return 0;
}

runCli(spec, main);

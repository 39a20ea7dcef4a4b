/** `npm run build:handlers`: bundles every handler and prints the size table (tools/lib/bundle.ts). */
import { bundleHandlers, sizeTable } from './lib/bundle';

bundleHandlers()
  .then((results) => {
    console.log(sizeTable(results));
    console.log(`\n${results.length} zips in dist/handlers/`);
  })
  .catch((err: unknown) => {
    console.error(`build:handlers failed: ${(err as Error).message}`);
    process.exitCode = 1;
  });

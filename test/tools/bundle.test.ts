/**
 * Bundling: one esbuild run for every handler, deterministic zips, the wasm file shipped with
 * the Parquet writers, and bundles that load in a fresh Node process and export `handler`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleHandlers, deterministicZip, discoverHandlers, sizeTable, type BundleResult } from '../../tools/lib/bundle';
import { readZip } from '../fixtures/zip';
import { SHARD_ID, kinesisRecord, sequenceNumber, stockTick } from '../fixtures/events';

const root = join(__dirname, '..', '..');
let out1: string;
let out2: string;
let first: BundleResult[];
let second: BundleResult[];

beforeAll(async () => {
  out1 = await mkdtemp(join(tmpdir(), 'bundle-a-'));
  out2 = await mkdtemp(join(tmpdir(), 'bundle-b-'));
  first = await bundleHandlers({ root, outDir: out1 });
  second = await bundleHandlers({ root, outDir: out2 });
}, 120_000);
afterAll(async () => {
  await Promise.all([rm(out1, { recursive: true, force: true }), rm(out2, { recursive: true, force: true })]);
});

describe('bundleHandlers', () => {
  test('discovers every handlers/<name>/index.ts (not lib) and builds one zip each', async () => {
    const names = await discoverHandlers(root);
    expect(names).toEqual(expect.arrayContaining(['aggregator', 'enricher']));
    expect(names).not.toContain('lib');
    expect(first.map((r) => r.name)).toEqual(names);
  });

  test('identical input gives identical zips (sha256), in a different output directory too', async () => {
    expect(second.map((r) => [r.name, r.sha256])).toEqual(first.map((r) => [r.name, r.sha256]));
    for (const r of first)
      expect(
        createHash('sha256')
          .update(await readFile(r.zipPath))
          .digest('hex'),
      ).toBe(r.sha256);
  });

  test('zip entries are sorted, with a fixed mtime and mode', async () => {
    for (const r of first) {
      const entries = readZip(await readFile(r.zipPath));
      const names = entries.map((e) => e.name);
      expect(names).toEqual([...names].sort());
      expect(new Set(entries.map((e) => `${e.dosDate}/${e.dosTime}/${e.externalAttributes >>> 16}`)).size).toBe(1);
      expect(entries[0]!.externalAttributes >>> 16).toBe(0o100644);
    }
  });

  test('the Parquet writer ships parquet_wasm_bg.wasm next to index.js; the others do not', async () => {
    const wasm = await readFile(join(root, 'node_modules', 'parquet-wasm', 'node', 'parquet_wasm_bg.wasm'));
    for (const r of first) {
      const entries = readZip(await readFile(r.zipPath));
      if (r.name === 'enricher') {
        expect(entries.map((e) => e.name)).toEqual(['index.js', 'parquet_wasm_bg.wasm']);
        expect(entries[1]!.data.equals(wasm)).toBe(true);
      } else {
        expect(entries.map((e) => e.name)).toEqual(['index.js']);
      }
    }
  });

  test.each(['enricher', 'aggregator'])('the %s bundle, unzipped alone, loads in a fresh process and exports handler', async (name) => {
    const r = first.find((b) => b.name === name)!;
    const dir = await mkdtemp(join(tmpdir(), `unzipped-${name}-`));
    try {
      for (const e of readZip(await readFile(r.zipPath))) await writeFile(join(dir, e.name), e.data);
      const script = `const m = require(${JSON.stringify(join(dir, 'index.js'))}); process.stdout.write(typeof m.handler + ' ' + typeof m.createHandler);`;
      const output = execFileSync(process.execPath, ['-e', script], { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
      expect(output).toBe('function function');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the enricher bundle writes real Parquet with its shipped wasm and quarantines with standalone validators', () => {
    const r = first.find((b) => b.name === 'enricher')!;
    const record = kinesisRecord(stockTick(), { seq: 1 });
    const invalid = kinesisRecord(stockTick({ price: -1, volume: 1.5 }), { seq: 2 });
    const script = `
      const m = require(${JSON.stringify(join(r.dir, 'index.js'))});
      const puts = [];
      const doc = { send: async () => ({}) };
      const s3 = { send: async (c) => { const body = Buffer.from(c.input.Body); puts.push([c.input.Key, c.input.Key.startsWith('quarantine/') ? JSON.parse(body.toString()).reason : body.subarray(0, 4).toString('latin1')]); return {}; } };
      const h = m.createHandler({ doc, s3, config: { metricsTableName: 'm', latestTableName: 'l', rawBucketName: 'r', processedBucketName: 'p' }, now: () => new Date('2026-11-20T14:35:00Z') });
      h({ Records: [${JSON.stringify(record)}, ${JSON.stringify(invalid)}] }).then((res) => process.stdout.write(JSON.stringify({ res, puts: puts.sort() })));`;
    const env = { ...process.env, POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' };
    const output = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: tmpdir(), encoding: 'utf8', env })) as unknown;
    expect(output).toEqual({
      res: { batchItemFailures: [] },
      puts: [
        [`processed/stocks/year=2026/month=11/day=20/${SHARD_ID}-${sequenceNumber(1)}.parquet`, 'PAR1'],
        // The bundle's build-time (standalone) validators give the same reasons as runtime ajv.
        [`quarantine/schema-invalid/dt=2026-11-20/${SHARD_ID}-${sequenceNumber(2)}.json`, 'price must be > 0; volume must be integer'],
        [`raw/stocks/dt=2026-11-20/${SHARD_ID}-${sequenceNumber(1)}.json.gz`, '\x1f\x8b\b\0'],
      ],
    });
  });

  test('sizeTable lists every function', () => {
    const table = sizeTable(first);
    for (const r of first) expect(table).toContain(r.name);
  });
});

describe('deterministicZip', () => {
  test('entry order in the input does not matter', async () => {
    const a = await deterministicZip([
      { name: 'b.txt', data: Buffer.from('b') },
      { name: 'a.txt', data: Buffer.from('a') },
    ]);
    const b = await deterministicZip([
      { name: 'a.txt', data: Buffer.from('a') },
      { name: 'b.txt', data: Buffer.from('b') },
    ]);
    expect(a.equals(b)).toBe(true);
    expect(readZip(a).map((e) => [e.name, e.data.toString()])).toEqual([
      ['a.txt', 'a'],
      ['b.txt', 'b'],
    ]);
  });
});

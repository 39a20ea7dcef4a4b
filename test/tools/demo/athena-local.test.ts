import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTable, runNamedQueries } from '../../../tools/lib/demo/athena-local';

describe('runNamedQueries', () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'athena-local-'));
    // Two hive partitions written by DuckDB itself, so this test does not depend on our Parquet writer.
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    for (const [day, rows] of [
      ['02', "('AAPL', TIMESTAMP '2024-01-02 15:00:00', 10.0, 100), ('MSFT', TIMESTAMP '2024-01-02 15:00:00', 20.0, 300)"],
      ['03', "('AAPL', TIMESTAMP '2024-01-03 15:00:00', 12.0, 200)"],
    ] as const) {
      const target = path.join(dir, 'processed/stocks/year=2024/month=01', `day=${day}`);
      mkdirSync(target, { recursive: true });
      await c.run(`COPY (SELECT * FROM (VALUES ${rows}) t(symbol, ts, price, volume)) TO '${target}/part.parquet' (FORMAT parquet)`);
    }
    c.closeSync();
    instance.closeSync();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('exposes each dataset as a view with integer hive partitions and runs every query', async () => {
    const results = await runNamedQueries(
      dir,
      ['stocks', 'weather'],
      [
        { name: 'avg', sql: 'SELECT symbol, avg(price) AS avg_price, count(*) AS n FROM stocks GROUP BY symbol ORDER BY symbol' },
        { name: 'partitions', sql: 'SELECT typeof(month) AS t, min(day) AS first_day FROM stocks GROUP BY 1' },
      ],
    );
    expect(results[0]).toEqual({
      name: 'avg',
      columns: ['symbol', 'avg_price', 'n'],
      rows: [
        { symbol: 'AAPL', avg_price: 11, n: '2' },
        { symbol: 'MSFT', avg_price: 20, n: '1' },
      ],
    });
    expect(results[1]!.rows).toEqual([{ t: 'INTEGER', first_day: 2 }]);
  });

  test('a failing query is reported with its error, the others still run', async () => {
    const results = await runNamedQueries(
      dir,
      ['stocks'],
      [
        { name: 'broken', sql: 'SELECT nope FROM stocks' },
        { name: 'ok', sql: 'SELECT count(*) AS n FROM stocks' },
      ],
    );
    expect(results[0]!.error).toMatch(/nope/);
    expect(results[1]!.rows).toEqual([{ n: '3' }]);
  });
});

describe('formatTable', () => {
  test('aligns numbers right, text left, rounds long decimals and reports hidden rows', () => {
    const text = formatTable(
      ['symbol', 'avg'],
      [
        { symbol: 'AAPL', avg: 11.123456 },
        { symbol: 'MSFT', avg: 2 },
        { symbol: 'X', avg: 3 },
      ],
      2,
    );
    expect(text).toBe(['symbol      avg', '------  -------', 'AAPL    11.1235', 'MSFT          2', '… 1 more rows'].join('\n'));
  });
});

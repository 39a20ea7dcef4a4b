import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readReplayCsv } from '../../../tools/lib/demo/replay-csv';
import { expectedStockAlerts } from '../../helpers/alert-oracle';

describe('the synthetic demo data set shipped in demo/data', () => {
  const file = path.join(__dirname, '../../../demo/data/DEMO.csv');
  const data = readReplayCsv(readFileSync(file, 'utf8'), { fileName: file });

  test('reads cleanly: one symbol, 42 daily ticks, nothing skipped', () => {
    expect(data.symbols).toEqual(['DEMO']);
    expect(data.ticks).toHaveLength(42);
    expect(data.skipped).toEqual([]);
  });

  test('contains exactly one ≥ 10 % drop, one golden cross and one death cross at 10 %', () => {
    expect(expectedStockAlerts(data.ticks, 10)).toEqual([
      { rule: 'golden-cross', entity: 'STOCK#DEMO', ts: '2024-04-10T00:00:00.000Z' },
      { rule: 'stock-drop', entity: 'STOCK#DEMO', ts: '2024-04-19T00:00:00.000Z' },
      { rule: 'death-cross', entity: 'STOCK#DEMO', ts: '2024-04-25T00:00:00.000Z' },
    ]);
  });
});

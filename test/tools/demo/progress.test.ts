import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Cleanup } from '../../../tools/lib/demo/cleanup';
import { lineProgress } from '../../../tools/lib/demo/progress';
import { Counter, Wakeup } from '../../../tools/lib/demo/wakeup';

describe('lineProgress (no terminal, or --quiet)', () => {
  test('log lines as they come, progress at most every interval with rate and ETA, and a last line at stop', () => {
    const lines: string[] = [];
    let now = 0;
    const p = lineProgress((l) => lines.push(l), { everyMs: 1000, now: () => now });
    p.log('starting');
    p.start(1000);
    now = 500;
    p.update({ done: 100, total: 1000, alerts: 0 });
    now = 1000;
    p.update({ done: 200, total: 1000, alerts: 1 });
    now = 1500;
    p.update({ done: 300, total: 1000, alerts: 1 });
    now = 2000;
    p.update({ done: 1000, total: 1000, alerts: 2 });
    p.stop();
    expect(lines).toEqual([
      'starting',
      '  … 200/1000 rows through the pipeline (20.0 %), 200 rows/s, ETA 4 s, alerts 1',
      '  … 1000/1000 rows through the pipeline (100.0 %), 500 rows/s, alerts 2',
      '  … 1000/1000 rows through the pipeline (100.0 %), 500 rows/s, alerts 2',
    ]);
  });

  test('with logs off (--quiet) only the progress lines print', () => {
    const lines: string[] = [];
    const p = lineProgress((l) => lines.push(l), { logs: false, everyMs: 0 });
    p.log('hidden');
    p.start(2);
    p.update({ done: 2, total: 2, alerts: 0 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ {2}… 2\/2 rows/);
  });
});

describe('Cleanup', () => {
  test('runSync removes the registered folders at once (the second Ctrl-C path)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-cleanup-'));
    writeFileSync(path.join(dir, 'data'), 'x');
    const c = new Cleanup();
    c.addDir(dir);
    c.runSync();
    expect(existsSync(dir)).toBe(false);
    expect(c.pendingDirs).toEqual([]);
  });

  test('run stops tasks in reverse order, reports a failing one and still removes the folders', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-cleanup-'));
    const order: string[] = [];
    const warnings: string[] = [];
    const c = new Cleanup();
    c.addDir(dir);
    c.addTask('first', async () => void order.push('first'));
    c.addTask('broken', async () => {
      throw new Error('boom');
    });
    c.addTask('last', async () => void order.push('last'));
    await c.run((w) => warnings.push(w));
    expect(order).toEqual(['last', 'first']);
    expect(warnings).toEqual(['warning: stopping broken failed: boom']);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('Wakeup and Counter', () => {
  test('a wait taken before a notify resolves; one taken after the last notify waits for the next', async () => {
    const w = new Wakeup();
    const seen = w.version;
    w.notify();
    await expect(w.changedSince(seen)).resolves.toBeUndefined();
    let woke = false;
    const waiting = w.changedSince(w.version).then(() => (woke = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(woke).toBe(false);
    w.close();
    await waiting;
    expect(woke).toBe(true);
  });

  test('Counter.reaches resolves at the target and rethrows a failure', async () => {
    const c = new Counter();
    const reached = c.reaches(3);
    c.add(2);
    c.add(1);
    await expect(reached).resolves.toBeUndefined();
    const failure = new Error('consumer broke');
    let failed: Error | undefined;
    const waiting = c.reaches(10, { failure: () => failed });
    failed = failure;
    c.poke();
    await expect(waiting).rejects.toBe(failure);
  });
});

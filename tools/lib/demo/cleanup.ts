/**
 * Everything a demo run must undo, whichever way it ends:
 *
 * | exit path                                 | what runs                                                        |
 * | ----------------------------------------- | ---------------------------------------------------------------- |
 * | the run finishes or throws                | `run()`: stop tasks in reverse order (servers, clients), then remove the temp folders |
 * | first Ctrl-C                              | the run aborts at its next step and takes the path above         |
 * | second Ctrl-C, or the process exits early | `runSync()`: end the emulator processes (SIGKILL), then remove the temp folders synchronously |
 *
 * `runSync` is also bound to the process `exit` event while a run is active, so a
 * `process.exit()` anywhere still leaves no s3rver data or mirror folders in the OS temp dir.
 */
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

export class Cleanup {
  private readonly dirs = new Set<string>();
  private readonly tasks: { name: string; run: () => Promise<void> }[] = [];
  private readonly kills: (() => void)[] = [];
  private readonly onExit = (): void => this.runSync();
  private bound = false;

  /** Removes `dir` (recursively) at the end. */
  addDir(dir: string): void {
    this.dirs.add(dir);
    if (!this.bound) {
      process.on('exit', this.onExit);
      this.bound = true;
    }
  }

  /** Runs `run` at the end, before the folders are removed (last added runs first). */
  addTask(name: string, run: () => Promise<void>): void {
    this.tasks.push({ name, run });
  }

  /**
   * `kill` ends something at once (an emulator process) when there is no time to stop it: in
   * `runSync`, before the folders it writes to are removed. `run` stops it with its task instead.
   */
  addKill(kill: () => void): void {
    this.kills.push(kill);
  }

  /** Folders still to remove (for tests and the summary). */
  get pendingDirs(): readonly string[] {
    return [...this.dirs];
  }

  /** Stops everything and removes the folders; a failing task is reported and does not stop the rest. */
  async run(warn: (line: string) => void = () => undefined): Promise<void> {
    for (const task of this.tasks.splice(0).reverse()) {
      try {
        await task.run();
      } catch (error) {
        warn(`warning: stopping ${task.name} failed: ${(error as Error).message}`);
      }
    }
    this.kills.splice(0);
    for (const dir of [...this.dirs]) {
      await rm(dir, { recursive: true, force: true });
      this.dirs.delete(dir);
    }
    this.unbind();
  }

  /** Synchronous part only (folders): safe inside a signal handler or an `exit` listener. */
  runSync(): void {
    for (const kill of this.kills.splice(0)) {
      try {
        kill();
      } catch {
        // best effort: the process is going away
      }
    }
    for (const dir of [...this.dirs]) {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
      } catch {
        // best effort: the process is going away
      }
      this.dirs.delete(dir);
    }
    this.unbind();
  }

  private unbind(): void {
    if (this.bound) {
      process.off('exit', this.onExit);
      this.bound = false;
    }
  }
}

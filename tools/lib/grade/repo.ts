/** Version-control facts about a submission (roadmap bullet 11.2), read with the git CLI. Offline; never throws. */
import { execFile } from 'node:child_process';
import type { RepoFacts } from './checks';

function git(cwd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', [...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

/** Whether `dir` is inside a git work tree, and which files under it git tracks (paths relative to `dir`). */
export async function readRepoFacts(dir: string): Promise<RepoFacts> {
  if ((await git(dir, ['rev-parse', '--is-inside-work-tree']))?.trim() !== 'true') return { isGitRepo: false, tracked: new Set() };
  const listed = (await git(dir, ['ls-files', '-z', '--', '.'])) ?? '';
  return { isGitRepo: true, tracked: new Set(listed.split('\0').filter(Boolean)) };
}

/** Facts about the git working copy, read with the git CLI (offline, no network). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { RepoFacts } from './checks';

/** Whether `cwd` is in a git work tree and which files under `generatedDir` git tracks. Never throws. */
export function readRepoFacts(cwd: string, generatedDir: string): RepoFacts {
  const git = (args: string[]): string | undefined => {
    try {
      return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return undefined;
    }
  };
  if (git(['rev-parse', '--is-inside-work-tree'])?.trim() !== 'true') return { isGitRepo: false, trackedGenerated: [] };
  const rel = path.relative(cwd, generatedDir) || '.';
  const listed = git(['ls-files', '-z', '--', rel]) ?? '';
  const trackedGenerated = listed
    .split('\0')
    .filter(Boolean)
    .map((f) => path.posix.relative(rel.split(path.sep).join('/'), f))
    .sort();
  return { isGitRepo: true, trackedGenerated };
}

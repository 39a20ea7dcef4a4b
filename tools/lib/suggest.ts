/**
 * "Did you mean" for every tool: the one copy of the edit-distance suggestion (parameter files,
 * flags, rubric keys, resource properties). Distance from fastest-levenshtein, compared
 * case-insensitively; a candidate is suggested only within a third of the name's length (at least 2).
 */
import { distance } from 'fastest-levenshtein';

/** The closest candidate to `name`, or undefined when none is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(wanted, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** `did you mean X?` when a candidate is close, else `fallback`. */
export function didYouMean(name: string, candidates: Iterable<string>, fallback: string): string {
  const best = closest(name, candidates);
  return best !== undefined ? `did you mean ${best}?` : fallback;
}

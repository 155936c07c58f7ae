/**
 * "Did you mean …?" for names that must exist: the existing name closest to a
 * mistyped one. Internal; pure and deterministic.
 */

/**
 * The optimal-string-alignment distance between `a` and `b`: insertions,
 * deletions, substitutions and swaps of two neighbours each cost 1 (so
 * `stagign` is 1 from `staging`). Compared by UTF-16 code unit.
 */
export function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, beforePrevious[j - 2] + 1);
      current[j] = best;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length];
}

/**
 * How far a candidate may be from `name` and still be suggested: one edit per
 * three characters, at least one, so `db` never suggests `ui`.
 */
export function maxSuggestionDistance(name: string): number {
  return Math.max(1, Math.floor(name.length / 3));
}

/**
 * The candidate closest to `name` (case-insensitively, by {@link editDistance}),
 * or undefined when `name` itself is a candidate or none is within
 * {@link maxSuggestionDistance}. Ties go to the candidate that sorts first, so
 * the answer never depends on the candidates' order.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = maxSuggestionDistance(name);
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === name) return undefined;
    // Cheap bound first: the distance is at least the difference in length.
    if (Math.abs(candidate.length - name.length) > limit) continue;
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * "Did you mean …?": the names closest to a misspelt one, by edit distance
 * (case and surrounding spaces ignored), with substring matches first.
 */

/** Levenshtein distance with one row of memory. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** Up to `max` candidates near `wanted`: those containing it (or contained in it), then those within a third of its length in edits. */
export function nearestNames(wanted: string, candidates: string[], max = 3): string[] {
  const w = wanted.trim().toLowerCase();
  if (!w) return [];
  const scored = [...new Set(candidates.filter(Boolean))].map((name) => {
    const n = name.trim().toLowerCase();
    const d = editDistance(w, n);
    const contains = n.includes(w) || w.includes(n);
    return { name, d, contains };
  });
  const limit = Math.max(2, Math.ceil(w.length / 3));
  return scored
    .filter((s) => s.d <= limit || s.contains)
    .sort((a, b) => Number(b.contains && b.d <= limit) - Number(a.contains && a.d <= limit) || a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** "Did you mean" for a mistyped name: the closest candidate, if it is close enough to be a typo. */
export function closestMatch(input: string, candidates: readonly string[]): string | null {
  const normalized = normalize(input);
  // Airflow users write start_date or max_active_runs; those are the same words.
  const sameWords = candidates.find((c) => normalize(c) === normalized);
  if (sameWords !== undefined) return sameWords;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(normalized, normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.floor(normalized.length / 3));
  return bestDistance <= tolerance ? best : null;
}

function normalize(name: string): string {
  return name.replace(/[_\-\s]/g, '').toLowerCase();
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Small statistics shared by the benches (all figures end up in one JSON line). */

/** Rounds to 3 decimals (the precision every bench prints ratios and milliseconds with). */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * The `p`-th percentile (0–100) of an ascending array, nearest-rank from below
 * (index ⌊p/100 · n⌋, clamped to the last element). 0 for an empty array.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The median: the middle value, or the mean of the two middle values for an even count. Does not modify `xs`. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
}

/** The median rounded to 3 decimals (how the benches print ratios). */
export function roundedMedian(xs: readonly number[]): number {
  return round3(median(xs));
}

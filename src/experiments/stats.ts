// The statistics an experiment reports: Wilson score intervals for rates (accuracy, agreement, schema-valid
// rate) and McNemar's exact test for two arms scored on the same documents.

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
  /** Always 0.95. */
  confidence: number;
  method: 'wilson';
}

export interface Rate {
  /** Successes (correct, agreeing, valid). */
  k: number;
  n: number;
  /** k / n; null when n is 0. */
  rate: number | null;
  /** null when n is 0. */
  interval: Interval | null;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * The Wilson score interval: unlike p ± z·√(p(1−p)/n) it stays inside [0, 1] and keeps its coverage near
 * 0 and 1 and for small n (Wilson 1927; Brown, Cai & DasGupta 2001). The sample is treated as drawn with
 * replacement, so for a sample that is a large share of its source the interval is conservative.
 */
export function wilson(k: number, n: number): Interval | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: round4(Math.max(0, center - half)), high: round4(Math.min(1, center + half)), confidence: 0.95, method: 'wilson' };
}

export function rateOf(k: number, n: number): Rate {
  return { k, n, rate: n > 0 ? round4(k / n) : null, interval: wilson(k, n) };
}

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/**
 * McNemar's exact test: of the documents exactly one of two arms got right (`onlyA`, `onlyB`), is the split
 * further from even than chance would make it? Two-sided binomial p-value; 1 when none are discordant.
 */
export function mcnemarExact(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  const k = Math.min(onlyA, onlyB);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return round4(Math.min(1, 2 * tail));
}

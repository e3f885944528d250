/**
 * Score components as tail probabilities under normal footage, so that they can be combined without
 * one of them winning by its units (DETECTION.md, "Combining scores").
 *
 * A component's calibration sample (its values on the training footage: core/scoring/gap.ts) is kept as
 * a compact empirical quantile table; inside the sample's range a value's tail probability is read
 * from that table, and beyond the tail quantile it follows an exponential tail fitted to the
 * exceedances (a generalized Pareto tail with shape 0, SPOT-style: Siffer et al., KDD 2017; its scale
 * from the median excess, robust to a few wild values), so a
 * value far outside anything normal footage showed still has a finite, ordered probability and
 * scores ten times further out are exponentially less likely, not equally "off the table".
 *
 * The combined score is the Bonferroni-corrected smallest p-value in decades of surprise:
 *   combined = −log10(min(1, m · min_k p_k))
 * (m components). 2 means "one frame in a hundred of normal footage looks this unusual in its most
 * unusual aspect", 3 one in a thousand; frames that look normal in every aspect score 0. Computed in
 * log space, without a floor on p, so frames far beyond anything normal keep their order.
 */

export type Side = 'upper' | 'both';

export interface TailModel {
  /** Quantiles of the calibration sample at QUANTILE_LEVELS (ascending). */
  q: number[];
  /** Exponential tail beyond the upper tail quantile: mean excess over it (> 0). */
  upperBeta: number;
  /** Exponential tail below the lower tail quantile: mean shortfall under it (> 0). */
  lowerBeta: number;
  /** Calibration sample size. */
  n: number;
}

/** Tail probability mass outside the tail quantiles: the exponential tails start here. */
export const TAIL_MASS = 0.1;
/** 0, 0.01, …, 1: the quantile table's levels. */
export const QUANTILE_LEVELS: readonly number[] = Array.from({ length: 101 }, (_, i) => i / 100);
/** Smallest tail probability reported: −log10 of it caps the combined score (a frame cannot be "infinitely" unusual). */
export const MIN_P = 1e-12;

function sortedFinite(values: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(Array.prototype.filter.call(values, (v: number) => Number.isFinite(v)) as number[]);
  return a.sort();
}

function quantileSorted(a: Float64Array, level: number): number {
  if (a.length === 0) return NaN;
  const pos = Math.min(1, Math.max(0, level)) * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo]! + (a[hi]! - a[lo]!) * (pos - lo);
}

/** Fit a component's tail model on its calibration sample (non-finite values ignored). */
export function fitTail(values: ArrayLike<number>): TailModel {
  const a = sortedFinite(values);
  if (a.length < 10) throw new RangeError(`A tail model needs at least 10 calibration values, not ${a.length}.`);
  const q = QUANTILE_LEVELS.map((l) => quantileSorted(a, l));
  const spread = Math.max(q[90]! - q[10]!, 1e-9 * Math.max(1, Math.abs(q[50]!)), 1e-12);
  const hiU = quantileSorted(a, 1 - TAIL_MASS);
  const loU = quantileSorted(a, TAIL_MASS);
  const up: number[] = [];
  const down: number[] = [];
  for (const v of a) {
    if (v > hiU) up.push(v - hiU);
    if (v < loU) down.push(loU - v);
  }
  // The exponential scale from the median excess (median = β ln 2), not the mean: a few wild values in
  // "normal" footage (a scene cut where clips were joined, a dropped frame) would otherwise stretch the
  // tail and blunt every alarm. A tail with (almost) no exceedances borrows from the sample's spread.
  const floor = 0.05 * spread;
  const scale = (e: number[]) => (e.length ? quantileSorted(Float64Array.from(e).sort(), 0.5) / Math.LN2 : 0);
  return { q, upperBeta: Math.max(scale(up), floor), lowerBeta: Math.max(scale(down), floor), n: a.length };
}

/** P(X ≥ x) under the component's normal distribution (empirical inside, exponential tail outside). */
export function upperTail(x: number, t: TailModel): number {
  if (Number.isNaN(x)) return 1;
  const hiU = t.q[100 - TAIL_MASS * 100]!;
  if (x >= hiU) return Math.max(MIN_P, TAIL_MASS * Math.exp(-(x - hiU) / t.upperBeta));
  return 1 - cdfInside(x, t);
}

/** P(X ≤ x). */
export function lowerTail(x: number, t: TailModel): number {
  if (Number.isNaN(x)) return 1;
  const loU = t.q[TAIL_MASS * 100]!;
  if (x <= loU) return Math.max(MIN_P, TAIL_MASS * Math.exp(-(loU - x) / t.lowerBeta));
  return cdfInside(x, t);
}

/** The empirical CDF by linear interpolation in the quantile table. */
function cdfInside(x: number, t: TailModel): number {
  const q = t.q;
  if (x <= q[0]!) return 0;
  if (x >= q[q.length - 1]!) return 1;
  let lo = 0;
  let hi = q.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (q[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const span = q[hi]! - q[lo]!;
  const f = span > 0 ? (x - q[lo]!) / span : 0.5;
  return (lo + f) / (q.length - 1);
}

/** A component's p-value: its upper tail, or twice the smaller tail for a two-sided (typicality) test. */
export function tailP(x: number, t: TailModel, side: Side): number {
  return 10 ** tailLog10P(x, t, side);
}

/**
 * log10 of tailP, without a floor: far beyond the sample the exponential tail gives
 * log10 p = log10(TAIL_MASS) − (x − u) / (β ln 10), so frames far out keep their order (no ties at a
 * smallest representable p) and a score that falls, falls in proportion.
 */
export function tailLog10P(x: number, t: TailModel, side: Side): number {
  if (Number.isNaN(x)) return 0;
  const hiU = t.q[100 - TAIL_MASS * 100]!;
  const loU = t.q[TAIL_MASS * 100]!;
  const up = x >= hiU ? Math.log10(TAIL_MASS) - (x - hiU) / (t.upperBeta * Math.LN10) : Math.log10(Math.max(1e-300, 1 - cdfInside(x, t)));
  if (side === 'upper') return up;
  const down = x <= loU ? Math.log10(TAIL_MASS) - (loU - x) / (t.lowerBeta * Math.LN10) : Math.log10(Math.max(1e-300, cdfInside(x, t)));
  return Math.min(0, Math.log10(2) + Math.min(up, down));
}

/** −log10 of the Bonferroni-corrected smallest p-value of m components. */
export function surprise(pMin: number, m: number): number {
  return surpriseLog10(Math.log10(Math.max(1e-300, pMin)), m);
}

/** surprise from log10 of the smallest p-value (unbounded above). */
export function surpriseLog10(log10PMin: number, m: number): number {
  return Math.max(0, -log10PMin - Math.log10(Math.max(1, m))) + 0; // + 0: no −0
}

/**
 * The threshold for a target false-positive rate on calibration scores: the conformal quantile (the
 * ⌈(n + 1)(1 − α)⌉-th smallest of n), so that a new frame exchangeable with them exceeds it with
 * probability at most α.
 */
export function conformalThreshold(scores: ArrayLike<number>, alpha: number): number {
  const a = sortedFinite(scores);
  const n = a.length;
  if (n === 0) return NaN;
  const rank = Math.ceil((n + 1) * (1 - alpha));
  if (rank > n) return a[n - 1]! + Math.max(1e-6, 0.01 * Math.abs(a[n - 1]!));
  return a[Math.max(0, rank - 1)]!;
}

/**
 * The alarm threshold for a target false-positive rate α on new footage: the larger of
 * - the Bonferroni level −log10 α: combined = −log10(m · min p) ≥ −log10 α has probability at most α
 *   whenever each component's tail probability is calibrated on the new footage, whatever their
 *   dependence (P(min p ≤ α/m) ≤ Σ P(p_k ≤ α/m) ≤ α); it needs each component's marginal
 *   calibration to carry over, not the held-out frames' joint behaviour; and
 * - the conformal quantile of the held-out combined scores (conformalThreshold), which is the lower
 *   of the two whenever the components are calibrated, and the higher one when they are not.
 * The conformal quantile alone relies on the held-out blocks being exchangeable with new footage in
 * every component at once; on UCSD Ped2 (dev clips, default vae) it left 6.5% of normal test frames
 * over a threshold asked for 1% (crowds denser than in any held-out block), the Bonferroni level 0%
 * (README, "Detection on real footage").
 */
export function alarmThreshold(calibration: ArrayLike<number>, alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alarmThreshold: alpha must be in (0, 1), got ${alpha}`);
  const c = conformalThreshold(calibration, alpha);
  const level = -Math.log10(alpha);
  return Number.isNaN(c) ? level : Math.max(c, level);
}

/**
 * Discrete class variables for a mixture-prior VAE (Jang, Gu & Poole 2017; Maddison et al. 2017):
 * Gumbel-softmax (concrete) relaxed one-hot samples, the straight-through hard variant, a temperature
 * schedule, the categorical KL to a prior, and class-usage entropy to catch collapse onto one class.
 *
 *   Gumbel-softmax:  y_i = exp((l_i + g_i)/τ) / Σ_j exp((l_j + g_j)/τ),   g_i ~ Gumbel(0, 1) i.i.d.
 *                    τ → 0: y → one_hot(argmax_i (l_i + g_i)), and P(argmax = i) = softmax(l)_i exactly
 *                    (the Gumbel-max trick); τ → ∞: y → uniform.
 *   Jacobian:        ∂y_i/∂l_j = (1/τ) y_i (δ_ij − y_j),  so for an upstream gradient u = ∂L/∂y:
 *                    ∂L/∂l_j = (1/τ) y_j (u_j − Σ_i u_i y_i)
 *   Straight-through: forward uses y_hard = one_hot(argmax y); backward treats ∂y_hard/∂y as identity,
 *                    i.e. y_st = y_hard − stop_gradient(y) + y, so ∂L/∂l is the Jacobian above applied to ∂L/∂y_hard.
 *   Temperature:     τ(step) = max(τ_min, τ₀ · exp(−r · step))   (Jang et al.: τ₀ = 1, r ≈ 1e-5..1e-4, τ_min = 0.5)
 *   Categorical KL:  KL(q ‖ p) = Σ_i q_i (log q_i − log p_i);  for uniform p: Σ_i q_i log q_i + log K.
 *                    With q = softmax(l): ∂KL/∂l_j = q_j ( log q_j − log p_j − KL )
 *   Usage entropy:   p̄_k = (1/N) Σ_n q_n(k) (mean responsibility or hard-assignment frequency),
 *                    H(p̄) = −Σ_k p̄_k log p̄_k ∈ [0, log K]; 0 when every frame is in one class.
 *
 *   Mutual information between class and frame: I(c; n) = H(p̄) − (1/N) Σ_n H(q_n) ≥ 0.
 *
 * The classes carry no information in two ways (the failure of seed note 000, where the class term
 * went to a constant): every frame confidently in one class (H(p̄) ≈ 0), or every frame spread evenly
 * over the classes (per-frame KL to the uniform prior ≈ 0, H(p̄) = log K but I ≈ 0). The usage
 * report gives both numbers. Plain Float64Array math; class vectors are row-major [N, K] where batched.
 */
import { argmax, gumbel, logSumExp, mulberry32, softmax, type Rng } from './numeric.js';

/** Gumbel-softmax with the noise given: softmax((logits + g) / τ). */
export function gumbelSoftmaxWithNoise(logits: ArrayLike<number>, noise: ArrayLike<number>, tau: number): Float64Array {
  if (noise.length !== logits.length) throw new RangeError(`gumbelSoftmaxWithNoise: ${logits.length} logits, ${noise.length} noise values`);
  const shifted = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) shifted[i] = logits[i]! + noise[i]!;
  return softmax(shifted, tau);
}

/** K standard-Gumbel draws. */
export function gumbelNoise(k: number, rng: Rng): Float64Array {
  const g = new Float64Array(k);
  for (let i = 0; i < k; i++) g[i] = gumbel(rng);
  return g;
}

export interface GumbelSample {
  /** The relaxed one-hot sample y (non-negative, sums to 1). */
  soft: Float64Array;
  /** one_hot(argmax y): what the straight-through estimator uses in the forward pass. */
  hard: Float64Array;
  /** argmax y, a draw from Categorical(softmax(logits)) whatever τ is. */
  index: number;
  /** The Gumbel noise used, so the sample can be replayed (e.g. for gradients). */
  noise: Float64Array;
}

/** One Gumbel-softmax sample at temperature τ, with its straight-through hard version. */
export function gumbelSoftmax(logits: ArrayLike<number>, tau: number, rng: Rng): GumbelSample {
  const noise = gumbelNoise(logits.length, rng);
  const soft = gumbelSoftmaxWithNoise(logits, noise, tau);
  const { hard, index } = straightThrough(soft);
  return { soft, hard, index, noise };
}

/** N samples for row-major logits [N, K]; `soft` and `hard` are [N, K], `index` [N]. */
export function gumbelSoftmaxBatch(
  logits: ArrayLike<number>,
  k: number,
  tau: number,
  rngOrSeed: Rng | number,
): { soft: Float64Array; hard: Float64Array; index: Int32Array } {
  if (!Number.isInteger(k) || k < 1 || logits.length % k !== 0) throw new RangeError(`gumbelSoftmaxBatch: ${logits.length} logits is not a multiple of K = ${k}`);
  const rng = typeof rngOrSeed === 'number' ? mulberry32(rngOrSeed) : rngOrSeed;
  const n = logits.length / k;
  const soft = new Float64Array(n * k);
  const hard = new Float64Array(n * k);
  const index = new Int32Array(n);
  const row = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < k; i++) row[i] = logits[r * k + i]!;
    const s = gumbelSoftmax(row, tau, rng);
    soft.set(s.soft, r * k);
    hard[r * k + s.index] = 1;
    index[r] = s.index;
  }
  return { soft, hard, index };
}

/** The straight-through forward value: one_hot(argmax y) (first index on ties). */
export function straightThrough(soft: ArrayLike<number>): { hard: Float64Array; index: number } {
  const index = argmax(soft);
  const hard = new Float64Array(soft.length);
  hard[index] = 1;
  return { hard, index };
}

/**
 * Backward pass of Gumbel-softmax (and of its straight-through variant, whose backward is the same):
 * ∂L/∂l_j = (1/τ) y_j (u_j − Σ_i u_i y_i) for the soft sample y and upstream gradient u = ∂L/∂y.
 */
export function gumbelSoftmaxBackward(soft: ArrayLike<number>, tau: number, upstream: ArrayLike<number>): Float64Array {
  if (upstream.length !== soft.length) throw new RangeError(`gumbelSoftmaxBackward: ${soft.length} values, ${upstream.length} gradients`);
  let dot = 0;
  for (let i = 0; i < soft.length; i++) dot += upstream[i]! * soft[i]!;
  const g = new Float64Array(soft.length);
  for (let j = 0; j < soft.length; j++) g[j] = (soft[j]! * (upstream[j]! - dot)) / tau;
  return g;
}

export interface TemperatureSchedule {
  /** τ₀, the starting temperature (default 1). */
  initial?: number;
  /** r, the decay rate per step (default 3e-5). */
  rate?: number;
  /** τ_min, the floor (default 0.5). */
  min?: number;
  /** Hold τ constant over blocks of this many steps (Jang et al. update every 1000 steps; default 1). */
  every?: number;
}

/** τ(step) = max(τ_min, τ₀ · exp(−r · ⌊step / every⌋ · every)). */
export function annealTemperature(step: number, schedule: TemperatureSchedule = {}): number {
  const { initial = 1, rate = 3e-5, min = 0.5, every = 1 } = schedule;
  if (!(initial > 0) || !(min > 0) || !(rate >= 0) || !(every >= 1)) throw new RangeError('annealTemperature: need initial > 0, min > 0, rate ≥ 0, every ≥ 1');
  const s = Math.floor(Math.max(0, step) / every) * every;
  return Math.max(min, initial * Math.exp(-rate * s));
}

/**
 * KL(q ‖ p) = Σ_i q_i (log q_i − log p_i) in nats, with 0 · log 0 = 0. `prior` defaults to uniform
 * (then KL = log K − H(q)). Infinity when q puts mass where p has none.
 */
export function categoricalKl(q: ArrayLike<number>, prior?: ArrayLike<number>): number {
  const k = q.length;
  if (prior && prior.length !== k) throw new RangeError(`categoricalKl: q has ${k} classes, prior ${prior.length}`);
  let kl = 0;
  for (let i = 0; i < k; i++) {
    const qi = q[i]!;
    if (qi <= 0) continue;
    const pi = prior ? prior[i]! : 1 / k;
    if (pi <= 0) return Infinity;
    kl += qi * (Math.log(qi) - Math.log(pi));
  }
  return kl;
}

/**
 * KL(softmax(l) ‖ p) and its gradient with respect to the logits l, computed from log-softmax
 * (stable for large logits): ∂KL/∂l_j = q_j (log q_j − log p_j − KL).
 */
export function categoricalKlFromLogits(logits: ArrayLike<number>, prior?: ArrayLike<number>): { kl: number; grad: Float64Array } {
  const k = logits.length;
  if (prior && prior.length !== k) throw new RangeError(`categoricalKlFromLogits: ${k} logits, prior ${prior.length}`);
  const lse = logSumExp(logits);
  const logq = new Float64Array(k);
  const q = new Float64Array(k);
  const logp = new Float64Array(k);
  let kl = 0;
  for (let i = 0; i < k; i++) {
    logq[i] = logits[i]! - lse;
    q[i] = Math.exp(logq[i]!);
    logp[i] = prior ? Math.log(prior[i]!) : -Math.log(k);
    if (q[i]! > 0) kl += q[i]! * (logq[i]! - logp[i]!);
  }
  const grad = new Float64Array(k);
  for (let j = 0; j < k; j++) grad[j] = q[j]! > 0 ? q[j]! * (logq[j]! - logp[j]! - kl) : 0;
  return { kl, grad };
}

/** Shannon entropy −Σ p_k log p_k of a distribution (nats; 0 · log 0 = 0). */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (v > 0) h -= v * Math.log(v);
  }
  return h;
}

/** Mean class usage p̄_k = (1/N) Σ_n q_n(k) from row-major responsibilities [N, K] (soft or one-hot). */
export function classUsage(responsibilities: ArrayLike<number>, k: number): Float64Array {
  if (!Number.isInteger(k) || k < 1 || responsibilities.length % k !== 0) throw new RangeError(`classUsage: ${responsibilities.length} values is not a multiple of K = ${k}`);
  const n = responsibilities.length / k;
  const usage = new Float64Array(k);
  if (n === 0) return usage;
  for (let r = 0; r < n; r++) for (let i = 0; i < k; i++) usage[i] = usage[i]! + responsibilities[r * k + i]!;
  for (let i = 0; i < k; i++) usage[i] = usage[i]! / n;
  return usage;
}

/** Class frequencies from hard labels in 0..K−1. */
export function labelUsage(labels: ArrayLike<number>, k: number): Float64Array {
  const usage = new Float64Array(k);
  for (let r = 0; r < labels.length; r++) {
    const c = labels[r]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new RangeError(`labelUsage: label ${c} at ${r} is not in 0..${k - 1}`);
    usage[c] = usage[c]! + 1;
  }
  if (labels.length > 0) for (let i = 0; i < k; i++) usage[i] = usage[i]! / labels.length;
  return usage;
}

export interface UsageReport {
  /** p̄, the mean usage of each class. */
  usage: Float64Array;
  /** H(p̄), nats: 0 when collapsed onto one class, log K when uniform. */
  entropy: number;
  /** H(p̄) / log K in [0, 1] (1 for K = 1). */
  normalized: number;
  /** exp H(p̄): the effective number of classes in use, 1..K. */
  perplexity: number;
  /** True when normalized entropy is below the threshold (default 0.1): (nearly) every frame is in one class. */
  collapsed: boolean;
  /** (1/N) Σ_n H(q_n), the mean per-frame class entropy (0 for hard assignments; NaN when only usage was given). */
  meanFrameEntropy: number;
  /** I(c; n) = H(p̄) − meanFrameEntropy, nats: ≈ 0 when the classes say nothing about the frames (NaN when only usage was given). */
  mutualInformation: number;
}

/**
 * Class-usage entropy from row-major responsibilities [N, K]: the collapse detector. `collapsed` is
 * set when H(p̄)/log K < collapseBelow (default 0.1).
 */
export function classUsageEntropy(responsibilities: ArrayLike<number>, k: number, collapseBelow = 0.1): UsageReport {
  const usage = classUsage(responsibilities, k);
  const n = responsibilities.length / k;
  let hSum = 0;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < k; i++) {
      const v = responsibilities[r * k + i]!;
      if (v > 0) hSum -= v * Math.log(v);
    }
  }
  const meanFrameEntropy = n > 0 ? hSum / n : 0;
  const report = usageReport(usage, collapseBelow);
  return { ...report, meanFrameEntropy, mutualInformation: Math.max(0, report.entropy - meanFrameEntropy) };
}

/** The same report from a usage vector alone (e.g. labelUsage); the per-frame terms are NaN. */
export function usageReport(usage: Float64Array, collapseBelow = 0.1): UsageReport {
  const k = usage.length;
  const h = entropy(usage);
  const normalized = k > 1 ? h / Math.log(k) : 1;
  return { usage, entropy: h, normalized, perplexity: Math.exp(h), collapsed: normalized < collapseBelow, meanFrameEntropy: NaN, mutualInformation: NaN };
}

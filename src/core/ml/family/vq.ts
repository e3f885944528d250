/**
 * Vector quantization for a VQ-VAE (van den Oord et al. 2017; seed note 003): nearest-code
 * assignment, the codebook and commitment losses, EMA codebook updates with dead-code restarts, code
 * usage statistics, and a rarity score for change detection.
 *
 *   Assignment:   c_n = argmin_k ‖z_n − e_k‖²                                (first index on ties)
 *   Losses (mean over the N encoder outputs, squared norm summed over D):
 *     codebook    = (1/N) Σ_n ‖sg[z_n] − e_{c_n}‖²      ∂/∂e_k = (2/N) Σ_{n: c_n = k} (e_k − z_n)
 *     commitment  = β (1/N) Σ_n ‖z_n − sg[e_{c_n}]‖²    ∂/∂z_n = (2β/N) (z_n − e_{c_n})
 *   (sg = stop-gradient: the two have the same value up to β and differ only in what they move.
 *    The decoder's gradient reaches z_n through the straight-through copy z_q = z + sg[e_c − z].)
 *   EMA updates (replace the codebook loss; γ = decay, n_k = #{n: c_n = k}, s_k = Σ_{n: c_n = k} z_n):
 *     N_k ← γ N_k + (1 − γ) n_k,   m_k ← γ m_k + (1 − γ) s_k
 *     Ñ_k = (N_k + ε) / (Σ_j N_j + K ε) · Σ_j N_j                              (Laplace smoothing, no division by 0)
 *     e_k = m_k / Ñ_k
 *   Dead-code restart: a code whose EMA count N_k fell below a threshold is re-seeded on a random
 *     encoder output (N_k ← 1, m_k ← z), so it can start winning assignments again.
 *   Usage:        p_k = n_k / N,  H = −Σ p_k log p_k,  perplexity = exp H ∈ [1, K] (K for uniform use)
 *   Rarity:       −log p̂(k),  p̂(k) = (n_k + 1) / (N + K)                      (add-one smoothing: finite for unseen codes)
 *
 * Plain Float64Array math; vectors are row-major [N, D], codebooks [K, D].
 */
import { mulberry32, type Rng } from './numeric.js';

function rows(a: ArrayLike<number>, dim: number, what: string): number {
  if (!Number.isInteger(dim) || dim < 1 || a.length % dim !== 0) throw new RangeError(`${what}: ${a.length} values is not a multiple of D = ${dim}`);
  return a.length / dim;
}

export interface Assignment {
  /** c_n, the nearest code of each input. */
  codes: Int32Array;
  /** ‖z_n − e_{c_n}‖². */
  dist2: Float64Array;
}

/** Nearest code (squared Euclidean distance) for each row of x [N, D] in codebook [K, D]. */
export function nearestCodes(x: ArrayLike<number>, codebook: ArrayLike<number>, dim: number): Assignment {
  const n = rows(x, dim, 'nearestCodes (inputs)');
  const k = rows(codebook, dim, 'nearestCodes (codebook)');
  if (k < 1) throw new RangeError('nearestCodes: empty codebook');
  const codes = new Int32Array(n);
  const dist2 = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let j = 0; j < dim && d < bestD; j++) {
        const v = x[r * dim + j]! - codebook[c * dim + j]!;
        d += v * v;
      }
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    codes[r] = best;
    dist2[r] = bestD;
  }
  return { codes, dist2 };
}

export interface VqLosses {
  /** (1/N) Σ ‖sg[z] − e_c‖². */
  codebookLoss: number;
  /** β (1/N) Σ ‖z − sg[e_c]‖². */
  commitmentLoss: number;
  /** ∂ codebookLoss / ∂ codebook, [K, D]. */
  gradCodebook: Float64Array;
  /** ∂ commitmentLoss / ∂ z, [N, D]. */
  gradInputs: Float64Array;
}

/** The two VQ-VAE losses and their gradients for inputs x [N, D] assigned to `codes` (default: nearest). */
export function vqLosses(x: ArrayLike<number>, codebook: ArrayLike<number>, dim: number, beta = 0.25, codes?: ArrayLike<number>): VqLosses {
  const n = rows(x, dim, 'vqLosses (inputs)');
  const k = rows(codebook, dim, 'vqLosses (codebook)');
  if (n === 0) throw new RangeError('vqLosses: no inputs');
  const c = codes ?? nearestCodes(x, codebook, dim).codes;
  if (c.length !== n) throw new RangeError(`vqLosses: ${c.length} codes for ${n} inputs`);
  const gradCodebook = new Float64Array(k * dim);
  const gradInputs = new Float64Array(n * dim);
  let sq = 0;
  for (let r = 0; r < n; r++) {
    const code = c[r]!;
    if (!Number.isInteger(code) || code < 0 || code >= k) throw new RangeError(`vqLosses: code ${code} at ${r} is not in 0..${k - 1}`);
    for (let j = 0; j < dim; j++) {
      const diff = x[r * dim + j]! - codebook[code * dim + j]!;
      sq += diff * diff;
      gradCodebook[code * dim + j] = gradCodebook[code * dim + j]! - (2 * diff) / n;
      gradInputs[r * dim + j] = (2 * beta * diff) / n;
    }
  }
  return { codebookLoss: sq / n, commitmentLoss: (beta * sq) / n, gradCodebook, gradInputs };
}

export interface EmaState {
  k: number;
  dim: number;
  /** e, [K, D]. */
  codebook: Float64Array;
  /** N_k, the moving-average assignment counts, [K]. */
  clusterSize: Float64Array;
  /** m_k, the moving-average sums of assigned inputs, [K, D]. */
  embedSum: Float64Array;
}

/** EMA state for a starting codebook [K, D]: N_k = initialCount (default 1), m_k = initialCount · e_k. */
export function createEmaState(codebook: ArrayLike<number>, dim: number, initialCount = 1): EmaState {
  const k = rows(codebook, dim, 'createEmaState');
  if (!(initialCount > 0)) throw new RangeError(`createEmaState: initialCount must be > 0, got ${initialCount}`);
  const cb = Float64Array.from(codebook);
  return { k, dim, codebook: cb, clusterSize: new Float64Array(k).fill(initialCount), embedSum: cb.map((v) => v * initialCount) };
}

export interface EmaOptions {
  /** γ (default 0.99). */
  decay?: number;
  /** ε of the Laplace smoothing (default 1e-5). */
  epsilon?: number;
}

/** One EMA codebook update from inputs x [N, D] and their codes (returns a new state). */
export function emaUpdate(state: EmaState, x: ArrayLike<number>, codes: ArrayLike<number>, options: EmaOptions = {}): EmaState {
  const { k, dim } = state;
  const n = rows(x, dim, 'emaUpdate');
  if (codes.length !== n) throw new RangeError(`emaUpdate: ${codes.length} codes for ${n} inputs`);
  const decay = options.decay ?? 0.99;
  const eps = options.epsilon ?? 1e-5;
  if (!(decay >= 0 && decay < 1)) throw new RangeError(`emaUpdate: decay must be in [0, 1), got ${decay}`);
  const counts = new Float64Array(k);
  const sums = new Float64Array(k * dim);
  for (let r = 0; r < n; r++) {
    const c = codes[r]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new RangeError(`emaUpdate: code ${c} at ${r} is not in 0..${k - 1}`);
    counts[c] = counts[c]! + 1;
    for (let j = 0; j < dim; j++) sums[c * dim + j] = sums[c * dim + j]! + x[r * dim + j]!;
  }
  const clusterSize = new Float64Array(k);
  const embedSum = new Float64Array(k * dim);
  let total = 0;
  for (let c = 0; c < k; c++) {
    clusterSize[c] = decay * state.clusterSize[c]! + (1 - decay) * counts[c]!;
    total += clusterSize[c]!;
    for (let j = 0; j < dim; j++) embedSum[c * dim + j] = decay * state.embedSum[c * dim + j]! + (1 - decay) * sums[c * dim + j]!;
  }
  const codebook = new Float64Array(k * dim);
  for (let c = 0; c < k; c++) {
    const smoothed = ((clusterSize[c]! + eps) / (total + k * eps)) * total;
    for (let j = 0; j < dim; j++) codebook[c * dim + j] = smoothed > 0 ? embedSum[c * dim + j]! / smoothed : state.codebook[c * dim + j]!;
  }
  return { k, dim, codebook, clusterSize, embedSum };
}

export interface RestartOptions {
  /** A code is dead when its EMA count N_k is below this (default 0.01). */
  threshold?: number;
  /** Per-code counts to judge by instead of N_k (e.g. usage over the last epoch); dead when below threshold. */
  usage?: ArrayLike<number>;
  /** Source of the random choice of inputs (default mulberry32(seed)). */
  rng?: Rng;
  seed?: number;
  /** Count given to a restarted code (default 1). */
  initialCount?: number;
}

/**
 * Re-seeds dead codes on randomly chosen inputs of x [N, D] (distinct inputs while there are enough).
 * Returns a new state and the indices restarted.
 */
export function restartDeadCodes(state: EmaState, x: ArrayLike<number>, options: RestartOptions = {}): { state: EmaState; restarted: number[] } {
  const { k, dim } = state;
  const n = rows(x, dim, 'restartDeadCodes');
  const threshold = options.threshold ?? 0.01;
  const usage = options.usage ?? state.clusterSize;
  if (usage.length !== k) throw new RangeError(`restartDeadCodes: ${usage.length} usage values for ${k} codes`);
  const init = options.initialCount ?? 1;
  const rng = options.rng ?? mulberry32(options.seed ?? 1);
  const dead: number[] = [];
  for (let c = 0; c < k; c++) if (usage[c]! < threshold) dead.push(c);
  const out: EmaState = { k, dim, codebook: Float64Array.from(state.codebook), clusterSize: Float64Array.from(state.clusterSize), embedSum: Float64Array.from(state.embedSum) };
  if (dead.length === 0 || n === 0) return { state: out, restarted: [] };
  // A partial Fisher–Yates shuffle of the input indices gives distinct picks (reused in rounds when
  // there are more dead codes than inputs).
  const order = Int32Array.from({ length: n }, (_, i) => i);
  dead.forEach((c, i) => {
    const slot = i % n;
    const pick = slot + Math.floor(rng() * (n - slot));
    const tmp = order[slot]!;
    order[slot] = order[pick]!;
    order[pick] = tmp;
    const r = order[slot]!;
    for (let j = 0; j < dim; j++) {
      out.codebook[c * dim + j] = x[r * dim + j]!;
      out.embedSum[c * dim + j] = init * x[r * dim + j]!;
    }
    out.clusterSize[c] = init;
  });
  return { state: out, restarted: dead };
}

export interface CodeUsage {
  /** n_k. */
  counts: Float64Array;
  /** p_k = n_k / N. */
  probs: Float64Array;
  /** H = −Σ p_k log p_k, nats. */
  entropy: number;
  /** exp H: K for uniform use, 1 when one code takes everything. */
  perplexity: number;
  /** Codes never used. */
  unused: number[];
}

/** Usage statistics of codes in 0..K−1. */
export function codeUsage(codes: ArrayLike<number>, k: number): CodeUsage {
  const counts = new Float64Array(k);
  for (let r = 0; r < codes.length; r++) {
    const c = codes[r]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new RangeError(`codeUsage: code ${c} at ${r} is not in 0..${k - 1}`);
    counts[c] = counts[c]! + 1;
  }
  const n = codes.length;
  const probs = counts.map((v) => (n > 0 ? v / n : 0));
  let h = 0;
  for (const p of probs) if (p > 0) h -= p * Math.log(p);
  const unused: number[] = [];
  counts.forEach((v, i) => {
    if (v === 0) unused.push(i);
  });
  return { counts, probs, entropy: h, perplexity: Math.exp(h), unused };
}

/** −log p̂(k) per code with p̂(k) = (n_k + 1)/(N + K): rare codes score high, unseen ones log(N + K). */
export function codeRarity(counts: ArrayLike<number>): Float64Array {
  const k = counts.length;
  let n = 0;
  for (let c = 0; c < k; c++) {
    if (!(counts[c]! >= 0)) throw new RangeError(`codeRarity: count ${c} is ${counts[c]}`);
    n += counts[c]!;
  }
  const out = new Float64Array(k);
  for (let c = 0; c < k; c++) out[c] = -Math.log((counts[c]! + 1) / (n + k));
  return out;
}

/** The rarity score of each code in `codes` under reference usage `counts` (e.g. from the training frames). */
export function rarityScores(codes: ArrayLike<number>, counts: ArrayLike<number>): Float64Array {
  const table = codeRarity(counts);
  const out = new Float64Array(codes.length);
  for (let r = 0; r < codes.length; r++) {
    const c = codes[r]!;
    if (!Number.isInteger(c) || c < 0 || c >= table.length) throw new RangeError(`rarityScores: code ${c} at ${r} is not in 0..${table.length - 1}`);
    out[r] = table[c]!;
  }
  return out;
}

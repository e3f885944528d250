/**
 * A Gaussian-mixture prior over the latent space (seed note 000: the mixture VAE's p(z|c) p(c)),
 * with diagonal covariances, fitted by EM-style updates from sampled latent codes z.
 *
 *   p(z)            = Σ_k π_k N(z; m_k, diag s_k²)
 *   log p(z)        = logSumExp_k [ log π_k − ½ Σ_j ( log 2π + log s²_kj + (z_j − m_kj)² / s²_kj ) ]
 *   q(c = k | z)    = r_k(z) = π_k N(z; m_k, s_k²) / p(z)                      (E-step: responsibilities)
 *   ∇_z log p(z)    = −Σ_k r_k(z) (z − m_k) / s_k²                              (element-wise)
 *
 * M-step from N codes z_n with responsibilities r_nk (seed note 000's update, diagonal):
 *   N_k = Σ_n r_nk,   π_k = N_k / N,   m_k = Σ_n r_nk z_n / N_k,
 *   s²_kj = max( floor, Σ_n r_nk (z_nj − m_kj)² / N_k )
 * The floor keeps a component from collapsing onto one code (where the likelihood is unbounded); per
 * dimension the clamped value is still the constrained maximizer, so EM stays monotone.
 *
 * Semi-supervised: frames with a known class c_n get fixed one-hot responsibilities r_n = one_hot(c_n);
 * the objective EM then increases is Σ_{unlabelled} log p(z_n) + Σ_{labelled} log π_{c_n} N(z_n; m_{c_n}, s²_{c_n}).
 *
 * Also the KL between diagonal Gaussians, for the mixture VAE's Σ_c q(c|z) KL(q(z|x) ‖ p(z|c)) term:
 *   KL(N(μ, σ²) ‖ N(m, s²)) = ½ Σ_j [ log s²_j − log σ²_j + (σ²_j + (μ_j − m_j)²) / s²_j − 1 ]
 *
 * Plain Float64Array math; sets of codes are row-major [N, D], means and variances [K, D].
 */
import { LOG_2PI, logSumExp, mulberry32, standardNormal, type Rng } from './numeric.js';

export interface DiagGmm {
  /** Number of components K. */
  k: number;
  /** Latent dimension D. */
  dim: number;
  /** π, [K], positive, sums to 1. */
  weights: Float64Array;
  /** m, row-major [K, D]. */
  means: Float64Array;
  /** s², row-major [K, D], positive. */
  vars: Float64Array;
}

/** Builds and validates a mixture (copies the arrays). */
export function createGmm(weights: ArrayLike<number>, means: ArrayLike<number>, vars: ArrayLike<number>): DiagGmm {
  const k = weights.length;
  if (k < 1) throw new RangeError('createGmm: need at least one component');
  if (means.length % k !== 0 || means.length === 0) throw new RangeError(`createGmm: ${means.length} mean values for ${k} components`);
  const dim = means.length / k;
  if (vars.length !== k * dim) throw new RangeError(`createGmm: ${vars.length} variances, need K·D = ${k * dim}`);
  let s = 0;
  for (let i = 0; i < k; i++) {
    if (!(weights[i]! >= 0)) throw new RangeError(`createGmm: weight ${i} is ${weights[i]}`);
    s += weights[i]!;
  }
  if (Math.abs(s - 1) > 1e-6) throw new RangeError(`createGmm: weights sum to ${s}, not 1`);
  for (let i = 0; i < vars.length; i++) if (!(vars[i]! > 0)) throw new RangeError(`createGmm: variance ${i} is ${vars[i]}`);
  return { k, dim, weights: Float64Array.from(weights), means: Float64Array.from(means), vars: Float64Array.from(vars) };
}

/** log π_k − ½ Σ_j (log 2π + log s²_kj) per component: the z-independent part of the log joint. */
function componentConstants(g: DiagGmm): Float64Array {
  const c = new Float64Array(g.k);
  for (let k = 0; k < g.k; k++) {
    let s = 0;
    for (let j = 0; j < g.dim; j++) s += LOG_2PI + Math.log(g.vars[k * g.dim + j]!);
    c[k] = Math.log(g.weights[k]!) - 0.5 * s;
  }
  return c;
}

function logJointInto(g: DiagGmm, consts: Float64Array, z: ArrayLike<number>, offset: number, out: Float64Array): void {
  for (let k = 0; k < g.k; k++) {
    let q = 0;
    for (let j = 0; j < g.dim; j++) {
      const d = z[offset + j]! - g.means[k * g.dim + j]!;
      q += (d * d) / g.vars[k * g.dim + j]!;
    }
    out[k] = consts[k]! - 0.5 * q;
  }
}

/** log π_k + log N(z; m_k, diag s_k²) for each component k, for z = v[offset .. offset+D). */
export function componentLogJoint(g: DiagGmm, v: ArrayLike<number>, offset = 0): Float64Array {
  const out = new Float64Array(g.k);
  logJointInto(g, componentConstants(g), v, offset, out);
  return out;
}

/** log p(z) = logSumExp_k (log π_k + log N(z; m_k, diag s_k²)). */
export function gmmLogDensity(g: DiagGmm, v: ArrayLike<number>, offset = 0): number {
  return logSumExp(componentLogJoint(g, v, offset));
}

/** ∇_z log p(z) = −Σ_k r_k(z) (z − m_k) / s_k², [D]. */
export function gmmLogDensityGrad(g: DiagGmm, v: ArrayLike<number>, offset = 0): Float64Array {
  const lj = componentLogJoint(g, v, offset);
  const lse = logSumExp(lj);
  const grad = new Float64Array(g.dim);
  for (let k = 0; k < g.k; k++) {
    const r = Math.exp(lj[k]! - lse);
    for (let j = 0; j < g.dim; j++) grad[j] = grad[j]! - (r * (v[offset + j]! - g.means[k * g.dim + j]!)) / g.vars[k * g.dim + j]!;
  }
  return grad;
}

/** True when labels[n] names a class (an integer in 0..K−1); anything else (−1, NaN) is unlabelled. */
function labelOf(labels: ArrayLike<number> | undefined, n: number, k: number): number {
  if (!labels) return -1;
  const c = labels[n]!;
  if (c === -1 || Number.isNaN(c)) return -1;
  if (!Number.isInteger(c) || c < 0 || c >= k) throw new RangeError(`label ${c} at row ${n} is not in 0..${k - 1} (use −1 for unlabelled)`);
  return c;
}

function rowCount(zs: ArrayLike<number>, dim: number, what: string): number {
  if (!Number.isInteger(dim) || dim < 1 || zs.length % dim !== 0) throw new RangeError(`${what}: ${zs.length} values is not a multiple of D = ${dim}`);
  return zs.length / dim;
}

export interface EStep {
  /** r_nk, row-major [N, K]; one-hot for labelled rows. */
  resp: Float64Array;
  /**
   * Σ_n log p(z_n) over unlabelled rows plus Σ_n log π_c N(z_n; m_c, s_c²) over labelled rows: the
   * objective EM increases (the plain log-likelihood when nothing is labelled).
   */
  logLik: number;
}

/**
 * E-step: responsibilities q(c = k | z_n) for row-major codes [N, D]. `labels` (optional, [N]) fixes
 * labelled rows to one-hot; −1 or NaN marks an unlabelled row.
 */
export function responsibilities(g: DiagGmm, zs: ArrayLike<number>, labels?: ArrayLike<number>): EStep {
  const n = rowCount(zs, g.dim, 'responsibilities');
  if (labels && labels.length !== n) throw new RangeError(`responsibilities: ${labels.length} labels for ${n} rows`);
  const consts = componentConstants(g);
  const resp = new Float64Array(n * g.k);
  const lj = new Float64Array(g.k);
  let logLik = 0;
  for (let r = 0; r < n; r++) {
    logJointInto(g, consts, zs, r * g.dim, lj);
    const c = labelOf(labels, r, g.k);
    if (c >= 0) {
      resp[r * g.k + c] = 1;
      logLik += lj[c]!;
      continue;
    }
    const lse = logSumExp(lj);
    logLik += lse;
    for (let k = 0; k < g.k; k++) resp[r * g.k + k] = Math.exp(lj[k]! - lse);
  }
  return { resp, logLik };
}

/** Σ_n log p(z_n) (with labelled rows counted as log p(z_n, c_n)). */
export function gmmLogLikelihood(g: DiagGmm, zs: ArrayLike<number>, labels?: ArrayLike<number>): number {
  return responsibilities(g, zs, labels).logLik;
}

export interface MStepOptions {
  /** Lower bound on every variance s²_kj (default 1e-4). */
  varFloor?: number;
  /** Used for a component with (almost) no responsibility: it keeps these parameters. Otherwise it gets the global mean and variance. */
  previous?: DiagGmm;
}

/**
 * M-step: π, m, s² from responsibility-weighted statistics of the codes (row-major [N, D]) and
 * responsibilities (row-major [N, K]). See the module comment for the formulas.
 */
export function mStep(zs: ArrayLike<number>, resp: ArrayLike<number>, k: number, dim: number, options: MStepOptions = {}): DiagGmm {
  const n = rowCount(zs, dim, 'mStep');
  if (resp.length !== n * k) throw new RangeError(`mStep: ${resp.length} responsibilities, need N·K = ${n * k}`);
  if (n === 0) throw new RangeError('mStep: no codes');
  const floor = options.varFloor ?? 1e-4;
  if (!(floor > 0)) throw new RangeError(`mStep: varFloor must be > 0, got ${floor}`);
  const prev = options.previous;
  if (prev && (prev.k !== k || prev.dim !== dim)) throw new RangeError('mStep: previous mixture has a different shape');
  const nk = new Float64Array(k);
  const means = new Float64Array(k * dim);
  const vars = new Float64Array(k * dim);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      const w = resp[r * k + c]!;
      if (w === 0) continue;
      nk[c] = nk[c]! + w;
      for (let j = 0; j < dim; j++) means[c * dim + j] = means[c * dim + j]! + w * zs[r * dim + j]!;
    }
  }
  let total = 0;
  for (let c = 0; c < k; c++) total += nk[c]!;
  const empty = (c: number): boolean => nk[c]! <= 1e-12 * Math.max(1, total);
  for (let c = 0; c < k; c++) if (!empty(c)) for (let j = 0; j < dim; j++) means[c * dim + j] = means[c * dim + j]! / nk[c]!;
  // Second pass, centred at the new means (numerically better than E[z²] − m²).
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      const w = resp[r * k + c]!;
      if (w === 0) continue;
      for (let j = 0; j < dim; j++) {
        const d = zs[r * dim + j]! - means[c * dim + j]!;
        vars[c * dim + j] = vars[c * dim + j]! + w * d * d;
      }
    }
  }
  let global: { mean: Float64Array; var: Float64Array } | null = null;
  const weights = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    weights[c] = nk[c]! / total;
    if (!empty(c)) {
      for (let j = 0; j < dim; j++) vars[c * dim + j] = Math.max(floor, vars[c * dim + j]! / nk[c]!);
      continue;
    }
    if (prev) {
      for (let j = 0; j < dim; j++) {
        means[c * dim + j] = prev.means[c * dim + j]!;
        vars[c * dim + j] = Math.max(floor, prev.vars[c * dim + j]!);
      }
    } else {
      global ??= globalStats(zs, n, dim);
      for (let j = 0; j < dim; j++) {
        means[c * dim + j] = global.mean[j]!;
        vars[c * dim + j] = Math.max(floor, global.var[j]!);
      }
    }
  }
  return { k, dim, weights, means, vars };
}

function globalStats(zs: ArrayLike<number>, n: number, dim: number): { mean: Float64Array; var: Float64Array } {
  const mean = new Float64Array(dim);
  const v = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) mean[j] = mean[j]! + zs[r * dim + j]! / n;
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) v[j] = v[j]! + (zs[r * dim + j]! - mean[j]!) ** 2 / n;
  return { mean, var: v };
}

export interface EmOptions extends Omit<MStepOptions, 'previous'> {
  /** Class per row (−1 / NaN for unlabelled): the semi-supervised variant. */
  labels?: ArrayLike<number>;
}

/** One EM iteration: E-step under `g`, then the M-step. `logLik` is the objective under `g` (before the update). */
export function emStep(g: DiagGmm, zs: ArrayLike<number>, options: EmOptions = {}): { gmm: DiagGmm; logLik: number; resp: Float64Array } {
  const { resp, logLik } = responsibilities(g, zs, options.labels);
  const gmm = mStep(zs, resp, g.k, g.dim, { varFloor: options.varFloor, previous: g });
  return { gmm, logLik, resp };
}

export interface FitOptions extends EmOptions {
  /** Most EM iterations (default 100). */
  iterations?: number;
  /** Stop when the objective rises by less than this (absolute, nats; default 1e-8 · N). */
  tolerance?: number;
}

/** Runs EM from `init`; `history` holds the objective before each iteration and after the last one. */
export function fitGmm(init: DiagGmm, zs: ArrayLike<number>, options: FitOptions = {}): { gmm: DiagGmm; history: number[]; iterations: number } {
  const iterations = options.iterations ?? 100;
  const n = rowCount(zs, init.dim, 'fitGmm');
  const tol = options.tolerance ?? 1e-8 * n;
  let g = init;
  const history: number[] = [];
  let it = 0;
  for (; it < iterations; it++) {
    const step = emStep(g, zs, options);
    history.push(step.logLik);
    g = step.gmm;
    if (history.length >= 2 && history[history.length - 1]! - history[history.length - 2]! < tol) {
      it++;
      break;
    }
  }
  history.push(gmmLogLikelihood(g, zs, options.labels));
  return { gmm: g, history, iterations: it };
}

/**
 * A starting mixture: means by k-means++ seeding (the first a random code, each next one drawn with
 * probability ∝ squared distance to the nearest chosen mean), every variance the global per-dimension
 * variance (at least `varFloor`), equal weights.
 */
export function initGmm(zs: ArrayLike<number>, k: number, dim: number, rngOrSeed: Rng | number = 1, varFloor = 1e-4): DiagGmm {
  const n = rowCount(zs, dim, 'initGmm');
  if (n < 1 || !Number.isInteger(k) || k < 1) throw new RangeError(`initGmm: need codes and K ≥ 1 (N = ${n}, K = ${k})`);
  const rng = typeof rngOrSeed === 'number' ? mulberry32(rngOrSeed) : rngOrSeed;
  const means = new Float64Array(k * dim);
  const d2 = new Float64Array(n).fill(Infinity);
  let pick = Math.floor(rng() * n);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < dim; j++) means[c * dim + j] = zs[pick * dim + j]!;
    let total = 0;
    for (let r = 0; r < n; r++) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += (zs[r * dim + j]! - means[c * dim + j]!) ** 2;
      d2[r] = Math.min(d2[r]!, d);
      total += d2[r]!;
    }
    if (total <= 0) {
      pick = Math.floor(rng() * n);
      continue;
    }
    let u = rng() * total;
    pick = n - 1;
    for (let r = 0; r < n; r++) {
      u -= d2[r]!;
      if (u < 0) {
        pick = r;
        break;
      }
    }
  }
  const { var: v } = globalStats(zs, n, dim);
  const vars = new Float64Array(k * dim);
  for (let c = 0; c < k; c++) for (let j = 0; j < dim; j++) vars[c * dim + j] = Math.max(varFloor, v[j]!);
  return { k, dim, weights: new Float64Array(k).fill(1 / k), means, vars };
}

/** N draws from the mixture: codes row-major [N, D] and the component each came from. */
export function sampleGmm(g: DiagGmm, n: number, rngOrSeed: Rng | number = 1): { z: Float64Array; labels: Int32Array } {
  const rng = typeof rngOrSeed === 'number' ? mulberry32(rngOrSeed) : rngOrSeed;
  const z = new Float64Array(n * g.dim);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let u = rng();
    let c = g.k - 1;
    for (let k = 0; k < g.k; k++) {
      u -= g.weights[k]!;
      if (u < 0) {
        c = k;
        break;
      }
    }
    labels[r] = c;
    for (let j = 0; j < g.dim; j++) z[r * g.dim + j] = g.means[c * g.dim + j]! + Math.sqrt(g.vars[c * g.dim + j]!) * standardNormal(rng);
  }
  return { z, labels };
}

/** KL(N(μ, diag e^{logvar}) ‖ N(m, diag s²)) in nats (all arrays [D]). */
export function klDiagGaussian(mu: ArrayLike<number>, logvar: ArrayLike<number>, m: ArrayLike<number>, s2: ArrayLike<number>): number {
  const d = mu.length;
  if (logvar.length !== d || m.length !== d || s2.length !== d) throw new RangeError('klDiagGaussian: arrays differ in length');
  let kl = 0;
  for (let j = 0; j < d; j++) {
    const v = Math.exp(logvar[j]!);
    kl += Math.log(s2[j]!) - logvar[j]! + (v + (mu[j]! - m[j]!) ** 2) / s2[j]! - 1;
  }
  return 0.5 * kl;
}

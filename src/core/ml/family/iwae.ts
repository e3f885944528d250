/**
 * The importance-weighted bound on log p(x) (Burda, Grosse & Salakhutdinov 2016, "IWAE"), for a VAE
 * with a standard-normal prior and a diagonal-Gaussian encoder q(z|x) = N(μ, diag exp(log σ²)):
 *
 *   z_k   = μ + σ ⊙ ε_k,  ε_k ~ N(0, I),  k = 1..K                       (reparameterized draws)
 *   log w_k = log p(x|z_k) + log N(z_k; 0, I) − log N(z_k; μ, diag σ²)
 *   L̂_K   = log (1/K) Σ_k w_k = logSumExp_k(log w_k) − log K            (stable: never exponentiates a large number)
 *
 *   log N(z; 0, I)      = −½ Σ_j ( log 2π + z_j² )
 *   log N(z; μ, diag σ²) = −½ Σ_j ( log 2π + log σ²_j + (z_j − μ_j)² / σ²_j ) = −½ Σ_j ( log 2π + log σ²_j + ε_j² )
 *
 * Properties (all in expectation over the draws): L_1 is the ELBO; L_K ≤ L_{K+1} ≤ log p(x); L_K → log p(x)
 * as K → ∞ when the weights have finite variance. For one fixed set of draws, L̂_K ≥ (1/K) Σ_k log w_k
 * (Jensen), the K-sample average ELBO estimate. The gradient of L̂_K with respect to log w_k is the
 * normalized importance weight w̃_k = w_k / Σ_j w_j, so a training loss −L̂_K weights each sample's
 * ELBO gradient by w̃_k; the effective sample size 1 / Σ_k w̃_k² says how many draws really count.
 *
 * Everything is plain Float64Array math; the decoder is a callback so a tfjs or ONNX model can sit
 * behind it.
 */
import { LOG_2PI, logSumExp, mulberry32, standardNormals, type Rng } from './numeric.js';

/**
 * The decoder's log-likelihood log p(x | z_k) for each of `count` latent draws, given as one row-major
 * [count, latentDim] array (batched so a network can decode them together). Returns `count` values, nats.
 */
export type LogLikelihoodFn = (z: Float64Array, count: number, latentDim: number) => ArrayLike<number>;

/** Adapts a one-draw-at-a-time log p(x|z) to the batched callback. */
export function perSample(fn: (z: Float64Array, index: number) => number): LogLikelihoodFn {
  return (z, count, latentDim) => {
    const out = new Float64Array(count);
    for (let k = 0; k < count; k++) out[k] = fn(z.subarray(k * latentDim, (k + 1) * latentDim), k);
    return out;
  };
}

/** log N(z; 0, I) = −½ Σ_j (log 2π + z_j²) for z = v[offset .. offset+dim). */
export function logStdNormal(v: ArrayLike<number>, offset = 0, dim = v.length - offset): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += v[offset + j]! ** 2;
  return -0.5 * (dim * LOG_2PI + s);
}

/** log N(z; μ, diag exp(logvar)) = −½ Σ_j (log 2π + logvar_j + (z_j − μ_j)² e^{−logvar_j}), z = v[offset .. offset+L). */
export function logDiagNormal(v: ArrayLike<number>, mu: ArrayLike<number>, logvar: ArrayLike<number>, offset = 0): number {
  let s = 0;
  for (let j = 0; j < mu.length; j++) {
    const d = v[offset + j]! - mu[j]!;
    s += LOG_2PI + logvar[j]! + d * d * Math.exp(-logvar[j]!);
  }
  return -0.5 * s;
}

export interface IwaeWeights {
  /** L̂_K = logSumExp(log w) − log K, nats. */
  bound: number;
  /** w̃_k = softmax(log w)_k, which is also ∂L̂_K / ∂ log w_k. */
  weights: Float64Array;
  /** Effective sample size 1 / Σ w̃_k², between 1 and K. */
  ess: number;
}

/** L̂_K, the normalized weights and the effective sample size from K log importance weights. */
export function iwaeFromLogWeights(logW: ArrayLike<number>): IwaeWeights {
  const k = logW.length;
  if (k < 1) throw new RangeError('iwaeFromLogWeights: need at least one weight');
  const lse = logSumExp(logW);
  if (!Number.isFinite(lse)) throw new RangeError(`iwaeFromLogWeights: log-sum-exp of the weights is ${lse}`);
  const weights = new Float64Array(k);
  let sq = 0;
  for (let i = 0; i < k; i++) {
    const w = Math.exp(logW[i]! - lse);
    weights[i] = w;
    sq += w * w;
  }
  return { bound: lse - Math.log(k), weights, ess: 1 / sq };
}

export interface IwaeOptions {
  /** The noise ε, row-major [K, L] (row k makes z_k); drawn from `rng` / `seed` when absent. */
  eps?: ArrayLike<number>;
  /** Source of the noise when `eps` is absent (wins over `seed`). */
  rng?: Rng;
  /** Seed for a fresh mulberry32 stream when neither `eps` nor `rng` is given (default 1). */
  seed?: number;
}

export interface IwaeEstimate extends IwaeWeights {
  /** (1/K) Σ_k log w_k: the single-sample ELBO estimate averaged over the same K draws (≤ bound). */
  elbo: number;
  /** log w_k per draw. */
  logWeights: Float64Array;
  /** log p(x | z_k), log N(z_k; 0, I) and log q(z_k | x) per draw. */
  logLik: Float64Array;
  logPrior: Float64Array;
  logQ: Float64Array;
  /** The draws, row-major [K, L]. */
  z: Float64Array;
}

/**
 * The K-sample importance-weighted estimate L̂_K of log p(x) for one example with encoder output
 * μ, log σ² (each of length L) and decoder log-likelihood `logLik`. K = 1 gives the usual
 * single-sample ELBO estimate log p(x|z) + log p(z) − log q(z|x).
 */
export function iwaeEstimate(
  mu: ArrayLike<number>,
  logvar: ArrayLike<number>,
  k: number,
  logLik: LogLikelihoodFn,
  options: IwaeOptions = {},
): IwaeEstimate {
  const L = mu.length;
  if (logvar.length !== L) throw new RangeError(`iwaeEstimate: μ has ${L} values, log σ² ${logvar.length}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`iwaeEstimate: K must be a positive integer, got ${k}`);
  let eps: ArrayLike<number>;
  if (options.eps) {
    if (options.eps.length !== k * L) throw new RangeError(`iwaeEstimate: eps has ${options.eps.length} values, need K·L = ${k * L}`);
    eps = options.eps;
  } else {
    eps = standardNormals(k * L, options.rng ?? mulberry32(options.seed ?? 1));
  }
  const z = new Float64Array(k * L);
  const logQ = new Float64Array(k);
  const logPrior = new Float64Array(k);
  let logDetPart = 0;
  for (let j = 0; j < L; j++) logDetPart += LOG_2PI + logvar[j]!;
  for (let i = 0; i < k; i++) {
    let e2 = 0;
    for (let j = 0; j < L; j++) {
      const e = eps[i * L + j]!;
      e2 += e * e;
      z[i * L + j] = mu[j]! + Math.exp(0.5 * logvar[j]!) * e;
    }
    logQ[i] = -0.5 * (logDetPart + e2);
    logPrior[i] = logStdNormal(z, i * L, L);
  }
  const ll = logLik(z, k, L);
  if (ll.length !== k) throw new RangeError(`iwaeEstimate: the log-likelihood callback returned ${ll.length} values for ${k} draws`);
  const logLikArr = Float64Array.from(ll);
  const logWeights = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    logWeights[i] = logLikArr[i]! + logPrior[i]! - logQ[i]!;
    sum += logWeights[i]!;
  }
  const w = iwaeFromLogWeights(logWeights);
  return { ...w, elbo: sum / k, logWeights, logLik: logLikArr, logPrior, logQ, z };
}

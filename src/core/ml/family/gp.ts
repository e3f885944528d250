/**
 * Gaussian-process regression over time for latent trajectories (seed note 001, "Variational
 * Auto-encoded Regression": a GP over the latent space), one latent dimension at a time, with a
 * constant prior mean m and the squared-exponential kernel plus white noise:
 *
 *   k(t, t')  = σ_f² exp( −(t − t')² / (2ℓ²) )  +  σ_n² [t = t']         (noise only on the training diagonal)
 *   K         = k(T, T) + σ_n² I,  L Lᵀ = K  (Cholesky),  α = K⁻¹ (y − m)
 *
 * Posterior at query times t* (k* = k_SE(T, t*)):
 *   mean*     = m + k*ᵀ α
 *   var f*    = σ_f² − vᵀ v,   v = L⁻¹ k*                                   (latent function)
 *   var y*    = var f* + σ_n²                                               (a new noisy observation)
 *
 * Log marginal likelihood (Rasmussen & Williams eq. 2.30), and its gradient in θ = log hyperparameter:
 *   log p(y | T, θ) = −½ (y − m)ᵀ α − Σ_i log L_ii − (n/2) log 2π
 *   ∂/∂θ            = ½ tr( (α αᵀ − K⁻¹) ∂K/∂θ )
 *   ∂K/∂log ℓ       = σ_f² exp(−r²/2ℓ²) · r²/ℓ²,   ∂K/∂log σ_f² = k_SE,   ∂K/∂log σ_n² = σ_n² I   (r = t − t')
 * With several series sharing the hyperparameters (one per latent dimension) the terms add up.
 *
 * Leave-one-out prediction in closed form (R&W eq. 5.12), from one inverse instead of n refits:
 *   μ₋ᵢ = y_i − [K⁻¹(y − m)]_i / [K⁻¹]_ii,   σ²₋ᵢ = 1 / [K⁻¹]_ii              (var of y_i given the rest, noise included)
 *   residual_i = y_i − μ₋ᵢ = [K⁻¹(y − m)]_i / [K⁻¹]_ii
 *   standardized z_i = residual_i / σ₋ᵢ = [K⁻¹(y − m)]_i / √[K⁻¹]_ii            (≈ N(0, 1) where the model holds)
 * A frame that jumps away from a smooth trajectory gets a large |z|: that is the change score.
 *
 * Cost: O(n³) time and O(n²) memory in the number of frames; run it over windows for long videos.
 * Plain Float64Array math (row-major n×n matrices).
 */
import { LOG_2PI } from './numeric.js';

export interface GpHyper {
  /** ℓ, in the units of t (frames or seconds). */
  lengthScale: number;
  /** σ_f², the signal variance. */
  signalVar: number;
  /** σ_n², the observation-noise variance (also keeps K well conditioned). */
  noiseVar: number;
  /** m, the constant prior mean (default 0). */
  mean?: number;
}

function checkHyper(h: GpHyper): void {
  if (!(h.lengthScale > 0) || !(h.signalVar > 0) || !(h.noiseVar >= 0) || !Number.isFinite(h.mean ?? 0))
    throw new RangeError(`GP hyperparameters must be positive (ℓ = ${h.lengthScale}, σ_f² = ${h.signalVar}, σ_n² = ${h.noiseVar})`);
}

/** The squared-exponential part σ_f² exp(−(a − b)²/(2ℓ²)) (no noise). */
export function seKernel(a: number, b: number, h: GpHyper): number {
  const r = a - b;
  return h.signalVar * Math.exp((-0.5 * r * r) / (h.lengthScale * h.lengthScale));
}

/** K = k_SE(T, T) (+ σ_n² I when `withNoise`, the default), row-major n×n. */
export function kernelMatrix(t: ArrayLike<number>, h: GpHyper, withNoise = true): Float64Array {
  const n = t.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    k[i * n + i] = h.signalVar + (withNoise ? h.noiseVar : 0);
    for (let j = 0; j < i; j++) {
      const v = seKernel(t[i]!, t[j]!, h);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  return k;
}

export class NotPositiveDefiniteError extends RangeError {
  constructor(public readonly column: number, public readonly pivot: number) {
    super(`cholesky: matrix is not positive definite (pivot ${pivot} at column ${column})`);
    this.name = 'NotPositiveDefiniteError';
  }
}

/**
 * Cholesky factor L (lower triangular, row-major n×n, zeros above the diagonal) with L Lᵀ = A for a
 * symmetric positive-definite A (only its lower triangle is read). Throws NotPositiveDefiniteError.
 */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array {
  if (a.length !== n * n) throw new RangeError(`cholesky: ${a.length} values for ${n}×${n}`);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! ** 2;
    if (!(d > 0)) throw new NotPositiveDefiniteError(j, d);
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** Solves L x = b (forward substitution) for lower-triangular L. */
export function solveLower(l: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** Solves Lᵀ x = b (back substitution) for lower-triangular L. */
export function solveUpperT(l: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** x = A⁻¹ b from the Cholesky factor of A. */
export function choleskySolve(l: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  return solveUpperT(l, n, solveLower(l, n, b));
}

/** A⁻¹ (row-major n×n, symmetric) from the Cholesky factor of A: A⁻¹ = L⁻ᵀ L⁻¹. */
export function choleskyInverse(l: ArrayLike<number>, n: number): Float64Array {
  // M = L⁻¹ (lower triangular), row by row: M_i = (e_i − Σ_{k<i} L_ik M_k) / L_ii (contiguous row updates).
  const mInv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let k = 0; k < i; k++) {
      const lik = l[oi + k]!;
      if (lik === 0) continue;
      const ok = k * n;
      for (let c = 0; c <= k; c++) mInv[oi + c] = mInv[oi + c]! - lik * mInv[ok + c]!;
    }
    const d = 1 / l[oi + i]!;
    for (let c = 0; c < i; c++) mInv[oi + c] = mInv[oi + c]! * d;
    mInv[oi + i] = d;
  }
  // A⁻¹ = Mᵀ M: (A⁻¹)_ij = Σ_k M_ki M_kj, accumulated one row of M at a time into the lower triangle.
  const inv = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const ok = k * n;
    for (let i = 0; i <= k; i++) {
      const mki = mInv[ok + i]!;
      if (mki === 0) continue;
      const oi = i * n;
      for (let j = 0; j <= i; j++) inv[oi + j] = inv[oi + j]! + mki * mInv[ok + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) inv[j * n + i] = inv[i * n + j]!;
  return inv;
}

function centred(y: ArrayLike<number>, m: number): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i]! - m;
  return out;
}

function checkSeries(t: ArrayLike<number>, y: ArrayLike<number>, what: string): void {
  if (t.length !== y.length) throw new RangeError(`${what}: ${t.length} times, ${y.length} values`);
  if (t.length < 1) throw new RangeError(`${what}: no data`);
}

export interface GpPosterior {
  /** Posterior mean at each query time. */
  mean: Float64Array;
  /** Variance of the latent function f(t*) (no observation noise). */
  variance: Float64Array;
  /** Variance of a new observation y(t*) = variance + σ_n². */
  predictiveVariance: Float64Array;
}

/** Posterior mean and variances at query times `tq`, given observations y at times t. */
export function gpPosterior(t: ArrayLike<number>, y: ArrayLike<number>, tq: ArrayLike<number>, h: GpHyper): GpPosterior {
  checkSeries(t, y, 'gpPosterior');
  checkHyper(h);
  const n = t.length;
  const m = h.mean ?? 0;
  const l = cholesky(kernelMatrix(t, h), n);
  const alpha = choleskySolve(l, n, centred(y, m));
  const q = tq.length;
  const mean = new Float64Array(q);
  const variance = new Float64Array(q);
  const predictiveVariance = new Float64Array(q);
  const ks = new Float64Array(n);
  for (let s = 0; s < q; s++) {
    let mu = m;
    for (let i = 0; i < n; i++) {
      ks[i] = seKernel(tq[s]!, t[i]!, h);
      mu += ks[i]! * alpha[i]!;
    }
    const v = solveLower(l, n, ks);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += v[i]! * v[i]!;
    mean[s] = mu;
    variance[s] = Math.max(0, h.signalVar - vv);
    predictiveVariance[s] = variance[s]! + h.noiseVar;
  }
  return { mean, variance, predictiveVariance };
}

function asSeries(ys: ArrayLike<number> | readonly ArrayLike<number>[]): readonly ArrayLike<number>[] {
  if (ys.length > 0 && typeof (ys as ArrayLike<unknown>)[0] !== 'number') return ys as readonly ArrayLike<number>[];
  return [ys as ArrayLike<number>];
}

export interface LmlGrad {
  /** log p(y | T, θ), nats, summed over the series. */
  value: number;
  /** ∂/∂(log ℓ, log σ_f², log σ_n²). */
  grad: [number, number, number];
}

/**
 * The log marginal likelihood and its gradient with respect to the log hyperparameters, for one series
 * or several sharing the hyperparameters (e.g. every latent dimension of one video).
 */
export function logMarginalLikelihoodGrad(t: ArrayLike<number>, ys: ArrayLike<number> | readonly ArrayLike<number>[], h: GpHyper): LmlGrad {
  return lml(t, asSeries(ys), h, true);
}

/** log p(y | T, θ) = −½ (y − m)ᵀ K⁻¹ (y − m) − ½ log |K| − (n/2) log 2π, summed over the series. */
export function logMarginalLikelihood(t: ArrayLike<number>, ys: ArrayLike<number> | readonly ArrayLike<number>[], h: GpHyper): number {
  return lml(t, asSeries(ys), h, false).value;
}

function lml(t: ArrayLike<number>, series: readonly ArrayLike<number>[], h: GpHyper, withGrad: boolean): LmlGrad {
  checkHyper(h);
  const n = t.length;
  for (const y of series) checkSeries(t, y, 'logMarginalLikelihood');
  const m = h.mean ?? 0;
  const k = kernelMatrix(t, h);
  const l = cholesky(k, n);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += Math.log(l[i * n + i]!);
  let value = 0;
  const alphas: Float64Array[] = [];
  for (const y of series) {
    const yc = centred(y, m);
    const alpha = choleskySolve(l, n, yc);
    let quad = 0;
    for (let i = 0; i < n; i++) quad += yc[i]! * alpha[i]!;
    value += -0.5 * quad - logDet - 0.5 * n * LOG_2PI;
    alphas.push(alpha);
  }
  if (!withGrad) return { value, grad: [0, 0, 0] };
  // W = Σ_d α_d α_dᵀ − D K⁻¹, then ½ Σ_ij W_ij ∂K_ij/∂θ; both are symmetric, so the strict lower
  // triangle counts twice. k_SE(t_i, t_j) is K_ij off the diagonal and σ_f² on it.
  const w = choleskyInverse(l, n);
  const d = series.length;
  for (let i = 0; i < w.length; i++) w[i] = -d * w[i]!;
  for (const alpha of alphas) {
    for (let i = 0; i < n; i++) {
      const ai = alpha[i]!;
      for (let j = 0; j <= i; j++) w[i * n + j] = w[i * n + j]! + ai * alpha[j]!;
    }
  }
  const ell2 = h.lengthScale * h.lengthScale;
  let gEll = 0;
  let gSig = 0;
  let gNoise = 0;
  for (let i = 0; i < n; i++) {
    const wii = w[i * n + i]!;
    gSig += wii * h.signalVar;
    gNoise += wii * h.noiseVar;
    const ti = t[i]!;
    for (let j = 0; j < i; j++) {
      const wk = 2 * w[i * n + j]! * k[i * n + j]!;
      const r = ti - t[j]!;
      gEll += (wk * r * r) / ell2;
      gSig += wk;
    }
  }
  return { value, grad: [0.5 * gEll, 0.5 * gSig, 0.5 * gNoise] };
}

export interface GpBounds {
  lengthScale: [number, number];
  signalVar: [number, number];
  noiseVar: [number, number];
}

export interface GpFitOptions {
  /** Starting point; by default a few length scales are tried and the best start kept. */
  init?: GpHyper;
  /** Box constraints; defaults derived from the data (see defaultBounds). */
  bounds?: Partial<GpBounds>;
  /** Adam steps on the log hyperparameters (default 300). */
  steps?: number;
  /** Adam step size in log space (default 0.05). */
  learningRate?: number;
  /** Prior mean: 'sample' (the pooled sample mean, the default) or a number. */
  mean?: 'sample' | number;
}

export interface GpFit {
  hyper: GpHyper;
  /** log marginal likelihood at `hyper` (summed over the series). */
  logML: number;
  /** log marginal likelihood at the starting point. */
  initialLogML: number;
  steps: number;
}

/**
 * Default box for the hyperparameters from the data: ℓ between half the smallest time step and ten
 * times the time span; σ_f² between 1e-4 and 1e2 times the sample variance v; σ_n² between 1e-6·v
 * and 10·v (the lower bound also keeps K well conditioned).
 */
export function defaultBounds(t: ArrayLike<number>, sampleVar: number): GpBounds {
  const sorted = Array.from(t).sort((a, b) => a - b);
  let minStep = Infinity;
  for (let i = 1; i < sorted.length; i++) if (sorted[i]! > sorted[i - 1]!) minStep = Math.min(minStep, sorted[i]! - sorted[i - 1]!);
  const span = sorted.length > 1 ? sorted[sorted.length - 1]! - sorted[0]! : 1;
  if (!Number.isFinite(minStep)) minStep = span > 0 ? span : 1;
  const v = sampleVar > 0 ? sampleVar : 1;
  return {
    lengthScale: [0.5 * minStep, 10 * Math.max(span, minStep)],
    signalVar: [1e-4 * v, 1e2 * v],
    noiseVar: [1e-6 * v, 10 * v],
  };
}

/**
 * Fits ℓ, σ_f², σ_n² by maximizing the log marginal likelihood: Adam (ascent) on the log
 * hyperparameters with the analytic gradient, clamped to the bounds, keeping the best point seen.
 * `ys` is one series or several sharing the hyperparameters. The prior mean is held fixed.
 */
export function fitGpHyperparameters(t: ArrayLike<number>, ys: ArrayLike<number> | readonly ArrayLike<number>[], options: GpFitOptions = {}): GpFit {
  const series = asSeries(ys);
  if (series.length === 0) throw new RangeError('fitGpHyperparameters: no series');
  for (const y of series) checkSeries(t, y, 'fitGpHyperparameters');
  let total = 0;
  let count = 0;
  for (const y of series) for (let i = 0; i < y.length; i++) {
    total += y[i]!;
    count++;
  }
  const mean = options.mean === undefined || options.mean === 'sample' ? total / count : options.mean;
  let ss = 0;
  for (const y of series) for (let i = 0; i < y.length; i++) ss += (y[i]! - mean) ** 2;
  const sampleVar = ss / count;
  const b: GpBounds = { ...defaultBounds(t, sampleVar), ...options.bounds };
  const lo = [Math.log(b.lengthScale[0]), Math.log(b.signalVar[0]), Math.log(b.noiseVar[0])];
  const hi = [Math.log(b.lengthScale[1]), Math.log(b.signalVar[1]), Math.log(b.noiseVar[1])];
  for (let i = 0; i < 3; i++) if (!(lo[i]! <= hi[i]!)) throw new RangeError('fitGpHyperparameters: a lower bound is above its upper bound');
  const clamp = (x: number[]): number[] => x.map((v, i) => Math.min(hi[i]!, Math.max(lo[i]!, v)));
  const toHyper = (x: number[]): GpHyper => ({ lengthScale: Math.exp(x[0]!), signalVar: Math.exp(x[1]!), noiseVar: Math.exp(x[2]!), mean });
  const evaluate = (x: number[]): number => {
    try {
      return lml(t, series, toHyper(x), false).value;
    } catch (e) {
      if (e instanceof NotPositiveDefiniteError) return -Infinity;
      throw e;
    }
  };

  let x: number[];
  if (options.init) {
    checkHyper(options.init);
    x = clamp([Math.log(options.init.lengthScale), Math.log(options.init.signalVar), Math.log(options.init.noiseVar)]);
  } else {
    // A handful of length scales, log-spaced across the allowed range; σ_f² = v, σ_n² = v/10.
    const v = sampleVar > 0 ? sampleVar : 1;
    let best = -Infinity;
    x = clamp([0.5 * (lo[0]! + hi[0]!), Math.log(v), Math.log(v / 10)]);
    for (let s = 1; s <= 7; s++) {
      const cand = clamp([lo[0]! + ((hi[0]! - lo[0]!) * s) / 8, Math.log(v), Math.log(v / 10)]);
      const val = evaluate(cand);
      if (val > best) {
        best = val;
        x = cand;
      }
    }
  }
  const initialLogML = evaluate(x);
  let bestX = x;
  let bestVal = initialLogML;
  const steps = options.steps ?? 300;
  const lr = options.learningRate ?? 0.05;
  const m1 = [0, 0, 0];
  const m2 = [0, 0, 0];
  const beta1 = 0.9;
  const beta2 = 0.999;
  for (let s = 1; s <= steps; s++) {
    let g: LmlGrad;
    try {
      g = lml(t, series, toHyper(x), true);
    } catch (e) {
      if (!(e instanceof NotPositiveDefiniteError)) throw e;
      x = bestX; // step back to the last good point and take smaller steps from there
      for (let i = 0; i < 3; i++) m1[i] = m1[i]! / 2;
      continue;
    }
    if (g.value > bestVal) {
      bestVal = g.value;
      bestX = x;
    }
    const next = x.slice();
    for (let i = 0; i < 3; i++) {
      m1[i] = beta1 * m1[i]! + (1 - beta1) * g.grad[i]!;
      m2[i] = beta2 * m2[i]! + (1 - beta2) * g.grad[i]! ** 2;
      const mh = m1[i]! / (1 - beta1 ** s);
      const vh = m2[i]! / (1 - beta2 ** s);
      next[i] = next[i]! + (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
    x = clamp(next);
  }
  const finalVal = evaluate(x);
  if (finalVal > bestVal) {
    bestVal = finalVal;
    bestX = x;
  }
  return { hyper: toHyper(bestX), logML: bestVal, initialLogML, steps };
}

export interface LooResult {
  /** μ₋ᵢ, the prediction of y_i from all the other points. */
  mean: Float64Array;
  /** σ²₋ᵢ = 1/[K⁻¹]_ii, its predictive variance (noise included). */
  variance: Float64Array;
  /** y_i − μ₋ᵢ = [K⁻¹(y − m)]_i / [K⁻¹]_ii. */
  residual: Float64Array;
  /** (y_i − μ₋ᵢ)/σ₋ᵢ = [K⁻¹(y − m)]_i / √[K⁻¹]_ii: the standardized residual, the change score. */
  z: Float64Array;
  /** log N(y_i; μ₋ᵢ, σ²₋ᵢ), the leave-one-out log predictive density. */
  logPredictive: Float64Array;
}

/** Leave-one-out predictions and standardized residuals in closed form (one Cholesky, one inverse). */
export function looResiduals(t: ArrayLike<number>, y: ArrayLike<number>, h: GpHyper): LooResult {
  checkSeries(t, y, 'looResiduals');
  checkHyper(h);
  const n = t.length;
  const m = h.mean ?? 0;
  const l = cholesky(kernelMatrix(t, h), n);
  const kinv = choleskyInverse(l, n);
  const alpha = choleskySolve(l, n, centred(y, m));
  const out: LooResult = {
    mean: new Float64Array(n),
    variance: new Float64Array(n),
    residual: new Float64Array(n),
    z: new Float64Array(n),
    logPredictive: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const d = kinv[i * n + i]!;
    out.residual[i] = alpha[i]! / d;
    out.mean[i] = y[i]! - out.residual[i]!;
    out.variance[i] = 1 / d;
    out.z[i] = alpha[i]! / Math.sqrt(d);
    out.logPredictive[i] = -0.5 * (LOG_2PI - Math.log(d) + out.z[i]! ** 2);
  }
  return out;
}

/**
 * For several latent dimensions (each with its own hyperparameters, or one set shared): Σ_d z_{d,i}²
 * per time i, which is χ²-distributed with D degrees of freedom where the model holds.
 */
export function looChiSquare(t: ArrayLike<number>, ys: readonly ArrayLike<number>[], h: GpHyper | readonly GpHyper[]): Float64Array {
  const out = new Float64Array(t.length);
  ys.forEach((y, d) => {
    const hd = Array.isArray(h) ? (h as readonly GpHyper[])[d] : (h as GpHyper);
    if (!hd) throw new RangeError(`looChiSquare: no hyperparameters for series ${d}`);
    const { z } = looResiduals(t, y, hd);
    for (let i = 0; i < t.length; i++) out[i] = out[i]! + z[i]! ** 2;
  });
  return out;
}

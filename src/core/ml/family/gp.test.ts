import { describe, expect, it } from 'vitest';
import {
  NotPositiveDefiniteError,
  cholesky,
  choleskyInverse,
  choleskySolve,
  fitGpHyperparameters,
  gpPosterior,
  kernelMatrix,
  logMarginalLikelihood,
  logMarginalLikelihoodGrad,
  looChiSquare,
  looResiduals,
  seKernel,
  type GpHyper,
} from './gp.js';
import { mulberry32, standardNormals } from './numeric.js';
import { maxRelError, numericGradient } from '../../../../test/ml/finite-differences.js';

/** Gauss–Jordan inverse with partial pivoting: the brute-force reference (no Cholesky anywhere). */
function inverse(a: ArrayLike<number>, n: number): Float64Array {
  const m = new Float64Array(n * 2 * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * 2 * n + j] = a[i * n + j]!;
    m[i * 2 * n + n + i] = 1;
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * 2 * n + c]!) > Math.abs(m[p * 2 * n + c]!)) p = r;
    for (let j = 0; j < 2 * n; j++) [m[c * 2 * n + j], m[p * 2 * n + j]] = [m[p * 2 * n + j]!, m[c * 2 * n + j]!];
    const piv = m[c * 2 * n + c]!;
    for (let j = 0; j < 2 * n; j++) m[c * 2 * n + j] = m[c * 2 * n + j]! / piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * 2 * n + c]!;
      for (let j = 0; j < 2 * n; j++) m[r * 2 * n + j] = m[r * 2 * n + j]! - f * m[c * 2 * n + j]!;
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) inv[i * n + j] = m[i * 2 * n + n + j]!;
  return inv;
}

/** log det by Gaussian elimination (the product of the pivots), for the brute-force marginal likelihood. */
function logDet(a: ArrayLike<number>, n: number): number {
  const m = Float64Array.from(a);
  let s = 0;
  for (let c = 0; c < n; c++) {
    const piv = m[c * n + c]!;
    s += Math.log(piv);
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c]! / piv;
      for (let j = c; j < n; j++) m[r * n + j] = m[r * n + j]! - f * m[c * n + j]!;
    }
  }
  return s;
}

/** Draws series from the GP prior: m + L ε with K = L Lᵀ. */
function sampleGp(t: number[], h: GpHyper, count: number, seed: number): Float64Array[] {
  const n = t.length;
  const l = cholesky(kernelMatrix(t, h), n);
  const rng = mulberry32(seed);
  const out: Float64Array[] = [];
  for (let c = 0; c < count; c++) {
    const e = standardNormals(n, rng);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = h.mean ?? 0;
      for (let k = 0; k <= i; k++) s += l[i * n + k]! * e[k]!;
      y[i] = s;
    }
    out.push(y);
  }
  return out;
}

const tiny = { t: [0, 0.7, 1.5, 2.1, 4], y: [0.3, -0.2, 0.5, 0.9, -0.4] };
const hTiny: GpHyper = { lengthScale: 1.3, signalVar: 0.8, noiseVar: 0.05, mean: 0.1 };

describe('Cholesky', () => {
  it('L Lᵀ reproduces A; the solve and the inverse agree with Gauss–Jordan', () => {
    const n = 5;
    const a = kernelMatrix(tiny.t, hTiny);
    const l = cholesky(a, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += l[i * n + k]! * l[j * n + k]!;
        expect(s).toBeCloseTo(a[i * n + j]!, 12);
        if (j > i) expect(l[i * n + j]).toBe(0);
      }
    }
    const ref = inverse(a, n);
    expect(maxRelError(choleskyInverse(l, n), ref)).toBeLessThan(1e-10);
    const x = choleskySolve(l, n, tiny.y);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += ref[i * n + j]! * tiny.y[j]!;
      expect(x[i]).toBeCloseTo(s, 10);
    }
  });

  it('rejects a matrix that is not positive definite', () => {
    expect(() => cholesky([1, 2, 2, 1], 2)).toThrow(NotPositiveDefiniteError);
    // Two identical times with no noise make K singular.
    expect(() => cholesky(kernelMatrix([0, 0], { lengthScale: 1, signalVar: 1, noiseVar: 0 }), 2)).toThrow(NotPositiveDefiniteError);
  });
});

describe('GP posterior and marginal likelihood', () => {
  it('match the brute-force closed form with a direct matrix inverse on a tiny problem', () => {
    const n = 5;
    const tq = [-1, 0.7, 1.0, 3.3, 30];
    const post = gpPosterior(tiny.t, tiny.y, tq, hTiny);
    const kinv = inverse(kernelMatrix(tiny.t, hTiny), n);
    const m = hTiny.mean!;
    tq.forEach((ts, s) => {
      const ks = tiny.t.map((ti) => hTiny.signalVar * Math.exp(-((ts - ti) ** 2) / (2 * hTiny.lengthScale ** 2)));
      let mean = m;
      let quad = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          mean += ks[i]! * kinv[i * n + j]! * (tiny.y[j]! - m);
          quad += ks[i]! * kinv[i * n + j]! * ks[j]!;
        }
      }
      expect(post.mean[s]).toBeCloseTo(mean, 10);
      expect(post.variance[s]).toBeCloseTo(hTiny.signalVar - quad, 10);
      expect(post.predictiveVariance[s]).toBeCloseTo(hTiny.signalVar - quad + hTiny.noiseVar, 10);
    });
    // Far from the data the posterior is the prior.
    expect(post.mean[4]).toBeCloseTo(m, 6);
    expect(post.variance[4]).toBeCloseTo(hTiny.signalVar, 6);

    const k = kernelMatrix(tiny.t, hTiny);
    let quad = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) quad += (tiny.y[i]! - m) * kinv[i * n + j]! * (tiny.y[j]! - m);
    const direct = -0.5 * quad - 0.5 * logDet(k, n) - 0.5 * n * Math.log(2 * Math.PI);
    expect(logMarginalLikelihood(tiny.t, tiny.y, hTiny)).toBeCloseTo(direct, 10);
    expect(logMarginalLikelihood(tiny.t, [tiny.y, tiny.y], hTiny)).toBeCloseTo(2 * direct, 10);
  });

  it('the kernel is the squared exponential with the noise on the diagonal only', () => {
    const h = { lengthScale: 2, signalVar: 3, noiseVar: 0.5 };
    expect(seKernel(1, 3, h)).toBeCloseTo(3 * Math.exp(-0.5), 14);
    const k = kernelMatrix([1, 3], h);
    expect(Array.from(k)).toEqual([3.5, seKernel(1, 3, h), seKernel(1, 3, h), 3.5]);
    expect(kernelMatrix([1, 3], h, false)[0]).toBe(3);
  });

  it('gradient check: ∂ log p(y)/∂(log ℓ, log σ_f², log σ_n²) matches finite differences', () => {
    const two = [tiny.y, tiny.y.map((v, i) => v * 0.5 + i * 0.1)];
    for (const ys of [tiny.y, two]) {
      for (const h of [hTiny, { lengthScale: 0.4, signalVar: 2.5, noiseVar: 0.3, mean: -0.2 }]) {
        const f = (x: Float64Array): number =>
          logMarginalLikelihood(tiny.t, ys, { lengthScale: Math.exp(x[0]!), signalVar: Math.exp(x[1]!), noiseVar: Math.exp(x[2]!), mean: h.mean });
        const x0 = [Math.log(h.lengthScale), Math.log(h.signalVar), Math.log(h.noiseVar)];
        const { value, grad } = logMarginalLikelihoodGrad(tiny.t, ys, h);
        expect(value).toBeCloseTo(f(Float64Array.from(x0)), 12);
        expect(maxRelError(grad, numericGradient(f, x0))).toBeLessThan(1e-7);
      }
    }
  });
});

describe('leave-one-out residuals', () => {
  it('the closed form equals explicit refits leaving each point out', () => {
    const loo = looResiduals(tiny.t, tiny.y, hTiny);
    for (let i = 0; i < tiny.t.length; i++) {
      const t = tiny.t.filter((_, j) => j !== i);
      const y = tiny.y.filter((_, j) => j !== i);
      const p = gpPosterior(t, y, [tiny.t[i]!], hTiny);
      expect(loo.mean[i]).toBeCloseTo(p.mean[0]!, 10);
      expect(loo.variance[i]).toBeCloseTo(p.predictiveVariance[0]!, 10);
      expect(loo.residual[i]).toBeCloseTo(tiny.y[i]! - p.mean[0]!, 10);
      expect(loo.z[i]).toBeCloseTo((tiny.y[i]! - p.mean[0]!) / Math.sqrt(p.predictiveVariance[0]!), 10);
      const v = p.predictiveVariance[0]!;
      expect(loo.logPredictive[i]).toBeCloseTo(-0.5 * (Math.log(2 * Math.PI * v) + (tiny.y[i]! - p.mean[0]!) ** 2 / v), 10);
    }
  });

  it('a jump in an otherwise smooth trajectory gets a large standardized residual', () => {
    const n = 60;
    const t = Array.from({ length: n }, (_, i) => i);
    const rng = mulberry32(17);
    const noise = standardNormals(n, rng);
    const smooth = t.map((ti, i) => Math.sin(ti / 6) + 0.5 * Math.cos(ti / 11) + 0.02 * noise[i]!);
    const fit = fitGpHyperparameters(t, smooth);
    const base = looResiduals(t, smooth, fit.hyper);
    const baseMax = Math.max(...Array.from(base.z, Math.abs));
    expect(baseMax).toBeLessThan(4); // a smooth trajectory has no outliers

    // A transient: one frame leaves the trajectory and comes back.
    const spike = smooth.slice();
    spike[30] = spike[30]! + 0.5;
    const zs = looResiduals(t, spike, fit.hyper).z;
    const absz = Array.from(zs, Math.abs);
    expect(absz.indexOf(Math.max(...absz))).toBe(30);
    expect(absz[30]!).toBeGreaterThan(10);

    // A step: the trajectory jumps to a new level from frame 40 on; the frames at the edge stand out.
    const step = smooth.map((v, i) => (i >= 40 ? v + 0.6 : v));
    const zStep = Array.from(looResiduals(t, step, fit.hyper).z, Math.abs);
    const ranked = zStep.map((v, i) => [v, i] as const).sort((p, q) => q[0] - p[0]);
    expect([ranked[0]![1], ranked[1]![1]].sort()).toEqual([39, 40]);
    expect(ranked[1]![0]).toBeGreaterThan(8);

    // Several dimensions: the χ² sum peaks at the spike as well.
    const chi = looChiSquare(t, [spike, smooth], fit.hyper);
    expect(Array.from(chi).indexOf(Math.max(...chi))).toBe(30);
  });
});

describe('hyperparameter fitting', () => {
  it('increases the marginal likelihood and recovers the length scale on synthetic data', () => {
    const t = Array.from({ length: 60 }, (_, i) => i);
    const truth: GpHyper = { lengthScale: 5, signalVar: 1.5, noiseVar: 0.02, mean: 0 };
    const ys = sampleGp(t, truth, 3, 3);
    const start: GpHyper = { lengthScale: 20, signalVar: 0.3, noiseVar: 0.5 };
    const fit = fitGpHyperparameters(t, ys, { init: start, mean: 0 });
    expect(fit.initialLogML).toBeCloseTo(logMarginalLikelihood(t, ys, { ...start, mean: 0 }), 8);
    expect(fit.logML).toBeGreaterThan(fit.initialLogML + 50);
    expect(fit.logML).toBeCloseTo(logMarginalLikelihood(t, ys, fit.hyper), 8);
    // At least as good as the true hyperparameters (it is a maximum), and close to them.
    expect(fit.logML).toBeGreaterThanOrEqual(logMarginalLikelihood(t, ys, truth) - 1e-6);
    expect(fit.hyper.lengthScale / truth.lengthScale).toBeGreaterThan(0.8);
    expect(fit.hyper.lengthScale / truth.lengthScale).toBeLessThan(1.25);
    expect(fit.hyper.noiseVar / truth.noiseVar).toBeGreaterThan(0.5);
    expect(fit.hyper.noiseVar / truth.noiseVar).toBeLessThan(2);
    // The gradient vanishes at the optimum (interior point).
    const g = logMarginalLikelihoodGrad(t, ys, fit.hyper).grad;
    for (const gi of g) expect(Math.abs(gi)).toBeLessThan(0.01);

    // The default start (a few length scales tried) gets there too, with the sample mean.
    const auto = fitGpHyperparameters(t, ys);
    expect(auto.hyper.lengthScale / truth.lengthScale).toBeGreaterThan(0.8);
    expect(auto.hyper.lengthScale / truth.lengthScale).toBeLessThan(1.25);
  });

  it('respects the bounds', () => {
    const t = Array.from({ length: 30 }, (_, i) => i);
    const [y] = sampleGp(t, { lengthScale: 5, signalVar: 1, noiseVar: 0.01 }, 1, 8);
    const fit = fitGpHyperparameters(t, y!, { bounds: { lengthScale: [1, 2] }, steps: 100 });
    expect(fit.hyper.lengthScale).toBeGreaterThanOrEqual(1 - 1e-12);
    expect(fit.hyper.lengthScale).toBeLessThanOrEqual(2 + 1e-12);
    expect(fit.hyper.lengthScale).toBeCloseTo(2, 6); // the truth is above the box: it sits on the edge
  });
});

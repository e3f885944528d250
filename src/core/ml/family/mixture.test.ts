import { describe, expect, it } from 'vitest';
import {
  componentLogJoint,
  createGmm,
  emStep,
  fitGmm,
  gmmLogDensity,
  gmmLogDensityGrad,
  gmmLogLikelihood,
  initGmm,
  klDiagGaussian,
  mStep,
  responsibilities,
  sampleGmm,
  type DiagGmm,
} from './mixture.js';
import { mulberry32 } from './numeric.js';
import { maxRelError, numericGradient } from '../../../../test/ml/finite-differences.js';

const truth = createGmm([0.35, 0.65], [-2, 1, 2, -1], [0.5, 0.3, 0.4, 0.8]);

/** Density straight from the definition, with no logs until the end. */
function directDensity(g: DiagGmm, z: number[]): number {
  let p = 0;
  for (let k = 0; k < g.k; k++) {
    let d = g.weights[k]!;
    for (let j = 0; j < g.dim; j++) {
      const v = g.vars[k * g.dim + j]!;
      d *= Math.exp(-((z[j]! - g.means[k * g.dim + j]!) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
    }
    p += d;
  }
  return p;
}

/** Q(θ) = Σ_n Σ_k r_nk log(π_k N(z_n; m_k, s_k²)): what the M-step maximizes. */
function expectedCompleteLogLik(g: DiagGmm, zs: Float64Array, resp: Float64Array): number {
  const n = zs.length / g.dim;
  let q = 0;
  for (let r = 0; r < n; r++) {
    const lj = componentLogJoint(g, zs, r * g.dim);
    for (let k = 0; k < g.k; k++) if (resp[r * g.k + k]! > 0) q += resp[r * g.k + k]! * lj[k]!;
  }
  return q;
}

/** Match fitted components to the truth by the nearer mean (K = 2). */
function matchTo(fit: DiagGmm, ref: DiagGmm): number[] {
  const dist = (a: number, b: number): number => {
    let s = 0;
    for (let j = 0; j < ref.dim; j++) s += (fit.means[a * ref.dim + j]! - ref.means[b * ref.dim + j]!) ** 2;
    return s;
  };
  return dist(0, 0) + dist(1, 1) <= dist(0, 1) + dist(1, 0) ? [0, 1] : [1, 0];
}

describe('mixture density and responsibilities', () => {
  it('log p(z) equals the direct sum of weighted Gaussians; responsibilities are the normalized terms', () => {
    for (const z of [[0, 0], [-2.2, 1.1], [3, -3], [10, 10]]) {
      expect(gmmLogDensity(truth, z)).toBeCloseTo(Math.log(directDensity(truth, z)), 10);
      const { resp } = responsibilities(truth, z);
      const lj = componentLogJoint(truth, z);
      const p = directDensity(truth, z);
      for (let k = 0; k < 2; k++) expect(resp[k]).toBeCloseTo(Math.exp(lj[k]!) / p, 10);
      expect(resp[0]! + resp[1]!).toBeCloseTo(1, 14);
    }
    // Far in the tail the direct density underflows to 0, the log-sum-exp does not.
    expect(Number.isFinite(gmmLogDensity(truth, [200, -200]))).toBe(true);
  });

  it('gradient check: ∇_z log p(z) matches finite differences', () => {
    for (const z of [[0.3, -0.2], [-2.5, 1.4], [1.5, -0.5]]) {
      const analytic = gmmLogDensityGrad(truth, z);
      const numeric = numericGradient((v) => gmmLogDensity(truth, v), z);
      expect(maxRelError(analytic, numeric)).toBeLessThan(1e-7);
    }
  });

  it('createGmm validates its inputs', () => {
    expect(() => createGmm([0.5, 0.6], [0, 1], [1, 1])).toThrow(RangeError);
    expect(() => createGmm([0.5, 0.5], [0, 1, 2], [1, 1, 1])).toThrow(RangeError);
    expect(() => createGmm([0.5, 0.5], [0, 1], [1, 0])).toThrow(RangeError);
  });
});

describe('M-step', () => {
  const { z: zs } = sampleGmm(truth, 300, 5);
  const rng = mulberry32(6);
  const resp = new Float64Array(300 * 2);
  for (let r = 0; r < 300; r++) {
    const a = rng();
    resp[r * 2] = a;
    resp[r * 2 + 1] = 1 - a;
  }

  it('equals directly computed weighted statistics (π = N_k/N, weighted mean, E_r[z²] − m²)', () => {
    const g = mStep(zs, resp, 2, 2, { varFloor: 1e-9 });
    for (let k = 0; k < 2; k++) {
      let nk = 0;
      const s1 = [0, 0];
      const s2 = [0, 0];
      for (let r = 0; r < 300; r++) {
        const w = resp[r * 2 + k]!;
        nk += w;
        for (let j = 0; j < 2; j++) {
          s1[j]! += w * zs[r * 2 + j]!;
          s2[j]! += w * zs[r * 2 + j]! ** 2;
        }
      }
      expect(g.weights[k]).toBeCloseTo(nk / 300, 12);
      for (let j = 0; j < 2; j++) {
        const m = s1[j]! / nk;
        expect(g.means[k * 2 + j]).toBeCloseTo(m, 10);
        expect(g.vars[k * 2 + j]).toBeCloseTo(s2[j]! / nk - m * m, 9);
      }
    }
  });

  it('with one-hot responsibilities gives each cluster’s sample mean and (biased) variance', () => {
    const hard = new Float64Array(4 * 2);
    const pts = Float64Array.from([0, 0, 2, 4, 10, 10, 12, 10]);
    hard.set([1, 0, 1, 0, 0, 1, 0, 1]);
    const g = mStep(pts, hard, 2, 2, { varFloor: 1e-9 });
    expect(Array.from(g.weights)).toEqual([0.5, 0.5]);
    expect(Array.from(g.means)).toEqual([1, 2, 11, 10]);
    expect(Array.from(g.vars)).toEqual([1, 4, 1, 1e-9]); // the last dimension has no spread: the floor
  });

  it('maximizes the expected complete-data log-likelihood: any perturbation lowers it', () => {
    const g = mStep(zs, resp, 2, 2, { varFloor: 1e-9 });
    const q0 = expectedCompleteLogLik(g, zs, resp);
    const prng = mulberry32(8);
    for (let t = 0; t < 30; t++) {
      const means = g.means.map((m) => m + (prng() - 0.5) * 0.1);
      const vars = g.vars.map((v) => v * (1 + (prng() - 0.5) * 0.1));
      const w0 = Math.min(0.99, Math.max(0.01, g.weights[0]! + (prng() - 0.5) * 0.05));
      expect(expectedCompleteLogLik(createGmm([w0, 1 - w0], means, vars), zs, resp)).toBeLessThan(q0);
    }
  });

  it('the variance floor holds a collapsing component; an empty one keeps its previous parameters', () => {
    const pts = Float64Array.from([1, 1, 1, 1, 5, 5, 6, 7]);
    const r = Float64Array.from([1, 0, 1, 0, 0, 1, 0, 1]); // component 0 gets two identical points
    const g = mStep(pts, r, 2, 2, { varFloor: 0.01 });
    expect(Array.from(g.vars.subarray(0, 2))).toEqual([0.01, 0.01]);
    const empty = Float64Array.from([1, 0, 1, 0, 1, 0, 1, 0]);
    const prev = createGmm([0.5, 0.5], [0, 0, 9, 9], [1, 2, 3, 4]);
    const g2 = mStep(pts, empty, 2, 2, { previous: prev });
    expect(g2.weights[1]).toBe(0);
    expect(Array.from(g2.means.subarray(2))).toEqual([9, 9]);
    expect(Array.from(g2.vars.subarray(2))).toEqual([3, 4]);
  });
});

describe('EM', () => {
  const { z: zs, labels: trueLabels } = sampleGmm(truth, 600, 21);

  it('recovers the means of a known 2-component mixture and increases the log-likelihood monotonically', () => {
    // A poor start: both means near the middle, wide variances.
    const init = createGmm([0.5, 0.5], [-0.3, 0.2, 0.4, 0.1], [4, 4, 4, 4]);
    const { gmm, history } = fitGmm(init, zs, { iterations: 40 });
    for (let i = 1; i < history.length; i++) expect(history[i]!).toBeGreaterThanOrEqual(history[i - 1]! - 1e-9);
    expect(history[history.length - 1]! - history[0]!).toBeGreaterThan(100);
    const [a, b] = matchTo(gmm, truth);
    for (const [fit, ref] of [[a!, 0], [b!, 1]] as const) {
      for (let j = 0; j < 2; j++) expect(Math.abs(gmm.means[fit * 2 + j]! - truth.means[ref * 2 + j]!)).toBeLessThan(0.15);
      expect(Math.abs(gmm.weights[fit]! - truth.weights[ref]!)).toBeLessThan(0.06);
      for (let j = 0; j < 2; j++) expect(gmm.vars[fit * 2 + j]! / truth.vars[ref * 2 + j]!).toBeGreaterThan(0.75);
      for (let j = 0; j < 2; j++) expect(gmm.vars[fit * 2 + j]! / truth.vars[ref * 2 + j]!).toBeLessThan(1.33);
    }
    // The fit explains the data at least as well as the true parameters (it is the MLE).
    expect(gmmLogLikelihood(gmm, zs)).toBeGreaterThanOrEqual(gmmLogLikelihood(truth, zs) - 1e-6);
  });

  it('from k-means++ initialisation too', () => {
    const init = initGmm(zs, 2, 2, 4);
    const { gmm, history } = fitGmm(init, zs, { iterations: 60 });
    for (let i = 1; i < history.length; i++) expect(history[i]!).toBeGreaterThanOrEqual(history[i - 1]! - 1e-9);
    const [a] = matchTo(gmm, truth);
    expect(Math.abs(gmm.means[a! * 2]! - truth.means[0]!)).toBeLessThan(0.15);
  });

  it('semi-supervised: labelled frames keep one-hot responsibilities and pin their component', () => {
    // A symmetric start (both components identical): unsupervised EM can never tell them apart.
    const sym = createGmm([0.5, 0.5], [0, 0, 0, 0], [4, 4, 4, 4]);
    const unsup = fitGmm(sym, zs, { iterations: 30 }).gmm;
    expect(Math.abs(unsup.means[0]! - unsup.means[2]!)).toBeLessThan(1e-9);

    // Label ten frames of true component 0; the class index they get decides where it ends up.
    for (const cls of [0, 1]) {
      const labels = new Float64Array(600).fill(-1);
      let given = 0;
      for (let r = 0; r < 600 && given < 10; r++) {
        if (trueLabels[r] === 0) {
          labels[r] = cls;
          given++;
        }
      }
      const { resp } = responsibilities(sym, zs, labels);
      for (let r = 0; r < 600; r++) {
        if (labels[r] === cls) expect([resp[r * 2], resp[r * 2 + 1]]).toEqual(cls === 0 ? [1, 0] : [0, 1]);
        else expect(resp[r * 2]).toBeCloseTo(0.5, 12);
      }
      const semi = fitGmm(sym, zs, { iterations: 100, labels });
      for (let i = 1; i < semi.history.length; i++) expect(semi.history[i]!).toBeGreaterThanOrEqual(semi.history[i - 1]! - 1e-9);
      const other = 1 - cls;
      for (let j = 0; j < 2; j++) {
        expect(Math.abs(semi.gmm.means[cls * 2 + j]! - truth.means[j]!)).toBeLessThan(0.15);
        expect(Math.abs(semi.gmm.means[other * 2 + j]! - truth.means[2 + j]!)).toBeLessThan(0.15);
      }
    }

    // A single labelled point far from its component still gets one-hot responsibility.
    const lone = responsibilities(truth, [5, -4], [0]);
    expect(Array.from(lone.resp)).toEqual([1, 0]);
    expect(lone.logLik).toBeCloseTo(componentLogJoint(truth, [5, -4])[0]!, 12);
    expect(() => responsibilities(truth, [0, 0], [2])).toThrow(RangeError);
  });

  it('emStep reports the objective of the mixture it was given', () => {
    const step = emStep(truth, zs);
    expect(step.logLik).toBeCloseTo(gmmLogLikelihood(truth, zs), 10);
  });
});

describe('sampling and KL', () => {
  it('sampleGmm draws components with probabilities π', () => {
    const { labels } = sampleGmm(truth, 5000, 3);
    const frac = labels.reduce((a, c) => a + c, 0) / 5000;
    expect(Math.abs(frac - 0.65)).toBeLessThan(0.03);
  });

  it('klDiagGaussian is 0 for equal Gaussians, the standard-normal formula at m = 0, s² = 1, and matches numeric integration', () => {
    expect(klDiagGaussian([0.3, -1], [0.2, -0.5], [0.3, -1], [Math.exp(0.2), Math.exp(-0.5)])).toBeCloseTo(0, 14);
    const mu = [0.3, -1];
    const lv = [0.2, -0.5];
    const std = 0.5 * mu.reduce((acc, m, j) => acc + Math.exp(lv[j]!) + m * m - 1 - lv[j]!, 0);
    expect(klDiagGaussian(mu, lv, [0, 0], [1, 1])).toBeCloseTo(std, 14);
    // 1-D: ∫ q log(q/p) by the trapezoid rule.
    const m1 = 0.4, v1 = 0.3, m2 = -0.5, v2 = 1.7;
    const logN = (x: number, m: number, v: number): number => -0.5 * (Math.log(2 * Math.PI * v) + (x - m) ** 2 / v);
    let integral = 0;
    const h = 1e-3;
    for (let x = -10; x <= 10; x += h) integral += Math.exp(logN(x, m1, v1)) * (logN(x, m1, v1) - logN(x, m2, v2)) * h;
    expect(klDiagGaussian([m1], [Math.log(v1)], [m2], [v2])).toBeCloseTo(integral, 6);
  });
});

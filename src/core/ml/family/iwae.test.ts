import { describe, expect, it } from 'vitest';
import { iwaeEstimate, iwaeFromLogWeights, logDiagNormal, logStdNormal, perSample, type LogLikelihoodFn } from './iwae.js';
import { LOG_2PI, mulberry32, standardNormals } from './numeric.js';
import { maxRelError, meanAndSe, numericGradient } from '../../../../test/ml/finite-differences.js';

/**
 * A 1-D linear-Gaussian model where everything is closed form:
 *   z ~ N(0, 1),  x | z ~ N(a z + b, s²)
 *   p(x) = N(x; b, a² + s²)
 *   p(z | x) = N(m, v),  v = 1 / (1 + a²/s²),  m = v a (x − b) / s²
 */
const a = 2;
const b = 0.2;
const s2 = 0.5;
const x = 1.3;
const logNormal = (y: number, mean: number, variance: number): number => -0.5 * (LOG_2PI + Math.log(variance) + (y - mean) ** 2 / variance);
const logPx = logNormal(x, b, a * a + s2);
const postVar = 1 / (1 + (a * a) / s2);
const postMean = (postVar * a * (x - b)) / s2;
const logLik: LogLikelihoodFn = perSample((z) => logNormal(x, a * z[0]! + b, s2));

/** A deliberately wrong (shifted, wider) encoder, so the ELBO is strictly below log p(x). */
const qMu = [postMean + 0.2];
const qLogvar = [Math.log(2 * postVar)];

/** ELBO = E_q[log p(x|z)] + E_q[log p(z)] + H[q], closed form for Gaussian q with mean μ and variance σ². */
function closedFormElbo(mu: number, v: number): number {
  const eLogLik = -0.5 * (LOG_2PI + Math.log(s2)) - ((x - b - a * mu) ** 2 + a * a * v) / (2 * s2);
  const eLogPrior = -0.5 * LOG_2PI - 0.5 * (mu * mu + v);
  const entropy = 0.5 * (LOG_2PI + 1 + Math.log(v));
  return eLogLik + eLogPrior + entropy;
}

describe('iwaeEstimate on a linear-Gaussian model', () => {
  it('the log densities are the textbook formulas', () => {
    expect(logStdNormal([0.3, -1])).toBeCloseTo(logNormal(0.3, 0, 1) + logNormal(-1, 0, 1), 12);
    expect(logDiagNormal([0.3, -1], [0.1, 0.5], [Math.log(2), -1])).toBeCloseTo(
      logNormal(0.3, 0.1, 2) + logNormal(-1, 0.5, Math.exp(-1)),
      12,
    );
  });

  it('with the exact posterior as q every weight is p(x), so L̂_K = log p(x) for any draws', () => {
    for (const k of [1, 3, 50]) {
      const est = iwaeEstimate([postMean], [Math.log(postVar)], k, logLik, { seed: 7 + k });
      expect(est.bound).toBeCloseTo(logPx, 10);
      expect(est.elbo).toBeCloseTo(logPx, 10);
      expect(est.ess).toBeCloseTo(k, 8);
    }
  });

  it('K = 1 equals the single-sample ELBO estimate with the same draw', () => {
    const eps = [0.731];
    const est = iwaeEstimate(qMu, qLogvar, 1, logLik, { eps });
    const z = qMu[0]! + Math.exp(0.5 * qLogvar[0]!) * eps[0]!;
    const hand = logNormal(x, a * z + b, s2) + logNormal(z, 0, 1) - logNormal(z, qMu[0]!, Math.exp(qLogvar[0]!));
    expect(est.z[0]).toBeCloseTo(z, 14);
    expect(est.bound).toBeCloseTo(hand, 12);
    expect(est.elbo).toBeCloseTo(hand, 12);
    expect(est.weights[0]).toBe(1);
  });

  it('for the same draws L̂_K ≥ the averaged ELBO estimate (Jensen), and log q matches the direct density', () => {
    const rng = mulberry32(3);
    for (let r = 0; r < 50; r++) {
      const est = iwaeEstimate(qMu, qLogvar, 8, logLik, { rng });
      expect(est.bound).toBeGreaterThanOrEqual(est.elbo - 1e-12);
      for (let k = 0; k < 8; k++) expect(est.logQ[k]).toBeCloseTo(logDiagNormal(est.z, qMu, qLogvar, k), 10);
    }
  });

  it('in expectation: L_1 = ELBO (closed form) < L_2 < L_4 < … ≤ log p(x), and L_K → log p(x)', () => {
    const ks = [1, 2, 4, 16, 64, 256];
    const maxK = 256;
    const reps = 500;
    const rng = mulberry32(11);
    const est: number[][] = ks.map(() => []);
    const diffs: number[][] = ks.slice(1).map(() => []);
    for (let r = 0; r < reps; r++) {
      // Common random numbers: every K sees the same 256 draws, split into 256/K blocks of K, and
      // the block estimates are averaged (still unbiased for E[L̂_K], with far less noise).
      const eps = standardNormals(maxK, rng);
      const all = iwaeEstimate(qMu, qLogvar, maxK, logLik, { eps });
      const vals = ks.map((k) => {
        let s = 0;
        for (let o = 0; o < maxK; o += k) s += iwaeFromLogWeights(all.logWeights.subarray(o, o + k)).bound;
        return s / (maxK / k);
      });
      vals.forEach((v, i) => est[i]!.push(v));
      for (let i = 1; i < ks.length; i++) diffs[i - 1]!.push(vals[i]! - vals[i - 1]!);
    }
    const elbo = closedFormElbo(qMu[0]!, Math.exp(qLogvar[0]!));
    const gap1 = logPx - elbo;
    expect(gap1).toBeGreaterThan(0.1); // the test model is meaningfully mis-specified
    const l1 = meanAndSe(est[0]!);
    expect(Math.abs(l1.mean - elbo)).toBeLessThan(4 * l1.se);
    for (const d of diffs) {
      const m = meanAndSe(d);
      expect(m.mean).toBeGreaterThan(4 * m.se); // strictly increasing in K, well beyond the noise
    }
    for (const e of est) {
      const m = meanAndSe(e);
      expect(m.mean).toBeLessThan(logPx + 4 * m.se); // never above log p(x)
    }
    const lBig = meanAndSe(est[ks.length - 1]!);
    expect(logPx - lBig.mean).toBeLessThan(gap1 / 50); // the gap shrinks roughly like 1/K
    expect(Math.abs(logPx - lBig.mean)).toBeLessThan(0.01);
  });

  it('validates its inputs', () => {
    expect(() => iwaeEstimate([0], [0, 0], 1, logLik)).toThrow(RangeError);
    expect(() => iwaeEstimate([0], [0], 0, logLik)).toThrow(RangeError);
    expect(() => iwaeEstimate([0], [0], 2, logLik, { eps: [1] })).toThrow(RangeError);
    expect(() => iwaeEstimate([0], [0], 2, () => [0])).toThrow(RangeError);
  });
});

describe('iwaeFromLogWeights', () => {
  it('is stable for huge and tiny log weights', () => {
    const r = iwaeFromLogWeights([-1000, -1000 + Math.log(3)]);
    expect(r.bound).toBeCloseTo(-1000 + Math.log(2), 10); // log ((1 + 3)/2) added to −1000
    expect(r.weights[1]).toBeCloseTo(0.75, 12);
    expect(iwaeFromLogWeights([800, 800]).bound).toBeCloseTo(800, 10);
  });

  it('gradient check: ∂L̂_K/∂ log w_k equals the normalized weights (finite differences)', () => {
    const logW = [0.3, -1.2, 2.0, 0.9, -0.4];
    const analytic = iwaeFromLogWeights(logW).weights;
    const numeric = numericGradient((v) => iwaeFromLogWeights(v).bound, logW);
    expect(maxRelError(analytic, numeric)).toBeLessThan(1e-8);
  });
});

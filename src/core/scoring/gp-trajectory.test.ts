import { describe, expect, it } from 'vitest';
import { gpPosterior, type GpHyper } from '../ml/family/gp.js';
import { mulberry32, standardNormals } from '../ml/family/numeric.js';
import { fitGpTrajectory, neighbourWeights, scoreGpTrajectory, windowedLogMean } from './gp-trajectory.js';

/** A smooth random trajectory (sum of sinusoids) plus white noise, L dims, T frames, [T, L]. */
function trajectory(T: number, L: number, noise: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const mu = new Float32Array(T * L);
  const eps = standardNormals(T * L, mulberry32(seed + 1));
  for (let d = 0; d < L; d++) {
    const f1 = 0.02 + 0.05 * r();
    const f2 = 0.05 + 0.05 * r();
    const p = 6 * r();
    for (let t = 0; t < T; t++) mu[t * L + d] = Math.sin(f1 * t + p) + 0.5 * Math.cos(f2 * t) + noise * eps[t * L + d]!;
  }
  return mu;
}

describe('neighbourWeights', () => {
  it('equals the GP posterior mean and predictive variance of the frame from its neighbours (closed form)', () => {
    const h: GpHyper = { lengthScale: 3.2, signalVar: 1.7, noiseVar: 0.09, mean: 0 };
    const y = [0.3, -0.2, 0.5, 1.1, 0.9, 0.1, -0.4]; // at times -3..3 without 0
    const times = [-3, -2, -1, 1, 2, 3, 4];
    const { weights, variance } = neighbourWeights(h, 3, 4);
    const post = gpPosterior(times, y, [0], h);
    let m = 0;
    weights.forEach((a, i) => (m += a * y[i]!));
    expect(m).toBeCloseTo(post.mean[0]!, 10);
    expect(variance).toBeCloseTo(post.predictiveVariance[0]!, 10);
  });

  it('with no neighbours predicts the prior', () => {
    const h: GpHyper = { lengthScale: 2, signalVar: 1, noiseVar: 0.1 };
    expect(neighbourWeights(h, 0, 0)).toEqual({ weights: new Float64Array(0), variance: 1.1 });
  });
});

describe('windowedLogMean', () => {
  it('is the log of the centred window mean, truncated at the ends', () => {
    const x = [1, 2, 3, 4, 5];
    const s = windowedLogMean(x, 3);
    expect(Math.exp(s[0]!) - 1e-6).toBeCloseTo(1.5, 9);
    expect(Math.exp(s[2]!) - 1e-6).toBeCloseTo(3, 9);
    expect(Math.exp(s[4]!) - 1e-6).toBeCloseTo(4.5, 9);
  });
});

describe('GP trajectory score', () => {
  const L = 4;
  const train = trajectory(400, L, 0.05, 3);
  const model = fitGpTrajectory(train, L);

  it('fits hyperparameters that explain the training trajectory: residuals ≈ 1 on average', () => {
    expect(model.hyper.lengthScale).toBeGreaterThan(1);
    const { residual } = scoreGpTrajectory(model, train, L);
    const mean = residual.reduce((a, b) => a + b, 0) / residual.length;
    expect(mean).toBeGreaterThan(0.6);
    expect(mean).toBeLessThan(1.6);
  });

  it('sees a freeze as abnormally low and a jump as abnormally high (two-sided), on a new trajectory', () => {
    const test = trajectory(300, L, 0.05, 11);
    for (let t = 100; t < 140; t++) for (let d = 0; d < L; d++) test[t * L + d] = test[99 * L + d]!; // freeze
    for (let t = 200; t < 230; t++) for (let d = 0; d < L; d++) test[t * L + d] = test[t * L + d]! + (t % 2 ? 0.8 : -0.8); // jitter
    const { stat, smooth } = scoreGpTrajectory(model, test, L);
    const normal = [...stat.slice(20, 90), ...stat.slice(150, 190), ...stat.slice(240, 290)];
    const lo = Math.min(...normal);
    const hi = Math.max(...normal);
    for (let t = 110; t < 130; t++) expect(stat[t]!).toBeLessThan(lo - 2);
    for (let t = 208; t < 222; t++) expect(stat[t]!).toBeGreaterThan(hi + 1);
    expect(smooth.length).toBe(test.length);
    // The smoothed trajectory follows the smooth part of a normal stretch.
    expect(Math.abs(smooth[50 * L]! - test[50 * L]!)).toBeLessThan(0.3);
  });

  it('the centred predictor and the log-of-mean statistic see the middle of a freeze too', () => {
    const centred = fitGpTrajectory(train, L, { predictor: 'centred', statistic: 'log-mean', halfWindow: 6, statWindow: 9 });
    expect(centred.predictor).toBe('centred');
    const test = trajectory(300, L, 0.05, 11);
    for (let t = 100; t < 140; t++) for (let d = 0; d < L; d++) test[t * L + d] = test[99 * L + d]!;
    const { stat } = scoreGpTrajectory(centred, test, L);
    const lo = Math.min(...stat.slice(20, 90));
    for (let t = 110; t < 130; t++) expect(stat[t]!).toBeLessThan(lo - 2);
  });

  it('refuses a trajectory with another latent size', () => {
    expect(() => scoreGpTrajectory(model, new Float32Array(30), 3)).toThrow(RangeError);
  });
});

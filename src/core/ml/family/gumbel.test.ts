import { describe, expect, it } from 'vitest';
import {
  annealTemperature,
  categoricalKl,
  categoricalKlFromLogits,
  classUsage,
  classUsageEntropy,
  entropy,
  gumbelSoftmax,
  gumbelSoftmaxBackward,
  gumbelSoftmaxBatch,
  gumbelSoftmaxWithNoise,
  labelUsage,
  straightThrough,
  usageReport,
} from './gumbel.js';
import { mulberry32, softmax } from './numeric.js';
import { maxRelError, numericGradient } from '../../../../test/ml/finite-differences.js';

const logits = [Math.log(0.1), Math.log(0.2), Math.log(0.3), Math.log(0.4)];

describe('Gumbel-softmax sampling', () => {
  it('soft samples are non-negative and sum to 1, at any temperature', () => {
    const rng = mulberry32(1);
    for (const tau of [0.01, 0.1, 0.5, 1, 5, 100]) {
      for (let r = 0; r < 50; r++) {
        const { soft } = gumbelSoftmax(logits, tau, rng);
        let s = 0;
        for (const v of soft) {
          expect(v).toBeGreaterThanOrEqual(0);
          s += v;
        }
        expect(s).toBeCloseTo(1, 12);
      }
    }
  });

  it('samples approach one-hot as τ → 0 (mean max component → 1) and uniform as τ → ∞', () => {
    const meanMax = (tau: number): number => {
      const rng = mulberry32(2);
      let m = 0;
      for (let r = 0; r < 400; r++) m += Math.max(...gumbelSoftmax(logits, tau, rng).soft);
      return m / 400;
    };
    const taus = [10, 2, 1, 0.5, 0.1, 0.01];
    const maxes = taus.map(meanMax);
    for (let i = 1; i < maxes.length; i++) expect(maxes[i]!).toBeGreaterThan(maxes[i - 1]!);
    expect(maxes[maxes.length - 1]!).toBeGreaterThan(0.99);
    expect(meanMax(1000)).toBeLessThan(0.26); // ≈ 1/K
  });

  it('the argmax is an exact categorical draw with probabilities softmax(logits) (chi-square)', () => {
    const n = 20000;
    const p = softmax(logits);
    const counts = [0, 0, 0, 0];
    const rng = mulberry32(3);
    for (let r = 0; r < n; r++) counts[gumbelSoftmax(logits, 0.7, rng).index]!++;
    let chi2 = 0;
    for (let i = 0; i < 4; i++) chi2 += (counts[i]! - n * p[i]!) ** 2 / (n * p[i]!);
    expect(chi2).toBeLessThan(16.27); // χ²(3 dof) 0.999 quantile
    // And it detects a wrong distribution: the same counts against uniform are far off.
    let chi2u = 0;
    for (let i = 0; i < 4; i++) chi2u += (counts[i]! - n / 4) ** 2 / (n / 4);
    expect(chi2u).toBeGreaterThan(100);
  });

  it('the straight-through hard sample is the one-hot argmax of the soft sample', () => {
    const rng = mulberry32(4);
    for (let r = 0; r < 20; r++) {
      const s = gumbelSoftmax(logits, 1, rng);
      expect(Array.from(s.hard).reduce((a, b) => a + b, 0)).toBe(1);
      expect(s.hard[s.index]).toBe(1);
      expect(Math.max(...s.soft)).toBe(s.soft[s.index]);
      expect(Array.from(straightThrough(s.soft).hard)).toEqual(Array.from(s.hard));
    }
    expect(straightThrough([0.2, 0.5, 0.3]).index).toBe(1);
  });

  it('replaying the noise reproduces the sample; the batch version matches row by row', () => {
    const s = gumbelSoftmax(logits, 0.3, mulberry32(5));
    expect(Array.from(gumbelSoftmaxWithNoise(logits, s.noise, 0.3))).toEqual(Array.from(s.soft));
    const two = [...logits, ...logits.map((l) => -l)];
    const b = gumbelSoftmaxBatch(two, 4, 0.3, 9);
    const rng = mulberry32(9);
    const r0 = gumbelSoftmax(logits, 0.3, rng);
    const r1 = gumbelSoftmax(logits.map((l) => -l), 0.3, rng);
    expect(Array.from(b.soft)).toEqual([...r0.soft, ...r1.soft]);
    expect(Array.from(b.index)).toEqual([r0.index, r1.index]);
    expect(Array.from(b.hard)).toEqual([...r0.hard, ...r1.hard]);
  });

  it('gradient check: the backward pass matches finite differences of L = Σ u_i y_i(l)', () => {
    const noise = [0.3, -0.5, 1.1, 0.2];
    const u = [0.7, -1.3, 0.4, 2.0];
    for (const tau of [0.5, 1, 3]) {
      const y = gumbelSoftmaxWithNoise(logits, noise, tau);
      const analytic = gumbelSoftmaxBackward(y, tau, u);
      const numeric = numericGradient((l) => {
        const yy = gumbelSoftmaxWithNoise(l, noise, tau);
        return yy.reduce((acc, v, i) => acc + v * u[i]!, 0);
      }, logits);
      expect(maxRelError(analytic, numeric)).toBeLessThan(1e-8);
    }
  });
});

describe('temperature schedule', () => {
  it('decays exponentially from τ₀ to the floor, in blocks of `every` steps', () => {
    expect(annealTemperature(0)).toBe(1);
    expect(annealTemperature(1000, { initial: 2, rate: 1e-3, min: 0.1 })).toBeCloseTo(2 * Math.exp(-1), 12);
    expect(annealTemperature(1e7, { initial: 2, rate: 1e-3, min: 0.1 })).toBe(0.1);
    const s = { initial: 1, rate: 1e-4, min: 0.5, every: 1000 };
    expect(annealTemperature(999, s)).toBe(1);
    expect(annealTemperature(1500, s)).toBeCloseTo(Math.exp(-0.1), 12);
    let prev = Infinity;
    for (let step = 0; step <= 20000; step += 500) {
      const t = annealTemperature(step, { rate: 1e-4 });
      expect(t).toBeLessThanOrEqual(prev);
      expect(t).toBeGreaterThanOrEqual(0.5);
      prev = t;
    }
    expect(() => annealTemperature(1, { min: 0 })).toThrow(RangeError);
  });
});

describe('categorical KL', () => {
  it('is 0 for q = p, log K for one-hot against uniform, and matches the formula', () => {
    expect(categoricalKl([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(0, 14);
    expect(categoricalKl([0, 1, 0, 0])).toBeCloseTo(Math.log(4), 14);
    const q = [0.5, 0.3, 0.2];
    const p = [0.2, 0.2, 0.6];
    expect(categoricalKl(q, p)).toBeCloseTo(0.5 * Math.log(2.5) + 0.3 * Math.log(1.5) + 0.2 * Math.log(1 / 3), 14);
    expect(categoricalKl([0.5, 0.5], [1, 0])).toBe(Infinity);
    expect(categoricalKl([1, 0], [1, 0])).toBe(0);
  });

  it('the logits version agrees and is stable at extreme logits', () => {
    const l = [1.2, -0.3, 0.5];
    const p = [0.2, 0.5, 0.3];
    expect(categoricalKlFromLogits(l, p).kl).toBeCloseTo(categoricalKl(softmax(l), p), 12);
    expect(categoricalKlFromLogits(l).kl).toBeCloseTo(categoricalKl(softmax(l)), 12);
    const big = categoricalKlFromLogits([1000, 0, 0]);
    expect(big.kl).toBeCloseTo(Math.log(3), 10);
    expect(big.grad.every(Number.isFinite)).toBe(true);
  });

  it('gradient check: ∂KL/∂l matches finite differences (uniform and given prior)', () => {
    const l = [1.2, -0.3, 0.5, 2.1];
    for (const prior of [undefined, [0.1, 0.2, 0.3, 0.4]]) {
      const analytic = categoricalKlFromLogits(l, prior).grad;
      const numeric = numericGradient((v) => categoricalKlFromLogits(v, prior).kl, l);
      expect(maxRelError(analytic, numeric)).toBeLessThan(1e-8);
    }
  });
});

describe('class-usage entropy (collapse detector)', () => {
  it('is 0 when every frame is in one class and log K for uniform usage', () => {
    const k = 5;
    const n = 40;
    const collapsed = new Float64Array(n * k);
    for (let r = 0; r < n; r++) collapsed[r * k + 2] = 1;
    const c = classUsageEntropy(collapsed, k);
    expect(c.entropy).toBe(0);
    expect(c.perplexity).toBe(1);
    expect(c.collapsed).toBe(true);

    const uniformHard = new Float64Array(n * k);
    for (let r = 0; r < n; r++) uniformHard[r * k + (r % k)] = 1;
    const u = classUsageEntropy(uniformHard, k);
    expect(u.entropy).toBeCloseTo(Math.log(k), 12);
    expect(u.normalized).toBeCloseTo(1, 12);
    expect(u.perplexity).toBeCloseTo(k, 10);
    expect(u.collapsed).toBe(false);

    // Soft responsibilities that are uniform per frame also use every class equally.
    expect(classUsageEntropy(new Float64Array(n * k).fill(1 / k), k).entropy).toBeCloseTo(Math.log(k), 12);
  });

  it('flags confident frames all in one class; mutual information flags frames spread evenly', () => {
    const k = 4;
    const n = 30;
    const resp = new Float64Array(n * k);
    for (let r = 0; r < n; r++) resp.set([0.99, 0.01 / 3, 0.01 / 3, 0.01 / 3], r * k);
    const one = classUsageEntropy(resp, k);
    expect(one.collapsed).toBe(true);
    expect(one.usage[0]).toBeCloseTo(0.99, 12);
    expect(one.mutualInformation).toBeCloseTo(0, 12); // every frame has the same q

    // Every frame at the uniform prior: per-frame KL is 0 and usage looks perfect, but I(c; n) = 0.
    const flat = classUsageEntropy(new Float64Array(n * k).fill(1 / k), k);
    expect(flat.collapsed).toBe(false);
    expect(flat.meanFrameEntropy).toBeCloseTo(Math.log(k), 12);
    expect(flat.mutualInformation).toBeCloseTo(0, 12);

    // Confident frames spread over all classes: I(c; n) = log K, the most it can be.
    const good = new Float64Array(n * k);
    for (let r = 0; r < 28; r++) good[r * k + (r % k)] = 1;
    expect(classUsageEntropy(good.subarray(0, 28 * k), k).mutualInformation).toBeCloseTo(Math.log(k), 12);
  });

  it('works from hard labels and rejects bad ones', () => {
    const usage = labelUsage([0, 1, 1, 2, 2, 2], 4);
    expect(Array.from(usage)).toEqual([1 / 6, 2 / 6, 3 / 6, 0]);
    expect(usageReport(usage).entropy).toBeCloseTo(-(Math.log(1 / 6) / 6 + Math.log(2 / 6) / 3 + Math.log(3 / 6) / 2), 14);
    expect(entropy([0.5, 0.25, 0.25, 0])).toBeCloseTo(1.5 * Math.log(2), 14);
    expect(() => labelUsage([4], 4)).toThrow(RangeError);
    expect(() => classUsage([1, 2, 3], 2)).toThrow(RangeError);
  });
});

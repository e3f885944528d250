import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LOG_2PI,
  bernoulliNll,
  elbo,
  gaussianNll,
  klStdNormal,
  perPixel,
  reconstructionNll,
  reparameterize,
  vaeTerms,
} from './losses.js';
import { initWeights, type VaeConfig } from './spec.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const arr = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('reconstruction NLL', () => {
  it('Bernoulli matches hand-computed sigmoid cross-entropy, stably at extreme logits', () => {
    const logits = tf.tensor2d([[0, 2, -3, 100, -100, 100]]);
    const x = tf.tensor2d([[0.5, 1, 0, 0, 1, 1]]);
    const expected =
      Math.log(2) + // l = 0: −0.5 log ½ − 0.5 log ½
      Math.log1p(Math.exp(-2)) + // x = 1: −log σ(2)
      Math.log1p(Math.exp(-3)) + // x = 0: −log(1 − σ(−3))
      100 + // x = 0 with l = 100: −log(1 − σ(100)) ≈ 100, not Infinity
      100 + // x = 1 with l = −100
      0; // x = 1 with l = 100: ≈ 3.7e-44
    const got = arr(bernoulliNll(logits, x));
    expect(got).toHaveLength(1);
    expect(got[0]).toBeCloseTo(expected, 4);
    expect(Number.isFinite(got[0])).toBe(true);
  });

  it('Bernoulli is summed per example over all pixels of NHWC', () => {
    const logits = tf.zeros([2, 4, 4, 3]);
    const x = tf.fill([2, 4, 4, 3], 0.25);
    const got = arr(bernoulliNll(logits, x));
    expect(got[0]).toBeCloseTo(48 * Math.log(2), 3);
    expect(got[1]).toBeCloseTo(48 * Math.log(2), 3);
  });

  it('Gaussian is a true NLL in nats with per-channel log σ² (0.5·log 2π included)', () => {
    // 1 example, 1×2 pixels, 3 channels; logits 0 -> mean 0.5 everywhere.
    const logits = tf.zeros([1, 1, 2, 3]);
    const xs = [0.5, 0.7, 0.1, 0.9, 0.5, 0.3];
    const x = tf.tensor4d(xs, [1, 1, 2, 3]);
    const lv = [0, Math.log(0.01), -1];
    const got = arr(gaussianNll(logits, tf.tensor1d(lv), x))[0]!;
    let expected = 0;
    xs.forEach((xi, i) => {
      const l = lv[i % 3]!;
      expected += 0.5 * (Math.log(2 * Math.PI) + l + (xi - 0.5) ** 2 / Math.exp(l));
    });
    expect(got).toBeCloseTo(expected, 4);
    // A perfect reconstruction with σ² = 1 costs exactly 0.5·log 2π per value.
    const perfect = arr(gaussianNll(tf.zeros([1, 1, 1, 1]), tf.tensor1d([0]), tf.fill([1, 1, 1, 1], 0.5)))[0]!;
    expect(perfect).toBeCloseTo(0.5 * LOG_2PI, 6);
  });

  it('reconstructionNll follows the config likelihood and decoderLogVar', () => {
    const base: VaeConfig = { inputSize: 4, channels: 1, filters: [2], latentDim: 2, likelihood: 'bernoulli', fixedLogVar: -2 };
    const logits = tf.tensor4d([0.3, -0.2, 1, 0], [1, 2, 2, 1]);
    const x = tf.tensor4d([0.1, 0.9, 0.5, 0.2], [1, 2, 2, 1]);
    const w = initWeights({ ...base, likelihood: 'gaussian-learned' });
    expect(arr(reconstructionNll(base, w, logits, x))).toEqual(arr(bernoulliNll(logits, x)));
    const fixed = { ...base, likelihood: 'gaussian-fixed' as const };
    expect(arr(reconstructionNll(fixed, w, logits, x))[0]).toBeCloseTo(arr(gaussianNll(logits, tf.scalar(-2), x))[0]!, 4);
    const learned = { ...base, likelihood: 'gaussian-learned' as const };
    expect(arr(reconstructionNll(learned, w, logits, x))[0]).toBeCloseTo(arr(gaussianNll(logits, tf.scalar(0), x))[0]!, 4);
  });

  it('rejects mismatched shapes', () => {
    expect(() => bernoulliNll(tf.zeros([1, 4]), tf.zeros([1, 5]))).toThrow(/shapes differ/);
  });
});

describe('KL(q(z|x) ‖ N(0, I))', () => {
  const mu = [0.5, -1, 0.2, 0];
  const lv = [0, -1, 0.5, -2];
  const closed = 0.5 * mu.reduce((s, m, j) => s + Math.exp(lv[j]!) + m * m - 1 - lv[j]!, 0);

  it('closed form matches the formula, and is 0 for q = p', () => {
    expect(arr(klStdNormal(tf.tensor2d([mu]), tf.tensor2d([lv])))[0]).toBeCloseTo(closed, 5);
    expect(arr(klStdNormal(tf.zeros([3, 4]), tf.zeros([3, 4])))).toEqual([0, 0, 0]);
  });

  it('matches a Monte Carlo estimate of E_q[log q(z) − log p(z)]', () => {
    const n = 200_000;
    const est = tf.tidy(() => {
      const m = tf.tile(tf.tensor2d([mu]), [n, 1]) as tf.Tensor2D;
      const l = tf.tile(tf.tensor2d([lv]), [n, 1]) as tf.Tensor2D;
      const eps = tf.randomNormal([n, 4], 0, 1, 'float32', 42) as tf.Tensor2D;
      const z = reparameterize(m, l, eps);
      const logq = tf.sum(tf.mul(-0.5, tf.add(tf.add(LOG_2PI, l), tf.div(tf.square(tf.sub(z, m)), tf.exp(l)))), 1);
      const logp = tf.sum(tf.mul(-0.5, tf.add(LOG_2PI, tf.square(z))), 1);
      const d = tf.sub(logq, logp);
      const { mean, variance } = tf.moments(d);
      return [mean.dataSync()[0]!, Math.sqrt(variance.dataSync()[0]! / n)];
    });
    const [mean, se] = est as [number, number];
    const implemented = arr(klStdNormal(tf.tensor2d([mu]), tf.tensor2d([lv])))[0]!;
    expect(Math.abs(mean - implemented)).toBeLessThan(Math.max(5 * se, 1e-3));
    expect(se).toBeLessThan(0.01); // the estimate is tight enough for the check to mean something
  });
});

describe('reparameterization', () => {
  it('z = μ + σ·ε has mean μ and variance σ²', () => {
    const n = 100_000;
    const mu = [1.5, -0.5];
    const lv = [Math.log(4), Math.log(0.25)];
    const [m, v] = tf.tidy(() => {
      const z = reparameterize(tf.tile(tf.tensor2d([mu]), [n, 1]) as tf.Tensor2D, tf.tile(tf.tensor2d([lv]), [n, 1]) as tf.Tensor2D, 7);
      const mo = tf.moments(z, 0);
      return [arr(mo.mean), arr(mo.variance)];
    }) as unknown as [number[], number[]];
    expect(m[0]).toBeCloseTo(1.5, 1);
    expect(m[1]).toBeCloseTo(-0.5, 1);
    expect(Math.abs(v[0]! - 4) / 4).toBeLessThan(0.03);
    expect(Math.abs(v[1]! - 0.25) / 0.25).toBeLessThan(0.03);
  });

  it('a given ε is used as is; a seed is reproducible', () => {
    const z = reparameterize(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, Math.log(9)]]), tf.tensor2d([[0.5, -1]]));
    expect(arr(z)[0]).toBeCloseTo(1.5, 6);
    expect(arr(z)[1]).toBeCloseTo(-1, 5);
    const a = arr(reparameterize(tf.zeros([2, 3]), tf.zeros([2, 3]), 123));
    const b = arr(reparameterize(tf.zeros([2, 3]), tf.zeros([2, 3]), 123));
    expect(a).toEqual(b);
  });

  it('gradients flow to μ and log σ² and match the analytic ones', () => {
    const mu = tf.tensor2d([[0.3, -0.7, 1.1]]);
    const lv = tf.tensor2d([[-0.5, 0.4, 0]]);
    const eps = tf.tensor2d([[0.9, -1.3, 0.2]]);
    // d(Σ z)/dμ = 1, d(Σ z)/dlogσ² = ½ ε exp(½ logσ²)
    const [gm, gl] = tf.grads((m: tf.Tensor, l: tf.Tensor) => tf.sum(reparameterize(m as tf.Tensor2D, l as tf.Tensor2D, eps)))([mu, lv]);
    expect(arr(gm!)).toEqual([1, 1, 1]);
    arr(gl!).forEach((g, j) => expect(g).toBeCloseTo(0.5 * arr(eps)[j]! * Math.exp(0.5 * arr(lv)[j]!), 5));
    // dKL/dμ = μ, dKL/dlogσ² = ½(σ² − 1)
    const [km, kl] = tf.grads((m: tf.Tensor, l: tf.Tensor) => tf.sum(klStdNormal(m, l)))([mu, lv]);
    arr(km!).forEach((g, j) => expect(g).toBeCloseTo(arr(mu)[j]!, 5));
    arr(kl!).forEach((g, j) => expect(g).toBeCloseTo(0.5 * (Math.exp(arr(lv)[j]!) - 1), 5));
    // dBernoulli/dlogits = σ(l) − x
    const lg = tf.tensor2d([[-2, 0.5, 3]]);
    const x = tf.tensor2d([[0.2, 1, 0]]);
    const gb = tf.grad((l: tf.Tensor) => tf.sum(bernoulliNll(l, x)))(lg);
    arr(gb).forEach((g, j) => expect(g).toBeCloseTo(1 / (1 + Math.exp(-arr(lg)[j]!)) - arr(x)[j]!, 5));
  });

  it('the gradient of −ELBO through z, the decoder NLL and KL matches finite differences', () => {
    // −ELBO(μ, logσ²) = GaussianNLL(x | logits = z·A) + KL, z = μ + exp(½logσ²)ε with fixed ε.
    const A = tf.tensor2d([[0.8, -0.4, 0.3, 0.1], [0.2, 0.5, -0.9, 0.6], [-0.3, 0.7, 0.4, -0.5]]);
    const eps = tf.tensor2d([[0.9, -1.3, 0.2], [-0.4, 0.6, 1.5]]);
    const x = tf.tensor2d([[0.2, 0.9, 0.4, 0.6], [0.7, 0.1, 0.5, 0.3]]);
    const decLv = tf.tensor1d([-1, -1, -0.5, -0.5]);
    const negElbo = (m: tf.Tensor, l: tf.Tensor): tf.Scalar =>
      tf.tidy(() => {
        const z = reparameterize(m as tf.Tensor2D, l as tf.Tensor2D, eps);
        const nll = gaussianNll(tf.matMul(z, A), decLv, x);
        const kl = klStdNormal(m, l);
        return tf.sum(tf.neg(elbo(nll, kl))) as tf.Scalar;
      });
    const mu0 = [0.3, -0.7, 1.1, -0.2, 0.4, 0.05];
    const lv0 = [-0.5, 0.4, 0, 0.3, -1, 0.2];
    const [gm, gl] = tf.grads(negElbo)([tf.tensor2d(mu0, [2, 3]), tf.tensor2d(lv0, [2, 3])]);
    const h = 1e-2;
    const fd = (which: 0 | 1, i: number): number => {
      const f = (d: number): number => {
        const m = [...mu0];
        const l = [...lv0];
        (which === 0 ? m : l)[i]! += d;
        return negElbo(tf.tensor2d(m, [2, 3]), tf.tensor2d(l, [2, 3])).dataSync()[0]!;
      };
      return (f(h) - f(-h)) / (2 * h);
    };
    for (let i = 0; i < 6; i++) {
      const [a, b] = [arr(gm!)[i]!, fd(0, i)];
      expect(Math.abs(a - b)).toBeLessThan(2e-2 * Math.max(1, Math.abs(b)));
      const [c, d] = [arr(gl!)[i]!, fd(1, i)];
      expect(Math.abs(c - d)).toBeLessThan(2e-2 * Math.max(1, Math.abs(d)));
    }
    // and the gradient is not trivially zero
    expect(arr(gl!).some((g) => Math.abs(g) > 1e-2)).toBe(true);
  });
});

describe('helpers', () => {
  it('ELBO = −(NLL + KL); perPixel divides by S·S·C', () => {
    expect(arr(elbo(tf.tensor1d([3, 1]), tf.tensor1d([0.5, 2])))).toEqual([-3.5, -3]);
    const c = { inputSize: 16, channels: 3 };
    expect(perPixel(768, c)).toBe(1);
    expect(arr(perPixel(tf.tensor1d([1536]), c))).toEqual([2]);
  });

  it('vaeTerms runs the spec forward pass and gives per-example terms without leaking', () => {
    const config: VaeConfig = { inputSize: 16, channels: 1, filters: [4, 8], latentDim: 3, likelihood: 'gaussian-learned', fixedLogVar: 0 };
    const w = initWeights(config, 2);
    const x = tf.randomUniform([5, 16, 16, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const t = vaeTerms(config, w, x, 9);
    expect(t.recon.shape).toEqual([5]);
    expect(t.kl.shape).toEqual([5]);
    expect(t.mu.shape).toEqual([5, 3]);
    expect(t.logits.shape).toEqual([5, 16, 16, 1]);
    expect(arr(t.kl).every((k) => k >= 0)).toBe(true);
    tf.dispose(Object.values(t));
    expect(tf.memory().numTensors).toBe(before);
  });
});

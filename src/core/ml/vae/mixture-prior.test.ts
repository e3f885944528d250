import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { categoricalKl, gumbelSoftmaxWithNoise } from '../family/gumbel.js';
import { componentLogJoint, createGmm, klDiagGaussian, responsibilities, sampleGmm, type DiagGmm } from '../family/mixture.js';
import { logSumExp, mulberry32, standardNormals } from '../family/numeric.js';
import { maxRelError } from '../../../../test/ml/finite-differences.js';
import { balancedResponsibilities, mixtureKl, priorTensors, resolveGuard, updateMixturePrior, usageDeficit } from './mixture-prior.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L = 3;
const K = 3;
const gmm: DiagGmm = createGmm([0.5, 0.3, 0.2], [0, 0, 0, 2, -1, 0.5, -2, 1, -0.5], [1, 0.5, 2, 0.3, 0.8, 1.2, 1.5, 0.4, 0.6]);

/** The same terms in double precision from family/ (klDiagGaussian, categoricalKl): q = responsibilities of μ. */
function reference(mu: number[], logvar: number[], y?: Float64Array, label?: number): { kl: number; q: Float64Array } {
  const lj = componentLogJoint(gmm, mu);
  const lse = logSumExp(lj);
  const q = label === undefined ? Float64Array.from(lj, (v) => Math.exp(v - lse)) : Float64Array.from({ length: K }, (_, k) => (k === label ? 1 : 0));
  const w = label === undefined ? (y ?? q) : q;
  let kl = categoricalKl(q, gmm.weights);
  for (let k = 0; k < K; k++) kl += w[k]! * klDiagGaussian(mu, logvar, gmm.means.subarray(k * L, (k + 1) * L), gmm.vars.subarray(k * L, (k + 1) * L));
  return { kl, q };
}

describe('mixtureKl', () => {
  const rng = mulberry32(5);
  const n = 4;
  const mu = Array.from(standardNormals(n * L, rng), (v) => 1.5 * v);
  const logvar = Array.from(standardNormals(n * L, rng), (v) => 0.5 * v - 0.5);
  const prior = priorTensors(gmm);

  it('matches the double-precision family/ math, with y = q, with Gumbel noise, and for labelled frames', () => {
    const noise = Array.from({ length: n * K }, (_, i) => Math.log(-Math.log((i + 0.5) / (n * K))));
    const tau = 0.7;
    const labels = [-1, 2, -1, 0];
    const out = tf.tidy(() => {
      const m = tf.tensor2d(mu, [n, L]);
      const lv = tf.tensor2d(logvar, [n, L]);
      const oneHot = tf.tensor2d(labels.flatMap((c) => Array.from({ length: K }, (_, k) => (k === c ? 1 : 0))), [n, K]);
      const plain = mixtureKl(m, lv, prior);
      const g = mixtureKl(m, lv, prior, { gumbel: { noise: tf.tensor2d(noise, [n, K]), tau } });
      const lab = mixtureKl(m, lv, prior, { labels: oneHot });
      return { plain: plain.kl.arraySync(), q: plain.q.arraySync(), gumbel: g.kl.arraySync(), labelled: lab.kl.arraySync(), labQ: lab.q.arraySync() };
    });
    for (let r = 0; r < n; r++) {
      const m = mu.slice(r * L, (r + 1) * L);
      const lv = logvar.slice(r * L, (r + 1) * L);
      const ref = reference(m, lv);
      expect(maxRelError([out.plain[r]!], [ref.kl])).toBeLessThan(1e-5);
      expect(maxRelError(out.q[r]!, ref.q)).toBeLessThan(1e-5);
      const lj = componentLogJoint(gmm, m);
      const y = gumbelSoftmaxWithNoise(lj, noise.slice(r * K, (r + 1) * K), tau);
      expect(maxRelError([out.gumbel[r]!], [reference(m, lv, y).kl])).toBeLessThan(1e-5);
      const c = labels[r]!;
      const refL = reference(m, lv, undefined, c >= 0 ? c : undefined);
      expect(maxRelError([out.labelled[r]!], [refL.kl])).toBeLessThan(1e-5);
      expect(maxRelError(out.labQ[r]!, refL.q)).toBeLessThan(1e-6);
    }
  });

  it('its gradient with respect to μ and log σ² matches central differences of the double-precision reference', () => {
    const noise = Array.from({ length: n * K }, (_, i) => Math.sin(i) * 0.8);
    const tau = 0.6;
    const f = (m: number[], lv: number[]): number => {
      let s = 0;
      for (let r = 0; r < n; r++) {
        const mr = m.slice(r * L, (r + 1) * L);
        const y = gumbelSoftmaxWithNoise(componentLogJoint(gmm, mr), noise.slice(r * K, (r + 1) * K), tau);
        s += reference(mr, lv.slice(r * L, (r + 1) * L), y).kl;
      }
      return s;
    };
    const [gMu, gLv] = tf.tidy(() => {
      const noiseT = tf.tensor2d(noise, [n, K]);
      const grads = tf.grads((m: tf.Tensor, lv: tf.Tensor) => tf.sum(mixtureKl(m as tf.Tensor2D, lv as tf.Tensor2D, prior, { gumbel: { noise: noiseT, tau } }).kl));
      return grads([tf.tensor2d(mu, [n, L]), tf.tensor2d(logvar, [n, L])]).map((g) => Array.from(g.dataSync()));
    });
    const h = 1e-5;
    const num = (which: 'mu' | 'lv'): number[] =>
      (which === 'mu' ? mu : logvar).map((_, i) => {
        const plus = [...(which === 'mu' ? mu : logvar)];
        const minus = [...plus];
        plus[i]! += h;
        minus[i]! -= h;
        return which === 'mu' ? (f(plus, logvar) - f(minus, logvar)) / (2 * h) : (f(mu, plus) - f(mu, minus)) / (2 * h);
      });
    expect(maxRelError(gMu!, num('mu'))).toBeLessThan(2e-3);
    expect(maxRelError(gLv!, num('lv'))).toBeLessThan(2e-3);
  });

  it('usageDeficit is 0 for even use of the classes and log K when the batch uses one', () => {
    const [even, one] = tf.tidy(() => [
      usageDeficit(tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3])).dataSync()[0]!,
      usageDeficit(tf.tensor2d([1, 0, 0, 1, 0, 0, 0.98, 0.01, 0.01], [3, 3])).dataSync()[0]!,
    ]);
    expect(even).toBeCloseTo(0, 5);
    expect(one).toBeGreaterThan(0.85 * Math.log(3));
  });
});

describe('updateMixturePrior: the collapse guard', () => {
  // Codes from three well separated clusters; the starting mixture has one component far from all of them (dead).
  const truth = createGmm([1 / 3, 1 / 3, 1 / 3], [-4, 0, 0, 4, 4, -4], [0.3, 0.3, 0.3, 0.3, 0.3, 0.3]);
  const { z } = sampleGmm(truth, 300, 9);
  const start = createGmm([0.5, 0.49, 0.01], [-4, 2, 3, -1, 60, 60], [1, 1, 1, 1, 1, 1]);

  const run = (guard: ReturnType<typeof resolveGuard>, iterations: number) => {
    let g = start;
    const reports = [];
    for (let i = 0; i < iterations; i++) {
      const u = updateMixturePrior(g, z, undefined, guard);
      g = u.gmm;
      reports.push(u);
    }
    return { g, reports };
  };

  it('without it, a dead component stays dead: one cluster is never given a class', () => {
    const { reports } = run(resolveGuard(K, false), 15);
    const last = reports[reports.length - 1]!;
    expect(last.usage[2]!).toBeLessThan(1e-6);
    expect(reports.every((r) => r.reseeded.length === 0)).toBe(true);
  });

  it('with it, the dead component is re-seeded from the worst-explained code and takes over the unexplained cluster', () => {
    const { g, reports } = run(resolveGuard(K, {}), 15);
    expect(reports[0]!.reseeded).toEqual([2]);
    const last = reports[reports.length - 1]!;
    expect(Math.min(...last.usage)).toBeGreaterThan(0.25);
    expect(last.usageEntropy).toBeGreaterThan(0.95);
    // Every true cluster centre has a component mean within 1 of it.
    for (let c = 0; c < 3; c++) {
      const d = Math.min(...[0, 1, 2].map((k) => Math.hypot(g.means[2 * k]! - truth.means[2 * c]!, g.means[2 * k + 1]! - truth.means[2 * c + 1]!)));
      expect(d).toBeLessThan(1);
    }
  });

  it('on one broad mode (a fixed camera), the balanced M-step splits it between the components instead of letting one swallow it', () => {
    const { z: blob } = sampleGmm(createGmm([1], [0, 0], [1, 1]), 400, 3);
    const collapsed = createGmm([0.97, 0.01, 0.01, 0.01], [0, 0, 6, 6, -6, 6, 6, -6], [1, 1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]);
    const argmaxCounts = (minShare: number) => {
      let g = collapsed;
      for (let i = 0; i < 10; i++) g = updateMixturePrior(g, blob, undefined, { ...resolveGuard(4, {}), minShare }).gmm;
      const r = responsibilities(g, blob).resp;
      const counts = [0, 0, 0, 0];
      for (let n = 0; n < 400; n++) counts[[0, 1, 2, 3].reduce((b, c) => (r[n * 4 + c]! > r[n * 4 + b]! ? c : b), 0)]!++;
      return counts;
    };
    const entropyOf = (counts: number[]) => -counts.reduce((h, c) => (c ? h + (c / 400) * Math.log(c / 400) : h), 0) / Math.log(4);
    // Re-seeding alone: the broad component keeps almost every code (measured 384 of 400).
    const plain = argmaxCounts(0);
    expect(Math.max(...plain)).toBeGreaterThan(360);
    // Balanced (the default, minShare 0.5 / K): every class gets frames (measured 242 / 45 / 70 / 43).
    expect(resolveGuard(4, {}).minShare).toBe(0.125);
    const balanced = argmaxCounts(0.125);
    expect(Math.min(...balanced)).toBeGreaterThan(20);
    expect(entropyOf(balanced)).toBeGreaterThan(0.6);
    expect(entropyOf(balanced)).toBeGreaterThan(entropyOf(plain) + 0.3);
  });

  it('balanced responsibilities: every component reaches minShare with the codes most likely its own; labelled codes stay one-hot', () => {
    const labels = Int32Array.from({ length: 300 }, (_, i) => (i < 5 ? 2 : -1));
    const r = balancedResponsibilities(start, z, labels, 0.2);
    const share = [0, 0, 0];
    for (let n = 5; n < 300; n++) for (let c = 0; c < 3; c++) share[c]! += r[n * 3 + c]! / 295;
    expect(Math.min(...share)).toBeGreaterThanOrEqual(0.2 - 1e-9);
    // The far-away component 2 (at (60, 60)) is given the codes with the highest log-odds for it: from the cluster at (0, 4), the one that lies most that way.
    const given = Array.from({ length: 295 }, (_, i) => i + 5).filter((n) => r[n * 3 + 2] === 1);
    expect(given.length).toBe(Math.ceil(0.2 * 295));
    expect(given.every((n) => z[2 * n + 1]! > 2)).toBe(true);
    for (let n = 0; n < 5; n++) expect([r[n * 3]!, r[n * 3 + 1]!, r[n * 3 + 2]!]).toEqual([0, 0, 1]);
    for (let n = 0; n < 300; n++) expect(r[n * 3]! + r[n * 3 + 1]! + r[n * 3 + 2]!).toBeCloseTo(1, 12);
    // Already balanced enough: the plain responsibilities come back unchanged.
    const even = createGmm([1 / 3, 1 / 3, 1 / 3], truth.means, truth.vars);
    expect(Array.from(balancedResponsibilities(even, z, undefined, 0.2))).toEqual(Array.from(responsibilities(even, z).resp));
  });

  it('floors π and keeps it a distribution; labelled codes stay with their class', () => {
    const labels = Int32Array.from({ length: 300 }, (_, i) => (i < 5 ? 2 : -1));
    const u = updateMixturePrior(start, z, labels, { piFloor: 0.1, deadBelow: 0, entropyWeight: 0 });
    const w = Array.from(u.gmm.weights);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(0.1 / (1 + 3 * 0.1) - 1e-12);
    expect(u.usage[2]!).toBeCloseTo(5 / 300, 6); // the labelled codes, and nothing else, in component 2
  });
});

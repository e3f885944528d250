import { describe, expect, it } from 'vitest';
import { mulberry32, standardNormal } from './numeric.js';
import { maxRelError, numericGradient } from '../../../../test/ml/finite-differences.js';
import { codeRarity, codeUsage, createEmaState, emaUpdate, nearestCodes, rarityScores, restartDeadCodes, vqLosses } from './vq.js';

function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Float64Array {
  const rng = mulberry32(seed);
  return Float64Array.from({ length: rows * cols }, () => scale * standardNormal(rng));
}

/** Three well-separated clusters in 2-D and their exact means. */
function clusters(perCluster: number, seed: number): { x: Float64Array; labels: Int32Array; means: number[][] } {
  const centres = [[-5, 0], [5, 1], [0, 6]];
  const rng = mulberry32(seed);
  const x = new Float64Array(3 * perCluster * 2);
  const labels = new Int32Array(3 * perCluster);
  const means = centres.map(() => [0, 0]);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < perCluster; i++) {
      const r = c * perCluster + i;
      labels[r] = c;
      for (let j = 0; j < 2; j++) {
        x[r * 2 + j] = centres[c]![j]! + 0.5 * standardNormal(rng);
        means[c]![j]! += x[r * 2 + j]! / perCluster;
      }
    }
  }
  return { x, labels, means };
}

describe('nearest-code assignment', () => {
  it('equals brute force over all pairs (squared distance, first index on ties)', () => {
    const dim = 3;
    const x = randomMatrix(200, dim, 1);
    const cb = randomMatrix(16, dim, 2);
    const { codes, dist2 } = nearestCodes(x, cb, dim);
    for (let r = 0; r < 200; r++) {
      const d = Array.from({ length: 16 }, (_, c) => {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (x[r * dim + j]! - cb[c * dim + j]!) ** 2;
        return s;
      });
      const best = d.indexOf(Math.min(...d));
      expect(codes[r]).toBe(best);
      expect(dist2[r]).toBeCloseTo(d[best]!, 12);
    }
    // Ties: the point halfway between two identical-distance codes goes to the first.
    expect(nearestCodes([0, 0], [1, 0, -1, 0], 2).codes[0]).toBe(0);
    expect(nearestCodes([0, 0], [5, 5, 1, 0, -1, 0], 2).codes[0]).toBe(1);
  });

  it('validates shapes', () => {
    expect(() => nearestCodes([1, 2, 3], [0, 0], 2)).toThrow(RangeError);
    expect(() => nearestCodes([1, 2], [], 2)).toThrow(RangeError);
  });
});

describe('VQ losses', () => {
  const dim = 3;
  const x = randomMatrix(10, dim, 3);
  const cb = randomMatrix(4, dim, 4);

  it('codebook loss = mean squared distance to the assigned code; commitment = β times it', () => {
    const { codes, dist2 } = nearestCodes(x, cb, dim);
    const l = vqLosses(x, cb, dim, 0.25, codes);
    const mean = dist2.reduce((a, b) => a + b, 0) / 10;
    expect(l.codebookLoss).toBeCloseTo(mean, 12);
    expect(l.commitmentLoss).toBeCloseTo(0.25 * mean, 12);
    expect(vqLosses(x, cb, dim).codebookLoss).toBeCloseTo(mean, 12); // nearest codes by default
    expect(() => vqLosses(x, cb, dim, 0.25, [9, ...codes.slice(1)])).toThrow(RangeError);
  });

  it('gradient check: ∂codebook/∂e and ∂commitment/∂z match finite differences (codes held fixed)', () => {
    const { codes } = nearestCodes(x, cb, dim);
    const l = vqLosses(x, cb, dim, 0.4, codes);
    const gE = numericGradient((e) => vqLosses(x, e, dim, 0.4, codes).codebookLoss, cb);
    const gZ = numericGradient((z) => vqLosses(z, cb, dim, 0.4, codes).commitmentLoss, x);
    expect(maxRelError(l.gradCodebook, gE)).toBeLessThan(1e-8);
    expect(maxRelError(l.gradInputs, gZ)).toBeLessThan(1e-8);
  });
});

describe('EMA codebook', () => {
  it('on a fixed assignment moves the codes to the cluster means', () => {
    const { x, labels, means } = clusters(40, 5);
    let state = createEmaState([0, 0, 1, 1, -1, 2], 2);
    for (let it = 0; it < 300; it++) state = emaUpdate(state, x, labels, { decay: 0.9 });
    for (let c = 0; c < 3; c++) for (let j = 0; j < 2; j++) expect(state.codebook[c * 2 + j]).toBeCloseTo(means[c]![j]!, 4);
    for (let c = 0; c < 3; c++) expect(state.clusterSize[c]).toBeCloseTo(40, 6);
  });

  it('one update is the closed-form moving average (decay 0.5, no smoothing effect at equal counts)', () => {
    const state = createEmaState([0, 0, 10, 10], 2, 2);
    const next = emaUpdate(state, [1, 1, 3, 3, 9, 9, 11, 11], [0, 0, 1, 1], { decay: 0.5, epsilon: 0 });
    expect(Array.from(next.clusterSize)).toEqual([2, 2]);
    expect(Array.from(next.embedSum)).toEqual([2, 2, 20, 20]); // 0.5·(2·e) + 0.5·Σx
    expect(Array.from(next.codebook)).toEqual([1, 1, 10, 10]);
  });

  it('with nearest-code assignment (k-means style) converges on the clusters after dead codes are restarted', () => {
    const { x, means } = clusters(40, 6);
    // Four codes, all far off to one side: only one of them wins anything at first.
    let state = createEmaState([20, 20, 21, 20, 20, 21, 21, 21], 2);
    const rng = mulberry32(7);
    let restartedAny = false;
    for (let it = 0; it < 200; it++) {
      const { codes } = nearestCodes(x, state.codebook, 2);
      state = emaUpdate(state, x, codes, { decay: 0.8 });
      if (it % 10 === 9) {
        const r = restartDeadCodes(state, x, { threshold: 0.5, rng });
        restartedAny ||= r.restarted.length > 0;
        state = r.state;
      }
    }
    expect(restartedAny).toBe(true);
    const { codes } = nearestCodes(x, state.codebook, 2);
    expect(codeUsage(codes, 4).unused.length).toBeLessThanOrEqual(1);
    // Every cluster mean has a code near it.
    for (const m of means) {
      const d = Math.min(...[0, 1, 2, 3].map((c) => Math.hypot(state.codebook[c * 2]! - m[0]!, state.codebook[c * 2 + 1]! - m[1]!)));
      expect(d).toBeLessThan(1.5);
    }
  });
});

describe('dead-code restarts', () => {
  it('re-seeds exactly the codes below the threshold onto distinct inputs', () => {
    const x = Float64Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    const state = createEmaState([0, 0, 9, 9, 8, 8], 2);
    state.clusterSize.set([5, 0.001, 0.002]);
    const { state: next, restarted } = restartDeadCodes(state, x, { threshold: 0.01, seed: 3 });
    expect(restarted).toEqual([1, 2]);
    const picked: string[] = [];
    for (const c of restarted) {
      const row = [next.codebook[c * 2]!, next.codebook[c * 2 + 1]!];
      expect(row[0]).toBe(row[1]); // one of the inputs (each has equal coordinates)
      expect([0, 1, 2, 3]).toContain(row[0]);
      picked.push(row.join(','));
      expect(next.clusterSize[c]).toBe(1);
      expect(next.embedSum[c * 2]).toBe(row[0]);
    }
    expect(new Set(picked).size).toBe(2);
    // The live code and the input state are untouched.
    expect(Array.from(next.codebook.subarray(0, 2))).toEqual([0, 0]);
    expect(state.clusterSize[1]).toBe(0.001);
    // Judging by explicit usage counts instead.
    expect(restartDeadCodes(state, x, { usage: [0, 3, 3], threshold: 1 }).restarted).toEqual([0]);
    // Nothing dead, nothing restarted.
    expect(restartDeadCodes(createEmaState([0, 0], 2), x).restarted).toEqual([]);
  });

  it('copes with more dead codes than inputs', () => {
    const state = createEmaState(new Float64Array(10), 2);
    state.clusterSize.fill(0);
    const { state: next, restarted } = restartDeadCodes(state, [1, 1, 2, 2], { seed: 1 });
    expect(restarted).toHaveLength(5);
    for (let c = 0; c < 5; c++) expect([1, 2]).toContain(next.codebook[c * 2]);
  });
});

describe('usage and rarity', () => {
  it('perplexity of uniform usage equals K; of a single code, 1', () => {
    const k = 8;
    const uniform = Array.from({ length: 64 }, (_, i) => i % k);
    const u = codeUsage(uniform, k);
    expect(u.perplexity).toBeCloseTo(k, 10);
    expect(u.entropy).toBeCloseTo(Math.log(k), 12);
    expect(u.unused).toEqual([]);
    const one = codeUsage(new Array(20).fill(3), k);
    expect(one.perplexity).toBe(1);
    expect(one.unused).toEqual([0, 1, 2, 4, 5, 6, 7]);
    expect(Array.from(one.probs)).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
    expect(() => codeUsage([8], k)).toThrow(RangeError);
    // Uneven use: p = (½, ¼, ¼, 0) has H = 1.5 log 2 and perplexity 2^1.5.
    const uneven = codeUsage([0, 0, 1, 2], 4);
    expect(uneven.entropy).toBeCloseTo(1.5 * Math.log(2), 12);
    expect(uneven.perplexity).toBeCloseTo(2 ** 1.5, 12);
  });

  it('rarity is −log of the add-one smoothed frequency: finite for unseen codes, falling with use', () => {
    const counts = [10, 5, 0, 1];
    const n = 16;
    const r = codeRarity(counts);
    expect(r[0]).toBeCloseTo(-Math.log(11 / (n + 4)), 12);
    expect(r[2]).toBeCloseTo(Math.log(n + 4), 12);
    expect(r[2]! > r[3]! && r[3]! > r[1]! && r[1]! > r[0]!).toBe(true);
    // The smoothed probabilities form a distribution.
    expect(Array.from(r).reduce((a, v) => a + Math.exp(-v), 0)).toBeCloseTo(1, 12);
    expect(Array.from(rarityScores([2, 0, 0], counts))).toEqual([r[2], r[0], r[0]]);
    expect(() => rarityScores([4], counts)).toThrow(RangeError);
  });
});
